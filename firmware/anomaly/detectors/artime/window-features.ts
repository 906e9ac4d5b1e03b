/**
 * ARTime's feature vector: the last `window` coded values (a power of two, 8 in ARTime) and
 * their shape. The shape is the full Haar wavelet transform of the window after min–max
 * scaling to [0, 1], its coefficients min–max scaled to [0, 1] in turn; the vector is
 * [shape (window values), raw window (window values)], so the newest coded value is last
 * (the fuzzy ART energy match reads it there). Before `window` values exist it is all zeros.
 *
 * Coefficient order: the coarsest approximation, then the details from the coarsest level to
 * the finest; detail = (second − first) / √2 of each pair (the orthonormal Haar filter pair
 * as Wavelets.jl applies it, which ARTime uses: checked against the published ARTime scores).
 */
export class WindowFeatures {
  readonly vector: Float64Array;
  private readonly ring: Float64Array;
  private readonly work: Float64Array;
  private readonly tmp: Float64Array;
  private next = 0;
  private seen = 0;

  constructor(readonly window: number) {
    if (window < 2 || (window & (window - 1)) !== 0) throw new RangeError(`window must be a power of two ≥ 2, got ${window}`);
    this.vector = new Float64Array(2 * window);
    this.ring = new Float64Array(window);
    this.work = new Float64Array(window);
    this.tmp = new Float64Array(window);
  }

  /** Adds a coded value and refreshes `vector`. */
  push(v: number): void {
    const n = this.window;
    this.ring[this.next] = v;
    this.next = (this.next + 1) % n;
    this.seen++;
    const out = this.vector;
    if (this.seen < n) {
      out.fill(0);
      return;
    }
    const w = this.work;
    let min = Infinity;
    for (let k = 0; k < n; k++) {
      const x = this.ring[(this.next + k) % n]!;
      out[n + k] = x;
      w[k] = x;
      if (x < min) min = x;
    }
    scaleUnit(w, min);
    haar(w, this.tmp);
    let fmin = Infinity;
    for (let k = 0; k < n; k++) if (w[k]! < fmin) fmin = w[k]!;
    scaleUnit(w, fmin);
    for (let k = 0; k < n; k++) out[k] = w[k]!;
  }

  reset(): void {
    this.ring.fill(0);
    this.vector.fill(0);
    this.next = 0;
    this.seen = 0;
  }
}

/** x ← (x − min) / max(x − min), left unscaled when that max is 0. */
function scaleUnit(x: Float64Array, min: number): void {
  let max = 0;
  for (let k = 0; k < x.length; k++) {
    x[k] = x[k]! - min;
    if (x[k]! > max) max = x[k]!;
  }
  if (max !== 0) for (let k = 0; k < x.length; k++) x[k] = x[k]! / max;
}

/** In-place orthonormal Haar transform of a power-of-two length, all levels. */
function haar(x: Float64Array, tmp: Float64Array): void {
  const r = Math.SQRT1_2;
  for (let len = x.length; len >= 2; len >>= 1) {
    const half = len >> 1;
    for (let k = 0; k < half; k++) {
      const a = x[2 * k]!;
      const b = x[2 * k + 1]!;
      tmp[k] = (a + b) * r;
      tmp[half + k] = (b - a) * r;
    }
    for (let k = 0; k < len; k++) x[k] = tmp[k]!;
  }
}
