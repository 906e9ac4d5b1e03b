import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compileWat, GENERATED_FILE, generatedSource } from '../../firmware/anomaly/knn-kernel/build-wasm.js';
import { SquaredDistances } from '../../firmware/anomaly/knn-kernel/squared-distances.js';
import { wasmArena } from '../../firmware/anomaly/knn-kernel/wasm-arena.js';
import { KnnConformalDetector, knnConformalSpec } from '../../firmware/anomaly/detectors/knn-conformal.js';
import { SeededRandom } from '../../firmware/anomaly/iforest/random.js';
import { RollingWindow } from '../../firmware/anomaly/rolling-window.js';

/** Deterministic uniform numbers in [0, 1). */
function rng(seed: number): () => number {
  const r = new SeededRandom(seed);
  return () => r.next();
}

test('the committed wasm is what squared-distances.wat compiles to (npm run wasm regenerates it)', async () => {
  const bytes = await compileWat();
  assert.equal(readFileSync(GENERATED_FILE, 'utf8'), generatedSource(bytes));
});

test('this host runs the SIMD kernel (every cabinet board and CI has WebAssembly SIMD)', () => {
  assert.ok(wasmArena(), 'WebAssembly SIMD unavailable: the k-NN would fall back to the scalar loop');
  assert.equal(new SquaredDistances(4, 3).simd, true);
});

for (const dim of [1, 3, 4, 19, 21]) {
  test(`SIMD and scalar distances agree, and equal the definition (dim ${dim})`, () => {
    const r = rng(dim);
    const n = 50;
    const simd = new SquaredDistances(n, dim);
    const scalar = new SquaredDistances(n, dim, { simd: false });
    assert.equal(scalar.simd, false);
    const pts: Float64Array[] = [];
    for (let i = 0; i < n; i++) {
      const p = Float64Array.from({ length: dim }, () => r() * 8 - 4);
      pts.push(p);
      simd.store(i, p);
      scalar.store(i, p);
    }
    const q = Float64Array.from({ length: dim }, () => r() * 8 - 4);
    simd.setQuery(q);
    scalar.setQuery(q);
    simd.run(n);
    scalar.run(n);
    for (let i = 0; i < n; i++) {
      let want = 0;
      for (let d = 0; d < dim; d++) want += (Math.fround(pts[i]![d]!) - Math.fround(q[d]!)) ** 2;
      const a = simd.floats[simd.outAt + i]!;
      const b = scalar.floats[scalar.outAt + i]!;
      assert.ok(Math.abs(a - want) <= 1e-6 * want + 1e-12, `slot ${i}: simd ${a}, exact ${want}`);
      assert.ok(Math.abs(b - want) <= 1e-6 * want + 1e-12, `slot ${i}: scalar ${b}, exact ${want}`);
    }
  });
}

test('kernels keep their points when the shared memory grows under them', () => {
  const first = new SquaredDistances(8, 5);
  const p = Float64Array.of(1, 2, 3, 4, 5);
  first.store(3, p);
  const grownFrom = wasmArena()!.memory.buffer.byteLength;
  const others: SquaredDistances[] = [];
  while (wasmArena()!.memory.buffer.byteLength === grownFrom) others.push(new SquaredDistances(400, 19));
  assert.ok(others.length > 0);
  first.setQuery(new Float64Array(5));
  first.run(8);
  assert.equal(first.floats[first.outAt + 3], 1 + 4 + 9 + 16 + 25);
  assert.equal(first.floats[first.outAt + 2], 0);
});

test('the k-NN detector scores the same with the SIMD kernel and the scalar loop', () => {
  const r = rng(7);
  const params = { ...knnConformalSpec.defaults, train: 120, calib: 120, holdoff: 0 };
  const a = new KnnConformalDetector(params);
  const b = new KnnConformalDetector(params, { simd: false });
  let differ = 0;
  let nonzero = 0;
  for (let i = 0; i < 3000; i++) {
    const x = Math.sin(i / 9) + 0.1 * r() + (i === 2000 ? 5 : 0);
    const sa = a.update(i * 1000, x);
    const sb = b.update(i * 1000, x);
    if (sa > 0) nonzero++;
    if (Math.abs(sa - sb) > 1e-9) differ++;
    assert.ok(Math.abs(a.lastNonConformity - b.lastNonConformity) <= 1e-5 * Math.max(1, b.lastNonConformity), `sample ${i}`);
  }
  assert.ok(nonzero > 1000, 'the detector scored');
  assert.ok(differ <= 3, `${differ} scores differ beyond rounding`);
});

test('the k-NN detector’s non-conformity is the sum of the k smallest distances to every stored point (a plain reference)', () => {
  const r = rng(11);
  const p = { ...knnConformalSpec.defaults, dim: 3, k: 2, train: 12, calib: 12, scaleWindow: 50, holdoff: 0 };
  const det = new KnnConformalDetector(p);
  // the reference: the same z-scored lag vectors (the detector's own RollingWindow for scale),
  // every one kept (single precision, as the detector keeps them), distances summed in doubles
  const scale = new RollingWindow(p.scaleWindow);
  const lags: number[] = [];
  const stored: number[][] = [];
  for (let i = 0; i < 200; i++) {
    const x = Math.sin(i / 5) + r();
    det.update(i, x);
    lags.push(x);
    if (lags.length > p.dim) lags.shift();
    scale.push(x);
    if (i + 1 < p.dim) continue;
    const sd = Math.max(scale.std(), 1e-6 * Math.abs(scale.mean()), 1e-12);
    const point = lags.map((v) => Math.fround((v - scale.mean()) / sd));
    if (stored.length >= p.k) {
      const d = stored.map((s) => s.reduce((a, v, j) => a + (v - point[j]!) ** 2, 0)).sort((a, b) => a - b);
      const want = d.slice(0, p.k).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(det.lastNonConformity - want) <= 1e-5 * Math.max(1, want), `sample ${i}: ${det.lastNonConformity} vs ${want}`);
    }
    stored.push(point);
    if (stored.length > p.train) stored.shift();
  }
});
