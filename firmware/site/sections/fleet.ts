import { z } from 'zod';
import { taskSpec } from '../../fleet/problem.js';

/**
 * The `fleet` section: what this device offers the fleet scheduler, and (on the
 * coordinator) the tasks to spread over the fleet, e.g. detector refits and analytics jobs.
 */
export const fleetSection = z
  .object({
    /** Announced to the coordinator (retained); defaults suit a Raspberry Pi 4. */
    capacity: z
      .object({
        cpu: z.number().positive().default(1),
        mem_mb: z.number().nonnegative().default(1024),
        bw_mbps: z.number().positive().default(20),
      })
      .strict()
      .default({}),
    tasks: z.array(taskSpec).default([]),
    /** Relative drift of measured from planned load that makes the coordinator re-plan. */
    drift_threshold: z.number().positive().max(10).default(0.25),
    /** How often a device reports its measured load. */
    report_interval_s: z.number().positive().default(10),
  })
  .strict();
export type FleetSection = z.infer<typeof fleetSection>;
