import { type Detector, type DetectorParams, type DetectorSpec, unitScore } from '../detector.js';
import { AlertHoldoff } from '../alert-holdoff.js';
import { RollingWindow } from '../rolling-window.js';
import { SortedWindow } from '../sorted-window.js';
import { qFunction } from '../tail-probability.js';

/**
 * `discord`: a streaming left matrix profile (after STAMPI's left profile and DAMP, Lu et al.
 * 2022, "Matrix Profile XXIV"). For each new sample, the newest subsequence of length m is
 * compared, z-normalised, with EVERY earlier subsequence of the last `history` samples (lags
 * `exclude`·m … `history`, so overlapping trivial matches do not count), and its distance to
 * the nearest one is its discord distance: large when the stream makes a shape it has not made
 * in the history, whatever its level and amplitude (what the Gaussian channels do not see, and
 * what the ensemble's k-NN, on raw 19-value vectors against 400 points, sees only briefly).
 *
 * Cost: O(history) per sample and length. The dot products QT(d) = Σᵢ x[t−i]·x[t−d−i] are kept
 * per lag d and slid as in STOMP: QT(d) += x[t]·x[t−d] − x[t−m]·x[t−m−d]; `refresh` lags
 * a sample are recomputed exactly (O(m) each), so rounding never accumulates over a long
 * stream. Values are centred on the first one seen (the z-normalised distance does not change)
 * to keep the products small. Each subsequence's mean and deviation are computed once, when it
 * completes. Rings are mirrored (each value written at p and p + R) so the lag loop needs no
 * modulo. No allocation after the constructor. Limitation: QT − m·μa·μb cancels in double
 * precision when the level moves far from the centre relative to the subsequences' deviation
 * (a level 3·10⁶ away with sd 10: errors ≈ 0.005 in d²/2m, where noise gives ≈ 0.4).
 *
 * Measured on NAB and not kept as a channel: see the README ("Tried and not kept, 2026-12-08").
 *
 * Flat subsequences: a deviation is floored at `sdFloor` × the deviation of the last `history`
 * values (and a tiny absolute floor), with the distance computed exactly for the floored
 * normalisation, so a flat stretch with quantisation noise is not blown up into a shape
 * (two flat stretches are close, a flat stretch and a real shape are far).
 *
 * Calibration (per length; up to three lengths `m1`, `m2`, `m3`, 0 = unused; the score is the
 * largest): the distance, floored at `distFloor` (a periodic stream's exact matches then tie
 * instead of ranking their rounding noise), is ranked among the last `calib` distances of the
 * same length (`tail` 0: the conformal rank, plus how far beyond their maximum, as
 * knn-conformal does). Also tried, all on the Gaussian channels' scale l / (l + `decades`),
 * l = −log10 p: `tail` > 0, the rank's tail probability with a power-law tail (max/d)^tail
 * beyond the maximum; `gauss` 1 / 2, the upper Gaussian tail of log(distance) / the distance
 * against the mean and deviation of the last `calib` ones (a rank cannot resolve beyond
 * 1/count, coarser than a useful threshold in a short stream). `tail` −1 scores only records,
 * 1 − max/d when d beats the largest of the last `calib` distances (DAMP's best-so-far rule).
 * `alertLevel`/`holdoff`/`damp`/`fatigue` shape the score when the detector is used alone.
 */
export class LeftDiscord {
  /** Squared z-normalised distance to the nearest earlier subsequence, / (2m) (1 for uncorrelated shapes). */
  last = 0;
  private readonly m: number;
  private readonly hist: number;
  private readonly excl: number;
  private readonly refresh: number;
  private readonly sdFloor: number;
  private readonly R: number;
  /** Mirrored rings (length 2R): centred values, subsequence means, 1/σ_eff, m·σ²/σ_eff². */
  private readonly xs: Float64Array;
  private readonly mu: Float64Array;
  private readonly isd: Float64Array;
  private readonly mr: Float64Array;
  /** Sliding dot products by lag (index d, 0 … hist). */
  private readonly qt: Float64Array;
  private readonly scale: RollingWindow;
  private t = -1;
  private centre = 0;
  private cursor = 0;

  constructor(m: number, history: number, exclude: number, sdFloor: number, refresh: number) {
    if (!Number.isInteger(m) || m < 4) throw new RangeError(`discord length must be an integer ≥ 4, got ${m}`);
    this.m = m;
    this.excl = Math.max(1, Math.round(exclude * m));
    this.hist = Math.max(history, this.excl + 1);
    this.refresh = Math.max(1, refresh);
    this.sdFloor = sdFloor;
    this.R = this.hist + m + 1;
    this.xs = new Float64Array(2 * this.R);
    this.mu = new Float64Array(2 * this.R);
    this.isd = new Float64Array(2 * this.R);
    this.mr = new Float64Array(2 * this.R);
    this.qt = new Float64Array(this.hist + 1);
    this.scale = new RollingWindow(this.hist);
    this.cursor = this.excl;
  }

  /** Adds a finite value; returns whether `last` holds a distance for it. */
  push(value: number): boolean {
    const { m, R, xs, qt } = this;
    if (this.t < 0) this.centre = value;
    const x = value - this.centre;
    const t = ++this.t;
    const p = t % R;
    xs[p] = xs[p + R] = x;
    this.scale.push(x);
    const base = p + R; // index of position t in the upper half; t − d is at base − d
    // values before the stream's start are the rings' zeros, so every lag slides from the start
    const xm = xs[base - m]!;
    const dmax = t < this.hist ? t : this.hist;
    if (t < m - 1) {
      for (let d = this.excl; d <= dmax; d++) qt[d] = qt[d]! + x * xs[base - d]! - xm * xs[base - m - d]!;
      return false;
    }
    // the newest subsequence's mean and deviation, exactly (O(m))
    let s = 0;
    for (let i = 0; i < m; i++) s += xs[base - i]!;
    const mean = s / m;
    let v = 0;
    for (let i = 0; i < m; i++) {
      const e = xs[base - i]! - mean;
      v += e * e;
    }
    const sd = Math.sqrt(v / m);
    const floor = Math.max(this.sdFloor * this.scale.std(), 1e-9 * (Math.abs(this.centre) + 1));
    const sdEff = sd > floor ? sd : floor;
    const ia = 1 / sdEff;
    const ra = (sd * sd) / (sdEff * sdEff);
    this.mu[p] = this.mu[p + R] = mean;
    this.isd[p] = this.isd[p + R] = ia;
    this.mr[p] = this.mr[p + R] = m * ra;
    // one pass: slide each lag's dot product and take the nearest earlier subsequence,
    // d² = m·ra + m·rb − 2·(QT − m·μa·μb)·ia·ib (lags up to `top` have a complete partner)
    const last = t - m + 1;
    const top = last < this.hist ? last : this.hist;
    const mmu = m * mean;
    const ia2 = 2 * ia;
    const { mu, isd, mr } = this;
    let best = Infinity;
    let d = this.excl;
    for (; d <= top; d++) {
      const j = base - d;
      const q = qt[d]! + x * xs[j]! - xm * xs[j - m]!;
      qt[d] = q;
      const c = mr[j]! - ia2 * isd[j]! * (q - mmu * mu[j]!);
      if (c < best) best = c;
    }
    for (; d <= dmax; d++) qt[d] = qt[d]! + x * xs[base - d]! - xm * xs[base - m - d]!;
    // recompute `refresh` lags exactly (the ones whose partner subsequence is complete), so
    // the sliding sums' rounding never accumulates
    for (let r = 0; r < this.refresh; r++) {
      const k = this.cursor;
      this.cursor = k >= this.hist ? this.excl : k + 1;
      if (k > top) continue;
      let e = 0;
      for (let i = 0; i < m; i++) e += xs[base - i]! * xs[base - k - i]!;
      qt[k] = e;
    }
    if (top < this.excl) return false;
    const d2 = m * ra + best;
    this.last = d2 > 0 ? d2 / (2 * m) : 0;
    return true;
  }

  reset(): void {
    this.xs.fill(0);
    this.mu.fill(0);
    this.isd.fill(0);
    this.mr.fill(0);
    this.qt.fill(0);
    this.scale.clear();
    this.t = -1;
    this.centre = 0;
    this.cursor = this.excl;
    this.last = 0;
  }
}

/** Up to three discord lengths, each calibrated against its own recent distances. */
export class DiscordDetector implements Detector {
  readonly name = 'discord';
  /** The largest calibrated rank of the last sample, before alert shaping. */
  lastRank = 0;
  private readonly lengths: LeftDiscord[];
  private readonly calibs: SortedWindow[];
  /** log distances of the last `calib` samples per length (the `gauss` calibration). */
  private readonly logs: RollingWindow[];
  private readonly gauss: number;
  private readonly minCalib: number;
  private readonly tail: number;
  private readonly decades: number;
  private readonly distFloor: number;
  private readonly holdoff: AlertHoldoff;

  constructor(p: DetectorParams) {
    const ms = [p.m1!, p.m2!, p.m3!].filter((m) => m > 0);
    if (ms.length === 0) throw new RangeError('discord: at least one of m1, m2, m3 must be > 0');
    this.lengths = ms.map((m) => new LeftDiscord(m, p.history!, p.exclude!, p.sdFloor!, p.refresh!));
    this.gauss = p.gauss!;
    this.calibs = ms.map(() => new SortedWindow(this.gauss > 0 ? 1 : p.calib!));
    this.logs = ms.map(() => new RollingWindow(this.gauss > 0 ? p.calib! : 1));
    this.minCalib = Math.max(1, Math.round(p.calib! * p.minCalib!));
    this.tail = p.tail!;
    this.distFloor = p.distFloor!;
    this.decades = p.decades!;
    this.holdoff = new AlertHoldoff(p.alertLevel!, p.holdoff!, p.damp!, p.fatigue!, p.fatigueTau!);
  }

  update(_tMs: number, x: number): number {
    if (!Number.isFinite(x)) return 0;
    let score = 0;
    for (let i = 0; i < this.lengths.length; i++) {
      const l = this.lengths[i]!;
      if (!l.push(x)) continue;
      // below the floor every match is exact: rounding differences must not rank as novelties
      const d = l.last > this.distFloor ? l.last : this.distFloor;
      if (this.gauss > 0) {
        // upper Gaussian tail of the (log, `gauss` 1; plain, 2) distance against the last `calib` ones
        const w = this.logs[i]!;
        const ld = this.gauss === 1 ? Math.log(d) : d;
        if (w.count >= this.minCalib) {
          const z = (ld - w.mean()) / Math.max(w.std(), 1e-6);
          const l = z > 0 ? -Math.log10(Math.max(qFunction(z), 1e-300)) : 0;
          const r = l / (l + this.decades);
          if (r > score) score = r;
        }
        w.push(ld);
        continue;
      }
      const calib = this.calibs[i]!;
      if (calib.count >= this.minCalib) {
        const below = calib.countBelow(d);
        let r: number;
        if (this.tail < 0) {
          // record (DAMP's rule: a discord beats the best-so-far): 1 − max/d above the maximum, else 0
          const max = calib.max();
          r = d > max ? 1 - max / d : 0;
        } else if (this.tail > 0) {
          // tail probability: the share of calibration distances at or above d, and beyond their
          // maximum a power-law tail (max / d)^tail; scored as l / (l + decades), l = −log10 p
          const max = calib.max();
          const p0 = (calib.count - below + 1) / (calib.count + 1);
          const p = below === calib.count && d > max && d > 0 ? Math.pow(max / d, this.tail) / (calib.count + 1) : p0;
          const l = -Math.log10(p);
          r = l / (l + this.decades);
        } else {
          // beyond every calibration distance the rank saturates; how far beyond still orders them
          const beyond = below === calib.count && d > 0 ? 1 - calib.max() / d : 0;
          r = (below + beyond) / (calib.count + 1);
        }
        if (r > score) score = r;
      }
      calib.push(d);
    }
    this.lastRank = score;
    return this.holdoff.apply(unitScore(score));
  }

  reset(): void {
    for (const l of this.lengths) l.reset();
    for (const c of this.calibs) c.clear();
    for (const w of this.logs) w.clear();
    this.holdoff.reset();
    this.lastRank = 0;
  }
}

export const discordSpec: DetectorSpec = {
  name: 'discord',
  summary: 'streaming left matrix profile (z-normalised nearest earlier subsequence, lengths 16/32/64), conformal rank',
  defaults: {
    m1: 16,
    m2: 32,
    m3: 64,
    history: 6400,
    exclude: 1,
    sdFloor: 0.02,
    refresh: 16,
    calib: 2000,
    minCalib: 0.1,
    tail: 0,
    gauss: 0,
    decades: 8,
    distFloor: 1e-4,
    alertLevel: 0.999,
    holdoff: 100,
    damp: 0,
    fatigue: 0,
    fatigueTau: 2000,
  },
  create: (p) => new DiscordDetector(p),
};
