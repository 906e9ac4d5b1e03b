import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimGpio } from '../../drivers/backends/sim/gpio.js';
import type { GpioBackend } from '../../drivers/hal/backend.js';
import { VirtualClock } from '../../drivers/hal/clock.js';
import { HalError } from '../../drivers/hal/errors.js';
import { controllerSection } from '../../firmware/site/sections/controller.js';
import { buildCabinet } from '../../firmware/traffic/cabinet.js';
import { ConflictMonitor, type MonitorTrip } from '../../firmware/traffic/conflict-monitor.js';
import { FlashTransfer } from '../../firmware/traffic/flash-transfer.js';
import { monitorOnHeads } from './fixtures/monitor-rig.js';
import type { Plan } from '../../firmware/traffic/plan.js';
import { createStrategy } from '../../firmware/traffic/strategies/index.js';

/**
 * Faults inside the cabinet itself: an exception in a strategy, a lamp output whose write throws
 * (HalError), a monitor readback that throws, skipped yellows, plan changes below the monitor's
 * programming, and a tick slower than the heartbeat timeout. Each must end in the safe state
 * without an exception leaving a timer.
 */
const LAMPS = { phases: { '2': { red: 1, yellow: 2, green: 3 }, '4': { red: 4, yellow: 5, green: 6 } } };
const TIMING = { min_green_s: 5, max_green_s: 10, yellow_s: 3, red_clear_s: 1, recall: 'min' as const };

/** A backend whose output `pin` throws a HalError on write(level) once armed. */
function failing(inner: SimGpio, pin: number, level: 0 | 1) {
  let armed = false;
  const gpio: GpioBackend = {
    name: 'failing-sim',
    output(ref, options) {
      const out = inner.output(ref, options);
      return {
        ref: out.ref,
        readbackIsReal: true,
        write(l) {
          if (armed && ref.pin === pin && l === level) throw new HalError('noAck', `pin ${pin}: write failed`, 'EIO');
          out.write(l);
        },
        read: () => out.read(),
        close: () => out.close(),
      };
    },
    input: (ref, o) => inner.input(ref, o),
    close: () => inner.close(),
  };
  return { gpio, arm: () => (armed = true) };
}

function cabinet(gpio: GpioBackend, clock: VirtualClock, extra: Record<string, unknown> = {}) {
  const cab = buildCabinet({ clock, gpio, lamps: LAMPS, controller: { startup_flash_s: 2, startup_red_s: 2, defaults: TIMING, ...extra } });
  const trips: MonitorTrip[] = [];
  cab.monitor.onTrip((t) => trips.push(t));
  const faults: unknown[] = [];
  cab.controller.onFault((e) => faults.push(e));
  return { cab, trips, faults };
}

describe('fault containment', () => {
  it('a strategy that throws stops the controller in flash at once; nothing leaves the timer; resume + reset bring it back', () => {
    const clock = new VirtualClock(0);
    const sim = new SimGpio(clock);
    const { cab, trips, faults } = cabinet(sim, clock);
    cab.start();
    clock.advance(6000); // phase 2 green
    const plan = cab.controller.engine.currentPlan;
    const inner = createStrategy(plan.strategy);
    let armed = true;
    const boom = { ...inner, type: inner.type, endCode: inner.endCode, observe: inner.observe.bind(inner), pickNext: inner.pickNext.bind(inner), pickSide: inner.pickSide.bind(inner), onGreenStart: inner.onGreenStart.bind(inner), onGreenEnd: inner.onGreenEnd.bind(inner), extend: (...a: Parameters<typeof inner.extend>) => { if (armed) throw new Error('strategy bug'); return inner.extend(...a); } };
    cab.controller.engine.setPlan(plan, boom, clock.now());
    assert.doesNotThrow(() => clock.advance(5000));
    assert.equal(faults.length, 1);
    assert.match(String(faults[0]), /strategy bug/);
    assert.equal(cab.controller.running, false);
    assert.equal(cab.transfer.source, 'monitor', 'flash at once');
    assert.equal(trips[0]?.fault, 'heartbeat', 'the monitor latches and reports it');
    for (const pin of [2, 3, 5, 6]) assert.equal(sim.physical(pin), 0, `pin ${pin} dark in flash`);
    assert.equal(cab.monitor.reset().ok, false, 'no reset while the controller is down');
    armed = false;
    cab.controller.resume();
    clock.advance(1000);
    assert.deepEqual(cab.monitor.reset(), { ok: true });
    clock.advance(30_000);
    assert.equal(cab.monitor.tripped, false);
    assert.ok(sim.physical(3) === 1 || sim.physical(6) === 1 || sim.physical(2) === 1 || sim.physical(5) === 1, 'serving again');
  });

  it('a lamp write that throws (HalError) never lets a conflicting green light; the flash goes on for every other lamp', () => {
    const clock = new VirtualClock(0);
    const sim = new SimGpio(clock);
    const f = failing(sim, 2, 0); // phase 2 yellow cannot be switched off
    const { cab, trips, faults } = cabinet(f.gpio, clock);
    cab.start();
    clock.advance(5000);
    f.arm();
    let conflict = 0;
    for (let i = 0; i < 3000; i++) {
      assert.doesNotThrow(() => clock.advance(10));
      if ((sim.physical(2) || sim.physical(3)) && (sim.physical(5) || sim.physical(6))) conflict += 10;
    }
    assert.equal(conflict, 0, `conflicting indications for ${conflict} ms`);
    assert.ok(faults[0] instanceof HalError);
    assert.equal(cab.transfer.source, 'monitor');
    assert.ok(trips.length === 1, 'the monitor latched and reported');
    assert.ok(cab.transfer.writeFailures > 0);
    // Phase 4's red flashes at 1 Hz despite phase 2's dead output.
    let toggles = 0;
    let last = sim.physical(4);
    for (let i = 0; i < 20; i++) {
      clock.advance(100);
      if (sim.physical(4) !== last) toggles++;
      last = sim.physical(4);
    }
    assert.equal(toggles, 4);
    assert.equal(sim.physical(6), 0);
  });

  it('a monitor whose readback throws trips (it cannot vouch for the lamps) instead of dying', () => {
    const clock = new VirtualClock(0);
    const sim = new SimGpio(clock);
    const ch = [{ red: sim.output({ pin: 1 }), yellow: sim.output({ pin: 2 }), green: sim.output({ pin: 3 }) }];
    const transfer = new FlashTransfer(clock, ch);
    let broken = false;
    const monitor = new ConflictMonitor({
      clock,
      channels: [2],
      compatible: [],
      transfer,
      readback: (into) => {
        if (broken) throw new HalError('noAck', 'readback failed');
        into[0] = ch[0]!.red.read();
        into[1] = ch[0]!.yellow.read();
        into[2] = ch[0]!.green.read();
      },
    });
    ch[0]!.red.write(1);
    clock.setInterval(() => monitor.heartbeat(), 100);
    monitor.start();
    clock.advance(1000);
    broken = true;
    assert.doesNotThrow(() => clock.advance(100));
    assert.equal(monitor.state().trip?.fault, 'readback');
    assert.equal(monitor.reset().ok, false);
  });

  it('a plan change below the monitor’s red clearance is raised to it: no needless trip, clearance kept', () => {
    const clock = new VirtualClock(0);
    const sim = new SimGpio(clock);
    const { cab, trips } = cabinet(sim, clock, { defaults: { ...TIMING, red_clear_s: 3 } });
    const ev: { t: number; p: number; i: string }[] = [];
    cab.controller.on((e) => e.type === 'indication' && ev.push({ t: e.t, p: e.phase, i: e.indication }));
    cab.start();
    clock.advance(20_000);
    const plan = cab.controller.engine.currentPlan;
    const shorter: Plan = { ...plan, pattern: 2, timing: plan.timing.map((t) => (t ? { ...t, redClearMs: 500 } : t)) };
    cab.controller.setPlan(shorter);
    clock.advance(60_000);
    assert.deepEqual(trips, []);
    assert.equal(cab.controller.engine.currentPlan.timing[2]!.redClearMs, 3000);
    const late = ev.filter((e) => e.t > 25_000);
    const r2 = late.find((e) => e.p === 2 && e.i === 'red')!;
    const g4 = late.find((e) => e.p === 4 && e.i === 'green' && e.t > r2.t)!;
    assert.equal(g4.t - r2.t, 3000);
  });

  it('refuses a tick slower than half the heartbeat timeout, naming the field', () => {
    const r = controllerSection.safeParse({ tick_ms: 400 });
    assert.equal(r.success, false);
    assert.deepEqual(r.error!.issues.map((i) => i.path.join('.')), ['tick_ms']);
    assert.equal(controllerSection.safeParse({ tick_ms: 150 }).success, true);
    assert.equal(controllerSection.safeParse({ monitor: { heartbeat_timeout_ms: 1000 } }).success, false, 'no timeout that breaks the 450 ms promise');
  });

  it('the monitor trips on a green that goes to red without a yellow, but not on a 100 ms red glitch inside a green', () => {
    const make = () => {
      const clock = new VirtualClock(0);
      const { heads: ch, monitor } = monitorOnHeads(clock, new SimGpio(clock), [2, 4], { minRedClearMs: 1000 });
      ch[1]!.red.write(1);
      ch[0]!.green.write(1);
      clock.setInterval(() => monitor.heartbeat(), 100);
      monitor.start();
      return { clock, ch, monitor };
    };
    const a = make();
    a.clock.advance(5000);
    a.ch[0]!.green.write(0);
    a.ch[0]!.red.write(1);
    a.clock.advance(1000);
    assert.equal(a.monitor.state().trip?.fault, 'short-yellow');

    const b = make();
    b.clock.advance(5000);
    b.ch[0]!.green.write(0);
    b.ch[0]!.red.write(1);
    b.clock.advance(100);
    b.ch[0]!.red.write(0);
    b.ch[0]!.green.write(1);
    b.clock.advance(2000);
    assert.equal(b.monitor.tripped, false, 'a red glitch inside a green is not a skipped yellow');
  });
});
