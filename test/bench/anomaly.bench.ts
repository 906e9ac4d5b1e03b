/**
 * `npm run bench -- anomaly`: for each detector, per-sample latency p50/p99 (hrtime around
 * each update, over 2·10⁵ samples), GC count and heap growth while scoring 10⁶ samples, and the TS `seed`
 * detector beside the article's own Python (shared/tools/seed_detector.py, scikit-learn)
 * on the same NAB rows, as a ratio. Prints a table, writes bench-results/anomaly.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createDetector, detectorNames } from '../../firmware/anomaly/registry.js';
import { parseSeriesCsv } from '../../firmware/anomaly/series-csv.js';
import { SeededRandom } from '../../firmware/anomaly/iforest/random.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const N = 1_000_000;
/** Latency is sampled on the first 2·10⁵ samples (hrtime per update); GC and heap use all N. */
const LAT_N = 200_000;
// The seed detector refits 100 trees per sample (≈100 µs): 10⁶ samples would take minutes.
const SEED_N = 20_000;
const gc = (globalThis as { gc?: () => void }).gc;

function signal(n: number): { t: Float64Array; x: Float64Array } {
  const rng = new SeededRandom(42);
  const t = new Float64Array(n);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    t[i] = i * 1000;
    x[i] = 20 + 5 * Math.sin(i / 500) + rng.normal() + (rng.next() < 0.001 ? 30 : 0);
  }
  return { t, x };
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

interface Row {
  detector: string;
  samples: number;
  p50_us: number;
  p99_us: number;
  max_us: number;
  gc_count: number;
  heap_growth_bytes: number;
}

function benchDetector(name: string, t: Float64Array, x: Float64Array, n: number): Row {
  // pass 1: latency, one hrtime pair per sample (the BigInts are the bench's, not the detector's)
  const d = createDetector(name);
  const latN = Math.min(n, LAT_N);
  const lat = new Float64Array(latN);
  for (let i = 0; i < latN; i++) {
    const a = process.hrtime.bigint();
    d.update(t[i]!, x[i]!);
    lat[i] = Number(process.hrtime.bigint() - a) / 1000;
  }
  lat.sort();
  // pass 2: a fresh detector, nothing but update() in the loop; count GCs and heap growth
  const d2 = createDetector(name);
  const warm = Math.min(n, 20_000);
  for (let i = 0; i < warm; i++) d2.update(t[i]!, x[i]!);
  gc?.();
  let gcs = 0;
  const obs = new PerformanceObserver((list) => {
    gcs += list.getEntries().length;
  });
  obs.observe({ entryTypes: ['gc'] });
  const before = process.memoryUsage().heapUsed;
  for (let i = warm; i < n; i++) d2.update(t[i]!, x[i]!);
  // GC entries reach the callback asynchronously: take the queued ones before disconnecting
  gcs += obs.takeRecords().length;
  obs.disconnect();
  gc?.();
  const after = process.memoryUsage().heapUsed;
  return {
    detector: name,
    samples: n,
    p50_us: quantile(lat, 0.5),
    p99_us: quantile(lat, 0.99),
    max_us: lat[lat.length - 1]!,
    gc_count: gcs,
    heap_growth_bytes: after - before,
  };
}

/** The article's Python on the first `rows` rows of a NAB file, and the TS seed on the same rows. */
function seedVersusPython(rows: number): Record<string, unknown> {
  const python = '/usr/bin/python3';
  const tool = resolve(repoRoot, '../shared/tools/seed_detector.py');
  const file = resolve(repoRoot, '../shared/data/nab/data/realKnownCause/machine_temperature_system_failure.csv');
  if (!existsSync(python) || !existsSync(tool) || !existsSync(file)) return { skipped: `needs ${python}, ${tool} and ${file}` };
  const probe = spawnSync(python, ['-c', 'import sklearn, pandas'], { encoding: 'utf8' });
  if (probe.status !== 0) return { skipped: 'python3 has no scikit-learn/pandas' };
  const out = join(mkdtempSync(join(tmpdir(), 'seed-bench-')), 'py.csv');
  const r = spawnSync(python, [tool, file, out, String(rows)], { encoding: 'utf8' });
  if (r.status !== 0) return { error: r.stderr.slice(-500) };
  const py = JSON.parse(r.stdout.trim().split('\n').pop()!) as { rows: number; alerts: number; p50_ms: number; p99_ms: number; peak_rss_mb: number };
  const series = parseSeriesCsv(readFileSync(file, 'utf8'));
  const d = createDetector('seed') as ReturnType<typeof createDetector> & { alert: boolean };
  const lat = new Float64Array(rows);
  let alerts = 0;
  for (let i = 0; i < rows; i++) {
    const a = process.hrtime.bigint();
    d.update(series.tMs[i]!, series.values[i]!);
    lat[i] = Number(process.hrtime.bigint() - a) / 1e6;
    if (d.alert) alerts++;
  }
  lat.sort();
  const ts = { rows, alerts, p50_ms: quantile(lat, 0.5), p99_ms: quantile(lat, 0.99) };
  return { file: 'realKnownCause/machine_temperature_system_failure.csv', python: py, typescript: ts, speedup_p50: py.p50_ms / ts.p50_ms, speedup_p99: py.p99_ms / ts.p99_ms };
}

const { t, x } = signal(N);
const rows: Row[] = [];
for (const name of detectorNames()) {
  const n = name === 'seed' ? SEED_N : N;
  rows.push(benchDetector(name, t, x, n));
  const r = rows[rows.length - 1]!;
  console.log(`${r.detector.padEnd(14)} ${String(r.samples).padStart(8)} samples  p50 ${r.p50_us.toFixed(2).padStart(7)} µs  p99 ${r.p99_us.toFixed(2).padStart(8)} µs  max ${r.max_us.toFixed(0).padStart(6)} µs  GCs ${String(r.gc_count).padStart(4)}  heap growth ${(r.heap_growth_bytes / 1024).toFixed(1).padStart(8)} KiB`);
}
if (!gc) console.log('(run through `npm run bench` for --expose-gc: heap growth is then measured after a full GC)');
console.log('\nseed detector: TypeScript vs the article\'s Python (scikit-learn), same 2000 NAB rows');
const seed = seedVersusPython(2000);
console.log(JSON.stringify(seed, null, 2));
mkdirSync(resolve(repoRoot, 'bench-results'), { recursive: true });
writeFileSync(resolve(repoRoot, 'bench-results/anomaly.json'), JSON.stringify({ detectors: rows, seed_vs_python: seed, goal_p99_us: 50 }, null, 2));
