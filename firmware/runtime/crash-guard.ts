import type { Runtime } from './runtime.js';

/**
 * `wayside run`'s last line of defence. The conflict monitor and the flasher share the Node
 * process with everything else (uplink, status server, drivers), so an uncaught exception or
 * unhandled rejection anywhere must still end in all-red flash before the process dies:
 *
 * 1. at once, synchronously: lamps to all-red flash (the intersection's flash transfer), the
 *    error to stderr and to the event log (synchronous append);
 * 2. best effort, bounded: an alert through the uplink if it is up (the alert is already in
 *    the durable outbox, so a broker that does not answer in time gets it after the restart);
 * 3. the flash is held for at least one full flash period, so it has really been driven;
 * 4. exit EXIT_CRASH without releasing the outputs. On a real cabinet the MMU then sees the
 *    controller's heartbeat stop and holds the intersection in flash (its own relay) until a
 *    technician resets it; systemd restarts the service, which starts in start-up flash.
 *
 * A second fatal error during this sequence is logged and does not restart it; a hard timer
 * exits even if a step hangs.
 */
export const EXIT_CRASH = 70; // EX_SOFTWARE

export interface CrashGuardOptions {
  /** The runtime once started (null while starting: then there are no lamps to flash yet). */
  readonly runtime: () => Runtime | null;
  /** How long the flash is held before exit (default 1200 ms: over one 1 Hz flash period). */
  readonly holdMs?: number;
  /** Bound on the uplink's attempt to send the alert (default 1500 ms). */
  readonly uplinkMs?: number;
  /** Exit whatever happens after this long (default 5000 ms). */
  readonly hardMs?: number;
  readonly exit?: (code: number) => void;
  readonly stderr?: (text: string) => void;
}

export interface CrashGuard {
  /** The fatal error being handled, or null. */
  readonly fatal: string | null;
  uninstall(): void;
}

export function installCrashGuard(o: CrashGuardOptions): CrashGuard {
  const exit = o.exit ?? ((code: number) => process.exit(code));
  const stderr = o.stderr ?? ((text: string) => void process.stderr.write(text));
  let fatal: string | null = null;

  const onFatal = (kind: 'uncaught exception' | 'unhandled rejection', err: unknown): void => {
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    const message = err instanceof Error ? err.message : String(err);
    if (fatal !== null) {
      stderr(`wayside: another ${kind} while handling the first (${fatal}): ${detail}\n`);
      return;
    }
    fatal = `${kind}: ${message}`;
    const hard = setTimeout(() => exit(EXIT_CRASH), o.hardMs ?? 5000);
    stderr(`wayside: FATAL ${kind}: ${detail}\n`);
    const runtime = o.runtime();
    if (!runtime) {
      stderr(`wayside: the cabinet was not running yet; exiting ${EXIT_CRASH}\n`);
      clearTimeout(hard);
      exit(EXIT_CRASH);
      return;
    }
    try {
      runtime.crash(`crash: ${fatal}`);
      stderr('wayside: all-red flash engaged\n');
    } catch (e) {
      // safeState itself failed: nothing more can be done from here; the MMU's heartbeat watch takes over.
      stderr(`wayside: all-red flash could not be engaged: ${(e as Error).message}\n`);
    }
    void (async () => {
      const uplink = runtime.parts.uplink;
      await Promise.all([
        sleep(o.holdMs ?? 1200),
        uplink ? Promise.race([uplink.close(o.uplinkMs ?? 1500).catch(() => undefined), sleep((o.uplinkMs ?? 1500) + 500)]) : undefined,
      ]);
      try {
        runtime.flushEvents();
      } catch {
        /* the fault line was already written at the crash */
      }
      stderr(`wayside: exiting ${EXIT_CRASH} with the lamps in all-red flash (outputs not released; on a cabinet the MMU holds the flash)\n`);
      clearTimeout(hard);
      exit(EXIT_CRASH);
    })();
  };
  const onException = (err: unknown): void => onFatal('uncaught exception', err);
  const onRejection = (err: unknown): void => onFatal('unhandled rejection', err);
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return {
    get fatal() {
      return fatal;
    },
    uninstall() {
      process.off('uncaughtException', onException);
      process.off('unhandledRejection', onRejection);
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
