import type { CostModel } from './cost-model.js';

const EPS = 1e-12;

/**
 * Scratch space reused across calls so the GA's inner loop does not allocate.
 */
export class Workspace {
  readonly loads: Float64Array;
  readonly mem: Float64Array;
  constructor(nNodes: number) {
    this.loads = new Float64Array(nNodes);
    this.mem = new Float64Array(nNodes);
  }
}

/**
 * Moves tasks off nodes with too much memory onto nodes with room, cheapest load increase
 * first. Returns false if some node is still over its memory.
 */
export function repairMemory(model: CostModel, assign: Int32Array, ws: Workspace): boolean {
  const { nTasks: T, nNodes: N, taskMem, nodeMem } = model;
  model.evaluate(assign, ws.loads, ws.mem);
  let ok = true;
  for (let n = 0; n < N; n++) {
    // Largest tasks first: fewest moves to get under the limit.
    while (ws.mem[n]! > nodeMem[n]! + 1e-9) {
      let bestT = -1;
      let bestTo = -1;
      let bestLoad = Infinity;
      for (let t = 0; t < T; t++) {
        if (assign[t] !== n) continue;
        for (let m = 0; m < N; m++) {
          if (m === n || ws.mem[m]! + taskMem[t]! > nodeMem[m]! + 1e-9) continue;
          const l = ws.loads[m]! + model.c(t, m);
          if (l < bestLoad) {
            bestLoad = l;
            bestT = t;
            bestTo = m;
          }
        }
      }
      if (bestT < 0) {
        ok = false;
        break;
      }
      move(model, assign, ws, bestT, bestTo);
    }
  }
  return ok;
}

function move(model: CostModel, assign: Int32Array, ws: Workspace, t: number, to: number): void {
  const from = assign[t]!;
  ws.loads[from]! -= model.c(t, from);
  ws.mem[from]! -= model.taskMem[t]!;
  ws.loads[to]! += model.c(t, to);
  ws.mem[to]! += model.taskMem[t]!;
  assign[t] = to;
}

/**
 * Move/swap descent on the critical node: take a task off the most loaded node (or swap it
 * with a smaller one elsewhere) whenever that lowers the critical node without raising any
 * node to the old maximum. Each accepted step lowers the makespan or the number of nodes
 * at it, so it terminates. Memory always holds. Returns the makespan.
 */
export function improve(model: CostModel, assign: Int32Array, ws: Workspace, maxRounds = 10_000): number {
  const { nTasks: T, nNodes: N, taskMem, nodeMem } = model;
  const loads = ws.loads;
  const mem = ws.mem;
  model.evaluate(assign, loads, mem);
  for (let round = 0; round < maxRounds; round++) {
    let c = 0;
    for (let n = 1; n < N; n++) if (loads[n]! > loads[c]!) c = n;
    const top = loads[c]!;
    let bestGain = EPS;
    let bt = -1;
    let bu = -1;
    let bn = -1;
    for (let t = 0; t < T; t++) {
      if (assign[t] !== c) continue;
      const ctc = model.c(t, c);
      for (let n = 0; n < N; n++) {
        if (n === c) continue;
        const ctn = model.c(t, n);
        // move t: c → n
        if (mem[n]! + taskMem[t]! <= nodeMem[n]! + 1e-9) {
          const newMax = Math.max(top - ctc, loads[n]! + ctn);
          if (top - newMax > bestGain) {
            bestGain = top - newMax;
            bt = t;
            bu = -1;
            bn = n;
          }
        }
      }
      // swap t (on c) with u (on another node)
      for (let u = 0; u < T; u++) {
        const n = assign[u]!;
        if (n === c) continue;
        const memN = mem[n]! - taskMem[u]! + taskMem[t]!;
        const memC = mem[c]! - taskMem[t]! + taskMem[u]!;
        if (memN > nodeMem[n]! + 1e-9 || memC > nodeMem[c]! + 1e-9) continue;
        const newC = top - ctc + model.c(u, c);
        const newN = loads[n]! - model.c(u, n) + model.c(t, n);
        const newMax = Math.max(newC, newN);
        if (top - newMax > bestGain) {
          bestGain = top - newMax;
          bt = t;
          bu = u;
          bn = n;
        }
      }
    }
    if (bt < 0) break;
    if (bu < 0) {
      move(model, assign, ws, bt, bn);
    } else {
      move(model, assign, ws, bt, bn);
      move(model, assign, ws, bu, c);
    }
  }
  let m = 0;
  for (let n = 0; n < N; n++) if (loads[n]! > m) m = loads[n]!;
  return m;
}
