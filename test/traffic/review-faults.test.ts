import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimGpio } from '../../drivers/backends/sim/gpio.js';
import type { GpioBackend } from '../../drivers/hal/backend.js';
import { VirtualClock } from '../../drivers/hal/clock.js';
import { HalError } from '../../drivers/hal/errors.js';
import type { DigitalOut } from '../../drivers/hal/gpio.js';
import { buildCabinet } from '../../firmware/traffic/cabinet.js';
import type { MonitorTrip } from '../../firmware/traffic/conflict-monitor.js';
import type { Plan } from '../../firmware/traffic/plan.js';
import { createStrategy } from '../../firmware/traffic/strategies/index.js';
import type { Strategy } from '../../firmware/traffic/strategy.js';

/**
 * Safety review (independent reviewer): exceptions from a strategy or from a lamp write (HalError),
 * and plan changes, on a whole cabinet over the sim backend. Tests marked "(fixed finding)" failed
 * on the code as reviewed (8d0c1ae..1253109) and pass since 233d5b1; they now pin the fix.
 *
 * Note on the VirtualClock: an exception thrown by a timer callback comes out of `advance()`.
 * With the SystemClock the same exception is thrown from a Node timer, i.e. it is an uncaught
 * exception that ends the process (nothing in firmware/ installs an uncaughtException handler),
 * and with it the conflict monitor and the flasher, which run in the same process.
 */

const LAMPS = { phases: { '2': { red: 1, yellow: 2, green: 3 }, '4': { red: 4, yellow: 5, green: 6 } } };
const TIMING = { min_green_s: 5, max_green_s: 10, yellow_s: 3, red_clear_s: 1 };

/** A backend whose output `failPin` throws a HalError on `write(failLevel)` once `arm()` was called. */
function faultyGpio(inner: SimGpio, failPin: number, failLevel: 0 | 1) {
  let armed = false;
  const thrown: number[] = [];
  const gpio: GpioBackend = {
    name: 'faulty-sim',
    output(ref, options) {
      const out = inner.output(ref, options);
      const wrapped: DigitalOut = {
        ref: out.ref,
        readbackIsReal: out.readbackIsReal,
        write(level) {
          if (armed && ref.pin === failPin && level === failLevel) {
            thrown.push(1);
            throw new HalError('noAck', `output ${failPin}: write failed`, 'EIO');
          }
          out.write(level);
        },
        read: () => out.read(),
        close: () => out.close(),
      };
      return wrapped;
    },
    input: (ref, options) => inner.input(ref, options),
    close: () => inner.close(),
  };
  return { gpio, arm: () => (armed = true), thrown };
}

function cabinet(gpio: GpioBackend, clock: VirtualClock, controller: Record<string, unknown> = {}) {
  const cab = buildCabinet({ clock, gpio, lamps: LAMPS, controller: { startup_flash_s: 2, startup_red_s: 2, defaults: TIMING, ...controller } });
  const trips: MonitorTrip[] = [];
  cab.monitor.onTrip((t) => trips.push(t));
  return { cab, trips };
}

/** Advances in 10 ms steps; returns the times at which a timer callback threw (caught here). */
function run(clock: VirtualClock, ms: number, onStep?: () => void): { t: number; err: unknown }[] {
  const errors: { t: number; err: unknown }[] = [];
  const end = clock.now() + ms;
  while (clock.now() < end) {
    try {
      clock.advance(10);
    } catch (err) {
      errors.push({ t: clock.now(), err });
    }
    onStep?.();
  }
  return errors;
}

function throwingStrategy(inner: Strategy, when: { armed: boolean; firstThrow: number }, clock: VirtualClock): Strategy {
  return {
    type: inner.type,
    endCode: inner.endCode,
    observe: (v, n) => inner.observe(v, n),
    extend: (p, e, v, n) => {
      if (when.armed) {
        if (when.firstThrow < 0) when.firstThrow = clock.now();
        throw new Error('strategy bug: extend exploded');
      }
      return inner.extend(p, e, v, n);
    },
    pickNext: (c, v, n) => inner.pickNext(c, v, n),
    pickSide: (s, v, n) => inner.pickSide(s, v, n),
    onGreenStart: (p, v, n) => inner.onGreenStart(p, v, n),
    onGreenEnd: (p, v, n) => inner.onGreenEnd(p, v, n),
  };
}

describe('review: a strategy that throws', () => {
  function setup() {
    const clock = new VirtualClock(0);
    const sim = new SimGpio(clock);
    const { cab, trips } = cabinet(sim, clock);
    const when = { armed: false, firstThrow: -1 };
    cab.start();
    clock.advance(20_000);
    const plan = cab.controller.engine.currentPlan;
    cab.controller.engine.setPlan(plan, throwingStrategy(createStrategy(plan.strategy), when, clock), clock.now());
    when.armed = true;
    return { clock, sim, cab, trips, when };
  }

  // Review finding (was failing before 233d5b1, which fixed it): an exception in controller.tick (strategy or HAL) escapes the timer callback (controller.ts:120 tick has no try/catch); on the SystemClock that is an uncaught exception killing controller, monitor and flasher together
  it('is contained by the controller: nothing escapes its timer, the cabinet goes to all-red flash and says why (fixed finding)', () => {
    const { clock, cab } = setup();
    assert.doesNotThrow(() => clock.advance(30_000), 'the exception must not leave the controller tick');
    assert.equal(cab.transfer.source, 'monitor');
  });

  it('whether or not the exception escapes, the cabinet is in latched flash within 450 ms of the first throw, nothing but red lit (verified)', () => {
    const { clock, sim, cab, when } = setup();
    let flashAt = -1;
    run(clock, 30_000, () => {
      if (flashAt < 0 && cab.transfer.source === 'monitor') flashAt = clock.now();
    });
    assert.ok(when.firstThrow > 0, 'the strategy did throw');
    assert.ok(flashAt >= 0 && flashAt - when.firstThrow <= 450, `flash ${flashAt - when.firstThrow} ms after the first throw`);
    run(clock, 1000);
    assert.equal(cab.monitor.tripped, true, 'latched by the monitor (heartbeat) too');
    for (const pin of [2, 3, 5, 6]) assert.equal(sim.physical(pin), 0);
  });
});

describe('review: a lamp write that fails (HalError)', () => {
  // Review finding (was failing before 233d5b1, which fixed it): HalError from DigitalOut.write in SignalHead.set propagates through the engine listener (controller.ts:129-138 apply); the engine already believes the phase is red, keeps cycling, and lights the conflicting green next to the still-lit yellow until the monitor trips
  it('after a HalError on a lamp output no conflicting indication is ever shown; the cabinet goes to flash at once (fixed finding)', () => {
    const clock = new VirtualClock(0);
    const sim = new SimGpio(clock);
    // Phase 2's yellow cannot be switched off (write(0) fails: a load switch driver that stopped answering).
    const f = faultyGpio(sim, 2, 0);
    const { cab } = cabinet(f.gpio, clock);
    cab.start();
    clock.advance(5000); // phase 2 green since 4 s
    f.arm();
    let conflictMs = 0;
    run(clock, 20_000, () => {
      if (sim.physical(2) === 1 && sim.physical(6) === 1) conflictMs += 10;
    });
    assert.ok(f.thrown.length > 0, 'the write did fail');
    assert.equal(conflictMs, 0, `yellow 2 and green 4 were lit together for ${conflictMs} ms`);
  });

  // Review finding (was failing before 233d5b1, which fixed it): FlashTransfer.engage → toggle() (flash-transfer.ts:65-72, 100-110) throws on the failing output before its interval timer is armed; the monitor is latched, the gate drops every controller write, nothing flashes, and the conflicting green stays lit for good; trip listeners (log, ATSPM, runtime fault) are never called (conflict-monitor.ts:373-380)
  it('a HalError on a lamp output ends in latched, reported flashing red with every green and yellow dark (fixed finding)', () => {
    const clock = new VirtualClock(0);
    const sim = new SimGpio(clock);
    const f = faultyGpio(sim, 2, 0);
    const { cab, trips } = cabinet(f.gpio, clock);
    cab.start();
    clock.advance(5000);
    f.arm();
    run(clock, 20_000);
    assert.ok(f.thrown.length > 0, 'the write did fail');
    assert.equal(cab.monitor.tripped, true, 'the monitor latched');
    assert.equal(trips.length, 1, 'the trip was reported to its listeners');
    assert.equal(sim.physical(6), 0, 'the conflicting green is off in flash');
    // Red of phase 4 flashes at 1 Hz.
    let toggles = 0;
    let last = sim.physical(4);
    for (let i = 0; i < 20; i++) {
      clock.advance(100);
      if (sim.physical(4) !== last) toggles++;
      last = sim.physical(4);
    }
    assert.equal(toggles, 4);
  });

  it('any conflict a HalError lets through is latched by the monitor within 450 ms; the cabinet ends latched (verified)', () => {
    const clock = new VirtualClock(0);
    const sim = new SimGpio(clock);
    const f = faultyGpio(sim, 2, 0);
    const { cab } = cabinet(f.gpio, clock);
    cab.start();
    clock.advance(5000);
    f.arm();
    let conflictStart = -1;
    let latchedAt = -1;
    run(clock, 20_000, () => {
      if (conflictStart < 0 && sim.physical(2) === 1 && sim.physical(6) === 1) conflictStart = clock.now();
      if (latchedAt < 0 && cab.monitor.tripped) latchedAt = clock.now();
    });
    assert.ok(f.thrown.length > 0, 'the write did fail');
    assert.ok(latchedAt > 0, 'the monitor latched');
    if (conflictStart > 0) assert.ok(latchedAt - conflictStart <= 450, `latched ${latchedAt - conflictStart} ms after the conflict`);
  });
});

describe('review: the flash transfer with one failing output', () => {
  // Review finding (was failing before 233d5b1, which fixed it): one throwing DigitalOut.write aborts FlashTransfer.toggle for every channel after it and (on engage) prevents the flasher timer from being armed
  it('still flashes every other red and darkens every other green when one output write throws (fixed finding)', () => {
    const clock = new VirtualClock(0);
    const sim = new SimGpio(clock);
    const f = faultyGpio(sim, 2, 0);
    const { cab } = cabinet(f.gpio, clock);
    cab.start();
    clock.advance(14_000); // phase 4 green, 2 red
    assert.equal(sim.physical(6), 1);
    f.arm();
    try {
      cab.transfer.engage('monitor');
    } catch {
      // a throw here is acceptable only if the flash still happens
    }
    assert.equal(sim.physical(6), 0, 'green 4 dark');
    let toggles = 0;
    let last = sim.physical(4);
    for (let i = 0; i < 20; i++) {
      try {
        clock.advance(100);
      } catch {
        /* keep going */
      }
      if (sim.physical(4) !== last) toggles++;
      last = sim.physical(4);
    }
    assert.equal(toggles, 4, 'red 4 flashes at 1 Hz');
  });
});

describe('review: plan changes and the monitor', () => {
  // Review finding (was failing before 233d5b1, which fixed it): cabinet.ts:91 programs the monitor min red clearance from the start-up plan; after setPlan() with a shorter red clearance every change trips red-clear-cut (needless flash)
  it('a plan change to a shorter (valid) red clearance does not trip the monitor (fixed finding)', () => {
    const clock = new VirtualClock(0);
    const sim = new SimGpio(clock);
    const { cab, trips } = cabinet(sim, clock, { defaults: { ...TIMING, red_clear_s: 3 } });
    cab.start();
    clock.advance(20_000);
    const plan = cab.controller.engine.currentPlan;
    const shorter: Plan = { ...plan, pattern: 2, timing: plan.timing.map((t) => (t ? { ...t, redClearMs: 500 } : t)) };
    cab.controller.setPlan(shorter);
    clock.advance(60_000);
    assert.deepEqual(trips.map((t) => t.fault), []);
  });

  it('a plan change in the middle of a yellow and a red clearance keeps their lengths (verified)', () => {
    const clock = new VirtualClock(0);
    const sim = new SimGpio(clock);
    const { cab, trips } = cabinet(sim, clock, { defaults: { ...TIMING, yellow_s: 5, red_clear_s: 2 } });
    const ev: { t: number; p: number; i: string }[] = [];
    cab.controller.on((e) => e.type === 'indication' && ev.push({ t: e.t, p: e.phase, i: e.indication }));
    cab.start();
    // Phase 2 yellow starts at 4 s + 5 s = 9 s (max green 10 s, min recall on 4): switch plans at 10 s.
    clock.advance(10_000);
    assert.equal(cab.controller.engine.indication(2), 'yellow');
    const plan = cab.controller.engine.currentPlan;
    cab.controller.setPlan({ ...plan, pattern: 3, timing: plan.timing.map((t) => (t ? { ...t, yellowMs: 3000, redClearMs: 0 } : t)) });
    clock.advance(20_000);
    const y = ev.find((e) => e.p === 2 && e.i === 'yellow')!;
    const r = ev.find((e) => e.p === 2 && e.i === 'red' && e.t > y.t)!;
    const g4 = ev.find((e) => e.p === 4 && e.i === 'green')!;
    assert.equal(r.t - y.t, 5000, 'yellow keeps the 5 s it started with');
    assert.equal(g4.t - r.t, 2000, 'red clearance keeps the 2 s it started with');
    // The monitor accepted this first clearance (it was timed by the old plan); the next ones trip
    // it, see the finding above.
    assert.ok(trips.every((t) => t.t > g4.t));
  });
});
