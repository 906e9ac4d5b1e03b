/**
 * `npm run bench -- traffic`: simulator speed (simulated seconds per wall second) and average
 * vehicle delay of the fixed, seed (article), actuated, max-pressure and webster strategies on balanced,
 * 3:1 unbalanced and near-saturation demand, several seeds each. Prints a table and writes
 * bench-results/traffic.json. Goal: ≥ 40 % less delay than fixed and seed on unbalanced demand.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { PhaseEngine } from '../../firmware/traffic/phase-engine.js';
import { createStrategy } from '../../firmware/traffic/strategies/index.js';
import { resolveController } from '../../firmware/traffic/site-plan.js';
import { parseScenario, type ScenarioInput } from '../../firmware/traffic/sim/scenario.js';
import { simulate } from '../../firmware/traffic/sim/simulate.js';

const SEEDS = [1, 2, 3, 4];
const DURATION_S = 7200;
const WARMUP_S = 600;

// A four-approach intersection: 2/6 main street, 4/8 side street (NEMA through phases).
const DEMANDS: Record<string, Record<string, number>> = {
  balanced: { '2': 500, '6': 500, '4': 500, '8': 500 },
  'unbalanced 3:1': { '2': 750, '6': 750, '4': 250, '8': 250 },
  'near-saturation (x≈0.9 fixed)': { '2': 700, '6': 700, '4': 700, '8': 700 },
};

const TIMING = { yellow_s: 3, red_clear_s: 1 };
const CONTROLLERS: Record<string, ScenarioInput['controller']> = {
  fixed: { type: 'fixed', cycle_s: 60, green_s: { '2': 26, '6': 26, '4': 26, '8': 26 }, ...TIMING },
  seed: { type: 'seed', ...TIMING },
  actuated: { type: 'actuated', min_green_s: 5, passage_s: 2.5, max_green_s: 45, ...TIMING },
  'max-pressure': { type: 'max-pressure', min_green_s: 5, passage_s: 2.5, max_green_s: 45, ...TIMING },
  webster: { type: 'webster', every_cycles: 4, ...TIMING },
};

interface Row {
  demand: string;
  strategy: string;
  avg_delay_s: number;
  per_seed: number[];
  sim_s_per_wall_s: number;
  trips: number;
}

const rows: Row[] = [];
let simTotal = 0;
let wallTotal = 0;
/** A fixed plan retimed for the demand by Webster (C0 = (1.5 L + 5)/(1 − Y), greens ∝ y): a fair fixed-time baseline. */
function websterFixed(volumes: Record<string, number>): ScenarioInput['controller'] {
  const y = (p: string): number => (volumes[p] ?? 0) / 1800;
  const ya = Math.max(y('2'), y('6'));
  const yb = Math.max(y('4'), y('8'));
  const L = 2 * (TIMING.yellow_s + TIMING.red_clear_s);
  const c = Math.round((1.5 * L + 5) / (1 - ya - yb));
  const ga = Math.max(5, Math.round(((c - L) * ya) / (ya + yb)));
  const gb = c - L - ga;
  return { type: 'fixed', cycle_s: c, green_s: { '2': ga, '6': ga, '4': gb, '8': gb }, ...TIMING };
}

for (const [demand, volumes] of Object.entries(DEMANDS)) {
  for (const [name, controller] of [...Object.entries(CONTROLLERS), ['fixed (Webster-timed)', websterFixed(volumes)] as const]) {
    const per: number[] = [];
    let sim = 0;
    let wall = 0;
    let trips = 0;
    for (const seed of SEEDS) {
      const s = parseScenario({
        duration_s: DURATION_S,
        warmup_s: WARMUP_S,
        seed,
        arrivals: 'poisson',
        saturation_vph: 1800,
        startup_lost_s: 2,
        yellow_used_s: 2,
        volumes_vph: volumes,
        controller,
      });
      const { result, info } = simulate(s);
      per.push(result.avg_delay_s);
      trips += result.monitor_trips.length;
      sim += info.simulated_s;
      wall += info.wall_ms / 1000;
    }
    simTotal += sim;
    wallTotal += wall;
    rows.push({
      demand,
      strategy: name,
      avg_delay_s: round(per.reduce((a, b) => a + b, 0) / per.length),
      per_seed: per,
      sim_s_per_wall_s: Math.round(sim / wall),
      trips,
    });
  }
}

const pad = (s: string, n: number): string => s.padEnd(n);
console.log(`traffic simulator: ${SEEDS.length} seeds × ${DURATION_S} s per cell (first ${WARMUP_S} s not counted), Poisson arrivals, s = 1800 veh/h`);
console.log(`${pad('demand', 32)}${pad('strategy', 24)}${pad('avg delay s', 13)}${pad('vs fixed', 10)}${pad('vs seed', 10)}${pad('sim s/wall s', 14)}trips`);
for (const r of rows) {
  const fixed = rows.find((x) => x.demand === r.demand && x.strategy === 'fixed')!.avg_delay_s;
  const seed = rows.find((x) => x.demand === r.demand && x.strategy === 'seed')!.avg_delay_s;
  const rel = (b: number): string => (r.strategy === 'fixed' && b === fixed) || (r.strategy === 'seed' && b === seed) ? '—' : `${Math.round((1 - r.avg_delay_s / b) * 100)} %`;
  console.log(`${pad(r.demand, 32)}${pad(r.strategy, 24)}${pad(r.avg_delay_s.toFixed(2), 13)}${pad(rel(fixed), 10)}${pad(rel(seed), 10)}${pad(String(r.sim_s_per_wall_s), 14)}${r.trips}`);
}
console.log(`overall: ${Math.round(simTotal / wallTotal)} simulated s per wall s (${Math.round(simTotal / 3600)} simulated hours in ${wallTotal.toFixed(1)} s)`);
const unb = rows.filter((r) => r.demand.startsWith('unbalanced'));
const best = Math.min(...unb.filter((r) => r.strategy === 'actuated' || r.strategy === 'max-pressure').map((r) => r.avg_delay_s));
const worstBase = Math.min(...unb.filter((r) => r.strategy === 'fixed' || r.strategy === 'seed').map((r) => r.avg_delay_s));
console.log(`goal (unbalanced, best adaptive vs better of fixed/seed ≥ 40 % less delay): ${Math.round((1 - best / worstBase) * 100)} % → ${best <= 0.6 * worstBase ? 'met' : 'NOT met'}`);
const tuned = unb.find((r) => r.strategy.startsWith('fixed (Webster'))!.avg_delay_s;
console.log(`for reference, vs a fixed plan Webster-timed for the unbalanced demand (${tuned.toFixed(2)} s): ${Math.round((1 - best / tuned) * 100)} % less delay`);

// The hot path alone: engine steps with detector traffic, counting GCs and heap growth.
const engineHot = (() => {
  const { structure, plan } = resolveController({ strategy: 'max-pressure' }, [1, 2, 3, 4, 5, 6, 7, 8]);
  const engine = new PhaseEngine(structure, plan, createStrategy(plan.strategy), {
    startupFlashMs: 0,
    detectors: structure.phases.map((p) => ({ channel: p, phase: p, maxPresenceMs: 180000, noActivityMs: 0 })),
  });
  engine.start(0);
  const STEPS = 2_000_000;
  let t = 0;
  const run = (n: number): void => {
    for (let i = 0; i < n; i++) {
      t += 100;
      const p = 1 + (i % 8);
      if (i % 13 === 0) engine.detectorChange(p, true, t);
      else if (i % 13 === 3) engine.detectorChange(p, false, t);
      engine.step(t);
    }
  };
  run(100_000); // warm up
  (globalThis as { gc?: () => void }).gc?.();
  let gcs = 0;
  const obs = new PerformanceObserver((l) => (gcs += l.getEntries().length));
  obs.observe({ entryTypes: ['gc'] });
  const heap0 = process.memoryUsage().heapUsed;
  const w0 = performance.now();
  run(STEPS);
  const wall = performance.now() - w0;
  const heap1 = process.memoryUsage().heapUsed;
  obs.disconnect();
  return { steps: STEPS, ns_per_step: Math.round((wall * 1e6) / STEPS), gcs, heap_growth_kb: Math.round((heap1 - heap0) / 1024) };
})();
console.log(
  `engine hot path (8 phases, max-pressure, detector edges, no listeners): ${engineHot.steps} steps, ${engineHot.ns_per_step} ns/step, ${engineHot.gcs} GCs, heap growth ${engineHot.heap_growth_kb} KiB`,
);

mkdirSync('bench-results', { recursive: true });
writeFileSync(
  'bench-results/traffic.json',
  JSON.stringify({ seeds: SEEDS, duration_s: DURATION_S, warmup_s: WARMUP_S, sim_s_per_wall_s: Math.round(simTotal / wallTotal), rows, engine_hot_path: engineHot }, null, 2),
);

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
