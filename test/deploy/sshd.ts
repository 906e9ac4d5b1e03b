import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real OpenSSH server for tests: listens on 127.0.0.1 only, on a free port, with a throwaway
 * host key and a freshly generated client key as the only authorized key. It runs in the
 * foreground as a child of the test (`sshd -D -e`), so it dies with `stop()` and never
 * outlives the test as a daemon. Logins as root (the tests run as root) by key only.
 */
export interface TestSshd {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** Private key the client logs in with. */
  readonly identity: string;
  /** ssh client options for this server (`-i`, `-p`, no host key checking, no prompts). */
  readonly clientArgs: string[];
  /** What sshd printed so far (-e: its log goes to stderr). */
  log(): string;
  stop(): Promise<void>;
}

const SSHD = '/usr/sbin/sshd';

function keygen(file: string): void {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'wayside-test', '-f', file], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`ssh-keygen failed (apt-get install openssh-client): ${r.error?.message ?? r.stderr}`);
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((ok, fail) => srv.once('error', fail).listen(0, '127.0.0.1', ok));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((ok) => srv.close(() => ok()));
  return port;
}

export async function startSshd(): Promise<TestSshd> {
  if (!existsSync(SSHD)) throw new Error(`${SSHD} not found: the ssh tests need a real sshd (apt-get install openssh-server openssh-client)`);
  // sshd refuses to start without its privilege separation directory; the Debian package
  // creates it only when its systemd service starts, which a container never does.
  if (!existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 });
  const dir = await mkdtemp(join(tmpdir(), 'wayside-sshd-'));
  keygen(join(dir, 'host_key'));
  keygen(join(dir, 'client_key'));
  await writeFile(join(dir, 'authorized_keys'), await readFile(join(dir, 'client_key.pub')));
  const port = await freePort();
  const config = join(dir, 'sshd_config');
  await writeFile(config, [
    'ListenAddress 127.0.0.1',
    `Port ${port}`,
    `HostKey ${join(dir, 'host_key')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    // The temp dir's modes are not what sshd expects of ~/.ssh; PAM is not set up in a container.
    'StrictModes no',
    'UsePAM no',
    'PrintMotd no',
    'X11Forwarding no',
    'AllowTcpForwarding no',
    'LogLevel VERBOSE',
    '',
  ].join('\n'));

  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const listening = new Promise<void>((ok, fail) => {
    const onData = () => {
      if (log.includes(`Server listening on 127.0.0.1 port ${port}`)) done(ok);
    };
    const onExit = (code: number | null, signal: string | null) =>
      done(() => fail(new Error(`sshd exited (${code ?? signal}) before listening:\n${log}`)));
    const onError = (err: Error) => done(() => fail(new Error(`cannot run ${SSHD}: ${err.message}`)));
    // Not a timed assertion: only a guard against a silent hang if sshd neither listens nor exits.
    const timer = setTimeout(() => done(() => { child.kill('SIGKILL'); fail(new Error(`sshd did not listen within 20 s:\n${log}`)); }), 20_000);
    const done = (then: () => void) => {
      clearTimeout(timer);
      child.stderr!.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      then();
    };
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
  try {
    await listening;
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  const identity = join(dir, 'client_key');
  return {
    host: '127.0.0.1',
    port,
    identity,
    clientArgs: ['-i', identity, '-p', String(port), '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes',
      '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR'],
    log: () => log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
