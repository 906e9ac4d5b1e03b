import type { IClientOptions, MqttClient } from 'mqtt';
import type { MultiFernet } from './fernet.js';
import { isSequenced, type UplinkMessage } from './messages.js';
import { SeqTracker } from './seq-tracker.js';
import { FLEET_FILTER, parseTopic, type TopicKind } from './topics.js';

/**
 * Follows a fleet: subscribes to wayside/+/#, decrypts each message, drops duplicates by seq
 * and reports gaps, for `wayside uplink tail` (and anything else that consumes the uplink).
 */
export type TailEvent =
  | { type: 'message'; topic: string; device: string; kind: TopicKind; seq: number; message: UplinkMessage; late: boolean }
  | { type: 'duplicate'; topic: string; device: string; seq: number }
  | { type: 'gap'; device: string; from: number; to: number }
  | { type: 'undecryptable'; topic: string; bytes: number };

export interface TailOptions {
  broker: string;
  ring: MultiFernet;
  mqtt?: IClientOptions;
  /** Topic filter, default wayside/+/#. */
  filter?: string;
  onEvent: (e: TailEvent) => void;
}

export async function tailFleet(o: TailOptions): Promise<MqttClient> {
  const { connectAsync } = await import('mqtt');
  const client = await connectAsync(o.broker, { clean: true, reconnectPeriod: 1000, ...o.mqtt });
  const tracker = new SeqTracker();
  client.on('message', (topic, payload) => {
    const t = parseTopic(topic);
    if (!t) return;
    let message: UplinkMessage;
    try {
      message = JSON.parse(o.ring.decrypt(payload.toString('utf8')).toString('utf8')) as UplinkMessage;
    } catch {
      o.onEvent({ type: 'undecryptable', topic, bytes: payload.length });
      return;
    }
    const device = typeof message.device === 'string' ? message.device : t.device;
    let late = false;
    if (isSequenced(message)) {
      const v = tracker.see(device, message.seq);
      if (v.kind === 'duplicate') {
        o.onEvent({ type: 'duplicate', topic, device, seq: message.seq });
        return;
      }
      if (v.kind === 'gap') o.onEvent({ type: 'gap', device, from: v.from, to: v.to });
      late = v.kind === 'late';
    }
    o.onEvent({ type: 'message', topic, device, kind: t.kind, seq: message.seq, message, late });
  });
  await client.subscribeAsync(o.filter ?? FLEET_FILTER, { qos: 1 });
  return client;
}
