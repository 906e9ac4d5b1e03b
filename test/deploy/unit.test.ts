import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BOARDS, getBoard } from '../../boards/index.js';
import { cpuList, renderUnit } from '../../firmware/deploy/unit.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wayside-unit-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function verify(text: string): Promise<{ status: number | null; stderr: string; exposure: number }> {
  const file = join(dir, 'wayside.service');
  await writeFile(file, text);
  const v = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
  assert.ok(!v.error, `systemd-analyze is needed (apt-get install systemd): ${v.error?.message}`);
  const s = spawnSync('systemd-analyze', ['security', '--offline=true', '--no-pager', file], { encoding: 'utf8' });
  return { status: v.status, stderr: v.stderr, exposure: Number(/Overall exposure level for wayside\.service: ([\d.]+)/.exec(s.stdout)?.[1]) };
}

describe('wayside.service from the board profile', () => {
  it('CPU lists in systemd syntax', () => {
    assert.equal(cpuList([4, 6, 7, 0, 1, 2, 3]), '0-4 6-7');
    assert.equal(cpuList([3, 1, 2, 0]), '0-3');
    assert.equal(cpuList([5, 1, 2, 3, 0, 4]), '0-5');
    assert.equal(cpuList([0, 2, 4]), '0 2 4');
  });

  it('every board yields a unit that systemd-analyze verifies, with exposure <= 4.0', async () => {
    for (const board of BOARDS.filter((b) => b.id !== 'sim')) {
      const text = await renderUnit({ boardId: board.id, board, node: process.execPath, watchdogSec: 5 });
      const cores = [...board.affinity.control, ...board.affinity.inference, ...board.affinity.system];
      assert.ok(text.includes(`\nCPUAffinity=${cpuList(cores)}\n`), board.id);
      assert.ok(text.includes(`\nNice=${board.nice}\n`), board.id);
      const r = await verify(text);
      assert.equal(r.status, 0, `${board.id}: ${r.stderr}`);
      assert.ok(r.exposure > 0 && r.exposure <= 4.0, `${board.id}: exposure ${r.exposure}`);
    }
  });

  it('a sysfs-GPIO board (Jetson Nano) keeps /sys writable; chardev boards get ProtectKernelTunables', async () => {
    const nano = await renderUnit({ boardId: 'jetson-nano', board: getBoard('jetson-nano')!, node: process.execPath, watchdogSec: 5 });
    assert.doesNotMatch(nano, /^ProtectKernelTunables=yes$/m);
    const pi5 = await renderUnit({ boardId: 'raspberry-pi-5', board: getBoard('raspberry-pi-5')!, node: process.execPath, watchdogSec: 5 });
    assert.match(pi5, /^ProtectKernelTunables=yes$/m);
  });

  it('board auto: no CPUAffinity (the runtime pins threads after detection), still verifies', async () => {
    const text = await renderUnit({ boardId: 'auto', board: null, node: process.execPath, watchdogSec: 8 });
    assert.doesNotMatch(text, /^CPUAffinity=/m);
    assert.match(text, /^ExecStart=.* run --board auto --site \/etc\/wayside\/site\.yaml$/m);
    assert.match(text, /^WatchdogSec=8s$/m);
    assert.equal((await verify(text)).status, 0);
  });
});
