import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimI2cBus } from '../../../drivers/backends/sim/i2c.js';
import { Bme280 } from '../../../drivers/chips/bme280.js';
import { Ina219 } from '../../../drivers/chips/ina219.js';
import { Bme280Model } from '../../../drivers/chips/models/bme280.js';
import { Ina219Model } from '../../../drivers/chips/models/ina219.js';
import { VirtualClock } from '../../../drivers/hal/clock.js';
import type { I2cBus } from '../../../drivers/hal/i2c.js';
import { Sensor, type SensorState } from '../../../drivers/sampling/sensor.js';
import { runFor } from './run-clock.js';

function inaRig() {
  const clock = new VirtualClock();
  const bus = new SimI2cBus(1, clock);
  const model = new Ina219Model({ busV: 12, currentA: 0.8 });
  bus.attach(0x40, model);
  const states: SensorState[] = [];
  const sensor = new Sensor('lamp1', new Ina219(bus), clock, { periodMs: 100, onState: (_s, st) => states.push(st) });
  return { clock, bus, model, sensor, states };
}

/** Runs one poll to completion, advancing the clock only as far as its own timers need. */
async function poll(clock: VirtualClock, s: Sensor): Promise<boolean> {
  let r: boolean | undefined;
  void s.poll().then((v) => (r = v));
  for (let i = 0; i < 1000; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    if (r !== undefined) return r;
    const due = clock.nextDue();
    assert.notEqual(due, undefined, 'a pending poll is waiting on a timer');
    clock.runUntil(due!);
  }
  assert.fail('poll did not settle');
}

describe('Sensor fault policy', () => {
  it('a short NACK burst is absorbed by retries with backoff: fresh reading, no re-init', async () => {
    const { clock, bus, sensor } = inaRig();
    assert.equal(await poll(clock, sensor), true);
    bus.inject({ kind: 'nack', address: 0x40, count: 2 });
    const t0 = clock.now();
    assert.equal(await poll(clock, sensor), true);
    assert.ok(clock.now() - t0 >= 2 + 4, 'backed off 2 ms then 4 ms on the clock');
    assert.equal(sensor.counters.retries, 2);
    assert.equal(sensor.counters.errors.noAck, 2);
    assert.equal(sensor.counters.reinits, 0);
    assert.equal(sensor.state, 'ok');
    assert.ok(Math.abs(sensor.values[2]! - 0.8) < 1e-3);
  });

  it('a timeout burst is retried too (each attempt costs the bus timeout on the clock)', async () => {
    const { clock, bus, sensor } = inaRig();
    assert.equal(await poll(clock, sensor), true);
    bus.inject({ kind: 'timeout', address: 0x40, count: 2 });
    const t0 = clock.now();
    assert.equal(await poll(clock, sensor), true);
    assert.equal(clock.now() - t0, 25 + 2 + 25 + 4, 'two 25 ms bus timeouts and two backoffs');
    assert.equal(sensor.counters.errors.timeout, 2);
    assert.equal(sensor.counters.retries, 2);
  });

  it('when retries run out it re-initialises; when that fails too it is faulted, and it recovers with backoff', async () => {
    const { clock, bus, sensor, states } = inaRig();
    assert.equal(await poll(clock, sensor), true);
    bus.inject({ kind: 'nack', address: 0x40, count: 6 }); // 4 sample attempts + re-init + first recovery attempt
    assert.equal(await poll(clock, sensor), false);
    assert.equal(sensor.state, 'faulted');
    assert.deepEqual(sensor.counters.errors.noAck, 5);
    assert.equal(sensor.counters.retries, 3);
    assert.equal(sensor.counters.reinits, 1);
    assert.equal(sensor.counters.faults, 1);
    assert.match(sensor.lastError!, /sim-i2c-1 addr 0x40: no acknowledge/);
    // Within the re-init backoff a faulted sensor does not touch the bus.
    const before = bus.transactions;
    assert.equal(await poll(clock, sensor), false);
    assert.equal(bus.transactions, before);
    await runFor(clock, 500);
    assert.equal(await poll(clock, sensor), false, 'first recovery attempt still NACKed');
    await runFor(clock, 999);
    assert.equal(await poll(clock, sensor), false, 'backoff doubled to 1000 ms');
    await runFor(clock, 1);
    assert.equal(await poll(clock, sensor), true, 'chip answers again: recovered');
    assert.equal(sensor.state, 'ok');
    assert.equal(sensor.counters.recoveries, 1);
    assert.deepEqual(states, ['ok', 'faulted', 'ok']);
  });

  it('readings carry their age and go stale after staleAfterPeriods periods', async () => {
    const { clock, bus, sensor } = inaRig();
    assert.equal(sensor.isStale(), true, 'never read is stale');
    await poll(clock, sensor);
    const t = sensor.lastGoodMs;
    assert.equal(sensor.ageMs(), clock.now() - t);
    bus.inject({ kind: 'stuck' });
    await runFor(clock, 300 - (clock.now() - t));
    assert.equal(sensor.isStale(), false, 'exactly 3 periods old is not yet stale');
    await runFor(clock, 1);
    assert.equal(sensor.isStale(), true);
  });

  it('a sample that writes (BME280 forced mode) is not retried: the sensor re-initialises instead', async () => {
    const clock = new VirtualClock();
    const bus = new SimI2cBus(1, clock);
    bus.attach(0x76, new Bme280Model({ temperatureC: 22 }));
    const sensor = new Sensor('cabinet', new Bme280(bus, { clock }), clock, { periodMs: 1000 });
    assert.equal(await poll(clock, sensor), true);
    bus.inject({ kind: 'nack', address: 0x76, count: 1 });
    assert.equal(await poll(clock, sensor), true);
    assert.equal(sensor.counters.retries, 0);
    assert.equal(sensor.counters.reinits, 1);
    assert.equal(sensor.values[0], 22);
  });

  it('a wrong chip id faults the sensor with the id in the message; swapping the chip recovers it', async () => {
    const clock = new VirtualClock();
    const bus = new SimI2cBus(3, clock);
    const model = new Bme280Model();
    model.setChipId(0x58);
    bus.attach(0x77, model);
    const sensor = new Sensor('cabinet', new Bme280(bus, { address: 0x77, clock, mode: 'normal' }), clock, { periodMs: 1000 });
    assert.equal(await poll(clock, sensor), false);
    assert.equal(sensor.state, 'faulted');
    assert.equal(sensor.lastError, 'sim-i2c-3 addr 0x77: BME280 chip id expected 0x60, found 0x58');
    assert.equal(sensor.counters.errors.other, 1);
    model.setChipId(0x60);
    await runFor(clock, 500);
    assert.equal(await poll(clock, sensor), true);
    assert.equal(sensor.state, 'ok');
  });

  it('a backend that never answers cannot hang the sensor: the op times out on the clock', async () => {
    const clock = new VirtualClock();
    let calls = 0;
    const hung: I2cBus = {
      name: 'firmata',
      transaction: () => {
        calls++;
        return new Promise<void>(() => {});
      },
      close: async () => {},
    };
    const sensor = new Sensor('lamp', new Ina219(hung), clock, { periodMs: 100, policy: { opTimeoutMs: 50 } });
    const t0 = clock.now();
    assert.equal(await poll(clock, sensor), false);
    assert.equal(sensor.state, 'faulted');
    assert.equal(clock.now() - t0, 70, 'init guard: op timeout 50 ms + 20 ms init allowance');
    assert.match(sensor.lastError!, /firmata addr 0x40 ina219 \(lamp\): init did not finish within 70 ms/);
    // The abandoned init still owns the driver's buffers: later polls do not start another.
    await runFor(clock, 10_000);
    assert.equal(await poll(clock, sensor), false);
    assert.equal(calls, 1);
  });

  it('an op hung after quick ones times out at its own deadline, though the timer was armed by an earlier op', async () => {
    const clock = new VirtualClock();
    const bus = new SimI2cBus(1, clock);
    bus.attach(0x40, new Ina219Model({ busV: 12, currentA: 1 }));
    let hang = false;
    const flaky: I2cBus = {
      name: 'flaky',
      transaction: (a, ops) => (hang ? new Promise<void>(() => {}) : bus.transaction(a, ops)),
      close: async () => {},
    };
    const sensor = new Sensor('lamp', new Ina219(flaky), clock, { periodMs: 10, policy: { opTimeoutMs: 50, retries: 0 } });
    assert.equal(await poll(clock, sensor), true); // init + first sample arm the one op timer
    for (let i = 0; i < 3; i++) {
      clock.advance(10);
      assert.equal(await poll(clock, sensor), true);
    }
    clock.advance(10);
    hang = true;
    const t0 = clock.now();
    assert.equal(await poll(clock, sensor), false);
    // The timer was armed for an earlier op's deadline (t0 + 10) when the hung sample began;
    // it re-arms for the hung op, which times out exactly op timeout after it started (no
    // conversion wait on an INA219), then the re-init hangs too and times out 70 ms later.
    assert.equal(sensor.driver.sampleWaitMs, 0);
    assert.equal(clock.now() - t0, 50 + 70);
    assert.equal(sensor.counters.errors.timeout, 2);
    assert.match(sensor.lastError!, /flaky addr 0x40 ina219 \(lamp\): init did not finish within 70 ms/);
  });
});
