import { spawn } from 'node:child_process';

/**
 * systemd notifications for wayside.service (Type=notify, WatchdogSec=): READY=1 once the
 * control loop runs, WATCHDOG=1 from the control loop while it is healthy, STOPPING=1 on
 * the way to the safe state. Outside systemd (no NOTIFY_SOCKET) every call is a no-op.
 *
 * Node cannot send unix datagrams, so this uses the optional `sd-notify` binding when it
 * loads, and otherwise the `systemd-notify` tool (the unit sets NotifyAccess=all because that
 * message comes from a child). systemd-notify waits for systemd to have read the message, so
 * calls are fire-and-forget and never overlap: a ping while one is in flight is skipped.
 */
export interface NotifyDeps {
  readonly env: NodeJS.ProcessEnv;
  /** Loads the native binding; rejects when it is not installed. */
  readonly loadBinding: () => Promise<SdNotifyBinding>;
  /** Runs `systemd-notify` with these arguments and environment; resolves to its exit code. */
  readonly runTool: (args: string[], env: NodeJS.ProcessEnv) => Promise<number>;
}

/** The parts of the `sd-notify` package we use. */
export interface SdNotifyBinding {
  ready(): void;
  watchdog(): void;
  stopping?(pid?: number): void;
  sendStatus?(text: string): void;
}

/** The real environment, binding loader and `systemd-notify` runner. */
export const defaultNotifyDeps = (): NotifyDeps => ({
  env: process.env,
  loadBinding: async () => {
    const name = 'sd-notify'; // a variable: tsc must not require the optional package's types
    const mod = (await import(name)) as { default?: SdNotifyBinding } & SdNotifyBinding;
    return mod.default ?? mod;
  },
  runTool: (args, env) =>
    new Promise((resolve) => {
      const child = spawn('systemd-notify', args, { stdio: 'ignore', env });
      child.on('error', () => resolve(127));
      child.on('exit', (code) => resolve(code ?? 1));
    }),
});

export class SystemdNotifier {
  private binding: SdNotifyBinding | null | undefined = undefined;
  private inFlight = false;

  constructor(private readonly deps: NotifyDeps = defaultNotifyDeps()) {}

  /** True when started by systemd with a notification socket. */
  get enabled(): boolean {
    return typeof this.deps.env['NOTIFY_SOCKET'] === 'string' && this.deps.env['NOTIFY_SOCKET'] !== '';
  }

  /** WatchdogSec as milliseconds (from WATCHDOG_USEC), or null when the watchdog is off. Ping at half of it. */
  get watchdogMs(): number | null {
    const usec = Number(this.deps.env['WATCHDOG_USEC']);
    const pid = this.deps.env['WATCHDOG_PID'];
    if (!Number.isFinite(usec) || usec <= 0) return null;
    if (pid !== undefined && Number(pid) !== process.pid) return null;
    return Math.floor(usec / 1000);
  }

  private async resolveBinding(): Promise<SdNotifyBinding | null> {
    if (this.binding === undefined) this.binding = await this.deps.loadBinding().catch(() => null);
    return this.binding;
  }

  private async send(state: 'READY=1' | 'WATCHDOG=1' | 'STOPPING=1', viaBinding: (b: SdNotifyBinding) => void): Promise<boolean> {
    if (!this.enabled) return false;
    const binding = await this.resolveBinding();
    if (binding) {
      viaBinding(binding);
      return true;
    }
    if (this.inFlight && state === 'WATCHDOG=1') return false;
    this.inFlight = true;
    try {
      return (await this.deps.runTool([`--pid=${process.pid}`, state], this.deps.env)) === 0;
    } finally {
      this.inFlight = false;
    }
  }

  ready(): Promise<boolean> {
    return this.send('READY=1', (b) => b.ready());
  }

  watchdog(): Promise<boolean> {
    return this.send('WATCHDOG=1', (b) => b.watchdog());
  }

  stopping(): Promise<boolean> {
    return this.send('STOPPING=1', (b) => b.stopping?.(process.pid));
  }
}

const shared = new SystemdNotifier();

/** READY=1: call once the control loop has started and outputs are in a known state. */
export function notifyReady(): Promise<boolean> {
  return shared.ready();
}

/** WATCHDOG=1: call from the control loop only while it is healthy (at least every watchdogMs/2). */
export function notifyWatchdog(): Promise<boolean> {
  return shared.watchdog();
}

export function notifyStopping(): Promise<boolean> {
  return shared.stopping();
}

/** Milliseconds between watchdog pings the service must keep (half of WatchdogSec), or null. */
export function watchdogPingMs(): number | null {
  const ms = shared.watchdogMs;
  return ms === null ? null : Math.floor(ms / 2);
}
