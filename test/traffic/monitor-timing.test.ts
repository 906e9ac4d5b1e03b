import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimGpio } from '../../drivers/backends/sim/gpio.js';
import { VirtualClock, type TimerHandle } from '../../drivers/hal/clock.js';
import { buildCabinet } from '../../firmware/traffic/cabinet.js';

/**
 * The conflict monitor judges intervals (yellow, red clearance) from its own samples, with one
 * sample period of tolerance. That holds only while its samples keep a fixed order relative to
 * the controller's ticks. Aligned intervals (Clock.setAlignedInterval) put every timer of a
 * period on the same millisecond, where Node runs them in either order: the monitor then saw a
 * yellow end a period late and the next green on time, and tripped a correct controller for a
 * short red clearance (once in a 10-minute bench run). So neither may use them.
 */
class SpyClock extends VirtualClock {
  aligned = 0;
  setAlignedInterval(fn: () => void, ms: number): TimerHandle {
    this.aligned++;
    return this.setInterval(fn, ms);
  }
}

describe('conflict monitor timing', () => {
  it('the controller and the monitor never use aligned intervals', () => {
    const clock = new SpyClock(0);
    const sim = new SimGpio(clock);
    const det = (phase: number, pin: number) => ({ phase, pin, active_low: false, debounce_ms: 0, max_presence_s: 180, no_activity_s: 3600 });
    const cab = buildCabinet({
      clock,
      gpio: sim,
      lamps: { phases: { '2': { red: 1, yellow: 2, green: 3 }, '4': { red: 4, yellow: 5, green: 6 } } },
      detectors: [det(2, 20), det(4, 21)],
      controller: { strategy: 'actuated', startup_flash_s: 1, startup_red_s: 1, defaults: { min_green_s: 5, passage_s: 3, max_green_s: 20, yellow_s: 3, red_clear_s: 1 }, phases: { '2': { recall: 'min' }, '4': { recall: 'min' } } },
    });
    cab.start();
    clock.advance(120_000);
    assert.equal(cab.monitor.state().tripped, false, 'the controller cycled without a trip');
    assert.equal(clock.aligned, 0);
  });
});
