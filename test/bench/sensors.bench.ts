/**
 * Sensor path costs: datasheet compensation and vibration RMS (pure, per call), each driver's
 * sample() over its register-level model on the sim bus, and the sampling scheduler over a
 * virtual hour (wall time, samples per second, GCs, heap retained per sample).
 * Run: npm run bench -- sensors   (writes bench-results/sensors.json)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { SimI2cBus } from '../../drivers/backends/sim/i2c.js';
import { bme280Humidity, bme280Pressure, bme280TFine } from '../../drivers/chips/bme280-compensation.js';
import { createChip, createChipModel, type ChipDriver } from '../../drivers/chips/index.js';
import { BME280_MODEL_CALIBRATION } from '../../drivers/chips/models/bme280.js';
import { VibrationRms } from '../../drivers/chips/vibration-rms.js';
import { VirtualClock } from '../../drivers/hal/clock.js';
import { SamplingScheduler } from '../../drivers/sampling/scheduler.js';
import { Sensor } from '../../drivers/sampling/sensor.js';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
let gcCount = 0;
new PerformanceObserver((list) => (gcCount += list.getEntries().length)).observe({ entryTypes: ['gc'] });
const macrotask = (): Promise<void> => new Promise((r) => setImmediate(r));

interface Row { name: string; value: number; unit: string; note?: string }
const rows: Row[] = [];

function timeNs(n: number, fn: (i: number) => void): number {
  for (let i = 0; i < Math.min(n, 10_000); i++) fn(i);
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  return Number(process.hrtime.bigint() - t) / n;
}

// 1. pure per-sample maths
{
  const c = BME280_MODEL_CALIBRATION;
  let sink = 0;
  rows.push({ name: 'bme280 compensation T+P+H', value: timeNs(1_000_000, (i) => {
    const tf = bme280TFine(519888 + (i & 1023), c);
    sink += bme280Pressure(415148, tf, c) + bme280Humidity(27000, tf, c);
  }), unit: 'ns/call' });
  const v = new VibrationRms(256);
  rows.push({ name: 'vibration RMS push+rms (window 256)', value: timeNs(1_000_000, (i) => {
    v.push(0.01 * (i & 7), 0, 1);
    sink += v.rms();
  }), unit: 'ns/sample' });
  if (sink === 42) console.log('');
}

// 2. each driver's sample() over its model on the sim bus (promise round trips included)
for (const [chip, address, options] of [
  ['bme280', 0x76, { mode: 'normal' }],
  ['ads1115', 0x48, { mode: 'continuous', channels: ['ain0'] }],
  ['ina219', 0x40, {}],
  ['mpu6050', 0x68, {}],
] as const) {
  const clock = new VirtualClock();
  const bus = new SimI2cBus(1, clock);
  bus.attach(address, createChipModel(chip, { clock }));
  const d: ChipDriver = createChip({ chip, address, options: options as Record<string, unknown> }, bus, clock);
  const p = d.init();
  for (let i = 0; i < 50; i++) { clock.advance(1); await macrotask(); }
  await p;
  const out = new Float64Array(d.channels.length);
  const n = 20_000;
  for (let i = 0; i < 2000; i++) await d.sample(out);
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await d.sample(out);
  rows.push({ name: `${chip} sample() over sim model`, value: Number(process.hrtime.bigint() - t) / n / 1000, unit: 'µs/sample' });
}

// 3. scheduler: 6 sensors on 2 sim buses for one virtual hour
{
  const clock = new VirtualClock();
  const b1 = new SimI2cBus(1, clock);
  const b2 = new SimI2cBus(2, clock);
  const specs = [
    { name: 'lamp1', chip: 'ina219', bus: b1, address: 0x40, hz: 10 },
    { name: 'lamp2', chip: 'ina219', bus: b1, address: 0x41, hz: 10 },
    { name: 'cabinet', chip: 'bme280', bus: b1, address: 0x76, hz: 1, options: { mode: 'normal' } },
    { name: 'pole', chip: 'mpu6050', bus: b2, address: 0x68, hz: 50 },
    { name: 'adc', chip: 'ads1115', bus: b2, address: 0x48, hz: 5, options: { mode: 'continuous' } },
    { name: 'lamp3', chip: 'ina219', bus: b2, address: 0x44, hz: 10 },
  ] as const;
  let values = 0;
  let acc = 0;
  const sched = new SamplingScheduler(clock, (_s, _c, _t, v) => {
    values++;
    acc += v;
  });
  for (const s of specs) {
    s.bus.attach(s.address, createChipModel(s.chip, { clock }));
    const d = createChip({ chip: s.chip, address: s.address, options: ('options' in s ? s.options : {}) as Record<string, unknown> }, s.bus, clock);
    sched.add(new Sensor(s.name, d, clock, { periodMs: 1000 / s.hz }));
  }
  sched.start();
  const run = async (ms: number): Promise<void> => {
    const end = clock.now() + ms;
    for (;;) {
      await macrotask();
      const due = clock.nextDue();
      if (due === undefined || due > end) break;
      clock.runUntil(due);
    }
    clock.runUntil(end);
    await macrotask();
  };
  await run(60_000); // warm-up minute
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  const gc0 = gcCount;
  const v0 = values;
  const polls0 = sched.stats().reduce((a, s) => a + s.polls, 0);
  const t = process.hrtime.bigint();
  await run(3_600_000);
  const wallMs = Number(process.hrtime.bigint() - t) / 1e6;
  const polls = sched.stats().reduce((a, s) => a + s.polls, 0) - polls0;
  gc();
  const heap1 = process.memoryUsage().heapUsed;
  const overruns = sched.stats().reduce((a, s) => a + s.overruns, 0);
  rows.push({ name: 'scheduler: virtual hour, 6 sensors / 2 buses', value: wallMs, unit: 'ms wall', note: `${polls} polls, ${values - v0} values` });
  rows.push({ name: 'scheduler: polls per wall second', value: Math.round(polls / (wallMs / 1000)), unit: 'polls/s' });
  rows.push({ name: 'scheduler: wall cost per poll', value: (wallMs * 1000) / polls, unit: 'µs/poll', note: 'incl. sim bus + virtual clock' });
  rows.push({ name: 'scheduler: GCs during the hour', value: gcCount - gc0, unit: 'count', note: 'promises per transaction are young-gen garbage' });
  rows.push({ name: 'scheduler: heap retained per poll', value: (heap1 - heap0) / polls, unit: 'bytes/poll', note: 'after gc(); ~0 means no growth' });
  rows.push({ name: 'scheduler: overruns', value: overruns, unit: 'count' });
  if (acc === 42) console.log('');
  const stopping = sched.stop();
  await run(1000);
  await stopping;
}

const w = Math.max(...rows.map((r) => r.name.length));
console.log(`${'measure'.padEnd(w)}  ${'value'.padStart(12)}  unit`);
for (const r of rows) {
  const v = Number.isInteger(r.value) ? String(r.value) : r.value.toFixed(3);
  console.log(`${r.name.padEnd(w)}  ${v.padStart(12)}  ${r.unit}${r.note ? `  (${r.note})` : ''}`);
}
mkdirSync('bench-results', { recursive: true });
writeFileSync('bench-results/sensors.json', JSON.stringify({ node: process.version, rows }, null, 2));
console.log('wrote bench-results/sensors.json');
