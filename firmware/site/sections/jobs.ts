import { z } from 'zod';
import { validate } from 'node-cron';

/**
 * The `jobs` section: scheduled maintenance run by node-cron on the jobs worker thread, never on
 * the control thread. Each job has a cron expression (node-cron syntax: optional seconds field
 * first) and can be switched off.
 */
const cron = z.string().refine((s) => validate(s), { message: 'not a valid cron expression (like "0 3 * * *")' });

export const jobsSection = z
  .object({
    /** IANA time zone for the cron expressions; the system's when absent. */
    timezone: z.string().optional(),
    /** Refit each stream's detector on the day's data (the ring history). */
    detector_refit: z
      .object({ cron: cron.default('0 3 * * *'), enabled: z.boolean().default(true) })
      .strict()
      .default({}),
    /** Rotate the event log (and ask the uplink to compact its outbox). */
    log_rotation: z
      .object({
        cron: cron.default('0 * * * *'),
        enabled: z.boolean().default(true),
        max_mb: z.number().positive().default(10),
        keep: z.number().int().min(1).max(100).default(5),
      })
      .strict()
      .default({}),
    /** Checks that each head with a current sensor draws current while lit (lamp-out, degrading lamps); every minute by default. */
    lamp_self_test: z
      .object({
        cron: cron.default('* * * * *'),
        enabled: z.boolean().default(true),
        /** A lit lamp drawing less than this (A) is reported out. */
        min_current_a: z.number().positive().default(0.1),
        /** Below this fraction of its own median the lamp is reported degrading. */
        degraded_fraction: z.number().gt(0).lt(1).default(0.7),
      })
      .strict()
      .default({}),
    /** Compares wall time with the monotonic clock: an RTC-less board booting in 1970, an NTP step. */
    clock_sanity: z
      .object({
        cron: cron.default('*/5 * * * *'),
        enabled: z.boolean().default(true),
        /** Wall clock before this date is wrong (no RTC, no NTP yet). */
        not_before: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).default('2024-01-01'),
        /** A step between wall and monotonic time larger than this (s) is reported. */
        max_step_s: z.number().positive().default(2),
      })
      .strict()
      .default({}),
  })
  .strict();
export type JobsSection = z.infer<typeof jobsSection>;
