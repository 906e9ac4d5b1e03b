import { ProblemError, type Problem } from './problem.js';

/**
 * The makespan model, precomputed into flat typed arrays so the GA's inner loops are
 * arithmetic only:
 *   cost(t, n) = compute_t / cpu_n + (source_t ≠ n ? data_mb_t · 8 / min(bw(source_t), bw(n)) : 0)
 *   load(n)    = Σ cost(t, n) over the tasks on n;  makespan = max load.
 * Tasks on a node must fit its memory.
 */
export class CostModel {
  readonly nTasks: number;
  readonly nNodes: number;
  /** cost[t * nNodes + n], seconds. */
  readonly cost: Float64Array;
  readonly taskMem: Float64Array;
  readonly nodeMem: Float64Array;
  readonly compute: Float64Array;
  readonly cpu: Float64Array;

  constructor(readonly problem: Problem) {
    const { nodes, tasks } = problem;
    this.nTasks = tasks.length;
    this.nNodes = nodes.length;
    this.cost = new Float64Array(this.nTasks * this.nNodes);
    this.taskMem = Float64Array.from(tasks, (t) => t.mem_mb);
    this.nodeMem = Float64Array.from(nodes, (n) => n.mem_mb);
    this.compute = Float64Array.from(tasks, (t) => t.compute);
    this.cpu = Float64Array.from(nodes, (n) => n.cpu);
    const index = new Map(nodes.map((n, i) => [n.id, i]));
    tasks.forEach((t, ti) => {
      const src = t.source === undefined ? -1 : (index.get(t.source) ?? -1);
      nodes.forEach((n, ni) => {
        let c = t.compute / n.cpu;
        if (src >= 0 && src !== ni && t.data_mb > 0) c += (t.data_mb * 8) / Math.min(nodes[src]!.bw_mbps, n.bw_mbps);
        this.cost[ti * this.nNodes + ni] = c;
      });
    });
    // A task bigger than every node's memory can never be placed: say which.
    for (let t = 0; t < this.nTasks; t++) {
      let fits = false;
      for (let n = 0; n < this.nNodes && !fits; n++) fits = this.taskMem[t]! <= this.nodeMem[n]!;
      if (!fits) {
        const maxMem = Math.max(...this.nodeMem);
        throw new ProblemError(`infeasible: task "${tasks[t]!.id}" needs ${tasks[t]!.mem_mb} MB and fits on no node (largest has ${maxMem} MB)`);
      }
    }
  }

  c(t: number, n: number): number {
    return this.cost[t * this.nNodes + n]!;
  }

  /** Fills `loads` and `mem` for an assignment; returns the makespan. */
  evaluate(assign: Int32Array, loads: Float64Array, mem: Float64Array): number {
    loads.fill(0);
    mem.fill(0);
    for (let t = 0; t < this.nTasks; t++) {
      const n = assign[t]!;
      loads[n]! += this.cost[t * this.nNodes + n]!;
      mem[n]! += this.taskMem[t]!;
    }
    let m = 0;
    for (let n = 0; n < this.nNodes; n++) if (loads[n]! > m) m = loads[n]!;
    return m;
  }

  makespan(assign: Int32Array): number {
    return this.evaluate(assign, new Float64Array(this.nNodes), new Float64Array(this.nNodes));
  }

  memoryHolds(assign: Int32Array): boolean {
    const mem = new Float64Array(this.nNodes);
    for (let t = 0; t < this.nTasks; t++) mem[assign[t]!]! += this.taskMem[t]!;
    for (let n = 0; n < this.nNodes; n++) if (mem[n]! > this.nodeMem[n]! + 1e-9) return false;
    return true;
  }
}
