import type { Detector, DetectorParams } from './detector.js';
import { streamDetector, type DetectionSection } from '../site/sections/detection.js';
import { createDetector } from './registry.js';

/**
 * Many streams at once: one detector instance per stream, created up front, with the latest
 * score of every stream in one Float64Array (what a status page or an uplink batch reads).
 * Streams are addressed by index; `indexOf(name)` maps the names given at construction.
 */
export interface BankStream {
  readonly name: string;
  readonly detector?: string;
  readonly params?: DetectorParams;
}

export class DetectorBank {
  readonly names: readonly string[];
  /** The latest score of each stream (0 until its first sample). */
  readonly scores: Float64Array;
  /** Samples seen per stream. */
  readonly counts: Float64Array;
  private readonly detectors: readonly Detector[];
  private readonly index: ReadonlyMap<string, number>;

  constructor(streams: readonly BankStream[], defaultDetector?: string, defaultParams: DetectorParams = {}) {
    const seen = new Set<string>();
    for (const s of streams) {
      if (seen.has(s.name)) throw new RangeError(`stream "${s.name}" is listed twice`);
      seen.add(s.name);
    }
    this.names = streams.map((s) => s.name);
    this.detectors = streams.map((s) => createDetector(s.detector ?? defaultDetector, { ...(s.detector ? {} : defaultParams), ...s.params }));
    this.scores = new Float64Array(streams.length);
    this.counts = new Float64Array(streams.length);
    this.index = new Map(this.names.map((n, i) => [n, i]));
  }

  get size(): number {
    return this.detectors.length;
  }

  indexOf(name: string): number {
    const i = this.index.get(name);
    if (i === undefined) throw new RangeError(`no stream "${name}"; streams: ${this.names.join(', ')}`);
    return i;
  }

  /** Feeds one sample of stream `i`; returns (and stores) its score. */
  update(i: number, tMs: number, value: number): number {
    const d = this.detectors[i];
    if (d === undefined) throw new RangeError(`stream index ${i} out of range 0..${this.detectors.length - 1}`);
    const s = d.update(tMs, value);
    this.scores[i] = s;
    this.counts[i]!++;
    return s;
  }

  detector(i: number): Detector {
    const d = this.detectors[i];
    if (d === undefined) throw new RangeError(`stream index ${i} out of range 0..${this.detectors.length - 1}`);
    return d;
  }

  reset(): void {
    for (const d of this.detectors) d.reset();
    this.scores.fill(0);
    this.counts.fill(0);
  }
}

/**
 * The bank a site's `detection` section asks for: one stream per entry, named
 * `<sensor>.<channel>`. An unknown detector or parameter is refused naming the stream.
 */
export function bankForSection(section: DetectionSection): DetectorBank {
  const streams = section.streams.map((s, i) => {
    const name = `${s.sensor}.${s.channel}`;
    const { detector, params } = streamDetector(section, s);
    try {
      createDetector(detector, params);
    } catch (err) {
      throw new RangeError(`detection.streams[${i}] (${name}): ${err instanceof Error ? err.message : String(err)}`);
    }
    return { name, detector, params };
  });
  return new DetectorBank(streams);
}
