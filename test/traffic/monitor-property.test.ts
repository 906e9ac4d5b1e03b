import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SimGpio } from '../../drivers/backends/sim/gpio.js';
import { VirtualClock } from '../../drivers/hal/clock.js';
import type { MonitorTrip } from '../../firmware/traffic/conflict-monitor.js';
import { monitorOnHeads } from './fixtures/monitor-rig.js';

/**
 * Property of the monitor's timing: for any fault kind, start time (against the 50 ms sampling)
 * and duration, a fault shorter than 200 ms never trips and one that lasts trips between 200 and
 * 450 ms after it began.
 */
type Kind = 'conflict' | 'dual' | 'dark' | 'heartbeat';

function trial(kind: Kind, startMs: number, lengthMs: number): MonitorTrip | undefined {
  const clock = new VirtualClock(0);
  const { heads: ch, monitor } = monitorOnHeads(clock, new SimGpio(clock), [2, 4], { minRedClearMs: 0 });
  let beat = true;
  clock.setInterval(() => beat && monitor.heartbeat(), 100);
  ch[0]!.green.write(1); // phase 2 green, 4 red: normal
  ch[1]!.red.write(1);
  let trip: MonitorTrip | undefined;
  monitor.onTrip((t) => (trip ??= t));
  monitor.start();
  clock.runUntil(startMs);
  const apply = (on: boolean): void => {
    if (kind === 'conflict') ch[1]!.green.write(on ? 1 : 0), ch[1]!.red.write(on ? 0 : 1);
    else if (kind === 'dual') ch[0]!.yellow.write(on ? 1 : 0);
    else if (kind === 'dark') ch[1]!.red.write(on ? 0 : 1);
    else beat = !on;
  };
  apply(true);
  clock.runUntil(startMs + lengthMs);
  apply(false);
  clock.runUntil(startMs + lengthMs + 1000);
  return trip;
}

describe('conflict monitor timing property (fast-check)', () => {
  const kinds = fc.constantFrom<Kind>('conflict', 'dual', 'dark', 'heartbeat');
  it('never trips on a fault shorter than 200 ms (heartbeat gaps shorter than the 300 ms timeout)', () => {
    fc.assert(
      fc.property(kinds, fc.integer({ min: 1000, max: 5000 }), fc.integer({ min: 1, max: 199 }), (kind, start, len) => {
        assert.equal(trial(kind, start, len), undefined);
      }),
      { numRuns: 400 },
    );
  });
  it('trips within 200-450 ms of a lasting fault', () => {
    fc.assert(
      fc.property(kinds, fc.integer({ min: 1000, max: 5000 }), fc.integer({ min: 450, max: 3000 }), (kind, start, len) => {
        const trip = trial(kind, start, len);
        assert.ok(trip, `${kind} at ${start} for ${len} ms did not trip`);
        const dt = trip.t - start;
        assert.ok(dt >= 200 && dt <= 450, `${kind}: tripped ${dt} ms after the fault began`);
      }),
      { numRuns: 400 },
    );
  });
});
