import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The durable outbox: every uplink message is committed here before it is handed to MQTT and
 * deleted only when the broker's PUBACK for it arrives, so neither a broker outage nor a
 * power cut (or `kill -9`) loses one. It also owns the device's `seq` counter, allocated in
 * the same transaction as the insert: a seq is never reused and never skipped, even across
 * restarts, which is what lets consumers deduplicate replays and spot gaps.
 *
 * Why SQLite (better-sqlite3, WAL, synchronous=FULL) and not an fsync'd append log: the
 * outbox needs ordered replay, deletion from the middle on PUBACK (acks may arrive out of
 * order), counted size-bounding by message kind, and a counter updated atomically with each
 * insert. A log would need compaction, an ack side-file and crash-consistency between the
 * two; SQLite gives all of it in one file, and with WAL + FULL a commit is fsync'd before
 * `enqueue` returns. The cost is one fsync per message: fine for one telemetry summary per
 * interval plus alerts (see test/bench/uplink.bench.ts for the measured rate).
 *
 * Bound policy: when more than `maxMessages` messages or `maxBytes` payload bytes are queued,
 * the oldest telemetry summaries are deleted first, then the oldest command acks; alerts are
 * never deleted, even if that leaves the outbox over its bound. Every deletion is counted
 * (persistently) per kind.
 */
export type OutboxKind = 'telemetry' | 'alert' | 'ack';

export interface OutboxRow {
  seq: number;
  kind: OutboxKind;
  topic: string;
  payload: string;
}

export interface OutboxLimits {
  maxMessages: number;
  maxBytes: number;
}

export interface OutboxDrops {
  telemetry: number;
  ack: number;
}

export class Outbox {
  private readonly stmts;
  private count = 0;
  private bytes = 0;
  private seq = 0;
  private readonly drops: OutboxDrops = { telemetry: 0, ack: 0 };

  private constructor(
    readonly db: Database.Database,
    private readonly limits: OutboxLimits,
  ) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(`
      CREATE TABLE IF NOT EXISTS outbox (
        seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, topic TEXT NOT NULL, payload TEXT NOT NULL, bytes INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS outbox_by_kind ON outbox (kind, seq);
      CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    `);
    this.stmts = {
      insert: db.prepare('INSERT INTO outbox (seq, kind, topic, payload, bytes) VALUES (?, ?, ?, ?, ?)'),
      remove: db.prepare('DELETE FROM outbox WHERE seq = ? RETURNING bytes'),
      after: db.prepare('SELECT seq, kind, topic, payload FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?'),
      oldest: db.prepare('SELECT seq, bytes FROM outbox WHERE kind = ? ORDER BY seq LIMIT 1'),
      removeOldest: db.prepare('DELETE FROM outbox WHERE seq = ?'),
      setCounter: db.prepare('INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'),
      counters: db.prepare('SELECT name, value FROM counters'),
      totals: db.prepare('SELECT count(*) AS n, coalesce(sum(bytes), 0) AS b FROM outbox'),
    };
    for (const { name, value } of this.stmts.counters.all() as { name: string; value: number }[]) {
      if (name === 'seq') this.seq = value;
      if (name === 'dropped_telemetry') this.drops.telemetry = value;
      if (name === 'dropped_ack') this.drops.ack = value;
    }
    const t = this.stmts.totals.get() as { n: number; b: number };
    this.count = t.n;
    this.bytes = t.b;
  }

  static open(path: string, limits: OutboxLimits): Outbox {
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      return new Outbox(new Database(path), limits);
    } catch (err) {
      throw new Error(`uplink.outbox.path ${path}: cannot open the outbox: ${(err as Error).message}`);
    }
  }

  /** The last seq handed out (0 before the first message ever). */
  get lastSeq(): number {
    return this.seq;
  }

  get size(): { messages: number; bytes: number } {
    return { messages: this.count, bytes: this.bytes };
  }

  get dropped(): Readonly<OutboxDrops> {
    return this.drops;
  }

  /**
   * Allocates the next seq, lets `build` turn it into the payload (the encrypted message that
   * carries it), and commits both before returning. Returns the seq.
   */
  enqueue(kind: OutboxKind, topic: string, build: (seq: number) => string): number {
    return this.db.transaction(() => {
      const seq = this.seq + 1;
      const payload = build(seq);
      const bytes = Buffer.byteLength(payload);
      this.stmts.insert.run(seq, kind, topic, payload, bytes);
      this.stmts.setCounter.run('seq', seq);
      this.seq = seq;
      this.count++;
      this.bytes += bytes;
      this.enforceBound();
      return seq;
    }).immediate();
  }

  /** Messages with seq greater than `afterSeq`, oldest first. */
  pendingAfter(afterSeq: number, limit: number): OutboxRow[] {
    return this.stmts.after.all(afterSeq, limit) as OutboxRow[];
  }

  /** Called on PUBACK. Removing a seq that is gone (dropped, or acked twice) is harmless. */
  remove(seq: number): void {
    const row = this.stmts.remove.get(seq) as { bytes: number } | undefined;
    if (row) {
      this.count--;
      this.bytes -= row.bytes;
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private enforceBound(): void {
    while (this.count > this.limits.maxMessages || this.bytes > this.limits.maxBytes) {
      if (!this.dropOldest('telemetry') && !this.dropOldest('ack')) return; // only alerts left: keep them
    }
  }

  private dropOldest(kind: 'telemetry' | 'ack'): boolean {
    const row = this.stmts.oldest.get(kind) as { seq: number; bytes: number } | undefined;
    if (!row) return false;
    this.stmts.removeOldest.run(row.seq);
    this.count--;
    this.bytes -= row.bytes;
    this.drops[kind]++;
    this.stmts.setCounter.run(`dropped_${kind}`, this.drops[kind]);
    return true;
  }
}
