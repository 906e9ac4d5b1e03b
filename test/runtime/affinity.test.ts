import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyAffinity, currentTid, formatCpuList, listThreads, onlineCpus, parseCpuList, planAffinity } from '../../firmware/runtime/affinity.js';

describe('CPU lists', () => {
  it('parses and formats kernel CPU lists', () => {
    assert.deepEqual(parseCpuList('0-2,5,7-8'), [0, 1, 2, 5, 7, 8]);
    assert.equal(formatCpuList([8, 0, 1, 2, 5, 7]), '0-2,5,7-8');
    assert.throws(() => parseCpuList('3-1'), /runs backwards/);
    assert.throws(() => parseCpuList('a'), /not N or N-M/);
  });
});

describe('planAffinity', () => {
  const rk3588 = { control: [4], inference: [6, 7], system: [0, 1, 2, 3] };
  const all8 = [0, 1, 2, 3, 4, 5, 6, 7];
  it('auto takes the board profile (RK3588: control on an A76, inference on the other cluster, system on A55s)', () => {
    assert.deepEqual(planAffinity('auto', rk3588, all8), rk3588);
  });
  it('auto with a profile that names no cores (the sim board) leaves affinity to the OS', () => {
    assert.equal(planAffinity('auto', { control: [], inference: [], system: [] }, [0, 1]), null);
  });
  it('off does nothing; a LIST puts control there and the rest elsewhere', () => {
    assert.equal(planAffinity('off', rk3588, all8), null);
    assert.deepEqual(planAffinity('1', undefined, [0, 1]), { control: [1], inference: [0], system: [0] });
    assert.throws(() => planAffinity('5', undefined, [0, 1]), /not online/);
  });
  it('auto drops cores that are not online here (a Pi profile on a 2-core container)', () => {
    assert.deepEqual(planAffinity('auto', { control: [3], inference: [2], system: [0, 1] }, [0, 1]), null);
  });
});

describe('threads on this machine', () => {
  it('lists this process threads, knows its own tid, and reports effective affinity after pinning (or a warning)', () => {
    const threads = listThreads();
    const me = currentTid();
    assert.equal(me, process.pid, 'the main thread id is the process id');
    assert.ok(threads.some((t) => t.tid === process.pid));
    const cpus = onlineCpus();
    const plan = planAffinity(String(cpus[cpus.length - 1]), undefined, cpus);
    const res = applyAffinity('test', plan, new Map([[process.pid, { role: 'control' as const, name: 'control' }]]), { realtime: false });
    const main = res.threads.find((t) => t.tid === process.pid)!;
    assert.equal(main.role, 'control');
    if (res.warnings.length === 0) assert.equal(main.effective, formatCpuList(plan!.control));
    else assert.match(res.warnings[0]!, /taskset/);
    // Put everything back so the rest of the test process is not confined.
    applyAffinity('restore', { control: cpus, inference: cpus, system: cpus }, new Map(), {});
  });
});
