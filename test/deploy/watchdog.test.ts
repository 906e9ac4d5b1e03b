import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultNotifyDeps, SystemdNotifier, type NotifyDeps, type SdNotifyBinding } from '../../firmware/deploy/watchdog.js';

const noBinding = () => Promise.reject(new Error('not installed'));

/** A unix datagram socket standing in for systemd's notify socket (node cannot bind one; python can). */
async function notifySocket(count: number): Promise<{ path: string; received: Promise<string[]>; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'wayside-notify-'));
  const path = join(dir, 'notify.sock');
  const py = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("bound", flush=True)
s.settimeout(20)
for _ in range(int(sys.argv[2])):
    print(repr(s.recv(4096).decode()), flush=True)
`;
  const child = spawn('/usr/bin/python3', ['-c', py, path, String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const received = new Promise<string[]>((resolve) => {
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', () => resolve(out.split('\n').filter((l) => l.startsWith("'")).map((l) => l.slice(1, -1).replace(/\\n/g, '\n'))));
  });
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.stdout.on('data', () => out.includes('bound') && resolve());
  });
  return { path, received, close: () => rm(dir, { recursive: true, force: true }) };
}

describe('systemd notifications (firmware/deploy/watchdog.ts)', () => {
  it('outside systemd every call is a no-op', async () => {
    const n = new SystemdNotifier({ env: {}, loadBinding: noBinding, runTool: () => assert.fail('must not run') });
    assert.equal(n.enabled, false);
    assert.equal(await n.ready(), false);
    assert.equal(await n.watchdog(), false);
    assert.equal(n.watchdogMs, null);
  });

  it('reads WatchdogSec from WATCHDOG_USEC, only for this process', () => {
    const deps = (env: NodeJS.ProcessEnv): NotifyDeps => ({ env, loadBinding: noBinding, runTool: async () => 0 });
    assert.equal(new SystemdNotifier(deps({ NOTIFY_SOCKET: '/x', WATCHDOG_USEC: '5000000' })).watchdogMs, 5000);
    assert.equal(new SystemdNotifier(deps({ NOTIFY_SOCKET: '/x', WATCHDOG_USEC: '5000000', WATCHDOG_PID: String(process.pid) })).watchdogMs, 5000);
    assert.equal(new SystemdNotifier(deps({ NOTIFY_SOCKET: '/x', WATCHDOG_USEC: '5000000', WATCHDOG_PID: '1' })).watchdogMs, null);
  });

  it('prefers the sd-notify binding when it loads', async () => {
    const calls: string[] = [];
    const binding: SdNotifyBinding = { ready: () => calls.push('ready'), watchdog: () => calls.push('watchdog'), stopping: () => calls.push('stopping') };
    const n = new SystemdNotifier({ env: { NOTIFY_SOCKET: '/run/x' }, loadBinding: async () => binding, runTool: () => assert.fail('tool not needed') });
    assert.equal(await n.ready(), true);
    assert.equal(await n.watchdog(), true);
    assert.equal(await n.stopping(), true);
    assert.deepEqual(calls, ['ready', 'watchdog', 'stopping']);
  });

  it('skips a watchdog ping while the previous one is still in flight', async () => {
    let release!: () => void;
    const runs: string[][] = [];
    const n = new SystemdNotifier({
      env: { NOTIFY_SOCKET: '/run/x' },
      loadBinding: noBinding,
      runTool: (args) => {
        runs.push(args);
        return new Promise((r) => (release = () => r(0)));
      },
    });
    const first = n.watchdog();
    await new Promise((r) => setImmediate(r));
    assert.equal(await n.watchdog(), false, 'second ping skipped');
    release();
    assert.equal(await first, true);
    assert.deepEqual(runs, [[`--pid=${process.pid}`, 'WATCHDOG=1']]);
  });

  it('falls back to systemd-notify, whose datagrams reach NOTIFY_SOCKET', async () => {
    assert.equal(spawnSync('systemd-notify', ['--help']).status, 0, 'systemd-notify is needed (apt-get install systemd)');
    // systemd-notify sends the state, then BARRIER=1 (it waits until the receiver has read it).
    const sock = await notifySocket(4);
    try {
      const real = new SystemdNotifier({ ...defaultNotifyDeps(), env: { NOTIFY_SOCKET: sock.path }, loadBinding: noBinding });
      assert.equal(await real.ready(), true);
      assert.equal(await real.watchdog(), true);
      const got = await sock.received;
      assert.deepEqual(got, [`MAINPID=${process.pid}\nREADY=1`, 'BARRIER=1', `MAINPID=${process.pid}\nWATCHDOG=1`, 'BARRIER=1']);
    } finally {
      await sock.close();
    }
  });
});
