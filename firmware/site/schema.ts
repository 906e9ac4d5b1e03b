import { z } from 'zod';
import { controllerSection } from './sections/controller.js';
import { detectionSection } from './sections/detection.js';
import { fleetSection } from './sections/fleet.js';
import { jobsSection } from './sections/jobs.js';
import { statusSection } from './sections/status.js';
import { uplinkSection } from './sections/uplink.js';

/**
 * The site file: everything that differs from one cabinet to the next. The hardware part
 * (board, backends, lamps, detectors, sensors) is defined here; each subsystem owns its
 * section in sections/. Field names are snake_case, as operators write YAML.
 */
const pin = z.number().int().positive();

/** I2C addresses may be written 0x76 (YAML hex int) or "0x76". */
export const i2cAddress = z
  .union([z.number().int(), z.string().regex(/^0x[0-9a-f]{1,2}$/i, 'must be like 0x76').transform((s) => parseInt(s, 16))])
  .pipe(z.number().int().min(0x03, 'I2C addresses start at 0x03').max(0x77, 'I2C addresses end at 0x77'));

export const phaseNumber = z.number().int().min(1).max(8);
const phaseKey = z.string().regex(/^[1-8]$/, 'phase must be 1-8');

export const lampHead = z
  .object({
    red: pin,
    yellow: pin,
    green: pin,
    /** Pedestrian walk / don't-walk outputs, optional. */
    walk: pin.optional(),
    dont_walk: pin.optional(),
    /** Name of an INA219 sensor measuring this head's lamp circuit (lamp-out detection). */
    current_sensor: z.string().optional(),
    /** Lamp-out: least current a lit lamp of this head draws, A (LampOutMonitor; default 0.05). */
    lamp_out_threshold_a: z.number().positive().max(20).optional(),
  })
  .strict();

export const detectorInput = z
  .object({
    name: z.string().optional(),
    phase: phaseNumber,
    pin,
    active_low: z.boolean().default(false),
    debounce_ms: z.number().int().min(0).max(1000).default(20),
    /** NEMA diagnostics: presence longer than this is "stuck on" (max presence). */
    max_presence_s: z.number().positive().default(180),
    /** Silence longer than this is "no activity". */
    no_activity_s: z.number().positive().default(3600),
  })
  .strict();

export const CHIPS = ['bme280', 'ads1115', 'ina219', 'mpu6050'] as const;

export const sensorSpec = z
  .object({
    name: z.string().regex(/^[a-z0-9_-]+$/i, 'letters, digits, - and _ only'),
    chip: z.enum(CHIPS),
    bus: z.number().int().min(0),
    address: i2cAddress,
    rate_hz: z.number().positive().max(1000),
    /** Chip-specific options (oversampling, PGA, shunt ohms …), validated by the chip driver. */
    options: z.record(z.unknown()).default({}),
  })
  .strict();

export const siteSchema = z
  .object({
    /** Device id: MQTT topics are wayside/<id>/… */
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/i, 'letters, digits, - and _, at most 64'),
    /** Board profile id, `auto` to detect, or `sim`. */
    board: z.string().default('auto'),
    /** GPIO / I2C backends; default from the board profile. */
    backend: z
      .object({ gpio: z.string().optional(), i2c: z.string().optional() })
      .strict()
      .default({}),
    /** Serial port of a Firmata board (Arduino) when a backend is `firmata`. */
    firmata: z.object({ port: z.string() }).strict().optional(),
    lamps: z
      .object({
        active_low: z.boolean().default(false),
        phases: z.record(phaseKey, lampHead),
      })
      .strict(),
    detectors: z.array(detectorInput).default([]),
    sensors: z.array(sensorSpec).default([]),
    controller: controllerSection.optional(),
    detection: detectionSection.optional(),
    uplink: uplinkSection.optional(),
    status: statusSection.optional(),
    jobs: jobsSection.optional(),
    fleet: fleetSection.optional(),
  })
  .strict();

export type Site = z.infer<typeof siteSchema>;
export type SiteInput = z.input<typeof siteSchema>;
export type LampHead = z.infer<typeof lampHead>;
export type DetectorInput = z.infer<typeof detectorInput>;
export type SensorSpec = z.infer<typeof sensorSpec>;
