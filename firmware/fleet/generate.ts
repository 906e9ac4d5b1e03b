import type { ProblemInput } from './problem.js';
import { Rng } from './rng.js';

export interface FamilyOptions {
  tasks: number;
  nodes: number;
  seed: number;
  /** Tasks carry input data from a random source node. */
  transfer?: boolean;
  /** Memory tight enough that it shapes the schedule (total task memory ≈ 85 % of the fleet's). */
  tightMemory?: boolean;
}

/**
 * Benchmark families: related machines (speeds 0.5–2.0), task compute 0.1–1.0, optional
 * data transfer (1–50 MB over 10–100 Mbit/s links) and optional tight memory.
 */
export function generateProblem(o: FamilyOptions): ProblemInput {
  const rng = new Rng(o.seed);
  const nodes = Array.from({ length: o.nodes }, (_, i) => ({
    id: `n${i}`,
    cpu: round(0.5 + 1.5 * rng.next()),
    mem_mb: 0,
    bw_mbps: round(10 + 90 * rng.next()),
  }));
  const tasks = Array.from({ length: o.tasks }, (_, i) => ({
    id: `t${i}`,
    compute: round(0.1 + 0.9 * rng.next()),
    mem_mb: Math.round(50 + 450 * rng.next()),
    data_mb: o.transfer ? round(1 + 49 * rng.next()) : 0,
    ...(o.transfer ? { source: `n${rng.int(o.nodes)}` } : {}),
  }));
  const totalMem = tasks.reduce((s, t) => s + t.mem_mb, 0);
  const perNode = o.tightMemory ? totalMem / 0.85 / o.nodes : totalMem;
  const maxTask = Math.max(...tasks.map((t) => t.mem_mb));
  for (const n of nodes) n.mem_mb = Math.ceil(Math.max(maxTask, perNode * (0.8 + 0.4 * rng.next())));
  return { nodes, tasks };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
