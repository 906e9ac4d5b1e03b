/**
 * Per-interval summaries of every sampled stream (count, min, max, mean, last, highest anomaly
 * score): what the telemetry topic carries instead of raw samples. `add` is on the sampling
 * hot path and allocates nothing: each stream is a slot in preallocated typed arrays, found
 * through a Map lookup (no allocation for an existing key). Only `take`, once per interval,
 * builds objects.
 */
export interface StreamSummary {
  n: number;
  min: number;
  max: number;
  mean: number;
  last: number;
  /** Highest anomaly score seen in the interval; null when no score was given. */
  max_score: number | null;
}

/**
 * Bytes one raw sample would cost on the wire if sent as is: a float64 timestamp and a
 * float64 value, the most compact encoding (JSON would be 3-5× larger). The reduction figure
 * is therefore conservative.
 */
export const RAW_SAMPLE_BYTES = 16;

export class TelemetrySummariser {
  private readonly index = new Map<string, number>();
  private names: string[] = [];
  private n: Uint32Array;
  private min: Float64Array;
  private max: Float64Array;
  private sum: Float64Array;
  private last: Float64Array;
  private maxScore: Float64Array;
  private total = 0;

  constructor(initialStreams = 32) {
    this.n = new Uint32Array(initialStreams);
    this.min = new Float64Array(initialStreams);
    this.max = new Float64Array(initialStreams);
    this.sum = new Float64Array(initialStreams);
    this.last = new Float64Array(initialStreams);
    this.maxScore = new Float64Array(initialStreams).fill(Number.NEGATIVE_INFINITY);
  }

  /** Samples added since the summariser was created. */
  get rawSamples(): number {
    return this.total;
  }

  get rawBytes(): number {
    return this.total * RAW_SAMPLE_BYTES;
  }

  /** Adds one sample. `score` is the anomaly score, NaN when the stream has no detector. */
  add(stream: string, value: number, score = Number.NaN): void {
    let i = this.index.get(stream);
    if (i === undefined) i = this.register(stream);
    this.total++;
    if (Number.isNaN(value)) return;
    const k = this.n[i]!;
    if (k === 0 || value < this.min[i]!) this.min[i] = value;
    if (k === 0 || value > this.max[i]!) this.max[i] = value;
    this.n[i] = k + 1;
    this.sum[i]! += value;
    this.last[i] = value;
    if (score > this.maxScore[i]!) this.maxScore[i] = score;
  }

  /** Returns the summaries of the streams that had samples and starts a new interval; undefined if none had. */
  take(): Record<string, StreamSummary> | undefined {
    let out: Record<string, StreamSummary> | undefined;
    for (let i = 0; i < this.names.length; i++) {
      const k = this.n[i]!;
      if (k === 0) continue;
      out ??= {};
      const s = this.maxScore[i]!;
      out[this.names[i]!] = {
        n: k,
        min: round(this.min[i]!),
        max: round(this.max[i]!),
        mean: round(this.sum[i]! / k),
        last: round(this.last[i]!),
        max_score: s === Number.NEGATIVE_INFINITY ? null : round(s),
      };
      this.n[i] = 0;
      this.sum[i] = 0;
      this.maxScore[i] = Number.NEGATIVE_INFINITY;
    }
    return out;
  }

  private register(stream: string): number {
    const i = this.names.length;
    if (i === this.n.length) this.grow(i * 2);
    this.names.push(stream);
    this.index.set(stream, i);
    return i;
  }

  private grow(size: number): void {
    const g = <T extends Uint32Array | Float64Array>(a: T, fill: number): T => {
      const b = new (a.constructor as new (n: number) => T)(size);
      b.fill(fill);
      b.set(a);
      return b;
    };
    this.n = g(this.n, 0);
    this.min = g(this.min, 0);
    this.max = g(this.max, 0);
    this.sum = g(this.sum, 0);
    this.last = g(this.last, 0);
    this.maxScore = g(this.maxScore, Number.NEGATIVE_INFINITY);
  }
}

/** Seven significant digits: sensor data has fewer, and every digit is uplink bandwidth. */
function round(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(7)) : x;
}
