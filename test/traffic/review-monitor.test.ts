import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SimGpio } from '../../drivers/backends/sim/gpio.js';
import { VirtualClock } from '../../drivers/hal/clock.js';
import { buildCabinet } from '../../firmware/traffic/cabinet.js';
import type { MonitorTrip } from '../../firmware/traffic/conflict-monitor.js';
import { StallableClock } from '../../firmware/traffic/sim/stallable-clock.js';
import { rig } from './fixtures/monitor-rig.js';

/**
 * Safety review of the conflict monitor (independent reviewer). Tests marked "(fixed finding)"
 * failed on the code as reviewed and pass since 233d5b1; the others pin behaviour verified to be right.
 */

describe('review: conflict monitor, clearance faults', () => {
  it('trips on a yellow that lasted long enough to be seen but is shorter than the minimum (verified)', () => {
    const r = rig();
    r.clock.advance(1000);
    r.show(2, 'green');
    r.clock.advance(10_000);
    r.show(2, 'yellow');
    r.clock.advance(2000);
    r.show(2, 'red');
    r.clock.advance(100);
    assert.equal(r.trips[0]?.fault, 'short-yellow');
  });

  // Review finding (was failing before 233d5b1, which fixed it): monitor ignores a skipped yellow (green→red), conflict-monitor.ts:272-280 judges only a yellow seen lit >= persistMs
  it('trips when a green goes straight to red (no yellow at all) (fixed finding)', () => {
    const r = rig();
    r.clock.advance(1000);
    r.show(2, 'green');
    r.clock.advance(10_000);
    r.show(2, 'red');
    r.clock.advance(2000);
    assert.equal(r.trips.length, 1, 'a skipped yellow must trip (NEMA TS2 minimum yellow change)');
  });

  // Review finding (was failing before 233d5b1, which fixed it): green→red + conflicting green in the same instant (no yellow, no red clearance) is never detected
  it('trips when a green goes straight to red and a conflicting green starts at once (fixed finding)', () => {
    const r = rig();
    r.clock.advance(1000);
    r.show(2, 'green');
    r.clock.advance(10_000);
    r.show(2, 'red');
    r.show(4, 'green'); // never overlaps 2 on the outputs: no "conflict" condition either
    r.clock.advance(2000);
    assert.equal(r.trips.length, 1, 'no yellow and no red clearance before a conflicting green must trip');
  });

  // Review finding (was failing before 233d5b1, which fixed it): a yellow shorter than persistMs (200 ms) is treated as a glitch, so neither short-yellow nor red-clear-cut sees it
  it('trips on a 150 ms yellow followed by a conflicting green 100 ms later (fixed finding)', () => {
    const r = rig();
    r.clock.advance(1000);
    r.show(2, 'green');
    r.clock.advance(10_000);
    r.show(2, 'yellow');
    r.clock.advance(150);
    r.show(2, 'red');
    r.clock.advance(100);
    r.show(4, 'green');
    r.clock.advance(2000);
    assert.equal(r.trips.length, 1);
  });
});

/** A small cabinet on the sim backend: phases 2 and 4 (conflicting), both on min recall. */
function cabinet(extra: Record<string, unknown> = {}) {
  const clock = new VirtualClock(0);
  const ctl = new StallableClock(clock);
  const gpio = new SimGpio(clock);
  const lamps = { phases: { '2': { red: 1, yellow: 2, green: 3 }, '4': { red: 4, yellow: 5, green: 6 } } };
  const cab = buildCabinet({
    clock,
    controllerClock: ctl,
    gpio,
    lamps,
    controller: { startup_flash_s: 2, startup_red_s: 2, defaults: { min_green_s: 5, max_green_s: 10, yellow_s: 3, red_clear_s: 1 }, ...extra },
  });
  const trips: MonitorTrip[] = [];
  cab.monitor.onTrip((t) => trips.push(t));
  return { clock, ctl, gpio, cab, trips };
}

describe('review: conflict monitor in the cabinet', () => {
  it('sees a stuck green through readback, trips within 450 ms, flashes red at 1 Hz, refuses reset while stuck (verified)', () => {
    const { clock, gpio, cab, trips } = cabinet();
    cab.start();
    clock.advance(4100); // start-up flash + all red
    // Wait until phase 2 is green (4 red), then short phase 4's green load switch.
    for (let i = 0; i < 400 && gpio.physical(3) !== 1; i++) clock.advance(10);
    assert.equal(gpio.physical(3), 1);
    const t0 = clock.now();
    gpio.forceOutput(6, 1);
    for (let i = 0; i < 1000 && trips.length === 0; i++) clock.advance(1);
    assert.equal(trips.length, 1);
    assert.ok(trips[0]!.t - t0 <= 450, `tripped after ${trips[0]!.t - t0} ms`);
    assert.equal(trips[0]!.fault, 'conflict');
    // 1 Hz: red changes every 500 ms; green 2 and yellows dark (the controller's writes are dropped).
    const reds: number[] = [];
    for (let k = 0; k < 8; k++) {
      clock.advance(250);
      reds.push(gpio.physical(1)!);
      assert.equal(gpio.physical(3), 0, 'phase 2 green must be dark in flash');
      assert.equal(gpio.physical(2), 0);
    }
    const period: number[] = [];
    for (let i = 1; i < reds.length; i++) if (reds[i] !== reds[i - 1]) period.push(i);
    for (let i = 1; i < period.length; i++) assert.equal(period[i]! - period[i - 1]!, 2, 'red toggles every 500 ms');
    const refused = cab.monitor.reset();
    assert.equal(refused.ok, false);
    gpio.forceOutput(6, null);
    clock.advance(600);
    assert.equal(cab.monitor.reset().ok, true);
    // Restart in all red before any green.
    assert.equal(gpio.physical(3), 0);
    assert.equal(gpio.physical(6), 0);
    assert.equal(gpio.physical(1), 1);
    assert.equal(gpio.physical(4), 1);
  });

  it('a stalled controller (heartbeat stops) ends in flash within 450 ms, flashing goes on, reset refused until it beats (verified)', () => {
    const { clock, ctl, gpio, cab, trips } = cabinet();
    cab.start();
    clock.advance(20_000);
    assert.equal(trips.length, 0);
    const t0 = clock.now();
    ctl.stall();
    for (let i = 0; i < 100 && trips.length === 0; i++) clock.advance(10);
    assert.equal(trips[0]?.fault, 'heartbeat');
    assert.ok(trips[0]!.t - t0 <= 450);
    let toggles = 0;
    let last = gpio.physical(1);
    for (let i = 0; i < 40; i++) {
      clock.advance(100);
      if (gpio.physical(1) !== last) toggles++;
      last = gpio.physical(1);
      assert.equal(gpio.physical(3)! | gpio.physical(6)! | gpio.physical(2)! | gpio.physical(5)!, 0);
    }
    assert.equal(toggles, 8, '4 s of 1 Hz flash = 8 changes');
    assert.equal(cab.monitor.reset().ok, false);
    ctl.resume();
    clock.advance(200);
    assert.equal(cab.monitor.reset().ok, true);
  });

  // Review finding (was failing before 233d5b1, which fixed it): controller.tick_ms (max 500) is not checked against monitor.heartbeat_timeout_ms (min 100): the cabinet trips on heartbeat forever
  it('a tick_ms the site allows (400) longer than the heartbeat timeout (300) is refused, not a cabinet that trips at once (fixed finding)', () => {
    assert.throws(() => cabinet({ tick_ms: 400 }), /400 ms is too long for the monitor's 300 ms heartbeat timeout/);
    // The largest tick the default timeout allows runs without a trip.
    const ok = cabinet({ tick_ms: 150 });
    ok.cab.start();
    ok.clock.advance(60_000);
    assert.deepEqual(ok.trips.map((t) => t.fault), []);
  });

  it('the monitor module imports nothing of the controller, engine or strategies (verified)', () => {
    const src = readFileSync('firmware/traffic/conflict-monitor.ts', 'utf8');
    const imports = [...src.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    assert.deepEqual(imports.sort(), ['../../drivers/hal/clock.js', './flash-transfer.js', 'debug'].sort());
    const ft = readFileSync('firmware/traffic/flash-transfer.ts', 'utf8');
    assert.deepEqual([...ft.matchAll(/from '([^']+)'/g)].map((m) => m[1]).sort(), ['../../drivers/hal/clock.js', '../../drivers/hal/gpio.js']);
  });
});
