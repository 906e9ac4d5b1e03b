import { CostModel } from './cost-model.js';
import { listSchedule, lpt, lptOrder, memoryOrder } from './greedy.js';
import { improve, repairMemory, Workspace } from './local-search.js';
import { lowerBound } from './lower-bound.js';
import { ProblemError, type Problem } from './problem.js';
import { Rng } from './rng.js';

export interface GaOptions {
  seed?: number;
  /** Wall-clock budget. The run is reproducible from the seed whenever it ends by `maxGenerations` or by reaching the lower bound first. */
  timeLimitMs?: number;
  maxGenerations?: number;
  population?: number;
  elite?: number;
  /** Injected for tests; defaults to performance.now(). */
  now?: () => number;
}

export interface Schedule {
  assignment: Record<string, string>;
  makespan: number;
  lower_bound: number;
  lpt_makespan: number | null;
  generations: number;
  elapsed_ms: number;
}

interface Individual {
  genes: Int32Array;
  makespan: number;
  /** Tie-break: sum of squared loads, lower is better balanced (more room for the next improvement). */
  spread: number;
}

/**
 * A memetic genetic algorithm for the fleet's makespan problem: tournament selection,
 * uniform crossover, move/swap mutation, memory repair, move/swap local search on every
 * child, elitism. The population is seeded with LPT and other greedy schedules, so the result
 * is never worse than LPT.
 */
export function schedule(problem: Problem, options: GaOptions = {}): Schedule {
  const now = options.now ?? (() => performance.now());
  const t0 = now();
  const model = new CostModel(problem);
  const lb = lowerBound(model);
  const { nTasks: T, nNodes: N } = model;
  const rng = new Rng(options.seed ?? 1);
  const ws = new Workspace(N);
  const popSize = Math.max(4, options.population ?? 30);
  const elite = Math.min(popSize - 1, Math.max(1, options.elite ?? 2));
  const timeLimit = options.timeLimitMs ?? 1000;
  const maxGen = options.maxGenerations ?? 10_000;

  const lptGenes = lpt(model);
  const lptMakespan = lptGenes ? model.makespan(lptGenes) : null;

  const finish = (genes: Int32Array): Individual => {
    repairMemory(model, genes, ws);
    const makespan = improve(model, genes, ws);
    let spread = 0;
    for (let n = 0; n < N; n++) spread += ws.loads[n]! * ws.loads[n]!;
    const feasible = model.memoryHolds(genes);
    return { genes, makespan: feasible ? makespan : Infinity, spread };
  };
  const better = (a: Individual, b: Individual): boolean =>
    a.makespan < b.makespan - 1e-12 || (Math.abs(a.makespan - b.makespan) <= 1e-12 && a.spread < b.spread);

  // Seeds: LPT as it is (kept unimproved too, so "never worse than LPT" is by construction),
  // LPT improved, memory-first greedy, and randomised greedy orders.
  const pop: Individual[] = [];
  if (lptGenes) pop.push({ genes: lptGenes.slice(), makespan: lptMakespan!, spread: Infinity }, finish(lptGenes.slice()));
  const memFirst = listSchedule(model, memoryOrder(model));
  if (memFirst) pop.push(finish(memFirst));
  const order = lptOrder(model);
  let attempts = 0;
  while (pop.length < popSize && attempts++ < popSize * 20) {
    // Perturb the LPT order a little: near-LPT lists are good and diverse.
    const o = order.slice();
    for (let k = 0; k < Math.max(1, T >> 3); k++) {
      const i = rng.int(T);
      const j = Math.min(T - 1, i + 1 + rng.int(4));
      [o[i], o[j]] = [o[j]!, o[i]!];
    }
    const g = listSchedule(model, o) ?? randomAssignment(model, rng);
    pop.push(finish(g));
  }
  if (pop.length === 0) throw new ProblemError('infeasible: no assignment of tasks fits the nodes\' memory');
  pop.sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));

  let generations = 0;
  const child = new Int32Array(T);
  while (generations < maxGen && pop[0]!.makespan > lb * (1 + 1e-9) && now() - t0 < timeLimit) {
    generations++;
    const next: Individual[] = pop.slice(0, elite);
    while (next.length < popSize) {
      const a = tournament(pop, rng, better);
      const b = tournament(pop, rng, better);
      for (let t = 0; t < T; t++) child[t] = rng.next() < 0.5 ? a.genes[t]! : b.genes[t]!;
      const mutations = 1 + rng.int(3);
      for (let k = 0; k < mutations; k++) {
        if (rng.next() < 0.5) child[rng.int(T)] = rng.int(N);
        else {
          const i = rng.int(T);
          const j = rng.int(T);
          const x = child[i]!;
          child[i] = child[j]!;
          child[j] = x;
        }
      }
      next.push(finish(child.slice()));
    }
    next.sort((x, y) => (better(x, y) ? -1 : better(y, x) ? 1 : 0));
    pop.splice(0, pop.length, ...next);
  }

  const best = pop[0]!;
  if (!Number.isFinite(best.makespan)) throw new ProblemError('infeasible: no assignment found that fits every node\'s memory');
  const assignment: Record<string, string> = {};
  problem.tasks.forEach((t, i) => (assignment[t.id] = problem.nodes[best.genes[i]!]!.id));
  return {
    assignment,
    makespan: best.makespan,
    lower_bound: lb,
    lpt_makespan: lptMakespan,
    generations,
    elapsed_ms: Math.round((now() - t0) * 1000) / 1000,
  };
}

function tournament(pop: Individual[], rng: Rng, better: (a: Individual, b: Individual) => boolean): Individual {
  let best = pop[rng.int(pop.length)]!;
  for (let k = 1; k < 3; k++) {
    const c = pop[rng.int(pop.length)]!;
    if (better(c, best)) best = c;
  }
  return best;
}

function randomAssignment(model: CostModel, rng: Rng): Int32Array {
  const g = new Int32Array(model.nTasks);
  for (let t = 0; t < model.nTasks; t++) g[t] = rng.int(model.nNodes);
  return g;
}
