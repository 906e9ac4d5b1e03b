import { z } from 'zod';
import type { ControllerSectionInput } from '../../site/sections/controller.js';

/**
 * The simulator's scenario file (JSON). Documented field by field in firmware/traffic/README.md.
 * Times in seconds, flows in vehicles per hour, phases as strings "1"-"8".
 */
const phaseKey = z.string().regex(/^[1-8]$/, 'phase must be "1"-"8"');
const phaseNum = z.number().int().min(1).max(8);
const seconds = z.number().nonnegative();

const timingFields = {
  min_green_s: seconds.optional(),
  passage_s: seconds.optional(),
  max_green_s: seconds.optional(),
  yellow_s: z.number().min(3, 'yellow must be at least 3 s').optional(),
  red_clear_s: seconds.optional(),
  recall: z.enum(['none', 'min', 'max', 'ped']).optional(),
  walk_s: seconds.optional(),
  ped_clear_s: seconds.optional(),
};

const controller = z
  .object({
    type: z.enum(['fixed', 'seed', 'actuated', 'max-pressure', 'webster']),
    ...timingFields,
    /** fixed: cycle (checked against the splits) and green per phase. */
    cycle_s: z.number().positive().optional(),
    green_s: z.record(phaseKey, z.number().positive()).optional(),
    /** seed: flow reading window and clamp. */
    reading_s: z.number().positive().optional(),
    min_s: z.number().positive().optional(),
    max_s: z.number().positive().optional(),
    /** max-pressure / webster: saturation flow used in queue estimates (default the scenario's). */
    saturation_vph: z.number().positive().optional(),
    /** webster: recompute every N cycles, cycle bounds. */
    every_cycles: z.number().int().positive().optional(),
    min_cycle_s: z.number().positive().optional(),
    max_cycle_s: z.number().positive().optional(),
    /** Per-phase overrides of the timing fields. */
    phases: z.record(phaseKey, z.object(timingFields).strict()).optional(),
    tick_ms: z.number().int().min(10).max(500).optional(),
    startup_flash_s: z.number().min(1, 'startup_flash_s must be at least 1 s (start-up in all-red flash)').optional(),
    startup_red_s: z.number().min(1, 'startup_red_s must be at least 1 s (all red before the first green)').optional(),
    rings: z.array(z.array(phaseNum).min(1)).optional(),
    barriers: z.array(z.array(phaseNum).min(1)).optional(),
    compatible: z.array(z.tuple([phaseNum, phaseNum])).optional(),
    pattern: z.number().int().min(0).max(255).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.type === 'fixed' && !c.green_s) ctx.addIssue({ code: 'custom', path: ['green_s'], message: 'a fixed controller needs green_s per phase' });
  });

const fault = z
  .object({
    at_s: seconds,
    kind: z.enum(['stuck-green', 'red-lamp-out', 'detector-stuck-on', 'controller-stall']),
    phase: phaseNum.optional(),
  })
  .strict()
  .superRefine((f, ctx) => {
    if (f.kind !== 'controller-stall' && f.phase === undefined) {
      ctx.addIssue({ code: 'custom', path: ['phase'], message: `fault kind ${f.kind} needs a phase` });
    }
  });

export const scenarioSchema = z
  .object({
    duration_s: z.number().positive().max(31 * 24 * 3600),
    seed: z.number().int().default(1),
    arrivals: z.enum(['poisson', 'uniform']).default('poisson'),
    saturation_vph: z.number().positive().default(1800),
    startup_lost_s: seconds.default(2),
    yellow_used_s: seconds.default(2),
    volumes_vph: z.record(phaseKey, z.number().nonnegative()),
    controller,
    faults: z.array(fault).default([]),
    /** Phases in use; default: those with a volume, a fixed green or a per-phase override. */
    phases: z.array(phaseNum).min(1).optional(),
    /** Vehicles arriving before this are left out of the delay statistics. */
    warmup_s: seconds.default(0),
    /** Detector pulse length per vehicle and NEMA max presence (stuck-on diagnostics). */
    detector_occupancy_ms: z.number().int().min(10).max(2000).default(300),
    detector_max_presence_s: z.number().positive().default(180),
    /** ATSPM log: signal id and the wall time simulated second 0 corresponds to. */
    signal_id: z.string().default('1'),
    start_time: z.string().datetime({ offset: true }).default('2026-01-01T00:00:00Z'),
  })
  .strict();

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ScenarioFault = Scenario['faults'][number];

/** Validation problems as `field.path: message` lines (empty when valid). */
export function scenarioProblems(input: unknown): string[] {
  const r = scenarioSchema.safeParse(input);
  if (r.success) return extraProblems(r.data);
  return r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
}

export function parseScenario(input: unknown): Scenario {
  const problems = scenarioProblems(input);
  if (problems.length > 0) throw new ScenarioError(problems);
  return scenarioSchema.parse(input);
}

export class ScenarioError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

function extraProblems(s: Scenario): string[] {
  const out: string[] = [];
  const phases = scenarioPhases(s);
  s.faults.forEach((f, i) => {
    if (f.phase !== undefined && !phases.includes(f.phase)) out.push(`faults.${i}.phase: phase ${f.phase} is not in use (phases ${phases.join(',')})`);
    if (f.at_s > s.duration_s) out.push(`faults.${i}.at_s: ${f.at_s} is after the end of the run (${s.duration_s})`);
  });
  if (s.phases) {
    for (const k of Object.keys(s.volumes_vph)) if (!s.phases.includes(Number(k))) out.push(`volumes_vph.${k}: phase ${k} is not in phases`);
  }
  return out;
}

/** Phases in use by a scenario. */
export function scenarioPhases(s: Scenario): number[] {
  if (s.phases) return [...new Set(s.phases)].sort((a, b) => a - b);
  const set = new Set<number>();
  for (const k of Object.keys(s.volumes_vph)) set.add(Number(k));
  for (const k of Object.keys(s.controller.green_s ?? {})) set.add(Number(k));
  for (const k of Object.keys(s.controller.phases ?? {})) set.add(Number(k));
  return [...set].sort((a, b) => a - b);
}

/** The scenario's controller as a site `controller` section. */
export function controllerSectionOf(s: Scenario): ControllerSectionInput {
  const c = s.controller;
  const pick = (o: Record<string, unknown>): Record<string, unknown> => {
    const r: Record<string, unknown> = {};
    for (const k of Object.keys(timingFields)) if (o[k] !== undefined) r[k] = o[k];
    return r;
  };
  const section: ControllerSectionInput = {
    strategy: c.type,
    phases_in_use: scenarioPhases(s),
    defaults: pick(c) as ControllerSectionInput['defaults'],
    phases: Object.fromEntries(Object.entries(c.phases ?? {}).map(([k, v]) => [k, pick(v)])) as ControllerSectionInput['phases'],
    seed: { reading_s: c.reading_s, min_s: c.min_s, max_s: c.max_s },
    max_pressure: { saturation_vph: c.saturation_vph ?? s.saturation_vph },
    webster: {
      every_cycles: c.every_cycles,
      saturation_vph: c.saturation_vph ?? s.saturation_vph,
      min_cycle_s: c.min_cycle_s,
      max_cycle_s: c.max_cycle_s,
    },
  };
  if (c.green_s) section.fixed = { green_s: c.green_s, cycle_s: c.cycle_s };
  if (c.tick_ms !== undefined) section.tick_ms = c.tick_ms;
  if (c.startup_flash_s !== undefined) section.startup_flash_s = c.startup_flash_s;
  if (c.startup_red_s !== undefined) section.startup_red_s = c.startup_red_s;
  if (c.rings) section.rings = c.rings;
  if (c.barriers) section.barriers = c.barriers;
  if (c.compatible) section.compatible = c.compatible;
  if (c.pattern !== undefined) section.pattern = c.pattern;
  return section;
}
