import { z } from 'zod';

/**
 * The `status` section of a site file: the local status server (health, metrics, dashboard)
 * and the runtime's own knobs. `wayside run --status HOST:PORT` overrides host and port.
 */
export const statusSection = z
  .object({
    /** Loopback by default: the dashboard is for the technician's laptop on the cabinet port or an SSH tunnel. */
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8080),
    /** /healthz answers 503 when the control loop has not ticked for this long. */
    stale_ms: z.number().int().min(20).max(60_000).default(500),
    /** Snapshots per second sent to the status thread (dashboard, metrics). */
    publish_hz: z.number().positive().max(50).default(4),
    /** Control loop period. */
    tick_ms: z.number().int().min(1).max(1000).default(10),
    /** Seconds of history each stream's ring buffer holds (charts, refit, lamp self-test). */
    history_s: z.number().int().min(10).max(86_400).default(600),
    /** The event log (JSON lines): phase changes, alerts, faults. */
    event_log: z.string().min(1).optional(),
    /** CPU affinity: `auto` (board profile), `off`, or the control thread's CPU list (`3`, `0-1`). */
    affinity: z
      .string()
      .regex(/^(auto|off|\d+(-\d+)?(,\d+(-\d+)?)*)$/, 'auto, off, or a CPU list like 3 or 0-1,3')
      .default('auto'),
    /** Try SCHED_FIFO for the control thread where permitted. */
    realtime: z.boolean().default(true),
  })
  .strict();
export type StatusSection = z.infer<typeof statusSection>;
