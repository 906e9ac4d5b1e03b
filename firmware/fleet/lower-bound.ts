import type { CostModel } from './cost-model.js';

/**
 * A valid lower bound on the optimal makespan (memory ignored, which only loosens it):
 * 1. every task must run somewhere: max over t of min over n of cost(t, n);
 * 2. work conservation: a node at makespan M does M·cpu_n of "speed-normalised" work, and
 *    task t placed on n costs compute_t + transfer(t, n)·cpu_n of it, so
 *    M ≥ Σ_t min_n (compute_t + transfer(t,n)·cpu_n) / Σ_n cpu_n;
 * 3. the k largest tasks occupy at most k nodes, whose speeds sum to at most the k fastest:
 *    M ≥ Σ_{j≤k} compute_(j) / Σ_{i≤k} cpu_(i) for every k (Horvath, Lam & Sethi for Q||Cmax).
 */
export function lowerBound(model: CostModel): number {
  const { nTasks: T, nNodes: N, cpu, compute } = model;
  let lb = 0;
  let work = 0;
  for (let t = 0; t < T; t++) {
    let best = Infinity;
    let bestWork = Infinity;
    for (let n = 0; n < N; n++) {
      const c = model.c(t, n);
      if (c < best) best = c;
      const w = c * cpu[n]!; // = compute_t + transfer·cpu_n
      if (w < bestWork) bestWork = w;
    }
    if (best > lb) lb = best;
    work += bestWork;
  }
  let cpuSum = 0;
  for (let n = 0; n < N; n++) cpuSum += cpu[n]!;
  lb = Math.max(lb, work / cpuSum);
  const sizes = Array.from(compute).sort((a, b) => b - a);
  const speeds = Array.from(cpu).sort((a, b) => b - a);
  let ps = 0;
  let ss = 0;
  for (let k = 0; k < Math.min(sizes.length, speeds.length); k++) {
    ps += sizes[k]!;
    ss += speeds[k]!;
    lb = Math.max(lb, ps / ss);
  }
  return lb;
}
