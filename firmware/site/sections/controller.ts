import { z } from 'zod';

/**
 * The `controller` section of a site file: ring/barrier structure (NEMA dual ring by default),
 * per-phase timing in seconds, the strategy and its parameters, and the conflict monitor's
 * programming. Every field has a default, so a site without the section runs actuated control
 * with the defaults below. Resolved into an engine plan by firmware/traffic/site-plan.ts.
 */
const phase = z.number().int().min(1).max(8);
const phaseKey = z.string().regex(/^[1-8]$/, 'phase must be 1-8');
const seconds = z.number().nonnegative();

export const phaseTimingInput = z
  .object({
    min_green_s: seconds,
    passage_s: seconds,
    max_green_s: seconds,
    /** Yellow change; the engine refuses less than 3 s. */
    yellow_s: z.number().min(3, 'yellow must be at least 3 s'),
    red_clear_s: seconds,
    recall: z.enum(['none', 'min', 'max', 'ped']),
    /** Pedestrian walk; 0 or absent = no pedestrian movement on this phase. */
    walk_s: seconds,
    /** Flashing don't-walk (pedestrian clearance). */
    ped_clear_s: seconds,
  })
  .partial()
  .strict();

export const controllerSection = z
  .object({
    strategy: z.enum(['fixed', 'seed', 'actuated', 'max-pressure', 'webster']).default('actuated'),
    /** Pattern (plan) number reported in the event log (ATSPM 131). */
    pattern: z.number().int().min(0).max(255).default(1),
    /** Engine step period. */
    tick_ms: z.number().int().min(10).max(500).default(100),
    startup_flash_s: z.number().min(1, 'startup_flash_s must be at least 1 s (start-up in all-red flash)').default(6),
    /**
     * Steady all red between the start-up flash (or a monitor reset) and the first green: at
     * least 1 s, so no green ever follows the flash directly.
     */
    startup_red_s: z.number().min(1, 'startup_red_s must be at least 1 s (all red before the first green)').default(2),
    /** Ring service orders; default NEMA [[1,2,3,4],[5,6,7,8]]. */
    rings: z.array(z.array(phase).min(1)).min(1).max(4).optional(),
    /** Barrier groups; default NEMA [[1,2,5,6],[3,4,7,8]]. */
    barriers: z.array(z.array(phase).min(1)).min(1).max(4).optional(),
    /** Pairs allowed to time together; default: different rings, same side of the barrier. */
    compatible: z.array(z.tuple([phase, phase])).optional(),
    /** Phases in use; default: the phases that have lamps. */
    phases_in_use: z.array(phase).min(1).optional(),
    /** Timing for every phase, overridden per phase by `phases`. */
    defaults: phaseTimingInput.default({}),
    phases: z.record(phaseKey, phaseTimingInput).default({}),
    fixed: z
      .object({
        /** When given, must equal the cycle the splits add up to (checked). */
        cycle_s: z.number().positive().optional(),
        green_s: z.record(phaseKey, z.number().positive()),
      })
      .strict()
      .optional(),
    seed: z
      .object({
        reading_s: z.number().positive().default(60),
        min_s: z.number().positive().default(15),
        max_s: z.number().positive().default(60),
      })
      .strict()
      .default({}),
    max_pressure: z
      .object({ saturation_vph: z.number().positive().default(1800), decision_s: z.number().positive().default(1) })
      .strict()
      .default({}),
    webster: z
      .object({
        every_cycles: z.number().int().positive().default(4),
        saturation_vph: z.number().positive().default(1800),
        min_cycle_s: z.number().positive().default(40),
        max_cycle_s: z.number().positive().default(150),
      })
      .strict()
      .default({}),
    monitor: z
      .object({
        /** Shortest yellow the monitor accepts (NEMA 2.7 s); every phase's yellow_s must be at least this. */
        min_yellow_s: z.number().positive().default(2.7),
        /** Red clearance the monitor enforces; default each phase's configured red clearance. */
        min_red_clear_s: seconds.optional(),
        /** Silence that trips the monitor; at most 400 so a stopped controller is in flash within 450 ms. */
        heartbeat_timeout_ms: z.number().int().min(100).max(400).default(300),
        /**
         * UNSAFE opt-in: run on lamp outputs that cannot be read back (gpio-tools fallback,
         * Firmata by default). Their read() returns the last commanded level, so the monitor
         * sees only the controller's intent: it cannot see a stuck green, a lamp out or a
         * failed write. Without this the cabinet refuses to start on such outputs.
         */
        allow_commanded_readback: z.boolean().default(false),
        /**
         * The monitor's own programming card: the pairs of channels (phases) it lets show
         * green/yellow together. Checked at build time against the controller's structure (the
         * pairs among phases in use must match exactly; a mismatch is an error naming the pair)
         * and used by the monitor. Absent: the monitor is programmed from the structure.
         */
        compatible: z.array(z.tuple([phase, phase])).optional(),
      })
      .strict()
      .default({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.strategy === 'fixed' && !c.fixed) {
      ctx.addIssue({ code: 'custom', path: ['fixed'], message: 'strategy fixed needs fixed.green_s' });
    }
    if (c.seed.min_s > c.seed.max_s) ctx.addIssue({ code: 'custom', path: ['seed', 'min_s'], message: 'min_s is above max_s' });
    // The monitor trips on a yellow shorter than its minimum: a plan yellow below it would trip
    // at the first change. Refused here (explicit values; site-plan.ts checks each phase in use
    // with the built-in default too).
    const minY = c.monitor.min_yellow_s;
    const yellows: [string[], number | undefined][] = [[['defaults', 'yellow_s'], c.defaults.yellow_s]];
    for (const [k, t] of Object.entries(c.phases)) yellows.push([['phases', k, 'yellow_s'], t.yellow_s]);
    for (const [path, y] of yellows) {
      // Below 3 s the yellow_s field's own rule has already reported it.
      if (y !== undefined && y >= 3 && y < minY) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `${y} s is below controller.monitor.min_yellow_s ${minY} s (the monitor would trip short-yellow at the first change)`,
        });
      }
    }
    // The controller's heartbeat comes once per tick: the monitor must allow at least two.
    if (c.tick_ms * 2 > c.monitor.heartbeat_timeout_ms) {
      ctx.addIssue({
        code: 'custom',
        path: ['tick_ms'],
        message: `${c.tick_ms} ms is too long for the monitor's ${c.monitor.heartbeat_timeout_ms} ms heartbeat timeout (at most ${Math.floor(c.monitor.heartbeat_timeout_ms / 2)} ms)`,
      });
    }
  });

export type ControllerSection = z.infer<typeof controllerSection>;
export type ControllerSectionInput = z.input<typeof controllerSection>;
export type PhaseTimingInput = z.infer<typeof phaseTimingInput>;
