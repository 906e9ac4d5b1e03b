import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimGpio } from '../../../drivers/backends/sim/index.js';
import { LAMP, LampOutMonitor, commandedMask, lampNames, type LampOutEvent } from '../../../drivers/field/lamp-out.js';
import { SignalHead } from '../../../drivers/field/signal-head.js';
import { VirtualClock } from '../../../drivers/hal/clock.js';

/** A head on sim outputs whose lamp circuit draws 0.3 A per lit lamp unless that lamp is burnt out. */
function setup(periodMs = 100) {
  const clock = new VirtualClock();
  const gpio = new SimGpio(clock);
  const head = new SignalHead({
    red: gpio.output({ pin: 1 }),
    yellow: gpio.output({ pin: 2 }),
    green: gpio.output({ pin: 3 }),
    walk: gpio.output({ pin: 4 }),
    dontWalk: gpio.output({ pin: 5 }),
  });
  const burnt = new Set<number>();
  let sensorOk = true;
  const amps = (): number | null => {
    if (!sensorOk) return null;
    let a = 0;
    for (const [pin, lamp] of [[1, LAMP.red], [2, LAMP.yellow], [3, LAMP.green], [4, LAMP.walk], [5, LAMP['dont-walk']]] as const) {
      if (gpio.physical(pin) === 1 && !burnt.has(lamp)) a += 0.3;
    }
    return a;
  };
  const mon = new LampOutMonitor(clock, { phase: 2, commanded: commandedMask(head), amps, thresholdA: 0.05, periodMs, settleMs: 50 });
  const events: string[] = [];
  const seen: LampOutEvent[] = [];
  mon.on('fault', (e) => {
    seen.push(e);
    events.push(`fault ${e.phase} ${e.lamp} @${e.tMs}`);
  });
  mon.on('recovered', (e) => events.push(`recovered ${e.phase} ${e.lamp} @${e.tMs}`));
  return { clock, head, burnt, mon, events, seen, setSensor: (ok: boolean) => (sensorOk = ok) };
}

describe('lamp-out', () => {
  it('a lit lamp that fails is reported within one sampling period, naming phase and lamp', () => {
    const { clock, head, burnt, mon, events, seen } = setup(100);
    mon.start();
    head.set('red');
    clock.runUntil(1000);
    assert.deepEqual(events, []);
    clock.runUntil(1030);
    burnt.add(LAMP.red); // the red bulb fails at 1030
    clock.runUntil(1130);
    assert.deepEqual(events, ['fault 2 red @1100']);
    assert.ok(seen[0]!.tMs - 1030 <= 100);
    assert.equal(seen[0]!.amps, 0);
    assert.deepEqual(mon.faults, [['red']]);
  });

  it('recovers when current returns, and keeps a fault per lamp set', () => {
    const { clock, head, burnt, mon, events } = setup(100);
    mon.start();
    head.set('red');
    burnt.add(LAMP.red);
    clock.runUntil(1000);
    head.set('green'); // green is fine: the red fault stays
    clock.runUntil(2000);
    assert.deepEqual(mon.faults, [['red']]);
    burnt.delete(LAMP.red); // lamp replaced
    head.set('red');
    clock.runUntil(3000);
    assert.deepEqual(events, ['fault 2 red @150', 'recovered 2 red @2150']);
    assert.deepEqual(mon.faults, []);
  });

  it('a lamp dead at switch-on is judged once the current has settled', () => {
    const { clock, head, burnt, mon, events } = setup(100);
    mon.start();
    burnt.add(LAMP.yellow);
    head.set('green');
    clock.runUntil(1000);
    clock.runUntil(1010);
    head.set('yellow'); // noticed at 1100, settled at 1150
    clock.runUntil(1200);
    assert.deepEqual(events, ['fault 2 yellow @1150']);
  });

  it('with several lamps lit it needs the threshold per lamp, and names the set', () => {
    const { clock, head, burnt, events, mon } = setup(100);
    mon.start();
    head.set('red');
    head.setPed('dont-walk');
    clock.runUntil(1000);
    burnt.add(LAMP['dont-walk']); // 0.3 A flows, 0.1 A needed for two lamps... still fine
    clock.runUntil(2000);
    assert.deepEqual(events, []);
    burnt.add(LAMP.red);
    clock.runUntil(2100);
    assert.deepEqual(events, ['fault 2 red+dont-walk @2100']);
    assert.deepEqual(lampNames(LAMP.red | LAMP['dont-walk']), ['red', 'dont-walk']);
  });

  it('no verdict while the sensor has no fresh reading, or the head is dark', () => {
    const { clock, head, burnt, events, mon, setSensor } = setup(100);
    mon.start();
    head.set('red');
    burnt.add(LAMP.red);
    setSensor(false);
    clock.runUntil(1000);
    assert.deepEqual(events, []);
    head.set('dark');
    setSensor(true);
    clock.runUntil(2000);
    assert.deepEqual(events, []);
    mon.stop();
    assert.equal(clock.pending, 0);
  });

  it('works driven by sample() from a scheduler instead of its own timer', () => {
    const clock = new VirtualClock();
    let a = 0.4;
    const mon = new LampOutMonitor(clock, { phase: 6, commanded: () => LAMP.green, amps: () => a, settleMs: 0 });
    const faults: string[] = [];
    mon.on('fault', (e) => faults.push(`${e.phase} ${e.lamp}`));
    mon.sample();
    a = 0.01;
    mon.sample();
    assert.deepEqual(faults, ['6 green']);
  });

  it('never charges the previous lamp\'s current to the new one when reading times are given', () => {
    const clock = new VirtualClock();
    let mask: number = LAMP.red;
    let reading = { amps: 0, at: 0 }; // red is dead: 0 A
    const mon = new LampOutMonitor(clock, {
      phase: 1, commanded: () => mask, amps: () => reading.amps, readingAt: () => reading.at, periodMs: 100, settleMs: 50,
    });
    const events: string[] = [];
    mon.on('fault', (e) => events.push(`fault ${e.lamp} @${e.tMs}`));
    mon.on('recovered', (e) => events.push(`recovered ${e.lamp} @${e.tMs}`));
    mon.start();
    for (let t = 100; t <= 1000; t += 100) {
      reading = { amps: 0, at: t - 5 };
      clock.runUntil(t);
    }
    mask = LAMP.green; // switched at ~1000; the sensor's next reading comes at 1195
    clock.runUntil(1190); // judged at 1150 (settled) with the 995 reading: skipped, not a green lamp-out
    reading = { amps: 0.3, at: 1195 };
    clock.runUntil(1300);
    assert.deepEqual(events, ['fault red @150']);
    assert.deepEqual(mon.faults, [['red']]);
  });
});
