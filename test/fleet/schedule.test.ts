import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CostModel } from '../../firmware/fleet/cost-model.js';
import { schedule } from '../../firmware/fleet/genetic.js';
import { generateProblem } from '../../firmware/fleet/generate.js';
import { lpt } from '../../firmware/fleet/greedy.js';
import { lowerBound } from '../../firmware/fleet/lower-bound.js';
import { parseProblem, ProblemError } from '../../firmware/fleet/problem.js';

const hand = parseProblem({
  nodes: [
    { id: 'a', cpu: 2, mem_mb: 1000, bw_mbps: 100 },
    { id: 'b', cpu: 1, mem_mb: 1000, bw_mbps: 10 },
  ],
  tasks: [
    { id: 't1', compute: 4, mem_mb: 100, data_mb: 0 },
    { id: 't2', compute: 1, mem_mb: 100, data_mb: 5, source: 'a' },
  ],
});

describe('makespan model', () => {
  it('charges compute / cpu plus data_mb·8 / min(bw) when the task runs away from its source', () => {
    const m = new CostModel(hand);
    assert.equal(m.c(0, 0), 2); // 4 / 2
    assert.equal(m.c(0, 1), 4); // 4 / 1
    assert.equal(m.c(1, 0), 0.5); // on its source: 1 / 2, no transfer
    assert.equal(m.c(1, 1), 1 + (5 * 8) / 10); // 1 / 1 + 40 Mbit over min(100, 10)
    assert.equal(m.makespan(Int32Array.of(0, 0)), 2.5);
    assert.equal(m.makespan(Int32Array.of(1, 0)), 4);
    assert.equal(m.makespan(Int32Array.of(0, 1)), 5);
  });

  it('has a lower bound that holds and is hand-computed', () => {
    const m = new CostModel(hand);
    // max_t min_n cost = 2 (t1 on a); work bound (4 + 1) / (2 + 1) = 5/3; largest task on fastest node 4 / 2 = 2
    assert.equal(lowerBound(m), 2);
    const r = schedule(hand, { seed: 1, maxGenerations: 20 });
    assert.equal(r.makespan, 2.5);
    assert.deepEqual(r.assignment, { t1: 'a', t2: 'a' });
  });

  it('uses the work bound when it is the larger', () => {
    const p = parseProblem({
      nodes: [
        { id: 'a', cpu: 1, mem_mb: 10, bw_mbps: 1 },
        { id: 'b', cpu: 3, mem_mb: 10, bw_mbps: 1 },
      ],
      tasks: Array.from({ length: 8 }, (_, i) => ({ id: `t${i}`, compute: 1 })),
    });
    // Σ compute / Σ cpu = 8 / 4 = 2; the optimum is 2 (2 tasks on a, 6 on b).
    assert.equal(lowerBound(new CostModel(p)), 2);
    assert.equal(schedule(p, { seed: 3, maxGenerations: 50 }).makespan, 2);
  });

  it('never exceeds the optimum on random small instances (checked by brute force)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 2, max: 6 }), fc.integer({ min: 2, max: 3 }), (seed, T, N) => {
        const p = parseProblem(generateProblem({ tasks: T, nodes: N, seed, transfer: seed % 2 === 0 }));
        const m = new CostModel(p);
        let opt = Infinity;
        const a = new Int32Array(T);
        const total = N ** T;
        for (let k = 0; k < total; k++) {
          let x = k;
          for (let t = 0; t < T; t++) {
            a[t] = x % N;
            x = Math.floor(x / N);
          }
          if (m.memoryHolds(a)) opt = Math.min(opt, m.makespan(a));
        }
        assert.ok(lowerBound(m) <= opt + 1e-9, `lower bound ${lowerBound(m)} above optimum ${opt}`);
      }),
      { numRuns: 200, seed: 42 },
    );
  });
});

describe('genetic algorithm', () => {
  it('is deterministic for a seed', () => {
    const p = parseProblem(generateProblem({ tasks: 60, nodes: 8, seed: 5, transfer: true }));
    const a = schedule(p, { seed: 7, maxGenerations: 15, timeLimitMs: 60_000 });
    const b = schedule(p, { seed: 7, maxGenerations: 15, timeLimitMs: 60_000 });
    assert.deepEqual(a.assignment, b.assignment);
    assert.equal(a.makespan, b.makespan);
    assert.equal(a.generations, 15);
  });

  it('is never worse than LPT and always keeps memory, across families', () => {
    for (const [transfer, tightMemory] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      for (const seed of [1, 2, 3]) {
        const p = parseProblem(generateProblem({ tasks: 40, nodes: 6, seed, transfer, tightMemory }));
        const m = new CostModel(p);
        const r = schedule(p, { seed, maxGenerations: 10, timeLimitMs: 60_000 });
        const genes = Int32Array.from(p.tasks, (t) => p.nodes.findIndex((n) => n.id === r.assignment[t.id]));
        assert.ok(m.memoryHolds(genes), `memory violated (transfer=${transfer}, tight=${tightMemory}, seed=${seed})`);
        assert.ok(Math.abs(m.makespan(genes) - r.makespan) < 1e-9, 'reported makespan matches the assignment');
        const l = lpt(m);
        if (l) assert.ok(r.makespan <= m.makespan(l) + 1e-9, `GA ${r.makespan} worse than LPT ${m.makespan(l)}`);
        assert.ok(r.makespan >= r.lower_bound - 1e-9);
      }
    }
  });

  it('stops at the time limit', () => {
    let t = 0;
    const p = parseProblem(generateProblem({ tasks: 100, nodes: 16, seed: 1, transfer: true }));
    const r = schedule(p, { seed: 1, timeLimitMs: 50, now: () => (t += 10) });
    assert.ok(r.generations <= 5, `ran ${r.generations} generations on a 50 ms budget of 10 ms steps`);
  });

  it('names a task that fits nowhere, and a malformed field', () => {
    assert.throws(
      () => schedule(parseProblem({ nodes: [{ id: 'a', cpu: 1, mem_mb: 100, bw_mbps: 1 }], tasks: [{ id: 'big', compute: 1, mem_mb: 500 }] })),
      (e: unknown) => e instanceof ProblemError && /task "big" needs 500 MB and fits on no node/.test(e.message),
    );
    assert.throws(
      () => parseProblem({ nodes: [{ id: 'a', cpu: -1, mem_mb: 1, bw_mbps: 1 }], tasks: [{ id: 't', compute: 1, source: 'zz' }] }),
      (e: unknown) => e instanceof ProblemError && /nodes\.0\.cpu/.test(e.message) && /tasks\.0\.source: unknown node "zz"/.test(e.message),
    );
  });
});
