import { randomUUID } from 'node:crypto';
import type { IClientOptions } from 'mqtt';
import type { MultiFernet } from './fernet.js';
import type { AckMessage, StateMessage } from './messages.js';
import { topicOf } from './topics.js';

/**
 * The operator side of remote commands: builds a command token and sends it to one device,
 * then waits for the device's ack on wayside/<id>/ack with the same command id.
 */
export interface CommandToken {
  id: string;
  token: string;
}

export function makeCommandToken(
  ring: MultiFernet,
  device: string,
  cmd: string,
  args: Record<string, unknown> = {},
  opts: { id?: string; nowS?: number } = {},
): CommandToken {
  const id = opts.id ?? randomUUID();
  const nowS = opts.nowS ?? Math.floor(Date.now() / 1000);
  const token = ring.encrypt(JSON.stringify({ id, device, cmd, args, ts: nowS * 1000 }), { nowS });
  return { id, token };
}

export class CommandTimeout extends Error {
  override readonly name = 'CommandTimeout';
}

export interface SendCommandOptions {
  broker: string;
  mqtt?: IClientOptions;
  ring: MultiFernet;
  device: string;
  cmd: string;
  args?: Record<string, unknown>;
  timeoutMs?: number;
}

/**
 * Sends the command and resolves with its ack (ok or not); rejects with CommandTimeout if none
 * comes within `timeoutMs` in all.
 *
 * It publishes only once the device's retained state reads `online`. A device subscribes to
 * its command topic before it publishes that state, so from then on the broker delivers the
 * command; published earlier (a device still starting, or offline), the command would be
 * dropped and the operator would wait out the timeout for nothing. The timeout then says what
 * the device last reported.
 */
export async function sendCommand(o: SendCommandOptions): Promise<AckMessage> {
  const { connectAsync } = await import('mqtt');
  const timeoutMs = o.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  const left = () => Math.max(0, deadline - Date.now());
  const client = await withTimeout(
    connectAsync(o.broker, { reconnectPeriod: 0, connectTimeout: timeoutMs, clean: true, ...o.mqtt }),
    timeoutMs,
    () => `no connection to ${o.broker} within ${timeoutMs} ms`,
  );
  try {
    const { id, token } = makeCommandToken(o.ring, o.device, o.cmd, o.args ?? {});
    const stateTopic = topicOf(o.device, 'state');
    let lastState: StateMessage | null = null;
    let markOnline = (): void => {};
    const online = new Promise<void>((resolve) => (markOnline = resolve));
    const ack = new Promise<AckMessage>((resolve) => {
      client.on('message', (topic, payload) => {
        let m: AckMessage | StateMessage;
        try {
          m = JSON.parse(o.ring.decrypt(payload.toString('utf8')).toString('utf8')) as AckMessage | StateMessage;
        } catch {
          return; // not ours, or not readable with our keys: keep waiting
        }
        if (topic === stateTopic && m.kind === 'state' && m.device === o.device) {
          lastState = m;
          if (m.state === 'online') markOnline();
        } else if (m.kind === 'ack' && m.command_id === id) resolve(m);
      });
    });
    // Subscribe before publishing so a fast device's ack cannot be missed.
    await client.subscribeAsync([topicOf(o.device, 'ack'), stateTopic], { qos: 1 });
    await withTimeout(online, left(), () => {
      const s = lastState as StateMessage | null;
      const seen = s ? `its last state is ${s.state}, at ${new Date(s.ts).toISOString()}` : 'it has published no state readable with these keys';
      return `${o.device} is not online within ${timeoutMs} ms (${seen}); ${o.cmd} not sent`;
    });
    await client.publishAsync(topicOf(o.device, 'cmd'), token, { qos: 1 });
    return await withTimeout(ack, left(), () => `no ack from ${o.device} for ${o.cmd} (${id}) within ${timeoutMs} ms (device offline, or not sharing this key?)`);
  } finally {
    await client.endAsync(true).catch(() => undefined);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, message: () => string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new CommandTimeout(message())), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
