import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readKeyRing, writeNewKeyFile } from '../../firmware/uplink/key-file.js';
import { brokerForSuite } from '../helpers/mosquitto.js';
import { TestConsumer, range } from './consumer.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');

/** Runs the device fixture and reports each line it prints. */
function startDevice(args: string[], onLine: (line: string) => void): { proc: ChildProcess; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixtures/device.ts'), ...args], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  createInterface({ input: proc.stdout! }).on('line', onLine);
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, exited };
}

describe('uplink across a kill -9 of the device process (real Mosquitto)', () => {
  const suite = brokerForSuite('wayside-crash-', { persistence: true });

  it('every message committed before the kill is delivered after the restart, and seq continues', async (t) => {
    const keyFile = join(suite.dir, 'fleet.key');
    await writeNewKeyFile(keyFile);
    const ring = await readKeyRing([keyFile]);
    const device = 'cab-crash';
    const consumer = await TestConsumer.connect(suite.broker.url, ring);
    const args = ['--broker', suite.broker.url, '--key', keyFile, '--outbox', join(suite.dir, 'outbox.sqlite'), '--device', device];
    try {
      // Run 1: kill -9 after 150 committed messages, in the middle of a burst of 40 queued back
      // to back: a few are in flight, most are only on disk.
      let committed = 0;
      const first = startDevice([...args, '--count', '100000', '--every-ms', '20', '--burst', '40'], (line) => {
        const m = /^seq (\d+)/.exec(line);
        if (m) committed = Number(m[1]);
        if (committed >= 150 && !first.proc.killed) first.proc.kill('SIGKILL');
      });
      await first.exited;
      assert.ok(committed >= 150, `device committed ${committed} before the kill`);
      const deliveredBeforeKill = consumer.seqs(device).length;
      t.diagnostic(`killed after seq ${committed}; consumer had ${deliveredBeforeKill} by then`);

      // The broker announces the death through the device's Last Will: retained "offline".
      const lastState = (): unknown => consumer.all.filter((r) => r.device === device && r.kind === 'state').at(-1)?.body.state;
      await consumer.until(() => lastState() === 'offline', 'the Last Will (state offline)');

      // Run 2: the same outbox; it must replay what was not acknowledged, then continue the seq.
      let openLine = '';
      let done = 0;
      const second = startDevice([...args, '--count', '50'], (line) => {
        if (line.startsWith('open ')) openLine = line;
        const d = /^done (\d+)/.exec(line);
        if (d) done = Number(d[1]);
      });
      await consumer.until(() => done > 0, 'the restarted device to drain', 60_000);
      const lastSeqAtOpen = Number(/last_seq=(\d+)/.exec(openLine)?.[1]);
      assert.ok(lastSeqAtOpen >= committed, `seq persisted across the kill (${lastSeqAtOpen} >= ${committed})`);
      assert.equal(done, lastSeqAtOpen + 50, 'seq continues where it stopped');
      await consumer.until(() => consumer.seqs(device).length >= done, `${done} messages`);
      assert.deepEqual(consumer.seqs(device), range(done), 'nothing lost, each seq once, in order');
      t.diagnostic(`backlog replayed at restart: ${/backlog=(\d+)/.exec(openLine)?.[1]}; duplicates dropped: ${consumer.all.filter((r) => r.kind !== 'state').length - done}`);
      assert.equal(lastState(), 'online');
      second.proc.stdin!.end();
      assert.equal(await second.exited, 0);
      await consumer.until(() => lastState() === 'offline', 'state offline after a clean close');
    } finally {
      await consumer.close();
    }
  });
});
