import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimI2cBus } from '../../../drivers/backends/sim/i2c.js';
import { Ina219 } from '../../../drivers/chips/ina219.js';
import { Mpu6050 } from '../../../drivers/chips/mpu6050.js';
import { Ina219Model } from '../../../drivers/chips/models/ina219.js';
import { Mpu6050Model } from '../../../drivers/chips/models/mpu6050.js';
import { Bme280 } from '../../../drivers/chips/bme280.js';
import { Bme280Model } from '../../../drivers/chips/models/bme280.js';
import { VirtualClock, type Clock } from '../../../drivers/hal/clock.js';
import type { I2cBus, I2cOp } from '../../../drivers/hal/i2c.js';
import { SamplingScheduler } from '../../../drivers/sampling/scheduler.js';
import { Sensor } from '../../../drivers/sampling/sensor.js';
import { runFor } from './run-clock.js';

/** Wraps a bus so each transaction takes `ms` of clock time, and records overlap. */
class SlowBus implements I2cBus {
  inFlight = 0;
  maxInFlight = 0;
  constructor(
    private readonly inner: I2cBus,
    private readonly clock: Clock,
    private readonly ms: number,
    private readonly overlapWith?: SlowBus,
  ) {}
  sawOtherBusBusy = 0;
  get name(): string {
    return this.inner.name;
  }
  async transaction(address: number, ops: readonly I2cOp[]): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    if (this.overlapWith && this.overlapWith.inFlight > 0) this.sawOtherBusBusy++;
    try {
      await new Promise<void>((r) => this.clock.setTimeout(r, this.ms));
      await this.inner.transaction(address, ops);
    } finally {
      this.inFlight--;
    }
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Stops, then lets polls in flight (waiting on the virtual clock) finish. */
async function stop(clock: VirtualClock, sched: SamplingScheduler): Promise<void> {
  await sched.stop();
  const idle = sched.idle();
  await runFor(clock, 1000);
  await idle;
}

describe('SamplingScheduler', () => {
  it('aligns polls to multiples of each period, so equal and harmonic rates (and the control tick) share wake-ups', async () => {
    const clock = new VirtualClock(1234);
    const bus = new SimI2cBus(1, clock);
    bus.attach(0x40, new Ina219Model({ busV: 12, currentA: 1 }));
    bus.attach(0x41, new Ina219Model({ busV: 24, currentA: 2 }));
    const times = new Map<string, number[]>([['a', []], ['b', []]]);
    const sched = new SamplingScheduler(clock, (name, ch, t) => {
      if (ch === 0) times.get(name)!.push(t);
    });
    sched.add(new Sensor('a', new Ina219(bus), clock, { periodMs: 10 }));
    sched.add(new Sensor('b', new Ina219(bus, { address: 0x41 }), clock, { periodMs: 50 }));
    sched.start();
    await runFor(clock, 200);
    await stop(clock, sched);
    const a = times.get('a')!;
    const b = times.get('b')!;
    assert.equal(a[0], 1240, 'the first 10 ms poll waits for the next multiple of 10, not now (1234)');
    assert.equal(b[0], 1250);
    for (const t of a) assert.equal(t % 10, 0, `poll at ${t}`);
    for (const t of b) assert.equal(t % 50, 0, `poll at ${t}`);
    assert.ok(b.every((t) => a.includes(t)), 'every 20 Hz poll falls on a 100 Hz poll');
  });

  it('polls each sensor exactly on t0 + round(k·period) over a virtual hour: no drift, no overruns', async () => {
    const clock = new VirtualClock();
    const bus = new SimI2cBus(1, clock);
    bus.attach(0x40, new Ina219Model({ busV: 12, currentA: 1 }));
    bus.attach(0x41, new Ina219Model({ busV: 24, currentA: 2 }));
    const times = new Map<string, number[]>([['fast', []], ['third', []]]);
    const sched = new SamplingScheduler(clock, (name, ch, t) => {
      if (ch === 0) times.get(name)!.push(t);
    });
    sched.add(new Sensor('fast', new Ina219(bus), clock, { periodMs: 100 })); // 10 Hz
    sched.add(new Sensor('third', new Ina219(bus, { address: 0x41 }), clock, { periodMs: 1000 / 3 })); // 3 Hz
    const t0 = clock.now();
    sched.start();
    await runFor(clock, 3_600_000);
    await stop(clock, sched);
    const fast = times.get('fast')!;
    const third = times.get('third')!;
    // First poll at t0 + 1 (the virtual clock's minimum delay), then on the grid.
    assert.equal(fast.length, 36_001);
    assert.equal(third.length, 10_801);
    for (let k = 1; k < fast.length; k++) assert.equal(fast[k], t0 + k * 100);
    for (let k = 1; k < third.length; k++) assert.equal(third[k], t0 + Math.round((k * 1000) / 3));
    assert.equal(third[third.length - 1], t0 + 3_600_000, 'after an hour the 3 Hz sensor is exactly on time');
    for (const s of sched.stats()) assert.equal(s.overruns, 0, s.sensor);
  });

  it('serialises transactions on one bus, while another bus runs at the same time', async () => {
    const clock = new VirtualClock();
    const sim1 = new SimI2cBus(1, clock);
    const sim2 = new SimI2cBus(2, clock);
    const bus2 = new SlowBus(sim2, clock, 3);
    const bus1 = new SlowBus(sim1, clock, 3, bus2);
    for (const a of [0x40, 0x41, 0x44]) sim1.attach(a, new Ina219Model({ busV: 5, currentA: 0.1 }));
    sim2.attach(0x68, new Mpu6050Model());
    const counts = new Map<string, number>();
    const sched = new SamplingScheduler(clock, (name, ch) => {
      if (ch === 0) counts.set(name, (counts.get(name) ?? 0) + 1);
    });
    // Each INA219 sample is 4 transactions of 3 ms = 12 ms; three of them at 20 Hz share bus 1.
    for (const [i, a] of [0x40, 0x41, 0x44].entries()) sched.add(new Sensor(`ina${i}`, new Ina219(bus1, { address: a }), clock, { periodMs: 50 }));
    sched.add(new Sensor('imu', new Mpu6050(bus2), clock, { periodMs: 10 }));
    sched.start();
    await runFor(clock, 10_000);
    await stop(clock, sched);
    assert.equal(bus1.maxInFlight, 1, 'never two transactions at once on bus 1');
    assert.equal(bus2.maxInFlight, 1);
    assert.ok(bus1.sawOtherBusBusy > 100, 'bus 1 and bus 2 transactions overlapped in time');
    for (const i of [0, 1, 2]) assert.ok(counts.get(`ina${i}`)! >= 199, `ina${i}: ${counts.get(`ina${i}`)}`);
    // 100 Hz for 10 s; init (6 transactions of 3 ms) overruns the first two slots.
    assert.ok(counts.get('imu')! >= 997, `imu: ${counts.get('imu')}`);
    assert.ok(sched.stats().find((x) => x.sensor === 'imu')!.overruns <= 2);
  });

  it('skips ahead and counts overruns when a sensor cannot keep up, without bursts', async () => {
    const clock = new VirtualClock();
    const sim = new SimI2cBus(1, clock);
    sim.attach(0x40, new Ina219Model());
    const bus = new SlowBus(sim, clock, 10); // 40 ms per sample
    const polls: number[] = [];
    const sched = new SamplingScheduler(clock, (_n, ch, t) => {
      if (ch === 0) polls.push(t);
    });
    const sensor = new Sensor('slow', new Ina219(bus), clock, { periodMs: 25 });
    sched.add(sensor);
    sched.start();
    await runFor(clock, 1000);
    await stop(clock, sched);
    // Every other slot is skipped: about 20 samples a second, never two polls back to back.
    assert.ok(polls.length >= 19 && polls.length <= 21, `samples ${polls.length}`);
    for (let i = 1; i < polls.length; i++) assert.ok(polls[i]! - polls[i - 1]! >= 40);
    assert.ok(sensor.counters.overruns >= 18, `overruns ${sensor.counters.overruns}`);
  });

  it('NACK burst → retries → stale → faulted → recovered, with samples emitted only when fresh', async () => {
    const clock = new VirtualClock();
    const bus = new SimI2cBus(1, clock);
    bus.attach(0x76, new Bme280Model({ temperatureC: 19.5 }));
    const emitted: number[] = [];
    const sched = new SamplingScheduler(clock, (_n, ch, t) => {
      if (ch === 0) emitted.push(t);
    });
    const sensor = new Sensor('cabinet', new Bme280(bus, { clock, mode: 'normal' }), clock, { periodMs: 100 });
    sched.add(sensor);
    sched.start();
    await runFor(clock, 1000);
    assert.equal(sensor.state, 'ok');
    assert.equal(sensor.isStale(), false);

    bus.inject({ kind: 'nack', address: 0x76, count: 3 }); // short burst: retried away
    await runFor(clock, 200);
    assert.equal(sensor.counters.retries, 3);
    assert.equal(sensor.counters.faults, 0);
    assert.equal(sensor.isStale(), false);

    bus.inject({ kind: 'nack', address: 0x76, count: 7 }); // 4 attempts + re-init, then two recovery attempts
    const burstAt = clock.now();
    await runFor(clock, 301);
    assert.equal(sensor.state, 'faulted');
    assert.equal(sensor.isStale(), true);
    const emittedDuringFault = emitted.filter((t) => t > burstAt).length;
    assert.equal(emittedDuringFault, 0, 'no samples while faulted');

    await runFor(clock, 5000);
    assert.equal(sensor.state, 'ok', 'recovered by itself when the chip answered again');
    assert.equal(sensor.isStale(), false);
    assert.equal(sensor.counters.recoveries, 1);
    assert.ok(emitted[emitted.length - 1]! > burstAt + 300);
    assert.equal(sensor.values[0], 19.5);
    await stop(clock, sched);
  });

  it('a stuck bus faults its sensor; the other bus and the control loop keep their rate', async () => {
    const clock = new VirtualClock();
    const bus1 = new SimI2cBus(1, clock);
    const bus2 = new SimI2cBus(2, clock);
    bus1.attach(0x40, new Ina219Model({ busV: 120, currentA: 0.5 }));
    bus2.attach(0x68, new Mpu6050Model());
    const samples = new Map<string, number>([['lamp', 0], ['imu', 0]]);
    const sched = new SamplingScheduler(clock, (name, ch) => {
      if (ch === 0) samples.set(name, samples.get(name)! + 1);
    });
    const lamp = new Sensor('lamp', new Ina219(bus1), clock, { periodMs: 100 });
    const imu = new Sensor('imu', new Mpu6050(bus2), clock, { periodMs: 20 });
    sched.add(lamp);
    sched.add(imu);
    let ticks = 0;
    const tickTimes: number[] = [];
    clock.setInterval(() => {
      ticks++;
      tickTimes.push(clock.now());
    }, 100); // the controller's loop
    sched.start();
    await runFor(clock, 1000);
    bus1.inject({ kind: 'stuck' });
    const imuBefore = samples.get('imu')!;
    await runFor(clock, 10_000);
    assert.equal(lamp.state, 'faulted');
    assert.equal(lamp.isStale(), true);
    assert.ok(lamp.counters.errors.timeout >= 5);
    assert.equal(samples.get('imu')! - imuBefore, 500, 'imu kept 50 Hz exactly');
    assert.equal(imu.isStale(), false);
    assert.equal(imu.counters.overruns, 0);
    assert.equal(ticks, 110);
    tickTimes.forEach((t, i) => assert.equal(t, (i + 1) * 100));

    bus1.clearFaults();
    await runFor(clock, 30_000); // the re-init backoff is capped at 30 s
    assert.equal(lamp.state, 'ok');
    assert.equal(lamp.isStale(), false);
    await stop(clock, sched);
  });

  it('a dead chip (nothing at its address) does not starve a healthy one on the same bus', async () => {
    const clock = new VirtualClock();
    const bus = new SimI2cBus(1, clock);
    bus.attach(0x40, new Ina219Model({ busV: 24, currentA: 0.4 }));
    let good = 0;
    const sched = new SamplingScheduler(clock, (name, ch) => {
      if (name === 'alive' && ch === 0) good++;
    });
    const dead = new Sensor('dead', new Ina219(bus, { address: 0x45 }), clock, { periodMs: 100 });
    sched.add(dead);
    sched.add(new Sensor('alive', new Ina219(bus), clock, { periodMs: 100 }));
    sched.start();
    await runFor(clock, 60_000);
    await stop(clock, sched);
    assert.equal(dead.state, 'faulted');
    assert.equal(good, 601, 'every slot of the healthy sensor was sampled');
    // Re-init attempts back off (0.5, 1, 2 … 30 s), so the dead chip costs a handful of transactions.
    assert.ok(dead.counters.errors.noAck <= 12, `dead chip NACKs: ${dead.counters.errors.noAck}`);
  });

  it('stop() returns at once even with a poll waiting on the clock, and nothing is emitted after it', async () => {
    const clock = new VirtualClock();
    const sim = new SimI2cBus(1, clock);
    sim.attach(0x40, new Ina219Model());
    const bus = new SlowBus(sim, clock, 5);
    let emitted = 0;
    const sched = new SamplingScheduler(clock, () => emitted++);
    sched.add(new Sensor('lamp', new Ina219(bus), clock, { periodMs: 100 }));
    sched.start();
    await runFor(clock, 3); // first poll (at t=1) is mid-transaction
    await sched.stop();
    const idle = sched.idle();
    await runFor(clock, 1000);
    await idle;
    assert.equal(emitted, 0);
    assert.equal(clock.pending, 0, 'no timers left behind');
  });

  it('emits channel indices with a names table', async () => {
    const clock = new VirtualClock();
    const bus = new SimI2cBus(1, clock);
    bus.attach(0x40, new Ina219Model({ busV: 12, currentA: 1 }));
    const got: [string, number, number][] = [];
    const sched = new SamplingScheduler(clock, (name, ch, _t, v) => got.push([name, ch, v]));
    sched.add(new Sensor('lamp', new Ina219(bus), clock, { periodMs: 1000 }));
    assert.deepEqual(sched.channelNames('lamp'), ['bus_v', 'shunt_v', 'current_a', 'power_w']);
    sched.start();
    await runFor(clock, 1);
    await stop(clock, sched);
    assert.deepEqual(got.map(([n, c]) => [n, c]), [['lamp', 0], ['lamp', 1], ['lamp', 2], ['lamp', 3]]);
    assert.ok(Math.abs(got[2]![2] - 1) < 1e-3);
  });
});
