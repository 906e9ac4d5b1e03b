import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PhaseEngine, type PhaseIndication } from '../../firmware/traffic/phase-engine.js';
import type { PhaseTiming, Plan, Recall, StrategySpec } from '../../firmware/traffic/plan.js';
import { createStrategy } from '../../firmware/traffic/strategies/index.js';
import { MAX_WAIT_MS } from '../../firmware/traffic/strategies/max-pressure.js';
import { Rng } from '../../firmware/traffic/sim/rng.js';
import { buildStructure } from '../../firmware/traffic/structure.js';

/**
 * Property: whatever the timings, strategy, demand, detector pattern, step jitter and plan
 * switches, the engine never commands two conflicting phases green/yellow at once, never
 * shortens a min green, a yellow or a red clearance (as they were when the interval began),
 * and always goes green → yellow → red; and a phase with demand is always served in bounded time.
 */
const RUNS = 150;
const STEPS = 3000;

const arbTiming = fc
  .record({
    min: fc.integer({ min: 10, max: 100 }),
    passage: fc.integer({ min: 0, max: 50 }),
    extra: fc.integer({ min: 0, max: 400 }),
    yellow: fc.integer({ min: 30, max: 60 }),
    red: fc.integer({ min: 0, max: 30 }),
    recall: fc.constantFrom<Recall>('none', 'none', 'min', 'max', 'ped'),
    walk: fc.integer({ min: 0, max: 70 }),
    fdw: fc.integer({ min: 0, max: 50 }),
  })
  .map(
    (t): PhaseTiming => ({
      minGreenMs: t.min * 100,
      passageMs: t.passage * 100,
      maxGreenMs: (t.min + t.extra) * 100,
      yellowMs: t.yellow * 100,
      redClearMs: t.red * 100,
      recall: t.recall === 'ped' && t.walk === 0 ? 'min' : t.recall,
      walkMs: t.walk * 100,
      pedClearMs: t.walk > 0 ? t.fdw * 100 : 0,
    }),
  );

const arbStrategy: fc.Arbitrary<StrategySpec> = fc.oneof(
  fc.record({ type: fc.constant('fixed' as const), cycleMs: fc.constant(60000), greenMs: fc.dictionary(fc.constantFrom('1', '2', '3', '4', '5', '6', '7', '8'), fc.integer({ min: 1000, max: 60000 })).map((d) => Object.fromEntries(Object.entries(d).map(([k, v]) => [Number(k), v]))) }),
  fc.record({ type: fc.constant('seed' as const), readingMs: fc.integer({ min: 5000, max: 60000 }), minMs: fc.constant(15000), maxMs: fc.constant(60000) }),
  fc.constant({ type: 'actuated' as const }),
  fc.record({ type: fc.constant('max-pressure' as const), saturationVph: fc.integer({ min: 600, max: 2400 }), decisionMs: fc.constant(1000) }),
  fc.record({ type: fc.constant('webster' as const), everyCycles: fc.integer({ min: 1, max: 3 }), saturationVph: fc.constant(1800), minCycleMs: fc.constant(30000), maxCycleMs: fc.constant(120000) }),
);

const arbPlan = (pattern: number): fc.Arbitrary<Plan> =>
  fc.record({ timing: fc.array(arbTiming, { minLength: 9, maxLength: 9 }), strategy: arbStrategy }).map(({ timing, strategy }) => ({
    pattern,
    timing,
    strategy,
  }));

const NEMA_PAIRS: [number, number][] = [[1, 5], [1, 6], [2, 5], [2, 6], [3, 7], [3, 8], [4, 7], [4, 8]];

const arbCase = fc.record({
  phases: fc.subarray([1, 2, 3, 4, 5, 6, 7, 8], { minLength: 1 }),
  plan: arbPlan(1),
  switches: fc.array(fc.record({ at: fc.integer({ min: 1, max: STEPS - 1 }), plan: arbPlan(2) }), { maxLength: 4 }),
  seed: fc.integer(),
  /** Per-phase probability (‰ per step) that a detector toggles: from dead quiet to saturated. */
  activity: fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 9, maxLength: 9 }),
  maxStep: fc.integer({ min: 20, max: 400 }),
  pedProb: fc.integer({ min: 0, max: 50 }),
  stuck: fc.option(fc.integer({ min: 1, max: 8 })),
  /** Sometimes a site that allows only some of NEMA's compatible pairs. */
  compatible: fc.option(fc.subarray(NEMA_PAIRS)),
});

describe('phase engine safety property (fast-check)', () => {
  it(`holds at every step of ${RUNS} random runs × ${STEPS} steps (${RUNS * STEPS} steps)`, () => {
    let totalSteps = 0;
    let totalGreens = 0;
    fc.assert(
      fc.property(arbCase, (c) => {
        const structure = buildStructure({ phases: c.phases, compatible: c.compatible ?? undefined });
        const rng = new Rng(c.seed);
        const engine = new PhaseEngine(structure, c.plan, createStrategy(c.plan.strategy), {
          startupFlashMs: 3000,
          startupRedMs: 2000,
          detectors: structure.phases.map((p) => ({ channel: p, phase: p, maxPresenceMs: 60000, noActivityMs: 0 })),
        });
        let plan = c.plan;
        const ind: PhaseIndication[] = new Array(9).fill('dark');
        const since = new Float64Array(9);
        const needGreen = new Float64Array(9); // min green in force when the green began
        const needYellow = new Float64Array(9);
        const needRed = new Float64Array(9);
        const redSince = new Float64Array(9).fill(-Infinity);
        const problems: string[] = [];
        engine.on((e) => {
          if (e.type !== 'indication') return;
          const p = e.phase;
          const prev = ind[p]!;
          const t = e.t;
          if (engine.currentMode === 'run' || prev === 'green' || prev === 'yellow') {
            if (e.indication === 'green') {
              if (prev !== 'red') problems.push(`${p} ${prev}→green at ${t}`);
              for (const q of structure.phases) {
                if (q === p || structure.compatible[p]![q]) continue;
                if (ind[q] === 'green' || ind[q] === 'yellow') problems.push(`${p} green while conflicting ${q} ${ind[q]} at ${t}`);
                if (ind[q] === 'red' && t - redSince[q]! < needRed[q]!) problems.push(`${p} green ${t - redSince[q]!} ms into ${q}'s ${needRed[q]} ms red clearance`);
              }
              needGreen[p] = plan.timing[p]!.minGreenMs;
              totalGreens++;
            } else if (e.indication === 'yellow') {
              if (prev !== 'green') problems.push(`${p} ${prev}→yellow at ${t}`);
              else if (t - since[p]! < needGreen[p]!) problems.push(`${p} green ${t - since[p]!} ms < min ${needGreen[p]}`);
              needYellow[p] = plan.timing[p]!.yellowMs;
              needRed[p] = plan.timing[p]!.redClearMs;
            } else if (e.indication === 'red') {
              if (prev === 'green') problems.push(`${p} green→red at ${t}`);
              if (prev === 'yellow') {
                if (t - since[p]! < needYellow[p]!) problems.push(`${p} yellow ${t - since[p]!} ms < ${needYellow[p]}`);
                redSince[p] = t;
              }
            }
          }
          ind[p] = e.indication;
          since[p] = t;
        });
        // Liveness: a phase with demand is served within two rounds of every phase's longest service.
        const plans = [c.plan, ...c.switches.map((x) => x.plan)];
        let round = 8000; // start-up
        for (const p of structure.phases) {
          round += Math.max(
            ...plans.map((pl) => {
              const tm = pl.timing[p]!;
              const st = pl.strategy;
              const g = Math.max(tm.maxGreenMs, tm.walkMs + tm.pedClearMs, st.type === 'seed' ? st.maxMs : 0, st.type === 'webster' ? st.maxCycleMs : 0, st.type === 'fixed' ? (st.greenMs[p] ?? 0) : 0);
              return g + tm.yellowMs + tm.redClearMs + 200;
            }),
          );
        }
        // Max-pressure serves by queue size; its own guarantee is MAX_WAIT_MS plus one round.
        const bound = 2 * round + (plans.some((pl) => pl.strategy.type === 'max-pressure') ? MAX_WAIT_MS : 0);
        const waitingSince = new Float64Array(9).fill(-1);
        let t = 0;
        engine.start(t);
        const detOn = new Uint8Array(9);
        const switches = [...c.switches].sort((a, b) => a.at - b.at);
        let sw = 0;
        for (let i = 0; i < STEPS; i++) {
          t += 1 + Math.floor(rng.next() * c.maxStep);
          for (const p of structure.phases) {
            if (c.stuck === p && i > STEPS / 2) {
              if (!detOn[p]) engine.detectorChange(p, true, t);
              detOn[p] = 1;
              continue;
            }
            if (rng.next() * 1000 < c.activity[p]!) {
              detOn[p] = detOn[p] ? 0 : 1;
              engine.detectorChange(p, detOn[p] === 1, t);
            }
            if (rng.next() * 1000 < c.pedProb) engine.pedCall(p, t);
          }
          while (sw < switches.length && switches[sw]!.at === i) {
            plan = switches[sw]!.plan;
            engine.setPlan(plan, createStrategy(plan.strategy), t);
            sw++;
          }
          engine.step(t);
          // The invariant on the whole state, at every step.
          for (const a of structure.phases) {
            if (ind[a] !== 'green' && ind[a] !== 'yellow') continue;
            for (const b of structure.phases) {
              if (a < b && !structure.compatible[a]![b] && (ind[b] === 'green' || ind[b] === 'yellow')) problems.push(`${a} and ${b} both on at ${t}`);
            }
          }
          for (const p of structure.phases) {
            if (ind[p] === 'green' || !engine.demand(p)) waitingSince[p] = -1;
            else if (waitingSince[p]! < 0) waitingSince[p] = t;
            else if (t - waitingSince[p]! > bound) problems.push(`phase ${p} waiting ${t - waitingSince[p]!} ms > ${bound} ms`);
          }
          if (problems.length > 0) break;
        }
        totalSteps += STEPS;
        assert.equal(engine.guardRefusals, 0, 'the compatibility guard never had to refuse a strategy/ring decision');
        assert.deepEqual(problems.slice(0, 3), [], problems.slice(0, 3).join('; '));
      }),
      { numRuns: RUNS },
    );
    assert.ok(totalSteps >= 100_000, `${totalSteps} steps checked`);
    assert.ok(totalGreens > RUNS * 2, `the engine did serve (${totalGreens} greens)`);
  });
});
