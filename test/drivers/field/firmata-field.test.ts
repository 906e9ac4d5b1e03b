import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { open } from '../../../drivers/backends/firmata/index.js';
import { Ina219 } from '../../../drivers/chips/ina219.js';
import { Ina219Model } from '../../../drivers/chips/models/ina219.js';
import { LampOutMonitor, commandedMask, type LampOutEvent } from '../../../drivers/field/lamp-out.js';
import { LoopDetector } from '../../../drivers/field/loop-detector.js';
import { SignalHead } from '../../../drivers/field/signal-head.js';
import { VirtualClock } from '../../../drivers/hal/clock.js';
import { mockFirmataBoard } from '../backends/firmata-mock-io.js';

/** Field I/O on an Arduino running StandardFirmata, through johnny-five's io (mock-firmata). */
describe('field I/O over johnny-five + mock-firmata', () => {
  it('a signal head writes its lamps with digitalWrite, break-before-make', async () => {
    const clock = new VirtualClock();
    const m = mockFirmataBoard();
    const { gpio } = await open({ clock, firmata: { io: m.io } });
    const head = new SignalHead({ red: gpio.output({ pin: 5 }), yellow: gpio.output({ pin: 6 }), green: gpio.output({ pin: 7 }) });
    const dw = mock.method(m.io, 'digitalWrite');
    head.set('green');
    const calls = dw.mock.calls.map((c) => c.arguments);
    assert.deepEqual(calls.at(-1), [7, 1], 'digitalWrite calledWith(7, 1)');
    assert.deepEqual(calls, [[5, 0], [6, 0], [7, 1]], 'red and yellow off before green on');
    dw.mock.resetCalls();
    head.set('yellow');
    assert.deepEqual(dw.mock.calls.map((c) => c.arguments), [[5, 0], [7, 0], [6, 1]]);
    assert.equal(head.readback().indication, 'yellow');
  });

  it('a loop detector counts vehicles from Firmata digital reports', async () => {
    const clock = new VirtualClock();
    const m = mockFirmataBoard();
    const { gpio } = await open({ clock, firmata: { io: m.io } });
    const det = new LoopDetector(gpio.input({ pin: 8 }, { debounceMs: 20 }), clock, { maxPresenceMs: 60_000, noActivityMs: 600_000 });
    const presence: [boolean, number][] = [];
    det.on('presence', (on, t) => presence.push([on, t]));
    for (const at of [1000, 3000]) {
      clock.runUntil(at);
      m.reportDigital(8, 1);
      clock.runUntil(at + 500);
      m.reportDigital(8, 0);
    }
    clock.runUntil(4000);
    assert.deepEqual(presence, [[true, 1020], [false, 1520], [true, 3020], [false, 3520]]);
    assert.deepEqual(det.intervalStats(), { count: 2, occupancy: 1000 / 4000, intervalMs: 4000 });
  });

  it('lamp-out from an INA219 on the Firmata I2C bus, within one sampling period', async () => {
    const clock = new VirtualClock();
    const m = mockFirmataBoard();
    const { gpio, i2c } = await open({ clock, firmata: { io: m.io } });
    const head = new SignalHead({ red: gpio.output({ pin: 5 }), yellow: gpio.output({ pin: 6 }), green: gpio.output({ pin: 7 }) });
    const model = new Ina219Model({ shuntOhms: 0.1, busV: 120 });
    m.attachI2c(0x40, model);
    const ina = new Ina219(await i2c.bus(0), { address: 0x40, shuntOhms: 0.1, maxCurrentA: 3.2 });
    await ina.init();
    let amps: number | null = null;
    const mon = new LampOutMonitor(clock, { phase: 4, commanded: commandedMask(head), amps: () => amps, thresholdA: 0.05, settleMs: 0 });
    const faults: LampOutEvent[] = [];
    mon.on('fault', (e) => faults.push(e));
    // The sampling loop a scheduler would run: read the sensor every 100 ms, then judge.
    const poll = async () => {
      amps = (await ina.read()).currentA;
      mon.sample();
    };
    head.set('red');
    model.setInput('current_a', 0.4);
    for (let t = 100; t <= 1000; t += 100) {
      await clock.advanceAsync(100);
      await poll();
    }
    assert.equal(faults.length, 0);
    await clock.advanceAsync(30);
    model.setInput('current_a', 0); // the red lamp burns out at 1030
    await clock.advanceAsync(70);
    await poll();
    assert.equal(faults.length, 1);
    assert.equal(faults[0]!.phase, 4);
    assert.equal(faults[0]!.lamp, 'red');
    assert.equal(faults[0]!.tMs, 1100);
  });
});
