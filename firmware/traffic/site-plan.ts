import { type ControllerSection, type ControllerSectionInput, controllerSection, type PhaseTimingInput } from '../site/sections/controller.js';
import { DEFAULT_TIMING, type PhaseTiming, type Plan, type StrategySpec } from './plan.js';
import { buildStructure, compatiblePairs, type Structure } from './structure.js';

/**
 * Turns the site's `controller` section (seconds, snake_case) into the engine's structure and
 * plan (integer ms). A missing section means actuated control with the defaults.
 * Throws an Error whose message starts with the offending field path (controller.…).
 */
export interface ResolvedController {
  readonly section: ControllerSection;
  readonly structure: Structure;
  readonly plan: Plan;
}

export function parseControllerSection(input: ControllerSectionInput | ControllerSection | undefined): ControllerSection {
  return controllerSection.parse(input ?? {});
}

/**
 * `detectedPhases`, when given, lists the phases that have a detector: a phase without one and
 * without an explicit recall is put on min recall, or it could never be called.
 */
export function resolveController(
  input: ControllerSectionInput | ControllerSection | undefined,
  lampPhases: readonly number[],
  detectedPhases?: readonly number[],
): ResolvedController {
  const section = parseControllerSection(input);
  const phases = section.phases_in_use ?? lampPhases;
  for (const p of phases) {
    if (!lampPhases.includes(p)) throw new Error(`controller.phases_in_use: phase ${p} has no lamps`);
  }
  let structure: Structure;
  try {
    structure = buildStructure({ phases, rings: section.rings, barriers: section.barriers, compatible: section.compatible });
  } catch (e) {
    throw new Error(`controller (rings/barriers/compatible): ${(e as Error).message}`);
  }
  return { section, structure, plan: planFromSection(section, structure, detectedPhases) };
}

export function planFromSection(section: ControllerSection, structure: Structure, detectedPhases?: readonly number[]): Plan {
  const strategy = strategySpec(section, structure);
  const timing: (PhaseTiming | undefined)[] = new Array(9).fill(undefined);
  for (const p of structure.phases) {
    const own = section.phases[String(p)] ?? {};
    let t = applyInput(applyInput(DEFAULT_TIMING, section.defaults), own);
    // Fixed-time style strategies serve every phase every cycle and need room for their greens.
    if (strategy.type === 'fixed') {
      const g = strategy.greenMs[p] ?? t.minGreenMs;
      t = { ...t, recall: own.recall ?? section.defaults.recall ?? 'min', minGreenMs: Math.min(t.minGreenMs, g), maxGreenMs: Math.max(t.maxGreenMs, g) };
    } else if (strategy.type === 'seed') {
      t = { ...t, recall: own.recall ?? section.defaults.recall ?? 'min', maxGreenMs: Math.max(t.maxGreenMs, strategy.maxMs) };
    } else if (strategy.type === 'webster') {
      t = { ...t, recall: own.recall ?? section.defaults.recall ?? 'min', maxGreenMs: Math.max(t.maxGreenMs, strategy.maxCycleMs) };
    }
    if (detectedPhases && !detectedPhases.includes(p) && own.recall === undefined && section.defaults.recall === undefined && t.recall === 'none') {
      t = { ...t, recall: 'min' };
    }
    if (t.maxGreenMs < t.minGreenMs) {
      throw new Error(`controller.phases.${p}.max_green_s: ${t.maxGreenMs / 1000} s is below min green ${t.minGreenMs / 1000} s`);
    }
    if (t.recall === 'ped' && t.walkMs === 0) throw new Error(`controller.phases.${p}.recall: ped recall needs walk_s > 0`);
    if (t.yellowMs < ms(section.monitor.min_yellow_s)) {
      // Reached only through the built-in default yellow (explicit values are refused by the schema).
      throw new Error(
        `controller.phases.${p}.yellow_s: ${t.yellowMs / 1000} s (the default) is below controller.monitor.min_yellow_s ${section.monitor.min_yellow_s} s (the monitor would trip short-yellow at the first change)`,
      );
    }
    timing[p] = t;
  }
  return { pattern: section.pattern, timing, strategy };
}

function strategySpec(section: ControllerSection, structure: Structure): StrategySpec {
  switch (section.strategy) {
    case 'fixed': {
      const f = section.fixed!;
      const greenMs: Record<number, number> = {};
      for (const [k, v] of Object.entries(f.green_s)) {
        const p = Number(k);
        if (!structure.phases.includes(p)) throw new Error(`controller.fixed.green_s.${k}: phase ${k} is not in use`);
        greenMs[p] = ms(v);
      }
      for (const p of structure.phases) if (greenMs[p] === undefined) throw new Error(`controller.fixed.green_s: no green for phase ${p}`);
      const cycleMs = fixedCycleMs(section, structure, greenMs);
      if (f.cycle_s !== undefined && Math.abs(cycleMs - ms(f.cycle_s)) > 50) {
        throw new Error(`controller.fixed.cycle_s: ${f.cycle_s} s, but greens + yellows + red clearances add up to ${cycleMs / 1000} s`);
      }
      return { type: 'fixed', cycleMs, greenMs };
    }
    case 'seed':
      return { type: 'seed', readingMs: ms(section.seed.reading_s), minMs: ms(section.seed.min_s), maxMs: ms(section.seed.max_s) };
    case 'actuated':
      return { type: 'actuated' };
    case 'max-pressure':
      return { type: 'max-pressure', saturationVph: section.max_pressure.saturation_vph, decisionMs: ms(section.max_pressure.decision_s) };
    case 'webster':
      return {
        type: 'webster',
        everyCycles: section.webster.every_cycles,
        saturationVph: section.webster.saturation_vph,
        minCycleMs: ms(section.webster.min_cycle_s),
        maxCycleMs: ms(section.webster.max_cycle_s),
      };
  }
}

/** Cycle of a fixed plan: per side, the longest ring's greens + clearances. */
function fixedCycleMs(section: ControllerSection, s: Structure, greenMs: Record<number, number>): number {
  let cycle = 0;
  for (const side of s.barriers) {
    let longest = 0;
    for (const ring of s.rings) {
      let sum = 0;
      for (const p of ring) {
        if (!side.includes(p)) continue;
        const t = applyInput(applyInput(DEFAULT_TIMING, section.defaults), section.phases[String(p)] ?? {});
        sum += greenMs[p]! + t.yellowMs + t.redClearMs;
      }
      longest = Math.max(longest, sum);
    }
    cycle += longest;
  }
  return cycle;
}

function applyInput(base: PhaseTiming, i: PhaseTimingInput): PhaseTiming {
  return {
    minGreenMs: i.min_green_s !== undefined ? ms(i.min_green_s) : base.minGreenMs,
    passageMs: i.passage_s !== undefined ? ms(i.passage_s) : base.passageMs,
    maxGreenMs: i.max_green_s !== undefined ? ms(i.max_green_s) : base.maxGreenMs,
    yellowMs: i.yellow_s !== undefined ? ms(i.yellow_s) : base.yellowMs,
    redClearMs: i.red_clear_s !== undefined ? ms(i.red_clear_s) : base.redClearMs,
    recall: i.recall ?? base.recall,
    walkMs: i.walk_s !== undefined ? ms(i.walk_s) : base.walkMs,
    pedClearMs: i.ped_clear_s !== undefined ? ms(i.ped_clear_s) : base.pedClearMs,
  };
}

export function ms(seconds: number): number {
  return Math.round(seconds * 1000);
}

/**
 * The monitor's compatible pairs: the site's `controller.monitor.compatible` card when given,
 * checked pair by pair against the controller's structure (phases in use only), else the
 * structure's own pairs. Throws `controller.monitor.compatible: …` naming the first mismatch:
 * a pair the controller may time together that the card forbids (the monitor would trip), or a
 * pair the card permits that the controller treats as conflicting (the card is not this
 * intersection's, or the structure is wrong).
 */
export function monitorCompatible(section: ControllerSection, structure: Structure): [number, number][] {
  const own = compatiblePairs(structure);
  const card = section.monitor.compatible;
  if (!card) return own;
  const inUse = (p: number) => structure.phases.includes(p);
  const key = (a: number, b: number) => (a < b ? `${a}+${b}` : `${b}+${a}`);
  const onCard = new Set<string>();
  for (const [a, b] of card) {
    if (a === b) throw new Error(`controller.monitor.compatible: pair ${a}+${b} pairs a channel with itself`);
    if (inUse(a) && inUse(b)) onCard.add(key(a, b));
  }
  for (const [a, b] of own) {
    if (!onCard.has(key(a, b))) {
      throw new Error(
        `controller.monitor.compatible: pair ${a}+${b} may time together in the controller's structure but is not on the monitor's card (the monitor would trip when they do)`,
      );
    }
  }
  const ownKeys = new Set(own.map(([a, b]) => key(a, b)));
  for (const k of onCard) {
    if (!ownKeys.has(k)) {
      throw new Error(`controller.monitor.compatible: pair ${k} is on the monitor's card but conflicts in the controller's structure (rings/barriers/compatible)`);
    }
  }
  return [...onCard].map((k) => k.split('+').map(Number) as [number, number]);
}
