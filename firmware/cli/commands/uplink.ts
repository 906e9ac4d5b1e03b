import type { Command } from 'commander';
import type { IClientOptions } from 'mqtt';
import { CliError } from '../errors.js';

interface ConnOpts {
  mqtt: string;
  key: string[];
  ca?: string;
  cert?: string;
  clientKey?: string;
  insecure?: boolean;
  username?: string;
  passwordFile?: string;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

function connectionOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--mqtt <url>', 'broker URL (mqtt://host:1883, mqtts://host:8883)')
    .requiredOption('--key <file>', 'Fernet key file; repeat for a key ring (the first encrypts)', collect)
    .option('--ca <file>', 'CA certificate (PEM) of the broker')
    .option('--cert <file>', 'client certificate (PEM) for mutual TLS')
    .option('--client-key <file>', 'client private key (PEM) for mutual TLS')
    .option('--insecure', 'do not verify the broker certificate (bench use only)')
    .option('--username <name>', 'MQTT username')
    .option('--password-file <file>', 'file holding the MQTT password');
}

async function ringAndMqtt(o: ConnOpts): Promise<{ ring: import('../../uplink/fernet.js').MultiFernet; mqtt: IClientOptions }> {
  const { readFile } = await import('node:fs/promises');
  const { readKeyRing } = await import('../../uplink/key-file.js');
  let ring;
  try {
    ring = await readKeyRing(o.key);
  } catch (err) {
    throw new CliError(`--key: ${(err as Error).message}`, 1);
  }
  const read = async (flag: string, f: string | undefined): Promise<Buffer | undefined> => {
    if (f === undefined) return undefined;
    try {
      return await readFile(f);
    } catch (err) {
      throw new CliError(`${flag} ${f}: ${(err as Error).message}`, 3);
    }
  };
  const mqtt: IClientOptions = { rejectUnauthorized: !o.insecure };
  const ca = await read('--ca', o.ca);
  const cert = await read('--cert', o.cert);
  const key = await read('--client-key', o.clientKey);
  if (ca) mqtt.ca = ca;
  if (cert) mqtt.cert = cert;
  if (key) mqtt.key = key;
  if (o.username !== undefined) mqtt.username = o.username;
  const pw = await read('--password-file', o.passwordFile);
  if (pw) mqtt.password = pw.toString('utf8').trim();
  return { ring, mqtt };
}

/** `key=value` pairs (values parsed as JSON when they are JSON, else strings), or one JSON object. */
export function parseCommandArgs(args: string[]): Record<string, unknown> {
  if (args.length === 1 && args[0]!.trim().startsWith('{')) {
    try {
      return JSON.parse(args[0]!) as Record<string, unknown>;
    } catch (err) {
      throw new CliError(`ARGS ${args[0]}: not valid JSON: ${(err as Error).message}`, 2);
    }
  }
  const out: Record<string, unknown> = {};
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new CliError(`ARGS "${a}": expected key=value (or one JSON object)`, 2);
    const v = a.slice(eq + 1);
    let parsed: unknown = v;
    try {
      parsed = JSON.parse(v);
    } catch {
      // a plain string
    }
    out[a.slice(0, eq)] = parsed;
  }
  return out;
}

/** `wayside uplink tail|send-command`: the operator's view of a fleet's encrypted uplink. */
export function register(program: Command): void {
  const uplink = program.command('uplink').description('Encrypted MQTT uplink: follow a fleet, send commands');

  connectionOptions(uplink.command('tail'))
    .description('Print the decrypted messages of every device (wayside/+/#), reporting gaps in seq')
    .option('--json', 'one JSON object per line')
    .option('--count <n>', 'exit after N messages', (v) => Number(v))
    .option('--duration <s>', 'exit after S seconds', (v) => Number(v))
    .action(async (o: ConnOpts & { json?: boolean; count?: number; duration?: number }) => {
      const { ring, mqtt } = await ringAndMqtt(o);
      const { tailFleet } = await import('../../uplink/fleet-tail.js');
      let messages = 0;
      let gaps = 0;
      let finish!: () => void;
      const finished = new Promise<void>((r) => (finish = r));
      const out = (s: string): boolean => process.stdout.write(s + '\n');
      let client;
      try {
        client = await tailFleet({
          broker: o.mqtt,
          ring,
          mqtt: { ...mqtt, reconnectPeriod: 1000, connectTimeout: 10_000 },
          onEvent: (e) => {
            if (e.type === 'gap') {
              gaps++;
              if (o.json) out(JSON.stringify(e));
              else out(`GAP ${e.device}: missing seq ${e.from === e.to ? e.from : `${e.from}..${e.to}`} (${e.to - e.from + 1} message(s))`);
              return;
            }
            if (e.type === 'undecryptable') {
              process.stderr.write(`wayside: ${e.topic}: ${e.bytes} bytes that no key of the ring decrypts\n`);
              return;
            }
            if (e.type === 'duplicate') return; // a replay after a reconnect: already shown
            messages++;
            if (o.json) out(JSON.stringify(e));
            else {
              const { device: _d, seq: _s, ts, kind: _k, ...rest } = e.message as unknown as Record<string, unknown>;
              const when = typeof ts === 'number' ? new Date(ts).toISOString() : '-';
              out(`${when} ${e.device} ${e.kind} seq=${e.seq ?? '-'}${e.late ? ' (late)' : ''} ${JSON.stringify(rest)}`);
            }
            if (o.count !== undefined && messages >= o.count) finish();
          },
        });
      } catch (err) {
        throw new CliError(`cannot connect to ${o.mqtt}: ${(err as Error).message}`, 3);
      }
      process.stderr.write(`wayside: tail: subscribed to wayside/+/# on ${o.mqtt}\n`);
      const stop = (): void => finish();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const timer = o.duration !== undefined ? setTimeout(stop, o.duration * 1000) : undefined;
      await finished;
      if (timer) clearTimeout(timer);
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      await client.endAsync(true);
      process.stderr.write(`wayside: tail: ${messages} message(s), ${gaps} gap(s)\n`);
    });

  connectionOptions(uplink.command('send-command'))
    .description('Send an encrypted command to one device and wait for its ack (exit 1 on an error ack, 3 on no ack)')
    .requiredOption('--device <id>', 'device id (the site file id)')
    .option('--timeout <s>', 'seconds to wait for the ack', (v) => Number(v), 10)
    .option('--json', 'print the ack as JSON')
    .argument('<cmd>', 'get-state | set-plan | reset-monitor | retrain')
    .argument('[args...]', 'key=value pairs or one JSON object, e.g. plan=2')
    .action(async (cmd: string, args: string[], o: ConnOpts & { device: string; timeout: number; json?: boolean }) => {
      const { ring, mqtt } = await ringAndMqtt(o);
      const { sendCommand, CommandTimeout } = await import('../../uplink/command-sender.js');
      let ack;
      try {
        ack = await sendCommand({ broker: o.mqtt, mqtt, ring, device: o.device, cmd, args: parseCommandArgs(args), timeoutMs: o.timeout * 1000 });
      } catch (err) {
        if (err instanceof CommandTimeout) throw new CliError(err.message, 3);
        throw new CliError(`cannot reach ${o.mqtt}: ${(err as Error).message}`, 3);
      }
      if (o.json) process.stdout.write(JSON.stringify(ack) + '\n');
      else if (ack.ok) process.stdout.write(`${o.device}: ${cmd} ok${ack.result !== undefined ? ` ${JSON.stringify(ack.result)}` : ''}\n`);
      if (!ack.ok) throw new CliError(`${o.device} refused ${cmd}: ${ack.error ?? 'error'}`, 1);
    });
}
