import { Fernet, InvalidToken, type MultiFernet } from './fernet.js';
import { commandArgs, commandMessage, isCommandName, type CommandName } from './commands.js';
import type { ReplayWindow } from './replay-window.js';

/**
 * Decides whether an incoming command token may run. In order: it must decrypt with a key of
 * the ring (forged otherwise; the HMAC is checked first), be fresh (Fernet timestamp within
 * the TTL, not from the future), be well-formed and addressed to this device, not have been
 * seen before, name an allow-listed command and carry valid arguments. Only authentic
 * commands reach the replay window, so garbage cannot fill it. Pure apart from the window.
 */
export type RejectReason = 'forged' | 'expired' | 'future' | 'malformed' | 'wrong-device' | 'replayed' | 'not-allowed' | 'bad-args';

export type Verdict =
  | { ok: true; id: string; cmd: CommandName; args: Record<string, unknown> }
  | { ok: false; id: string | null; cmd: string | null; reason: RejectReason; detail: string };

export class CommandGate {
  constructor(
    private readonly device: string,
    private readonly ring: MultiFernet,
    private readonly ttlS: number,
    private readonly window: ReplayWindow,
  ) {}

  check(token: string, nowMs: number): Verdict {
    const nowS = Math.floor(nowMs / 1000);
    let plain: Buffer;
    try {
      plain = this.ring.decrypt(token.trim(), { ttlS: this.ttlS, nowS });
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      if (err instanceof InvalidToken && (err.reason === 'expired' || err.reason === 'future')) {
        // Signed by one of our keys, only stale: read its id so the operator's ack names it
        // (a device clock gone wrong then shows up as "expired", not as a silent timeout).
        const stale = this.peek(token.trim());
        return { ok: false, id: stale?.id ?? null, cmd: stale?.cmd ?? null, reason: err.reason, detail };
      }
      return { ok: false, id: null, cmd: null, reason: 'forged', detail };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(plain.toString('utf8'));
    } catch {
      return { ok: false, id: null, cmd: null, reason: 'malformed', detail: 'not JSON' };
    }
    const msg = commandMessage.safeParse(parsed);
    if (!msg.success) {
      return { ok: false, id: null, cmd: null, reason: 'malformed', detail: msg.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
    }
    const { id, cmd, device, args } = msg.data;
    if (device !== this.device) return { ok: false, id, cmd, reason: 'wrong-device', detail: `command is for ${device}` };
    const expiresMs = (Fernet.timestampOf(token.trim()) + this.ttlS + 1) * 1000;
    if (!this.window.admit(id, nowMs, expiresMs)) return { ok: false, id, cmd, reason: 'replayed', detail: `command ${id} was already received` };
    if (!isCommandName(cmd)) return { ok: false, id, cmd, reason: 'not-allowed', detail: `${cmd} is not an allowed command` };
    const a = commandArgs[cmd].safeParse(args);
    if (!a.success) {
      return { ok: false, id, cmd, reason: 'bad-args', detail: a.error.issues.map((i) => `${i.path.join('.') || 'args'}: ${i.message}`).join('; ') };
    }
    return { ok: true, id, cmd, args: a.data as Record<string, unknown> };
  }

  /** Id and name of an authentic token, without the freshness check; never used to execute. */
  private peek(token: string): { id: string; cmd: string } | undefined {
    try {
      const m = commandMessage.safeParse(JSON.parse(this.ring.decrypt(token).toString('utf8')));
      return m.success ? { id: m.data.id, cmd: m.data.cmd } : undefined;
    } catch {
      return undefined;
    }
  }
}
