import { RingSet } from './ring-buffer.js';
import { SampleQueue } from './bounded-queue.js';

/** A scalar sample stream: one channel of one sensor, or a loop detector's occupancy. */
export interface StreamSpec {
  /** `pole.vibration_rms`, `loop-2.occupancy`. */
  readonly name: string;
  readonly unit: string;
  readonly rateHz: number;
  /** The sensor or input it comes from (site file name). */
  readonly source: string;
}

/** The part of a streaming detector the pipeline uses (firmware/anomaly/detector.ts `Detector`). */
export interface StreamDetector {
  update(tMs: number, value: number): number;
}

/**
 * Highest detector score per stream since the uplink thread last took it, shared between the
 * threads as integers (score × SCORE_SCALE, clamped to ±SCORE_LIMIT) so both sides can use
 * Atomics: the control thread raises it with compare-exchange, the uplink thread takes it with
 * exchange, and no score is lost between the two. NO_SCORE: none since the last take.
 */
export const SCORE_SCALE = 1e6;
export const SCORE_LIMIT = 2000;
export const NO_SCORE = -0x80000000;

/** The uplink side: the highest score since the last take (NaN if none), and resets the slot. */
export function takeMaxScore(slots: Int32Array, stream: number): number {
  const q = Atomics.exchange(slots, stream, NO_SCORE);
  return q === NO_SCORE ? Number.NaN : q / SCORE_SCALE;
}

/** Bytes a sample would cost sent raw: float64 time + float64 value. */
export const RAW_SAMPLE_BYTES = 16;

export interface SensorPipelineOptions {
  readonly windowS: number;
  /** Capacity of the sampler → detector queue (drop-oldest). */
  readonly queueCapacity: number;
  /** One per stream, or null for a stream without a detector. */
  readonly detectors: readonly (StreamDetector | null)[];
  readonly threshold: number;
  /** Ring buffers in shared memory so the jobs thread can read history. */
  readonly shared?: boolean;
  /** A stream's score crossed the threshold upwards (edge-triggered, re-armed below 80 % of it). */
  readonly onAlert: (stream: number, tMs: number, value: number, score: number) => void;
}

/**
 * Sampler → queue → ring buffer → detector → alert. The sampler calls `offer` (any time, from
 * I2C completions); the control loop calls `drain` each tick. Everything per sample works on
 * preallocated typed arrays: no allocation between a chip read and an alert decision.
 */
export class SensorPipeline {
  readonly rings: RingSet;
  readonly queue: SampleQueue;
  readonly scores: Float64Array;
  readonly lastT: Float64Array;
  readonly alerting: Uint8Array;
  readonly thresholds: Float64Array;
  /** See `takeMaxScore`; in shared memory for the uplink thread. */
  readonly maxScores: Int32Array;
  samples = 0;
  alerts = 0;
  rawBytes = 0;
  /** After `close()` offers are dropped uncounted: the run's totals are final. */
  private closed = false;

  constructor(
    readonly streams: readonly StreamSpec[],
    private readonly options: SensorPipelineOptions,
  ) {
    if (options.detectors.length !== streams.length) throw new Error(`${streams.length} streams but ${options.detectors.length} detectors`);
    this.rings = new RingSet(
      streams.map((s) => ({ name: s.name, rateHz: s.rateHz })),
      { windowS: options.windowS, shared: options.shared ?? true },
    );
    this.queue = new SampleQueue('samples', options.queueCapacity);
    const n = streams.length;
    this.scores = new Float64Array(n).fill(NaN);
    this.lastT = new Float64Array(n).fill(NaN);
    this.alerting = new Uint8Array(n);
    this.thresholds = new Float64Array(n).fill(options.threshold);
    this.maxScores = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, n))).fill(NO_SCORE);
  }

  indexOf(name: string): number {
    return this.rings.indexOf(name);
  }

  /** A sample arrives from the sampler. Never blocks; drops the oldest queued sample when full. */
  offer(stream: number, tMs: number, value: number): void {
    if (this.closed) return;
    this.queue.push(stream, tMs, value);
    this.rawBytes += RAW_SAMPLE_BYTES;
  }

  /**
   * Takes no more samples. At shutdown, once the sampler has stopped and the queue is drained,
   * a late arrival (an inference result still in flight, a 1 Hz loop-occupancy timer) would be
   * counted as sampled but never processed, so the summary's raw bytes and samples would disagree.
   */
  close(): void {
    this.closed = true;
  }

  /** Processes up to `max` queued samples; returns how many. */
  drain(max = Infinity): number {
    const q = this.queue;
    const det = this.options.detectors;
    let n = 0;
    while (n < max && q.shift()) {
      const i = q.outStream;
      const t = q.outTime;
      const v = q.outValue;
      this.rings.rings[i]!.push(t, v);
      this.lastT[i] = t;
      this.samples++;
      n++;
      const d = det[i];
      if (!d) continue;
      const s = d.update(t, v);
      this.scores[i] = s;
      this.raiseMaxScore(i, s);
      const th = this.thresholds[i]!;
      if (this.alerting[i] === 0) {
        if (s >= th) {
          this.alerting[i] = 1;
          this.alerts++;
          this.options.onAlert(i, t, v, s);
        }
      } else if (s < th * 0.8) {
        this.alerting[i] = 0;
      }
    }
    return n;
  }

  private raiseMaxScore(i: number, s: number): void {
    if (!(s === s)) return; // NaN: no score
    const q = Math.round(Math.max(-SCORE_LIMIT, Math.min(SCORE_LIMIT, s)) * SCORE_SCALE);
    const slots = this.maxScores;
    let cur = Atomics.load(slots, i);
    while (q > cur) {
      const prev = Atomics.compareExchange(slots, i, cur, q);
      if (prev === cur) return;
      cur = prev;
    }
  }
}
