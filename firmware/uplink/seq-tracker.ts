/**
 * What a consumer does with `seq`: drop duplicates (a message replayed after a reconnect or a
 * restart) and report gaps (a message lost). Per device; pure, so `wayside uplink tail`, the
 * fleet side and the tests share it.
 */
export type SeqVerdict =
  | { kind: 'new' }
  | { kind: 'duplicate' }
  /** Messages `from`..`to` (inclusive) were skipped; this one is new. */
  | { kind: 'gap'; from: number; to: number }
  /** Lower than the highest seen and not seen before: a late arrival filling a reported gap. */
  | { kind: 'late' };

export class SeqTracker {
  private readonly devices = new Map<string, { high: number; late: Set<number> }>();

  /** The highest seq seen from `device` (0 if none). */
  high(device: string): number {
    return this.devices.get(device)?.high ?? 0;
  }

  see(device: string, seq: number): SeqVerdict {
    let d = this.devices.get(device);
    if (!d) {
      // The first message we see from a device sets the baseline: a consumer started late
      // has not lost the earlier ones.
      d = { high: seq, late: new Set() };
      this.devices.set(device, d);
      return { kind: 'new' };
    }
    if (seq === d.high + 1) {
      d.high = seq;
      return { kind: 'new' };
    }
    if (seq > d.high + 1) {
      const gap = { kind: 'gap' as const, from: d.high + 1, to: seq - 1 };
      for (let s = gap.from; s <= gap.to && d.late.size < 100_000; s++) d.late.add(s);
      d.high = seq;
      return gap;
    }
    if (d.late.delete(seq)) return { kind: 'late' };
    return { kind: 'duplicate' };
  }
}
