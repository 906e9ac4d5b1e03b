import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock, type TimerHandle } from '../../drivers/hal/clock.js';
import { twoPhaseCabinet } from './fixtures/two-phase-cabinet.js';

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
    const { cab } = twoPhaseCabinet(clock, ['2', '4']);
    cab.start();
    clock.advance(120_000);
    assert.equal(cab.monitor.state().tripped, false, 'the controller cycled without a trip');
    assert.equal(clock.aligned, 0);
  });
});
