import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FleetPlanner } from '../../firmware/fleet/planner.js';

const tasks = [
  { id: 'refit-temp', compute: 2, mem_mb: 300, data_mb: 0 },
  { id: 'refit-vib', compute: 2, mem_mb: 300, data_mb: 0 },
  { id: 'counts', compute: 1, mem_mb: 100, data_mb: 4, source: 'c1' },
  { id: 'report', compute: 1, mem_mb: 100, data_mb: 0 },
];
const cap = { cpu: 1, mem_mb: 1024, bw_mbps: 100 };
const ga = { seed: 1, maxGenerations: 20, timeLimitMs: 10_000 };

describe('fleet planner', () => {
  it('spreads tasks over the nodes that joined', () => {
    const p = new FleetPlanner(tasks, { ga });
    p.join('c1', cap);
    const plan = p.join('c2', cap)!;
    assert.equal(plan.reason, 'join c2');
    assert.equal(Object.keys(plan.assignment).length, 4);
    assert.equal(plan.makespan, 3); // 2+1 | 2+1
    assert.ok(plan.byNode['c1']!.length > 0 && plan.byNode['c2']!.length > 0);
  });

  it('moves every task of a node that leaves to the live ones', () => {
    const p = new FleetPlanner(tasks, { ga });
    p.join('c1', cap);
    p.join('c2', cap);
    p.join('c3', cap);
    const plan = p.leave('c2')!;
    assert.equal(plan.reason, 'leave c2');
    assert.deepEqual(Object.values(plan.assignment).filter((n) => n === 'c2'), []);
    assert.equal(Object.keys(plan.assignment).length, tasks.length);
    assert.equal(p.leave('c2'), null, 'leaving twice changes nothing');
  });

  it('re-plans when a node measures slower than planned, giving it less work', () => {
    const p = new FleetPlanner(tasks, { ga });
    p.join('c1', cap);
    p.join('c2', cap);
    const before = p.plannedLoad('c2');
    assert.equal(p.reportLoad('c2', before * 1.1), null, 'within the drift threshold');
    const plan = p.reportLoad('c2', before * 3)!;
    assert.match(plan.reason, /^drift c2 3\.00$/);
    const c2Compute = plan.byNode['c2']!.map((id) => tasks.find((t) => t.id === id)!.compute).reduce((a, b) => a + b, 0);
    const c1Compute = plan.byNode['c1']!.map((id) => tasks.find((t) => t.id === id)!.compute).reduce((a, b) => a + b, 0);
    assert.ok(c2Compute < c1Compute, `slow node kept ${c2Compute} of compute vs ${c1Compute}`);
  });

  it('reports tasks that no live node can hold', () => {
    const p = new FleetPlanner([...tasks, { id: 'huge', compute: 1, mem_mb: 5000, data_mb: 0 }], { ga });
    const plan = p.join('c1', cap)!;
    assert.deepEqual(plan.unplaced, ['huge']);
    assert.equal(Object.keys(plan.assignment).length, 4);
  });
});

describe('fleet planner, bad reports', () => {
  it('ignores a zero measurement and bounds a wild one', () => {
    const p = new FleetPlanner(tasks, { ga });
    p.join('c1', cap);
    p.join('c2', cap);
    assert.equal(p.reportLoad('c2', 0), null, 'measuring nothing is not drift');
    const plan = p.reportLoad('c2', p.plannedLoad('c2') * 1e9)!;
    assert.ok(plan, 'a huge ratio still re-plans');
    assert.ok(Number.isFinite(plan.makespan));
    assert.equal(Object.keys(plan.assignment).length, tasks.length);
  });
});
