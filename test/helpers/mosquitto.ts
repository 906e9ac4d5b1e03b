/**
 * A real Mosquitto broker for tests: `await Mosquitto.start()` runs /usr/sbin/mosquitto on a
 * free localhost port with a config written to a temporary folder, `stop()`/`restart()`
 * stop it (SIGTERM, so it saves persistent sessions) and start it again on the same port,
 * `dispose()` stops it and removes the folder. Options: persistence (queued QoS 1 messages
 * of persistent sessions survive a restart), username/password, TLS (`makeTestPki` makes a
 * CA, server and client certificates with openssl). Fails loudly, with the install command,
 * when mosquitto or openssl is missing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';

export const MOSQUITTO = process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto';

export interface MosquittoTls {
  caFile: string;
  certFile: string;
  keyFile: string;
  /** Demand a client certificate signed by caFile (mutual TLS). Default true. */
  requireCertificate?: boolean;
}

export interface MosquittoOptions {
  /** Save persistent sessions and their queued messages across restarts. Default true. */
  persistence?: boolean;
  /** username → password; when given, anonymous clients are refused. */
  users?: Record<string, string>;
  tls?: MosquittoTls;
  /** Extra lines for mosquitto.conf. */
  extraConfig?: string[];
}

export class Mosquitto {
  private proc: ChildProcess | undefined;
  private output = '';

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly opts: MosquittoOptions,
  ) {}

  /** Starts a broker; retries on another port if the chosen one was taken meanwhile. */
  static async start(opts: MosquittoOptions = {}): Promise<Mosquitto> {
    if (!existsSync(MOSQUITTO)) {
      throw new Error(`${MOSQUITTO} not found: the uplink tests need a real broker (apt-get install mosquitto, or npm run setup:test)`);
    }
    const dir = await mkdtemp(join(tmpdir(), 'wayside-mosquitto-'));
    let lastErr: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const broker = new Mosquitto(dir, await freePort(), opts);
      try {
        await broker.writeConfig();
        await broker.launch();
        return broker;
      } catch (err) {
        lastErr = err;
      }
    }
    await rm(dir, { recursive: true, force: true });
    throw lastErr;
  }

  get url(): string {
    return `${this.opts.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** What the broker logged (for assertion messages). */
  get log(): string {
    return this.output;
  }

  /** SIGTERM and wait for the exit (Mosquitto writes its persistence file on the way out). */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || !this.running) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGTERM');
    const t = setTimeout(() => p.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** Stops the broker and removes its folder. */
  async dispose(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }

  private async writeConfig(): Promise<void> {
    const o = this.opts;
    const lines = [
      `listener ${this.port} 127.0.0.1`,
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      'log_type notice',
      'log_type information',
      `persistence ${o.persistence === false ? 'false' : 'true'}`,
      `persistence_location ${this.dir}/`,
      'autosave_interval 0',
      'max_queued_messages 100000',
    ];
    // Started as root, mosquitto drops to user "mosquitto", which cannot read our 0700 temp folder.
    if (process.getuid?.() === 0) lines.push('user root');
    if (o.users) {
      const pw = join(this.dir, 'passwd');
      await writeFile(pw, '', { mode: 0o600 });
      for (const [user, pass] of Object.entries(o.users)) {
        const r = spawnSync('/usr/bin/mosquitto_passwd', ['-b', pw, user, pass], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`mosquitto_passwd failed: ${r.error?.message ?? r.stderr}`);
      }
      lines.push('allow_anonymous false', `password_file ${pw}`);
    } else {
      lines.push('allow_anonymous true');
    }
    if (o.tls) {
      lines.push(`cafile ${o.tls.caFile}`, `certfile ${o.tls.certFile}`, `keyfile ${o.tls.keyFile}`);
      lines.push(`require_certificate ${o.tls.requireCertificate === false ? 'false' : 'true'}`);
    }
    lines.push(...(o.extraConfig ?? []));
    await writeFile(join(this.dir, 'mosquitto.conf'), lines.join('\n') + '\n');
  }

  private async launch(): Promise<void> {
    const proc = spawn(MOSQUITTO, ['-c', join(this.dir, 'mosquitto.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    const collect = (b: Buffer): void => {
      this.output += b.toString();
    };
    proc.stdout!.on('data', collect);
    proc.stderr!.on('data', collect);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`mosquitto exited at start (port ${this.port}):\n${this.output}`);
      if (await canConnect(this.port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    proc.kill('SIGKILL');
    throw new Error(`mosquitto did not listen on ${this.port} within 10 s:\n${this.output}`);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ port, host: '127.0.0.1' });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface TestPki {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A CA that signed nothing here: a client trusting it must refuse the broker. */
  otherCaCert: string;
  /** A client certificate signed by the other CA: the broker must refuse it. */
  rogueClientCert: string;
  rogueClientKey: string;
}

/**
 * Makes a throw-away PKI with openssl (EC P-256, fast): a CA, a server certificate for
 * 127.0.0.1/localhost, a client certificate, and a second CA with its own client, in `dir`.
 */
export async function makeTestPki(dir: string): Promise<TestPki> {
  const ssl = (...args: string[]): void => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.error) throw new Error(`openssl is needed to make test certificates (apt-get install openssl): ${r.error.message}`);
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed:\n${r.stderr}`);
  };
  const ca = (name: string): void =>
    ssl('req', '-x509', '-new', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`);
  const leaf = (name: string, caName: string, ext: string): void => {
    ssl('req', '-new', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.crt`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', ext);
  };
  await writeFile(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await writeFile(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  ca('ca');
  ca('other-ca');
  leaf('server', 'ca', 'server.ext');
  leaf('client', 'ca', 'client.ext');
  leaf('rogue-client', 'other-ca', 'client.ext');
  const p = (f: string): string => join(dir, f);
  return {
    dir,
    caCert: p('ca.crt'),
    serverCert: p('server.crt'),
    serverKey: p('server.key'),
    clientCert: p('client.crt'),
    clientKey: p('client.key'),
    otherCaCert: p('other-ca.crt'),
    rogueClientCert: p('rogue-client.crt'),
    rogueClientKey: p('rogue-client.key'),
  };
}

/**
 * A broker and a scratch folder for the tests of one `describe`: started before them, and
 * disposed and removed after them whatever happened. Read `broker` and `dir` inside a test.
 */
export function brokerForSuite(prefix: string, opts: MosquittoOptions = {}): { readonly broker: Mosquitto; readonly dir: string } {
  let broker: Mosquitto | undefined;
  let dir: string | undefined;
  before(async () => {
    broker = await Mosquitto.start(opts);
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  after(async () => {
    await broker?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const started = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`brokerForSuite: ${what} is made before the suite's tests; read it inside a test`);
    return v;
  };
  return {
    get broker() {
      return started(broker, 'the broker');
    },
    get dir() {
      return started(dir, 'the scratch folder');
    },
  };
}
