import { type Detector, type DetectorParams, type DetectorSpec, unitScore } from '../detector.js';
import { AlertHoldoff } from '../alert-holdoff.js';
import { ENSEMBLE_ALERT_SHAPING } from './ensemble.js';
import { GaussianTailDetector, gaussianTailSpec } from './gaussian-tail.js';
import { Fft } from './spectral/fft.js';

/**
 * `spectral-residual`: the spectral residual saliency of Ren et al. 2019 ("Time-Series Anomaly
 * Detection Service at Microsoft", KDD), streaming: at every sample, on the last values only.
 *
 * Per sample, with N = `window` (a power of two):
 * 1. the last N − `kappa` values, then `kappa` estimated points after them (the paper's
 *    extension, so that the newest value is not at the edge of the transform), each
 *    x_{n−m} + Σ_{i=1…m} (x_{n−1} − x_{n−1−i}) / i (m = `slopes`, 5), as Microsoft's
 *    implementation predicts it from the values before the newest: no look-ahead;
 * 2. FFT; log amplitude L; its average over the last `q` (3) frequencies AL (the paper's
 *    h_q filter, as Microsoft's implementation applies it); the spectrum with amplitude
 *    exp(L − AL) and the original phase, i.e. F · exp(L − AL) / |F|; inverse FFT; the
 *    saliency S is the magnitude of the result;
 * 3. the newest real value's saliency against the mean saliency of the `z` (21) values up to
 *    it: r = (S_n − mean) / mean (the paper alarms at r > 3).
 *
 * The score is r / (r + `tau`) (`map` 0: 0.5 at the paper's threshold τ = 3), or (`map` 1)
 * the Gaussian tail score of log(1 + r) against its own last `history` values
 * (gaussian-tail.ts), so that streams whose saliency is always spiky need more. Then the
 * ensemble's alert shaping (`alertLevel` 2 switches it off, for use as a channel).
 *
 * Cost: two FFTs of N points and N logs and exps per sample (N = 64: a few µs); all buffers
 * are allocated by the constructor.
 */
export class SpectralResidualDetector implements Detector {
  readonly name = 'spectral-residual';
  /** r of the last sample (0 while the window fills). */
  lastRatio = 0;
  private readonly fft: Fft;
  private readonly n: number;
  private readonly real: number;
  private readonly kappa: number;
  private readonly slopes: number;
  private readonly q: number;
  private readonly z: number;
  private readonly tau: number;
  private readonly ring: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly logAmp: Float64Array;
  private readonly tail: GaussianTailDetector | null;
  private readonly holdoff: AlertHoldoff;
  private next = 0;
  private seen = 0;

  constructor(p: DetectorParams) {
    this.n = p.window!;
    this.fft = new Fft(this.n);
    this.kappa = Math.max(0, Math.floor(p.kappa!));
    this.real = this.n - this.kappa;
    this.slopes = Math.max(1, Math.floor(p.slopes!));
    this.q = Math.max(1, Math.floor(p.q!));
    this.z = Math.max(1, Math.min(this.real, Math.floor(p.z!)));
    if (this.real <= this.slopes + 2) throw new RangeError(`spectral-residual: window ${this.n} leaves too few values beside kappa ${this.kappa}`);
    this.tau = p.tau!;
    this.ring = new Float64Array(this.real);
    this.re = new Float64Array(this.n);
    this.im = new Float64Array(this.n);
    this.logAmp = new Float64Array(this.n);
    this.tail =
      p.map! === 1
        ? new GaussianTailDetector({ ...gaussianTailSpec.defaults, long1: p.history!, decades: p.decades!, diffWindow: 0, seasonWindow: 0, alertLevel: 2, holdoff: 0, damp: 1, fatigue: 0 })
        : null;
    this.holdoff = new AlertHoldoff(p.alertLevel!, p.holdoff!, p.damp!, p.fatigue!, p.fatigueTau!);
  }

  update(tMs: number, x: number): number {
    if (!Number.isFinite(x)) return 0;
    this.ring[this.next] = x;
    this.next = (this.next + 1) % this.real;
    if (this.seen < this.real) this.seen++;
    if (this.seen < this.real) {
      this.lastRatio = 0;
      return this.holdoff.apply(0);
    }
    const r = this.saliencyRatio();
    this.lastRatio = r;
    let s: number;
    if (this.tail) s = this.tail.update(tMs, Math.log1p(r));
    else s = r / (r + this.tau);
    return this.holdoff.apply(unitScore(s));
  }

  private saliencyRatio(): number {
    const n = this.n;
    const real = this.real;
    const re = this.re;
    const im = this.im;
    for (let k = 0; k < real; k++) {
      re[k] = this.ring[(this.next + k) % real]!;
      im[k] = 0;
    }
    // the paper's estimated points after the newest value, predicted from the values before it
    // (as Microsoft's implementation does: a spike must not predict its own continuation):
    // x_{n−m} + Σ_{i=1…m} (x_{n−1} − x_{n−1−i}) / i
    const m = this.slopes;
    const prev = re[real - 2]!;
    let g = 0;
    for (let i = 1; i <= m; i++) g += (prev - re[real - 2 - i]!) / i;
    const ext = re[real - 1 - m]! + g;
    for (let k = real; k < n; k++) {
      re[k] = ext;
      im[k] = 0;
    }
    this.fft.forward(re, im);
    const L = this.logAmp;
    for (let k = 0; k < n; k++) {
      const a = Math.sqrt(re[k]! * re[k]! + im[k]! * im[k]!);
      // Microsoft's implementation: a (near-)zero amplitude stays 0 and its log counts as 0
      L[k] = a > EPS ? Math.log(a) : 0;
    }
    // amplitude exp(L − AL) with the phase kept: multiply by exp(L − AL) / |F| = exp(−AL) for |F| > EPS
    let win = 0;
    const q = this.q;
    for (let k = 0; k < n; k++) {
      win += L[k]!;
      if (k >= q) win -= L[k - q]!;
      const al = win / (k < q ? k + 1 : q);
      const a2 = re[k]! * re[k]! + im[k]! * im[k]!;
      if (a2 > EPS * EPS) {
        const f = Math.exp(-al);
        re[k] = re[k]! * f;
        im[k] = im[k]! * f;
      } else {
        re[k] = 0;
        im[k] = 0;
      }
    }
    this.fft.inverse(re, im);
    let mean = 0;
    for (let k = real - this.z; k < real; k++) mean += Math.sqrt(re[k]! * re[k]! + im[k]! * im[k]!);
    mean /= this.z;
    if (!(mean > EPS)) return 0;
    const s = Math.sqrt(re[real - 1]! * re[real - 1]! + im[real - 1]! * im[real - 1]!);
    const r = (s - mean) / mean;
    return r > 0 ? r : 0;
  }

  reset(): void {
    this.ring.fill(0);
    this.next = 0;
    this.seen = 0;
    this.lastRatio = 0;
    this.tail?.reset();
    this.holdoff.reset();
  }
}

const EPS = 1e-8;

export const spectralResidualSpec: DetectorSpec = {
  name: 'spectral-residual',
  summary: 'spectral residual saliency (Ren et al. 2019) of the newest value in a sliding FFT window',
  defaults: {
    window: 64,
    kappa: 5,
    slopes: 5,
    q: 3,
    z: 21,
    tau: 3,
    map: 0,
    history: 6400,
    decades: 8,
    ...ENSEMBLE_ALERT_SHAPING,
  },
  create: (p) => new SpectralResidualDetector(p),
};
