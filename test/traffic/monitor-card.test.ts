import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimGpio } from '../../drivers/backends/sim/gpio.js';
import { VirtualClock } from '../../drivers/hal/clock.js';
import { buildCabinet } from '../../firmware/traffic/cabinet.js';
import type { MonitorTrip } from '../../firmware/traffic/conflict-monitor.js';

/**
 * controller.monitor.compatible: the MMU's own programming card, checked against the
 * controller's structure when the cabinet is built, and used by the monitor.
 */
const LAMPS = {
  phases: {
    '2': { red: 1, yellow: 2, green: 3 },
    '4': { red: 4, yellow: 5, green: 6 },
    '6': { red: 11, yellow: 12, green: 13 },
    '8': { red: 14, yellow: 15, green: 16 },
  },
};
const NEMA_CARD: [number, number][] = [[1, 5], [1, 6], [2, 5], [2, 6], [3, 7], [3, 8], [4, 7], [4, 8]];

function build(card: [number, number][] | undefined) {
  const clock = new VirtualClock(0);
  const sim = new SimGpio(clock);
  const cab = buildCabinet({
    clock,
    gpio: sim,
    lamps: LAMPS,
    controller: { startup_flash_s: 1, startup_red_s: 1, defaults: { min_green_s: 5, max_green_s: 10, yellow_s: 3, red_clear_s: 1, recall: 'min' }, monitor: card ? { compatible: card } : {} },
  });
  const trips: MonitorTrip[] = [];
  cab.monitor.onTrip((t) => trips.push(t));
  return { clock, sim, cab, trips };
}

describe('monitor programming card (controller.monitor.compatible)', () => {
  it('a card matching the structure (pairs of phases not in use ignored) builds and runs cycles without a trip', () => {
    const { clock, sim, cab, trips } = build(NEMA_CARD);
    cab.start();
    let both = 0;
    for (let t = 0; t < 120_000; t += 100) {
      clock.advance(100);
      if (sim.physical(3) === 1 && sim.physical(13) === 1) both++;
    }
    assert.ok(both > 0, '2 and 6 timed together');
    assert.deepEqual(trips, []);
  });

  it('a pair the structure may time together but the card forbids is refused, naming the pair', () => {
    assert.throws(() => build(NEMA_CARD.filter(([a, b]) => !(a === 2 && b === 6))), /^Error: controller\.monitor\.compatible: pair 2\+6 may time together in the controller's structure but is not on the monitor's card/);
  });

  it('a pair on the card that conflicts in the structure is refused, naming the pair', () => {
    assert.throws(() => build([...NEMA_CARD, [4, 2]]), /^Error: controller\.monitor\.compatible: pair 2\+4 is on the monitor's card but conflicts in the controller's structure/);
  });

  it('the monitor runs on the card: a conflict between channels off the card trips', () => {
    const { clock, sim, cab, trips } = build(NEMA_CARD);
    cab.start();
    for (let i = 0; i < 1000 && sim.physical(3) !== 1; i++) clock.advance(10);
    sim.forceOutput(16, 1); // green 8 against green 2
    clock.advance(500);
    assert.equal(trips[0]?.fault, 'conflict');
    assert.deepEqual([...trips[0]!.channels].sort(), [2, 8]);
  });
});
