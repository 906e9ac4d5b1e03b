import type { CostModel } from './cost-model.js';

/**
 * Earliest-finish list scheduling: tasks in the given order, each onto the node where it
 * would finish first among those with memory left. With tasks sorted by decreasing size this
 * is LPT for related machines. Returns null when some task finds no node with room.
 */
export function listSchedule(model: CostModel, order: ArrayLike<number>): Int32Array | null {
  const { nNodes: N } = model;
  const assign = new Int32Array(model.nTasks).fill(-1);
  const loads = new Float64Array(N);
  const mem = new Float64Array(N);
  for (let i = 0; i < order.length; i++) {
    const t = order[i]!;
    let best = -1;
    let bestFinish = Infinity;
    for (let n = 0; n < N; n++) {
      if (mem[n]! + model.taskMem[t]! > model.nodeMem[n]! + 1e-9) continue;
      const f = loads[n]! + model.c(t, n);
      if (f < bestFinish) {
        bestFinish = f;
        best = n;
      }
    }
    if (best < 0) return null;
    assign[t] = best;
    loads[best] = bestFinish;
    mem[best]! += model.taskMem[t]!;
  }
  return assign;
}

/** Task order for LPT: largest cheapest-placement cost first (ties by index, for determinism). */
export function lptOrder(model: CostModel): Int32Array {
  const size = new Float64Array(model.nTasks);
  for (let t = 0; t < model.nTasks; t++) {
    let m = Infinity;
    for (let n = 0; n < model.nNodes; n++) m = Math.min(m, model.c(t, n));
    size[t] = m;
  }
  return Int32Array.from({ length: model.nTasks }, (_, i) => i).sort((a, b) => size[b]! - size[a]! || a - b);
}

/** Order by decreasing memory: the greedy that best survives tight memory. */
export function memoryOrder(model: CostModel): Int32Array {
  return Int32Array.from({ length: model.nTasks }, (_, i) => i).sort((a, b) => model.taskMem[b]! - model.taskMem[a]! || a - b);
}

export function lpt(model: CostModel): Int32Array | null {
  return listSchedule(model, lptOrder(model));
}
