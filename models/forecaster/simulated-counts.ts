/**
 * Deterministic simulated detector counts for a four-approach intersection, the training and
 * held-out data of the flow forecaster (the traffic simulator is a separate concern; this only
 * needs plausible demand). Per approach and interval:
 *   λ = base · profile(time of day, weekday/weekend, direction) · day factor · slow drift
 * and the count is Poisson(λ). The slow drift (an AR(1) factor per approach, ~1 h memory) is
 * what recent counts can see and time of day cannot: it is why the lags help.
 */
import { SeededRandom } from '../../firmware/anomaly/iforest/random.js';
import type { CountSeries } from './features.js';

export interface SimulatedCountsOptions {
  days: number;
  /** Minutes per interval. Default 15. */
  intervalMinutes?: number;
  /** Approaches (NB, SB, EB, WB, ...). Default 4. */
  approaches?: number;
  seed?: number;
  /** Weekday of day 0, 0 = Monday. Default 0. */
  startWeekday?: number;
}

export type SimulatedCounts = CountSeries;

function gauss(h: number, mu: number, sigma: number): number {
  const z = (h - mu) / sigma;
  return Math.exp(-0.5 * z * z);
}

/** Vehicles per hour relative to the approach's peak, at hour h (0–24). */
function profile(h: number, weekend: boolean, a: number): number {
  const night = 0.04 + 0.04 * gauss(h, 13, 6);
  if (weekend) return night + 0.55 * gauss(h, 13.5, 3.2);
  // inbound-heavy mornings on even approaches, outbound-heavy evenings on odd ones
  const am = a % 2 === 0 ? 1.0 : 0.6;
  const pm = a % 2 === 0 ? 0.7 : 1.0;
  return night + am * gauss(h, 8, 1.1) + pm * gauss(h, 17.5, 1.4) + 0.45 * gauss(h, 12.5, 2.5);
}

function poisson(rng: SeededRandom, lambda: number): number {
  if (lambda < 30) {
    // Knuth: exact for small means
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = rng.next();
    while (p > limit) {
      k++;
      p *= rng.next();
    }
    return k;
  }
  return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * rng.normal()));
}

/** Main-street approaches (0, 1) carry more than side streets (2, 3): peak vehicles per hour. */
const PEAK_PER_HOUR = [900, 850, 420, 380];

export function simulateCounts(opts: SimulatedCountsOptions): SimulatedCounts {
  const intervalMinutes = opts.intervalMinutes ?? 15;
  const approaches = opts.approaches ?? 4;
  const startWeekday = opts.startWeekday ?? 0;
  const perDay = Math.round((24 * 60) / intervalMinutes);
  const intervals = opts.days * perDay;
  const rng = new SeededRandom(opts.seed ?? 1);
  const counts = new Float64Array(intervals * approaches);
  const drift = new Float64Array(approaches);
  const phi = Math.exp(-intervalMinutes / 60);
  let dayFactor = 1;
  for (let t = 0; t < intervals; t++) {
    const day = Math.floor(t / perDay);
    if (t % perDay === 0) dayFactor = 1 + 0.08 * rng.normal();
    const weekday = (startWeekday + day) % 7;
    const weekend = weekday >= 5;
    const hour = ((t % perDay) + 0.5) * (intervalMinutes / 60);
    for (let a = 0; a < approaches; a++) {
      drift[a] = phi * drift[a]! + Math.sqrt(1 - phi * phi) * 0.15 * rng.normal();
      const peak = PEAK_PER_HOUR[a % PEAK_PER_HOUR.length]!;
      const lambda = (peak * intervalMinutes) / 60 * profile(hour, weekend, a) * dayFactor * Math.exp(drift[a]!);
      counts[t * approaches + a] = poisson(rng, Math.max(lambda, 0));
    }
  }
  return { counts, intervals, approaches, intervalMinutes, startWeekday };
}
