import { z } from 'zod';

/**
 * The `detection` section of a site file: which streaming anomaly detector watches which
 * sensor channel. One detector instance per stream (firmware/anomaly/bank.ts); parameters
 * are flat numbers merged over the detector's defaults (`wayside anomaly list` shows them).
 * Detector names, parameters and stream names are checked by `wayside check` (and so at the
 * start of `run`: firmware/site/check.ts), so this schema does not import the detectors.
 *
 *   detection:
 *     detector: ensemble
 *     streams:
 *       - { sensor: cabinet, channel: temperature }
 *       - { sensor: lamps-2, channel: current, detector: gaussian-tail, params: { long1: 256 } }
 *       - { sensor: pole, channel: vibration_rms_g, rate_hz: 100 }
 */
/** Detector scores per second on a stream when the site does not say (`rate_hz`). */
export const DEFAULT_DETECTION_RATE_HZ = 10;

const detectorName = z.string().regex(/^[a-z][a-z0-9-]*$/, 'a detector name like gaussian-tail');
const params = z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/), z.number().finite()).default({});

export const detectionStream = z
  .object({
    /** A sensor name from the site's `sensors` list. */
    sensor: z.string().min(1),
    /** The sensor's channel (temperature, current, bus_voltage, accel_x …). */
    channel: z.string().min(1),
    /** Overrides the section's detector for this stream. */
    detector: detectorName.optional(),
    params: params.optional(),
    /** Score at or above which an anomaly event is raised. */
    alert_threshold: z.number().min(0).max(1).optional(),
    /** Overrides the section's `rate_hz` for this stream. */
    rate_hz: z.number().positive().finite().optional(),
  })
  .strict();

export const detectionSection = z
  .object({
    enabled: z.boolean().default(true),
    /** Default detector for every stream; omitted = the registry's default. */
    detector: detectorName.optional(),
    params,
    /**
     * Default alert threshold on the [0, 1] score. 0.45 is the default detector's threshold
     * optimised over the NAB corpus (standard profile); see firmware/anomaly/README.md.
     */
    alert_threshold: z.number().min(0).max(1).default(0.45),
    /**
     * Scores per second a detector gives at most. A faster stream is scored on the mean of each
     * block of round(stream rate / rate_hz) samples (firmware/anomaly/block-mean.ts says why);
     * the ring buffers, charts and uplink still get every sample.
     */
    rate_hz: z.number().positive().finite().default(DEFAULT_DETECTION_RATE_HZ),
    streams: z.array(detectionStream).default([]),
  })
  .strict();

export type DetectionSection = z.infer<typeof detectionSection>;
export type DetectionStream = z.infer<typeof detectionStream>;

/**
 * The detector a stream gets and its params: the stream's own detector, else the section's
 * (undefined: the registry's default). The section's `params` belong to the section's
 * detector, so they apply only to streams that keep it; a stream naming its own detector
 * gets its own params alone.
 */
export function streamDetector(section: DetectionSection | undefined, stream: DetectionStream | undefined): { detector: string | undefined; params: Record<string, number> } {
  const own = stream?.detector !== undefined;
  return { detector: stream?.detector ?? section?.detector, params: { ...(own ? {} : section?.params), ...stream?.params } };
}

/**
 * Whether `entry` is about the stream of `sensor`'s `channel`: the channel's full name, or its
 * name before the unit suffix (`current` matches `current_a`, `ain0` matches `ain0_v`).
 */
export function entryMatches(entry: DetectionStream, sensor: string, channel: string): boolean {
  return entry.sensor === sensor && (entry.channel === channel || channel.startsWith(`${entry.channel}_`));
}
