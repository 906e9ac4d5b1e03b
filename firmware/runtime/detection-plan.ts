import { blockSize } from '../anomaly/block-mean.js';
import type { DetectorSpec } from '../anomaly/detector.js';
import type { Site } from '../site/schema.js';
import { DEFAULT_DETECTION_RATE_HZ, entryMatches, streamDetector, type DetectionStream } from '../site/sections/detection.js';
import { CABINET_MODEL_STREAM } from './cabinet-model.js';

/**
 * What watches one stream, from the site's `detection` section: the online detector and the
 * refit job's replay are both built from this, so the two cannot disagree.
 */
export interface StreamDetection {
  /** Registry name. */
  readonly detector: string;
  /** The stream's params over the section's, which apply only if the stream keeps the section's detector (`streamDetector`). */
  readonly params: Readonly<Record<string, number>>;
  /** Score at or above which an alert is raised. */
  readonly threshold: number;
  /** Samples per detector score: block means on a stream faster than `rate_hz` (firmware/anomaly/block-mean.ts). */
  readonly block: number;
}

/** The part of the detector registry a plan needs (registry.ts; passed in so this file stays light). */
export interface DetectorCatalogue {
  readonly DEFAULT_DETECTOR: string;
  detectorSpec(name: string): DetectorSpec;
}

/** The site's `detection` override for a stream (`sensor.channel`), if any. */
function streamOverride(site: Site, name: string): DetectionStream | undefined {
  const [sensor, channel] = [name.slice(0, name.indexOf('.')), name.slice(name.indexOf('.') + 1)];
  return site.detection?.streams.find((s) => entryMatches(s, sensor, channel));
}

/**
 * The detection of stream `name` sampled at `rateHz`; null when detection is off, and for the
 * cabinet model's stream, which carries a model's score and is not watched by a detector.
 * The alert threshold is the stream's, else the section's; without a detection section it is
 * the detector's own `alertLevel` (what its alert shaping was tuned for: 0.45 for the default
 * ensemble), since the section's default (0.45) is meant for sites that set detectors up explicitly.
 */
export function streamDetection(site: Site, name: string, rateHz: number, registry: DetectorCatalogue): StreamDetection | null {
  const det = site.detection;
  if (det?.enabled === false || name === CABINET_MODEL_STREAM) return null;
  const o = streamOverride(site, name);
  const chosen = streamDetector(det, o);
  const detector = chosen.detector ?? registry.DEFAULT_DETECTOR;
  const params = chosen.params;
  const own = params.alertLevel ?? registry.detectorSpec(detector).defaults.alertLevel ?? 0.9;
  return {
    detector,
    params,
    threshold: o?.alert_threshold ?? (det ? det.alert_threshold : own),
    block: blockSize(rateHz, o?.rate_hz ?? det?.rate_hz ?? DEFAULT_DETECTION_RATE_HZ),
  };
}
