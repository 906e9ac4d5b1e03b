/**
 * A small multilayer perceptron (ReLU hidden layers, linear output) trained with Adam on
 * mean squared error, in float64 TypeScript. Inputs and targets are standardised with the
 * training set's mean and deviation; the exported graph does the same arithmetic, so callers
 * feed raw counts and get counts back. Deterministic: the seed fixes initialisation and the
 * minibatch order.
 */
import { SeededRandom } from '../../firmware/anomaly/iforest/random.js';
import type { Dataset } from './features.js';

export interface MlpOptions {
  hidden: number[];
  epochs?: number;
  batch?: number;
  learningRate?: number;
  /** L2 weight decay added to the gradient (AdamW-style, decoupled). */
  weightDecay?: number;
  seed?: number;
}

export interface Layer {
  nIn: number;
  nOut: number;
  /** W[i * nOut + j], as ONNX MatMul expects (x[N, nIn] · W[nIn, nOut]). */
  W: Float64Array;
  b: Float64Array;
}

export interface MlpJSON {
  sizes: number[];
  xMean: number[];
  xStd: number[];
  yMean: number[];
  yStd: number[];
  layers: { W: number[]; b: number[] }[];
}

function meanStd(data: Float64Array, rows: number, cols: number): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(cols);
  const std = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mean[c]! += data[r * cols + c]! / rows;
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const d = data[r * cols + c]! - mean[c]!;
      std[c]! += (d * d) / rows;
    }
  for (let c = 0; c < cols; c++) std[c] = Math.max(Math.sqrt(std[c]!), 1e-6);
  return { mean, std };
}

export class Mlp {
  readonly sizes: number[];
  readonly layers: Layer[];
  xMean: Float64Array;
  xStd: Float64Array;
  yMean: Float64Array;
  yStd: Float64Array;
  // per-sample activations, reused
  private readonly acts: Float64Array[];

  constructor(sizes: number[], seed = 1) {
    this.sizes = sizes;
    const rng = new SeededRandom(seed);
    this.layers = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const nIn = sizes[l]!;
      const nOut = sizes[l + 1]!;
      const W = new Float64Array(nIn * nOut);
      const scale = Math.sqrt(2 / nIn); // He initialisation for ReLU
      for (let i = 0; i < W.length; i++) W[i] = rng.normal() * scale;
      this.layers.push({ nIn, nOut, W, b: new Float64Array(nOut) });
    }
    this.acts = sizes.map((n) => new Float64Array(n));
    this.xMean = new Float64Array(sizes[0]!);
    this.xStd = new Float64Array(sizes[0]!).fill(1);
    this.yMean = new Float64Array(sizes[sizes.length - 1]!);
    this.yStd = new Float64Array(sizes[sizes.length - 1]!).fill(1);
  }

  get nIn(): number {
    return this.sizes[0]!;
  }
  get nOut(): number {
    return this.sizes[this.sizes.length - 1]!;
  }

  /** Forward pass of one standardised row into this.acts; returns the output activations. */
  private forward(x: Float64Array, offset: number): Float64Array {
    const a0 = this.acts[0]!;
    for (let i = 0; i < a0.length; i++) a0[i] = x[offset + i]!;
    for (let l = 0; l < this.layers.length; l++) {
      const { nIn, nOut, W, b } = this.layers[l]!;
      const src = this.acts[l]!;
      const dst = this.acts[l + 1]!;
      for (let j = 0; j < nOut; j++) dst[j] = b[j]!;
      for (let i = 0; i < nIn; i++) {
        const v = src[i]!;
        if (v === 0) continue;
        const row = i * nOut;
        for (let j = 0; j < nOut; j++) dst[j]! += v * W[row + j]!;
      }
      if (l + 1 < this.layers.length) for (let j = 0; j < nOut; j++) if (dst[j]! < 0) dst[j] = 0;
    }
    return this.acts[this.acts.length - 1]!;
  }

  fit(data: Dataset, opts: MlpOptions): { finalLoss: number } {
    const { rows, nIn, nOut } = data;
    if (nIn !== this.nIn || nOut !== this.nOut) throw new Error(`dataset ${nIn}→${nOut} does not fit the network ${this.sizes.join('→')}`);
    const epochs = opts.epochs ?? 30;
    const batch = opts.batch ?? 32;
    const lr0 = opts.learningRate ?? 2e-3;
    const wd = opts.weightDecay ?? 1e-5;
    const rng = new SeededRandom((opts.seed ?? 1) ^ 0x5bd1e995);
    const xs = meanStd(data.X, rows, nIn);
    const ys = meanStd(data.Y, rows, nOut);
    this.xMean = xs.mean;
    this.xStd = xs.std;
    this.yMean = ys.mean;
    this.yStd = ys.std;
    const X = new Float64Array(rows * nIn);
    const Y = new Float64Array(rows * nOut);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < nIn; c++) X[r * nIn + c] = (data.X[r * nIn + c]! - xs.mean[c]!) / xs.std[c]!;
      for (let c = 0; c < nOut; c++) Y[r * nOut + c] = (data.Y[r * nOut + c]! - ys.mean[c]!) / ys.std[c]!;
    }
    const L = this.layers.length;
    const gW = this.layers.map((l) => new Float64Array(l.W.length));
    const gb = this.layers.map((l) => new Float64Array(l.b.length));
    const mW = this.layers.map((l) => new Float64Array(l.W.length));
    const vW = this.layers.map((l) => new Float64Array(l.W.length));
    const mb = this.layers.map((l) => new Float64Array(l.b.length));
    const vb = this.layers.map((l) => new Float64Array(l.b.length));
    const deltas = this.sizes.map((n) => new Float64Array(n));
    const order = new Int32Array(rows);
    for (let i = 0; i < rows; i++) order[i] = i;
    const beta1 = 0.9;
    const beta2 = 0.999;
    let step = 0;
    let epochLoss = 0;
    for (let e = 0; e < epochs; e++) {
      for (let i = rows - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
      }
      // cosine decay: large steps early, fine ones at the end
      const lr = lr0 * 0.5 * (1 + Math.cos((Math.PI * e) / epochs));
      epochLoss = 0;
      for (let start = 0; start < rows; start += batch) {
        const end = Math.min(rows, start + batch);
        const bs = end - start;
        for (let l = 0; l < L; l++) {
          gW[l]!.fill(0);
          gb[l]!.fill(0);
        }
        for (let k = start; k < end; k++) {
          const r = order[k]!;
          const out = this.forward(X, r * nIn);
          const dOut = deltas[L]!;
          for (let j = 0; j < nOut; j++) {
            const d = out[j]! - Y[r * nOut + j]!;
            epochLoss += d * d;
            dOut[j] = (2 * d) / (bs * nOut);
          }
          for (let l = L - 1; l >= 0; l--) {
            const { nIn: li, nOut: lo, W } = this.layers[l]!;
            const a = this.acts[l]!;
            const d = deltas[l + 1]!;
            const g = gW[l]!;
            const gbl = gb[l]!;
            for (let j = 0; j < lo; j++) gbl[j]! += d[j]!;
            const dPrev = deltas[l]!;
            for (let i = 0; i < li; i++) {
              const ai = a[i]!;
              const row = i * lo;
              let s = 0;
              for (let j = 0; j < lo; j++) {
                g[row + j]! += ai * d[j]!;
                s += W[row + j]! * d[j]!;
              }
              // ReLU derivative of the layer below (its activation is > 0 where it passed)
              dPrev[i] = l > 0 && ai <= 0 ? 0 : s;
            }
          }
        }
        step++;
        const c1 = 1 - Math.pow(beta1, step);
        const c2 = 1 - Math.pow(beta2, step);
        for (let l = 0; l < L; l++) {
          const layer = this.layers[l]!;
          adam(layer.W, gW[l]!, mW[l]!, vW[l]!, lr, beta1, beta2, c1, c2, wd);
          adam(layer.b, gb[l]!, mb[l]!, vb[l]!, lr, beta1, beta2, c1, c2, 0);
        }
      }
    }
    return { finalLoss: epochLoss / (rows * nOut) };
  }

  /** Predictions in count units for nRows raw feature rows. */
  predict(X: ArrayLike<number>, nRows: number): Float64Array {
    const nIn = this.nIn;
    const nOut = this.nOut;
    const out = new Float64Array(nRows * nOut);
    const row = new Float64Array(nIn);
    for (let r = 0; r < nRows; r++) {
      for (let c = 0; c < nIn; c++) row[c] = (X[r * nIn + c]! - this.xMean[c]!) / this.xStd[c]!;
      const y = this.forward(row, 0);
      for (let j = 0; j < nOut; j++) out[r * nOut + j] = y[j]! * this.yStd[j]! + this.yMean[j]!;
    }
    return out;
  }

  toJSON(): MlpJSON {
    return {
      sizes: this.sizes,
      xMean: Array.from(this.xMean),
      xStd: Array.from(this.xStd),
      yMean: Array.from(this.yMean),
      yStd: Array.from(this.yStd),
      layers: this.layers.map((l) => ({ W: Array.from(l.W), b: Array.from(l.b) })),
    };
  }
}

function adam(p: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array, lr: number, b1: number, b2: number, c1: number, c2: number, wd: number): void {
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]!;
    m[i] = b1 * m[i]! + (1 - b1) * gi;
    v[i] = b2 * v[i]! + (1 - b2) * gi * gi;
    p[i] = p[i]! - lr * ((m[i]! / c1) / (Math.sqrt(v[i]! / c2) + 1e-8) + wd * p[i]!);
  }
}

/** Mean absolute error over all outputs. */
export function meanAbsoluteError(pred: ArrayLike<number>, truth: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < truth.length; i++) s += Math.abs(pred[i]! - truth[i]!);
  return s / truth.length;
}
