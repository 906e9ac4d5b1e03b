import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
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

test('a collected kernel’s region is reused, zeroed, and a live kernel beside it keeps its points', async () => {
  // A distinctive size, so no other test's region of the same size is on the free list.
  const CAP = 37;
  const DIM = 7;
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const live = new SquaredDistances(CAP, DIM);
  const p = Float64Array.from({ length: DIM }, (_, i) => i + 1);
  live.store(5, p);
  const arena = wasmArena()!;
  const top = () => (arena as unknown as { top: number }).top;
  let doomedOut = -1;
  (() => {
    const doomed = new SquaredDistances(CAP, DIM);
    doomed.store(0, p);
    doomedOut = doomed.outAt;
  })();
  const topAfterDoomed = top();
  // The region: query (stride) + points (CAP × stride) + distances (CAP), rounded to 4 floats.
  const stride = (DIM + 3) & ~3;
  const size = (stride + CAP * stride + CAP + 3) & ~3;
  const doomedBase = doomedOut - stride - CAP * stride;
  const free = (arena as unknown as { free: Map<number, number[]> }).free;
  // The registry's callback runs in a task after a full collection; give it a few chances.
  for (let i = 0; i < 50 && !free.get(size)?.includes(doomedBase); i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.ok(free.get(size)?.includes(doomedBase), 'the collected kernel’s region never came back to the free list');
  const reused = new SquaredDistances(CAP, DIM);
  assert.equal(reused.outAt, doomedOut, 'the new kernel took the collected one’s region');
  assert.equal(top(), topAfterDoomed, 'and the arena did not grow for it');
  // zeroed: the collected kernel's stored point is gone
  reused.setQuery(new Float64Array(DIM));
  reused.run(CAP);
  for (let s = 0; s < CAP; s++) assert.equal(reused.floats[reused.outAt + s], 0);
  // the live kernel still has its point
  live.setQuery(new Float64Array(DIM));
  live.run(CAP);
  assert.equal(live.floats[live.outAt + 5], 1 + 4 + 9 + 16 + 25 + 36 + 49);
});
