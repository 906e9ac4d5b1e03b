/**
 * A fleet-side subscriber for the uplink tests: a persistent MQTT session (clean: false,
 * QoS 1) on wayside/+/#, so the broker queues for it across its own restart; decrypts every
 * message and deduplicates by seq as a real consumer must.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { MultiFernet } from '../../firmware/uplink/fernet.js';
import { isSequenced } from '../../firmware/uplink/messages.js';
import { SeqTracker } from '../../firmware/uplink/seq-tracker.js';
import { FLEET_FILTER, parseTopic } from '../../firmware/uplink/topics.js';

export interface Received {
  topic: string;
  kind: string;
  device: string;
  seq: number;
  body: Record<string, unknown>;
}

export class TestConsumer {
  /** Every decrypted message, duplicates included, in arrival order. */
  readonly all: Received[] = [];
  /** Sequenced messages after dropping duplicates by seq, in arrival order. */
  readonly unique: Received[] = [];
  readonly undecryptable: string[] = [];
  readonly tracker = new SeqTracker();
  private waiters: (() => void)[] = [];

  private constructor(readonly client: MqttClient) {}

  static async connect(url: string, ring: MultiFernet, opts: mqtt.IClientOptions = {}): Promise<TestConsumer> {
    const client = await mqtt.connectAsync(url, {
      clientId: `test-consumer-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
      clean: false,
      reconnectPeriod: 200,
      ...opts,
    });
    const c = new TestConsumer(client);
    const seen = new Map<string, Set<number>>();
    client.on('message', (topic, payload) => {
      const t = parseTopic(topic);
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(ring.decrypt(payload.toString('utf8')).toString('utf8')) as Record<string, unknown>;
      } catch {
        c.undecryptable.push(topic);
        return;
      }
      const r: Received = { topic, kind: t?.kind ?? '?', device: String(body.device), seq: Number(body.seq), body };
      c.all.push(r);
      if (isSequenced(body)) {
        let s = seen.get(r.device);
        if (!s) seen.set(r.device, (s = new Set()));
        if (!s.has(r.seq)) {
          s.add(r.seq);
          c.unique.push(r);
        }
      }
      for (const w of c.waiters) w();
    });
    await client.subscribeAsync(FLEET_FILTER, { qos: 1 });
    return c;
  }

  /** Waits until `cond` holds (rejects with `what` after `timeoutMs`: a hang, not a timing assertion). */
  async until(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    if (cond()) return;
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (!cond()) return;
        clearTimeout(t);
        clearInterval(poll);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve();
      };
      // Re-checked on every message, and every 50 ms for conditions outside the consumer.
      const poll = setInterval(check, 50);
      const t = setTimeout(() => {
        clearInterval(poll);
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      this.waiters.push(check);
    });
  }

  seqs(device: string): number[] {
    return this.unique.filter((r) => r.device === device).map((r) => r.seq);
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

/** 1..n */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}
