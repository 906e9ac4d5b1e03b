import createDebug from 'debug';
import type { IClientOptions, MqttClient } from 'mqtt';
import { SystemClock, type Clock, type TimerHandle } from '../../drivers/hal/clock.js';
import { CommandGate, type RejectReason } from './command-gate.js';
import type { CommandHandlers, CommandName } from './commands.js';
import type { MultiFernet } from './fernet.js';
import type { AckMessage, AlertMessage, StateMessage, TelemetryMessage } from './messages.js';
import { Outbox, type OutboxKind } from './outbox.js';
import { ReplayWindow } from './replay-window.js';
import { TelemetrySummariser } from './telemetry-summary.js';
import { topicOf } from './topics.js';

const log = createDebug('fw:uplink');

/** Error acks per second for commands that cannot be attributed (forged, unreadable). */
export const ANONYMOUS_ACKS_PER_S = 10;

export interface UplinkTls {
  ca?: Buffer | string;
  cert?: Buffer | string;
  key?: Buffer | string;
  /** Verify the broker's certificate (default true). */
  rejectUnauthorized?: boolean;
  servername?: string;
}

export interface UplinkOptions {
  device: string;
  /** mqtt://, mqtts://, ws://, wss:// */
  broker: string;
  ring: MultiFernet;
  outboxPath: string;
  outboxLimits?: { maxMessages: number; maxBytes: number };
  tls?: UplinkTls;
  username?: string;
  password?: string;
  clientId?: string;
  telemetryIntervalMs?: number;
  commandTtlS?: number;
  replayWindow?: number;
  keepaliveS?: number;
  maxInflight?: number;
  /** Wait between reconnection attempts (mqtt.js reconnectPeriod). */
  reconnectMs?: number;
  /** Schedules the telemetry interval (monotonic). */
  clock?: Clock;
  /** Wall time in ms since the epoch: message `ts`, Fernet timestamps and command freshness. */
  wallClockMs?: () => number;
  handlers?: CommandHandlers;
}

export interface UplinkStats {
  connected: boolean;
  /** The last connection error (TLS refusal, bad credentials …), null once connected. */
  last_error: string | null;
  /** Messages on disk not yet acknowledged by the broker, and their bytes. */
  backlog: number;
  backlog_bytes: number;
  last_seq: number;
  /** Outbox messages acknowledged by the broker (PUBACK) in this process. */
  sent: number;
  alerts: number;
  /** Outbox messages deleted by the bound policy (since the outbox was created). */
  dropped: number;
  dropped_telemetry: number;
  dropped_ack: number;
  raw_samples: number;
  /** raw_samples × RAW_SAMPLE_BYTES: what sending every sample would have cost. */
  raw_bytes: number;
  /** Topic + payload bytes of every message the broker acknowledged (state included). */
  uplinked_bytes: number;
  /** 1 - uplinked_bytes / raw_bytes (0 when no sample yet). */
  reduction: number;
  accepted_commands: number;
  rejected_commands: number;
  rejected_by_reason: Partial<Record<RejectReason | 'unsupported' | 'failed', number>>;
  /** Rejections of unreadable commands not answered because of the ack rate limit. */
  unanswered_rejects: number;
}

/**
 * The device side of the uplink, for the runtime. Every telemetry summary, alert and command
 * ack goes through the durable outbox first; a pump hands at most `maxInflight` of them to
 * mqtt.js (QoS 1) and deletes each on its PUBACK. mqtt.js re-sends its own in-flight packets
 * first after a reconnect (before emitting 'connect'), so the pump simply resumes after the
 * last seq it handed over and order is kept; after a restart, the pump starts from the
 * oldest message on disk. Works offline: `open` does not wait for the broker.
 */
export class Uplink {
  private readonly outbox: Outbox;
  private readonly summariser = new TelemetrySummariser();
  private readonly gate: CommandGate;
  private readonly clock: Clock;
  private readonly wall: () => number;
  private readonly topics;
  private readonly maxInflight: number;
  private handlers: CommandHandlers;
  private client!: MqttClient;
  private timer: TimerHandle | undefined;
  private intervalStartWall: number;
  private cursor = 0;
  private readonly inflight = new Set<number>();
  private anonymousAcks = { second: 0, count: 0 };
  private closing = false;
  private closed: Promise<void> | undefined;
  private lastError: string | null = null;
  private readonly waiters = new Set<() => void>();
  private readonly counters = {
    sent: 0,
    alerts: 0,
    uplinkedBytes: 0,
    accepted: 0,
    rejected: 0,
    unansweredRejects: 0,
    byReason: {} as UplinkStats['rejected_by_reason'],
  };

  private constructor(private readonly opts: UplinkOptions) {
    this.outbox = Outbox.open(opts.outboxPath, opts.outboxLimits ?? { maxMessages: 100_000, maxBytes: 64 * 1024 * 1024 });
    const window = new ReplayWindow(opts.replayWindow ?? 10_000, this.outbox.db);
    this.gate = new CommandGate(opts.device, opts.ring, opts.commandTtlS ?? 30, window);
    this.clock = opts.clock ?? new SystemClock();
    this.wall = opts.wallClockMs ?? Date.now;
    this.intervalStartWall = this.wall();
    this.maxInflight = opts.maxInflight ?? 32;
    this.handlers = { ...opts.handlers };
    this.topics = {
      telemetry: topicOf(opts.device, 'telemetry'),
      alerts: topicOf(opts.device, 'alerts'),
      state: topicOf(opts.device, 'state'),
      cmd: topicOf(opts.device, 'cmd'),
      ack: topicOf(opts.device, 'ack'),
    };
  }

  /** Opens the outbox and starts connecting in the background. */
  static async open(opts: UplinkOptions): Promise<Uplink> {
    const up = new Uplink(opts);
    await up.connect();
    up.timer = up.clock.setInterval(() => up.flush(), opts.telemetryIntervalMs ?? 60_000);
    return up;
  }

  /**
   * Queues an alert (sent at once when connected) and returns its seq. Alerts are never dropped.
   * `kind` is the message's type on the wire (always `alert`); a `kind` among the fields (the
   * runtime event's own: `alert` for an anomaly, `fault` for a fault) travels as `event_kind`
   * so that a consumer can tell a fault from an anomaly.
   */
  publishAlert(fields: Record<string, unknown>): number {
    this.counters.alerts++;
    const { kind: eventKind, ...rest } = fields;
    const extra = typeof eventKind === 'string' ? { event_kind: eventKind } : {};
    return this.enqueue('alert', this.topics.alerts, (seq, ts) => ({ ...rest, ...extra, device: this.opts.device, seq, ts, kind: 'alert' }) satisfies AlertMessage);
  }

  /** Feeds one sample into the current telemetry interval. Allocation-free; `tMs` is accepted for the runtime's convenience and not needed by the summary. */
  addSample(stream: string, _tMs: number, value: number, score = Number.NaN): void {
    this.summariser.add(stream, value, score);
  }

  /** Closes the current telemetry interval: queues its summary now. Returns its seq, or undefined if there were no samples. */
  flush(): number | undefined {
    const streams = this.summariser.take();
    const from = this.intervalStartWall;
    this.intervalStartWall = this.wall();
    if (!streams) return undefined;
    return this.enqueue('telemetry', this.topics.telemetry, (seq, ts) => ({ device: this.opts.device, seq, ts, kind: 'telemetry', from, streams }) satisfies TelemetryMessage);
  }

  /** Sets the command handlers (merged with those given before). */
  onCommand(handlers: CommandHandlers): void {
    this.handlers = { ...this.handlers, ...handlers };
  }

  stats(): UplinkStats {
    const size = this.outbox.size;
    const drops = this.outbox.dropped;
    const raw = this.summariser.rawBytes;
    return {
      connected: this.client?.connected ?? false,
      last_error: this.lastError,
      backlog: size.messages,
      backlog_bytes: size.bytes,
      last_seq: this.outbox.lastSeq,
      sent: this.counters.sent,
      alerts: this.counters.alerts,
      dropped: drops.telemetry + drops.ack,
      dropped_telemetry: drops.telemetry,
      dropped_ack: drops.ack,
      raw_samples: this.summariser.rawSamples,
      raw_bytes: raw,
      uplinked_bytes: this.counters.uplinkedBytes,
      reduction: raw > 0 ? 1 - this.counters.uplinkedBytes / raw : 0,
      accepted_commands: this.counters.accepted,
      rejected_commands: this.counters.rejected,
      rejected_by_reason: { ...this.counters.byReason },
      unanswered_rejects: this.counters.unansweredRejects,
    };
  }

  /** Resolves once the broker has acknowledged everything queued so far (false on timeout). */
  async drain(timeoutMs = 10_000): Promise<boolean> {
    return this.waitFor(() => this.outbox.size.messages === 0, timeoutMs);
  }

  /** Resolves when `cond(stats)` holds (false on timeout): e.g. wait for a connection error. */
  async waitUntil(cond: (s: UplinkStats) => boolean, timeoutMs = 10_000): Promise<boolean> {
    return this.waitFor(() => cond(this.stats()), timeoutMs);
  }

  /** Resolves once connected (false on timeout). */
  async waitConnected(timeoutMs = 10_000): Promise<boolean> {
    return this.waitFor(() => this.client.connected, timeoutMs);
  }

  /**
   * Queues the partial telemetry summary, waits up to `drainMs` for the backlog to go out,
   * announces "offline" (a clean disconnect does not trigger the Last Will) and closes. What
   * is not acknowledged stays on disk for the next start.
   */
  async close(opts: { drainMs?: number } = {}): Promise<void> {
    this.closed ??= this.shutDown(opts.drainMs ?? 2000);
    return this.closed;
  }

  private async shutDown(drainMs: number): Promise<void> {
    this.clock.clearTimer(this.timer);
    this.flush();
    if (this.client.connected && drainMs > 0) await this.drain(drainMs);
    this.closing = true;
    if (this.client.connected) {
      await within(1000, this.client.publishAsync(this.topics.state, this.stateToken('offline'), { qos: 1, retain: true }));
    }
    // A clean DISCONNECT if the broker answers in time, else just drop the connection.
    if (!(await within(1000, this.client.endAsync(!this.client.connected)))) await this.client.endAsync(true).catch(() => undefined);
    this.outbox.close();
    this.notify();
  }

  private async connect(): Promise<void> {
    const { connect } = await import('mqtt');
    const o = this.opts;
    const options: IClientOptions = {
      clientId: o.clientId ?? `wayside-${o.device}`,
      clean: true,
      keepalive: o.keepaliveS ?? 30,
      reconnectPeriod: o.reconnectMs ?? 2000,
      connectTimeout: 10_000,
      will: { topic: this.topics.state, payload: Buffer.from(this.stateToken('offline')), qos: 1, retain: true },
    };
    if (o.username !== undefined) options.username = o.username;
    if (o.password !== undefined) options.password = o.password;
    if (o.tls) {
      if (o.tls.ca !== undefined) options.ca = o.tls.ca;
      if (o.tls.cert !== undefined) options.cert = o.tls.cert;
      if (o.tls.key !== undefined) options.key = o.tls.key;
      if (o.tls.servername !== undefined) options.servername = o.tls.servername;
      options.rejectUnauthorized = o.tls.rejectUnauthorized ?? true;
    }
    this.client = connect(o.broker, options);
    this.client.on('connect', () => this.onConnect());
    this.client.on('close', () => {
      log('connection closed');
      // Refresh the Last Will for the next connection so its high-water seq is current.
      if (!this.closing && this.client.options.will) this.client.options.will.payload = Buffer.from(this.stateToken('offline'));
      this.notify();
    });
    this.client.on('error', (err) => {
      log('mqtt error: %s', err.message);
      this.lastError = err.message;
      this.notify();
    });
    this.client.on('message', (topic, payload) => {
      if (topic === this.topics.cmd) void this.handleCommand(payload.toString('utf8'));
    });
  }

  private onConnect(): void {
    log('connected to %s', this.opts.broker);
    this.lastError = null;
    this.client.subscribe(this.topics.cmd, { qos: 1 }, (err) => err && log('subscribe failed: %s', err.message));
    const state = this.stateToken('online');
    this.client.publish(this.topics.state, state, { qos: 1, retain: true }, (err) => {
      if (!err) this.counters.uplinkedBytes += this.topics.state.length + state.length;
    });
    this.pump();
    this.notify();
  }

  private enqueue(kind: OutboxKind, topic: string, build: (seq: number, ts: number) => object): number {
    if (!this.outbox.db.open) throw new Error(`uplink ${this.opts.device} is closed: ${kind} not queued`);
    const seq = this.outbox.enqueue(kind, topic, (s) => this.opts.ring.encrypt(JSON.stringify(build(s, this.wall()))));
    this.pump();
    return seq;
  }

  /** Hands queued messages to mqtt.js in seq order, at most maxInflight awaiting PUBACK. */
  private pump(): void {
    if (this.closing || !this.client?.connected) return;
    while (this.inflight.size < this.maxInflight) {
      const rows = this.outbox.pendingAfter(this.cursor, this.maxInflight - this.inflight.size);
      if (rows.length === 0) return;
      for (const row of rows) {
        const seq = row.seq;
        const bytes = row.topic.length + row.payload.length;
        this.cursor = seq;
        this.inflight.add(seq);
        this.client.publish(row.topic, row.payload, { qos: 1 }, (err) => {
          this.inflight.delete(seq);
          if (err) {
            // mqtt.js gave up on it (the client is ending): it is still on disk; send it again
            // after the next connect rather than lose it (consumers drop the duplicate by seq).
            log('publish of seq %d failed: %s', seq, err.message);
            if (seq <= this.cursor) this.cursor = seq - 1;
          } else if (this.outbox.db.open) {
            this.outbox.remove(seq);
            this.counters.sent++;
            this.counters.uplinkedBytes += bytes;
          }
          this.notify();
          this.pump();
        });
      }
    }
  }

  private async handleCommand(token: string): Promise<void> {
    const verdict = this.gate.check(token, this.wall());
    if (!verdict.ok) {
      this.reject(verdict.reason, verdict.id, verdict.cmd, `${verdict.reason}: ${verdict.detail}`);
      return;
    }
    const handler = this.handlers[verdict.cmd] as ((args: Record<string, unknown>) => unknown) | undefined;
    if (!handler) {
      this.reject('unsupported', verdict.id, verdict.cmd, `unsupported: ${verdict.cmd} is not supported on this device`);
      return;
    }
    try {
      const result = await handler(verdict.args);
      if (verdict.cmd === 'reset-monitor' && !(result as { cleared?: boolean }).cleared) {
        const why = (result as { reason?: string }).reason ?? 'local fault still present';
        this.counters.accepted++;
        this.ack(verdict.id, verdict.cmd, false, result, `refused: flash kept latched: ${why}`);
        return;
      }
      this.counters.accepted++;
      this.ack(verdict.id, verdict.cmd, true, result);
    } catch (err) {
      this.reject('failed', verdict.id, verdict.cmd, `failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private reject(reason: RejectReason | 'unsupported' | 'failed', id: string | null, cmd: string | null, error: string): void {
    log('command %s (%s) rejected: %s', id, cmd, error);
    if (reason !== 'failed') this.counters.rejected++;
    this.counters.byReason[reason] = (this.counters.byReason[reason] ?? 0) + 1;
    if (id === null && !this.anonymousAckAllowed()) {
      this.counters.unansweredRejects++;
      return;
    }
    this.ack(id, cmd, false, undefined, error);
  }

  /**
   * Rejections we cannot attribute (forged, unreadable) are answered at most
   * ANONYMOUS_ACKS_PER_S times a second: each ack costs an fsync, and whoever floods the cmd
   * topic with garbage must not be able to turn that into disk writes without bound.
   */
  private anonymousAckAllowed(): boolean {
    const second = Math.floor(this.wall() / 1000);
    if (second !== this.anonymousAcks.second) this.anonymousAcks = { second, count: 0 };
    return ++this.anonymousAcks.count <= ANONYMOUS_ACKS_PER_S;
  }

  private ack(id: string | null, cmd: string | null, ok: boolean, result?: unknown, error?: string): void {
    if (this.closing) return;
    this.enqueue('ack', this.topics.ack, (seq, ts) => {
      const m: AckMessage = { device: this.opts.device, seq, ts, kind: 'ack', command_id: id, cmd: cmd as CommandName | null, ok };
      if (result !== undefined) m.result = result;
      if (error !== undefined) m.error = error;
      return m;
    });
  }

  private stateToken(state: 'online' | 'offline'): string {
    const m: StateMessage = { device: this.opts.device, seq: this.outbox.lastSeq, ts: this.wall(), kind: 'state', state };
    return this.opts.ring.encrypt(JSON.stringify(m));
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  private waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
    if (cond()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = (): void => {
        if (cond() || this.closing) done(cond());
      };
      const done = (v: boolean): void => {
        clearTimeout(t);
        this.waiters.delete(check);
        resolve(v);
      };
      const t = setTimeout(() => done(cond()), timeoutMs);
      this.waiters.add(check);
    });
  }
}

/** True if `p` settles (either way) within `ms`; never keeps the process alive on its own. */
function within(ms: number, p: Promise<unknown>): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    t.unref();
    p.then(
      () => (clearTimeout(t), resolve(true)),
      () => (clearTimeout(t), resolve(true)),
    );
  });
}
