import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimGpio } from '../../../drivers/backends/sim/index.js';
import { LoopDetector, loopOptionsFromSite, type LoopFaultKind } from '../../../drivers/field/loop-detector.js';
import { VirtualClock } from '../../../drivers/hal/clock.js';

function setup(debounceMs = 0, opts = { maxPresenceMs: 60_000, noActivityMs: 600_000 }) {
  const clock = new VirtualClock();
  const gpio = new SimGpio(clock);
  const input = gpio.input({ pin: 26 }, { debounceMs });
  const det = new LoopDetector(input, clock, opts);
  const log: string[] = [];
  det.on('presence', (on, t) => log.push(`presence ${on ? 'on' : 'off'} @${t}`));
  det.on('fault', (k: LoopFaultKind, t) => log.push(`fault ${k} @${t}`));
  det.on('restored', (t) => log.push(`restored @${t}`));
  /** A vehicle over the loop from `at` for `ms`. */
  const vehicle = (at: number, ms: number) => {
    clock.runUntil(at);
    gpio.setInput(26, 1);
    clock.runUntil(at + ms);
    gpio.setInput(26, 0);
  };
  return { clock, gpio, det, log, vehicle };
}

describe('loop detector', () => {
  it('reports presence and counts vehicles on rising edges', () => {
    const { det, log, vehicle, clock } = setup();
    vehicle(1000, 400);
    vehicle(3000, 600);
    clock.runUntil(5000);
    assert.deepEqual(log, ['presence on @1000', 'presence off @1400', 'presence on @3000', 'presence off @3600']);
    assert.equal(det.total, 2);
    assert.equal(det.presence, false);
  });

  it('occupancy per interval is exact from edge times, including a vehicle spanning the boundary', () => {
    const { det, vehicle, clock, gpio } = setup();
    vehicle(1000, 500); // 500 ms
    vehicle(4000, 1500); // 1500 ms
    clock.runUntil(9000);
    gpio.setInput(26, 1); // still present at the interval end: 1000 ms in this interval
    clock.runUntil(10_000);
    assert.deepEqual(det.intervalStats(), { count: 3, occupancy: 3000 / 10_000, intervalMs: 10_000 });
    clock.runUntil(10_250);
    gpio.setInput(26, 0); // the rest of that vehicle belongs to the next interval
    clock.runUntil(11_000);
    assert.deepEqual(det.intervalStats(), { count: 0, occupancy: 250 / 1000, intervalMs: 1000 });
    clock.runUntil(12_000);
    assert.deepEqual(det.intervalStats(), { count: 0, occupancy: 0, intervalMs: 1000 });
  });

  it('uses the input debounce: chatter shorter than debounce_ms is neither presence nor a count', () => {
    const { det, gpio, clock, log } = setup(20);
    clock.runUntil(100);
    gpio.setInput(26, 1);
    clock.runUntil(110);
    gpio.setInput(26, 0); // 10 ms spike
    clock.runUntil(500);
    assert.equal(det.total, 0);
    gpio.setInput(26, 1);
    clock.runUntil(1000);
    assert.deepEqual(log, ['presence on @520']);
  });

  it('stuck-on: presence longer than max presence is a fault, restored when presence ends', () => {
    const { log, clock, gpio, det } = setup(0, { maxPresenceMs: 60_000, noActivityMs: 600_000 });
    clock.runUntil(1000);
    gpio.setInput(26, 1);
    clock.runUntil(60_999);
    assert.equal(det.fault, null);
    clock.runUntil(61_000);
    assert.equal(det.fault, 'stuck-on');
    clock.runUntil(200_000);
    gpio.setInput(26, 0);
    assert.equal(det.fault, null);
    assert.deepEqual(log, ['presence on @1000', 'fault stuck-on @61000', 'presence off @200000', 'restored @200000']);
  });

  it('no-activity: silence longer than the limit is a fault, restored by the next vehicle', () => {
    const { log, clock, det, vehicle } = setup(0, { maxPresenceMs: 60_000, noActivityMs: 600_000 });
    vehicle(1000, 500);
    clock.runUntil(601_499);
    assert.equal(det.fault, null, 'silence counts from the last vehicle leaving');
    clock.runUntil(601_500);
    assert.equal(det.fault, 'no-activity');
    clock.runUntil(2_000_000);
    vehicle(2_000_000, 300);
    assert.deepEqual(log.slice(2), ['fault no-activity @601500', 'presence on @2000000', 'restored @2000000', 'presence off @2000300']);
  });

  it('debounced edges start the diagnostic timers at the edge time, not later', () => {
    const { clock, gpio, det } = setup(50, { maxPresenceMs: 1000, noActivityMs: 600_000 });
    clock.runUntil(100);
    gpio.setInput(26, 1); // stable from 150
    clock.runUntil(1149);
    assert.equal(det.fault, null);
    clock.runUntil(1150);
    assert.equal(det.fault, 'stuck-on');
  });

  it('takes its times from the site file in seconds and close() stops everything', () => {
    assert.deepEqual(loopOptionsFromSite({ max_presence_s: 180, no_activity_s: 3600 }), { maxPresenceMs: 180_000, noActivityMs: 3_600_000 });
    const { det, clock, gpio, log } = setup();
    det.close();
    assert.equal(clock.pending, 0);
    gpio.setInput(26, 1);
    clock.runUntil(10_000_000);
    assert.deepEqual(log, []);
  });
});
