import type Database from 'better-sqlite3';

/**
 * Remembers the ids of accepted commands until their Fernet TTL has run out, so a captured
 * command cannot be played again while it is still fresh. Ids older than the TTL need not be
 * remembered: the TTL check refuses them. Kept in memory and, when a database is given, in
 * the outbox's SQLite file, so a device restarted within the TTL still refuses the replay.
 * `capacity` bounds memory: it should exceed (commands per second × TTL); past it the
 * soonest-expiring ids are forgotten first.
 */
export class ReplayWindow {
  private readonly seen = new Map<string, number>(); // id → expiry (wall ms), in insertion order
  private readonly stmts;

  constructor(
    private readonly capacity: number,
    db?: Database.Database,
  ) {
    if (db) {
      db.exec('CREATE TABLE IF NOT EXISTS seen_commands (id TEXT PRIMARY KEY, expires_ms INTEGER NOT NULL)');
      this.stmts = {
        add: db.prepare('INSERT OR REPLACE INTO seen_commands (id, expires_ms) VALUES (?, ?)'),
        purge: db.prepare('DELETE FROM seen_commands WHERE expires_ms < ?'),
        forget: db.prepare('DELETE FROM seen_commands WHERE id = ?'),
      };
      const rows = db.prepare('SELECT id, expires_ms FROM seen_commands ORDER BY expires_ms').all() as { id: string; expires_ms: number }[];
      for (const r of rows) this.seen.set(r.id, r.expires_ms);
    }
  }

  get size(): number {
    return this.seen.size;
  }

  /** True the first time `id` is offered (and records it until `expiresMs`), false on a replay. */
  admit(id: string, nowMs: number, expiresMs: number): boolean {
    const known = this.seen.get(id);
    if (known !== undefined && known >= nowMs) return false;
    this.purge(nowMs);
    this.seen.delete(id);
    this.seen.set(id, expiresMs);
    this.stmts?.add.run(id, expiresMs);
    while (this.seen.size > this.capacity) {
      const oldest = this.seen.keys().next().value as string;
      this.seen.delete(oldest);
      this.stmts?.forget.run(oldest);
    }
    return true;
  }

  private purge(nowMs: number): void {
    for (const [id, exp] of this.seen) {
      if (exp >= nowMs) break; // insertion order ≈ expiry order: stop at the first live one
      this.seen.delete(id);
    }
    this.stmts?.purge.run(nowMs);
  }
}
