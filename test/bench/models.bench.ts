/**
 * `npm run bench -- models`: the shipped models on this machine.
 *   - Isolation Forest (iforest-cabinet.onnx): native tree walk vs onnxruntime, one row and a
 *     batch of 1000 rows; GC count and heap growth over 10⁶ native scores (target 0).
 *   - Flow forecaster: fp32 vs int8 on onnxruntime, one row and a batch of 1000 rows.
 *   - Sizes of the shipped files.
 * Writes bench-results/models.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { forestFromOnnx } from '../../firmware/anomaly/iforest/onnx-export.js';
import { simulateCabinetTelemetry } from '../../models/cabinet/simulated-telemetry.js';
import { heldOutFromMetadata } from '../../models/forecaster/train.js';
import { MODELS_DIR, readVerifiedModel } from '../../models/loader.js';
import { readManifest } from '../../models/manifest.js';
import { metadataOf } from '../../models/onnx/builder.js';
import { decodeModel } from '../../models/onnx/proto.js';
import { createSession, runFloat } from '../../models/runtime.js';

interface Stat {
  p50_us: number;
  p99_us: number;
  mean_us: number;
}

function stats(samplesNs: Float64Array): Stat {
  const s = Float64Array.from(samplesNs).sort();
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]! / 1000;
  return { p50_us: q(0.5), p99_us: q(0.99), mean_us: s.reduce((a, b) => a + b, 0) / s.length / 1000 };
}

function timeSync(n: number, fn: (i: number) => void): Stat {
  for (let i = 0; i < Math.min(n, 2000); i++) fn(i); // warm-up
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = process.hrtime.bigint();
    fn(i);
    t[i] = Number(process.hrtime.bigint() - a);
  }
  return stats(t);
}

async function timeAsync(n: number, fn: (i: number) => Promise<unknown>): Promise<Stat> {
  for (let i = 0; i < Math.min(n, 50); i++) await fn(i);
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = process.hrtime.bigint();
    await fn(i);
    t[i] = Number(process.hrtime.bigint() - a);
  }
  return stats(t);
}

const rows: { what: string; engine: string; p50_us: number; p99_us: number; mean_us: number; per_row_us: number }[] = [];
const add = (what: string, engine: string, s: Stat, batch = 1) => rows.push({ what, engine, ...s, per_row_us: s.mean_us / batch });

// ---- Isolation Forest
const ifm = readVerifiedModel('iforest-cabinet');
const forest = forestFromOnnx(decodeModel(ifm.bytes));
const d = forest.nCols;
const tel = simulateCabinetTelemetry(1000, 3);
const X32 = Float32Array.from(tel.data);
// GC count and heap growth of the native hot path, measured before onnxruntime runs anything
// (its async completions allocate) (the loop in a function: a module-level
// accumulator would box every double it stores, which is the bench's allocation, not the forest's)
function scoreMany(n: number): number {
  let sink = 0;
  for (let i = 0; i < n; i++) sink += forest.score(tel.data, (i % 1000) * d);
  return sink;
}
scoreMany(100000); // warm-up: the optimised code allocates nothing, the tiers before it box doubles
scoreMany(100000);
(globalThis as { gc?: () => void }).gc?.(); // before observing: this forced GC is not the hot path's
await new Promise((r) => setTimeout(r, 20));
// scavenges (minor GCs) are what allocation causes; a major GC here is V8's memory reducer
// compacting after the forced gc(), not the loop's doing, so the two are reported apart
let gcs = 0;
let minorGcs = 0;
const obs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcs++;
    if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) minorGcs++;
  }
});
obs.observe({ entryTypes: ['gc'] });
const heap0 = process.memoryUsage().heapUsed;
const checksum = scoreMany(1_000_000);
const heap1 = process.memoryUsage().heapUsed;
await new Promise((r) => setTimeout(r, 50));
obs.disconnect();
const alloc = { samples: 1_000_000, gcCount: gcs, minorGcCount: minorGcs, heapGrowthBytes: heap1 - heap0, checksum };

const ifSession = await createSession(ifm.bytes);
add('iforest 1 row', 'native', timeSync(20000, (i) => forest.score(tel.data, (i % 1000) * d)));
add('iforest 1 row', 'onnxruntime', await timeAsync(2000, (i) => runFloat(ifSession, X32.subarray((i % 1000) * d, (i % 1000) * d + d), 1, d)));
const out = new Float64Array(1000);
add('iforest 1000 rows', 'native', timeSync(200, () => forest.scoreBatch(tel.data, 1000, out)), 1000);
add('iforest 1000 rows', 'onnxruntime', await timeAsync(100, () => runFloat(ifSession, X32, 1000, d)), 1000);
// parity on this batch, for the record
const ort = await runFloat(ifSession, X32, 1000, d);
let parity = 0;
for (let r = 0; r < 1000; r++) parity = Math.max(parity, Math.abs(ort.score![r]! - forest.score(tel.data, r * d)));
await ifSession.release();

// ---- Forecaster fp32 vs int8
const fp = readVerifiedModel('flow-forecaster');
const i8 = readVerifiedModel('flow-forecaster.int8');
const test = heldOutFromMetadata(metadataOf(decodeModel(fp.bytes)));
const FX = Float32Array.from(test.X.subarray(0, 1000 * test.nIn));
for (const [label, m] of [
  ['fp32', fp],
  ['int8', i8],
] as const) {
  const s = await createSession(m.bytes);
  add('forecaster 1 row', `onnxruntime ${label}`, await timeAsync(2000, (i) => runFloat(s, FX.subarray((i % 1000) * test.nIn, (i % 1000 + 1) * test.nIn), 1, test.nIn)));
  add('forecaster 1000 rows', `onnxruntime ${label}`, await timeAsync(100, () => runFloat(s, FX, 1000, test.nIn)), 1000);
  await s.release();
}

// ---- sizes
const manifest = readManifest(MODELS_DIR);
const sizes = manifest.models.map((m) => ({ file: m.file, bytes: readFileSync(join(MODELS_DIR, m.file)).length, ...m.metrics }));

console.log('\nscoring latency (µs)');
console.log('what                  engine               p50      p99     mean   per row');
for (const r of rows) console.log(`${r.what.padEnd(22)}${r.engine.padEnd(18)}${r.p50_us.toFixed(1).padStart(8)}${r.p99_us.toFixed(1).padStart(9)}${r.mean_us.toFixed(1).padStart(9)}${r.per_row_us.toFixed(2).padStart(10)}`);
console.log(`\niforest ORT vs native max |Δscore| on 1000 rows: ${parity.toExponential(2)}`);
console.log(`native iforest, ${alloc.samples} scores: ${alloc.minorGcCount} scavenges (${alloc.gcCount} GCs in all), heap growth ${alloc.heapGrowthBytes} B`);
console.log('\nshipped models');
for (const s of sizes) console.log(`${s.file.padEnd(28)}${String(s.bytes).padStart(9)} B`);
const fpSize = sizes.find((s) => s.file === 'flow-forecaster.onnx')!.bytes;
const i8Size = sizes.find((s) => s.file === 'flow-forecaster.int8.onnx')!.bytes;
console.log(`int8 forecaster: −${(100 * (1 - i8Size / fpSize)).toFixed(1)} % size`);

mkdirSync('bench-results', { recursive: true });
writeFileSync('bench-results/models.json', JSON.stringify({ latency: rows, parity, alloc, sizes }, null, 2) + '\n');
