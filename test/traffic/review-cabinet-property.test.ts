import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SimGpio } from '../../drivers/backends/sim/gpio.js';
import { VirtualClock } from '../../drivers/hal/clock.js';
import { buildCabinet } from '../../firmware/traffic/cabinet.js';
import type { Plan } from '../../firmware/traffic/plan.js';
import { resolveController } from '../../firmware/traffic/site-plan.js';

/**
 * Safety review (independent reviewer): the whole cabinet (engine, strategy, signal heads on the
 * sim backend, flash transfer, conflict monitor) under random phase sets (e.g. only 2, 4, 6, 8),
 * site compatibility subsets, timings at the edges (1 s min green, 0 passage, 0 red clearance,
 * fractional seconds, huge max green), detector chatter and stuck detectors, pedestrian calls
 * and live plan + strategy switches. Checked on every single output write (not samples):
 * never G/Y on two conflicting channels (the site's pairs, and NEMA's), never two colours on a
 * head, never green → red; on the commanded intervals: min green, yellow and red clearance as
 * they were when the interval began. The monitor (programmed with the lowest red clearance of
 * the plans, see review-faults for why) must never trip.
 */
const RUNS = 150;
const SIM_MS = 15 * 60_000;
const NEMA: [number, number][] = [[1, 5], [1, 6], [2, 5], [2, 6], [3, 7], [3, 8], [4, 7], [4, 8]];
const refused: string[] = [];
let ran = 0;
let greens = 0;
const STRATS = ['actuated', 'max-pressure', 'seed', 'webster', 'fixed'] as const;

const arbTiming = fc.record({
  min_green_s: fc.constantFrom(1, 1.05, 2, 5, 7.3),
  passage_s: fc.constantFrom(0, 0.1, 2, 3.5),
  extra_s: fc.constantFrom(0, 0.5, 10, 40, 100_000),
  yellow_s: fc.constantFrom(3, 3.2, 4.35, 6),
  red_clear_s: fc.constantFrom(0, 0.3, 1, 2.5),
});

interface Case {
  phases: number[];
  compatible: [number, number][] | null;
  plans: { timing: { min_green_s: number; passage_s: number; extra_s: number; yellow_s: number; red_clear_s: number }; strategy: (typeof STRATS)[number]; recallMax: boolean }[];
  ped: number[];
  detected: number[];
  maxPresence: number;
  stuck: number | null;
  seed: number;
  activity: number;
  tickMs: number;
}

const arbCase: fc.Arbitrary<Case> = fc.record({
  phases: fc.oneof(fc.constantFrom<number[]>([2, 4, 6, 8], [2, 6], [2, 4], [1, 2, 5, 6]), fc.subarray([1, 2, 3, 4, 5, 6, 7, 8], { minLength: 1 })),
  compatible: fc.option(fc.subarray(NEMA)) as fc.Arbitrary<[number, number][] | null>,
  plans: fc.array(fc.record({ timing: arbTiming, strategy: fc.constantFrom(...STRATS), recallMax: fc.boolean() }), { minLength: 1, maxLength: 4 }),
  ped: fc.subarray([2, 4, 6, 8]),
  detected: fc.subarray([1, 2, 3, 4, 5, 6, 7, 8]),
  maxPresence: fc.constantFrom(3, 180),
  stuck: fc.option(fc.integer({ min: 1, max: 8 })),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
  activity: fc.integer({ min: 0, max: 60 }),
  tickMs: fc.constantFrom(10, 100, 250),
});

function section(c: Case, k: number): Record<string, unknown> {
  const p = c.plans[k]!;
  const t = p.timing;
  const phases: Record<string, Record<string, unknown>> = {};
  for (const ph of c.phases) {
    phases[String(ph)] = c.ped.includes(ph) ? { walk_s: 2, ped_clear_s: 3 } : {};
    if (p.recallMax && ph === c.phases[0]) phases[String(ph)]!.recall = 'max';
  }
  const green: Record<string, number> = {};
  for (const ph of c.phases) green[String(ph)] = Math.max(t.min_green_s, 5);
  return {
    strategy: p.strategy,
    pattern: k + 1,
    tick_ms: c.tickMs,
    startup_flash_s: 1,
    startup_red_s: 1,
    ...(c.compatible ? { compatible: c.compatible } : {}),
    defaults: { min_green_s: t.min_green_s, passage_s: t.passage_s, max_green_s: t.min_green_s + t.extra_s, yellow_s: t.yellow_s, red_clear_s: t.red_clear_s },
    phases,
    ...(p.strategy === 'fixed' ? { fixed: { green_s: green } } : {}),
    ...(p.strategy === 'seed' ? { seed: { reading_s: 5, min_s: 15, max_s: 60 } } : {}),
    ...(p.strategy === 'webster' ? { webster: { every_cycles: 1, min_cycle_s: 10, max_cycle_s: 200 } } : {}),
    monitor: { min_red_clear_s: Math.min(...c.plans.map((q) => q.timing.red_clear_s)) },
  };
}

function runCase(c: Case): void {
  const clock = new VirtualClock(0);
  const sim = new SimGpio(clock);
  const lamps: Record<string, { red: number; yellow: number; green: number; walk?: number; dont_walk?: number }> = {};
  for (const p of c.phases) lamps[String(p)] = { red: 10 * p + 1, yellow: 10 * p + 2, green: 10 * p + 3, ...(c.ped.includes(p) ? { walk: 10 * p + 4, dont_walk: 10 * p + 5 } : {}) };
  const detected = c.detected.filter((p) => c.phases.includes(p));
  const detectors = detected.map((p) => ({ phase: p, pin: 100 + p, active_low: false, debounce_ms: 0, max_presence_s: c.maxPresence, no_activity_s: 3600 }));
  const sections = c.plans.map((_, k) => section(c, k));
  let plans: Plan[];
  try {
    plans = sections.map((s) => resolveController(s, c.phases, detected).plan);
  } catch (err) {
    refused.push(String(err).slice(0, 80));
    return; // a configuration the site validation refuses (e.g. a fixed cycle that does not fit): not a runtime case
  }
  const cab = buildCabinet({ clock, gpio: sim, lamps: { phases: lamps }, detectors, controller: sections[0] });
  const s = cab.resolved.structure;
  const nemaConflict = (a: number, b: number) => a !== b && !NEMA.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
  const lit = (p: number, k: 2 | 3) => sim.physical(10 * p + k) === 1;
  const problems: string[] = [];
  sim.onOutput((pin, _level, t) => {
    if (cab.transfer.engaged) return;
    const p = Math.floor(pin / 10);
    if (!c.phases.includes(p) || pin % 10 > 3) return;
    for (const q of c.phases) {
      if (q === p) continue;
      const on = (x: number) => lit(x, 2) || lit(x, 3);
      if (on(p) && on(q) && (!s.compatible[p]![q] || nemaConflict(p, q))) problems.push(`t=${t} G/Y on ${p} and ${q}`);
    }
    const n = (sim.physical(10 * p + 1) ?? 0) + (sim.physical(10 * p + 2) ?? 0) + (sim.physical(10 * p + 3) ?? 0);
    if (n > 1) problems.push(`t=${t} two colours on ${p}`);
  });
  // Commanded intervals, against the plan in effect when each began.
  let plan = plans[0]!;
  const state = new Map<number, { ind: string; since: number; plan: Plan }>();
  const yellowEnd = new Map<number, { t: number; plan: Plan }>();
  cab.controller.on((e) => {
    if (e.type !== 'indication') return;
    const prev = state.get(e.phase);
    if (prev && e.indication !== 'flash-red' && prev.ind !== 'flash-red') {
      const d = e.t - prev.since;
      const tm = prev.plan.timing[e.phase]!;
      if (prev.ind === 'green' && e.indication === 'red') problems.push(`t=${e.t} ${e.phase} green→red`);
      if (prev.ind === 'green' && e.indication === 'yellow' && d < tm.minGreenMs) problems.push(`t=${e.t} ${e.phase} green ${d} < min ${tm.minGreenMs}`);
      if (prev.ind === 'yellow' && e.indication === 'red') {
        if (d < tm.yellowMs) problems.push(`t=${e.t} ${e.phase} yellow ${d} < ${tm.yellowMs}`);
        yellowEnd.set(e.phase, { t: e.t, plan: prev.plan });
      }
    }
    if (e.indication === 'green') {
      for (const [q, y] of yellowEnd) {
        if (q === e.phase || s.compatible[e.phase]![q]) continue;
        const rc = y.plan.timing[q]!.redClearMs;
        if (e.t - y.t < rc) problems.push(`t=${e.t} ${e.phase} green ${e.t - y.t} ms after ${q}'s yellow, red clearance ${rc}`);
      }
    }
    state.set(e.phase, { ind: e.indication, since: e.t, plan });
  });
  // Detector chatter, a stuck detector, ped calls and plan switches, all from one seeded stream.
  let x = c.seed;
  const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0), x / 2 ** 32);
  const inputs = new Array<number>(9).fill(0);
  cab.controller.on((e) => e.type === 'indication' && e.indication === 'green' && greens++);
  ran++;
  cab.start();
  const switchEvery = SIM_MS / (c.plans.length + 1);
  let nextSwitch = switchEvery;
  let k = 0;
  while (clock.now() < SIM_MS) {
    clock.advance(37);
    for (const p of detected) {
      if (c.stuck === p && clock.now() > 60_000) sim.setInput(100 + p, 1);
      else if (rnd() * 1000 < c.activity) {
        inputs[p] = inputs[p] ? 0 : 1;
        sim.setInput(100 + p, inputs[p] as 0 | 1);
      }
    }
    if (rnd() < 0.002) cab.controller.pedCall(c.ped[Math.floor(rnd() * c.ped.length)] ?? 2);
    if (clock.now() >= nextSwitch && c.plans.length > 1) {
      k = (k + 1) % c.plans.length;
      plan = plans[k]!;
      cab.controller.setPlan(plan);
      nextSwitch += switchEvery;
    }
    if (problems.length > 0) break;
  }
  cab.stop();
  assert.deepEqual(problems.slice(0, 5), [], JSON.stringify(c));
  assert.deepEqual(cab.monitor.log.map((t) => `${t.fault}: ${t.reason}`), [], JSON.stringify(c));
  assert.equal(cab.controller.engine.guardRefusals, 0);
}

describe('review: whole-cabinet safety property (fast-check)', () => {
  it(`${RUNS} random cabinets × ${SIM_MS / 60000} simulated minutes: no conflict on any output write, clearances hold, no monitor trip`, () => {
    fc.assert(fc.property(arbCase, runCase), { numRuns: RUNS, seed: 20261125 });
    console.log(`review property: ${ran} cabinets ran, ${greens} greens, ${refused.length} refused configs: ${[...new Set(refused)].slice(0, 4).join(" | ")}`);
    // The property must have exercised real cabinets, not only refused configurations.
    assert.ok(ran >= RUNS / 2, `only ${ran} of ${RUNS} cases ran; refused: ${refused.slice(0, 3).join(' | ')}`);
    assert.ok(greens > ran * 20, `${greens} greens in ${ran} runs`);
  });
});
