import { blockSize } from '../anomaly/block-mean.js';
import type { Site } from '../site/schema.js';
import { DEFAULT_DETECTION_RATE_HZ, type DetectionStream } from '../site/sections/detection.js';
import { CABINET_MODEL_STREAM } from './cabinet-model.js';

/** The site's `detection` override for a stream (`sensor.channel`), if any. */
export function streamOverride(site: Site, name: string): DetectionStream | undefined {
  const [sensor, channel] = [name.slice(0, name.indexOf('.')), name.slice(name.indexOf('.') + 1)];
  return site.detection?.streams.find((s) => s.sensor === sensor && (s.channel === channel || channel.startsWith(`${s.channel}_`)));
}

/**
 * Samples per detector score on a stream: a stream faster than the site's detection rate
 * (`detection.rate_hz`, per stream or for the section) is scored on block means
 * (firmware/anomaly/block-mean.ts). The online detectors and the refit job's replay use this.
 */
export function detectionBlock(site: Site, name: string, rateHz: number): number {
  if (name === CABINET_MODEL_STREAM || site.detection?.enabled === false) return 1;
  return blockSize(rateHz, streamOverride(site, name)?.rate_hz ?? site.detection?.rate_hz ?? DEFAULT_DETECTION_RATE_HZ);
}
