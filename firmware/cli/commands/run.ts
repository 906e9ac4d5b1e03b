import type { Command } from 'commander';
import { CliError } from '../errors.js';

interface RunOptions {
  board?: string;
  site: string;
  duration?: string;
  json?: boolean;
  status?: string;
  affinity?: string;
  mqtt?: string;
  key?: string;
  outbox?: string;
  cpuProf?: string;
}

/** `HOST:PORT` → parts; the port may be 0 (any free port). */
export function parseHostPort(text: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(text);
  if (!m) throw new CliError(`--status: expected HOST:PORT (like 127.0.0.1:8080), got "${text}"`, 2);
  const port = Number(m[2]);
  if (port > 65535) throw new CliError(`--status: port ${port} is above 65535`, 2);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/**
 * `wayside run`: the cabinet runtime. Starts lamps, loops, sensors, detectors, the status
 * server and (when configured) the uplink; SIGINT/SIGTERM put every lamp to all-red flash,
 * flush the event log and the outbox, release the outputs and exit 0. An uncaught exception or
 * unhandled rejection anywhere puts the lamps to all-red flash too, then exits 70 with the
 * outputs still flashing (runtime/crash-guard.ts).
 */
export function register(program: Command): void {
  program
    .command('run')
    .description('run the cabinet: controller, conflict monitor, sensors, anomaly detection, status server, uplink')
    .requiredOption('--site <file>', 'site file (YAML)')
    .option('--board <id>', 'auto | sim | a board id (default: the site file\'s board)')
    .option('--duration <s>', 'stop after this many seconds (default: until SIGINT/SIGTERM)')
    .option('--json', 'print a JSON summary at exit')
    .option('--status <host:port>', 'status server address (default from the site, 127.0.0.1:8080; port 0 = any free port)')
    .option('--affinity <mode>', 'auto | off | CPU list for the control thread (e.g. 3)')
    .option('--mqtt <url>', 'uplink broker URL (overrides the site file)')
    .option('--key <file>', 'uplink Fernet key file (overrides the site file)')
    .option('--outbox <file>', 'uplink outbox file (default: the site\'s uplink.outbox.path; with --mqtt and no uplink section $STATE_DIRECTORY or /var/lib/wayside)')
    .option('--cpu-prof <dir>', 'write a V8 CPU profile of the control thread to DIR at exit')
    .action(async (opts: RunOptions) => {
      const duration = opts.duration === undefined ? undefined : Number(opts.duration);
      if (duration !== undefined && !(duration > 0)) throw new CliError(`--duration: must be a positive number of seconds, got "${opts.duration}"`, 2);
      if (opts.affinity !== undefined && !/^(auto|off|\d+(-\d+)?(,\d+(-\d+)?)*)$/.test(opts.affinity)) {
        throw new CliError(`--affinity: expected auto, off or a CPU list like 3 or 0-1, got "${opts.affinity}"`, 2);
      }
      const status = opts.status ? parseHostPort(opts.status) : undefined;

      const { loadSite, SiteError } = await import('../../site/load.js');
      let site;
      try {
        site = await loadSite(opts.site);
      } catch (err) {
        if (err instanceof SiteError) throw new CliError(err.message, 1);
        throw err;
      }
      const board = await resolveBoard(opts.board ?? site.board);
      // The same checks as `wayside check`, before any output is touched: a pin used twice or a
      // pin that is not a GPIO line must never be driven as a lamp.
      const { checkSite } = await import('../../site/check.js');
      const problems = checkSite(site, board);
      if (problems.length > 0) {
        throw new CliError(`${opts.site}: ${problems.length} problem(s) on ${board.id}\n` + problems.map((p) => `  ${p.path}: ${p.message}`).join('\n'), 1);
      }
      const json = !!opts.json;
      const print = json ? null : (line: string) => process.stdout.write(`${line}\n`);

      let profiler: import('../../runtime/cpu-profile.js').CpuProfiler | null = null;
      if (opts.cpuProf) {
        const { CpuProfiler } = await import('../../runtime/cpu-profile.js');
        profiler = new CpuProfiler();
        await profiler.start();
      }
      const watchdog = await loadWatchdog();
      const { startCabinet, stopCabinet } = await import('../../runtime/cabinet.js');
      let cabinet: import('../../runtime/cabinet.js').Cabinet | undefined;
      // From here on, a stray exception or rejection anywhere ends in all-red flash, then exit 70.
      const { installCrashGuard } = await import('../../runtime/crash-guard.js');
      installCrashGuard({ runtime: () => cabinet?.runtime ?? null });
      try {
        cabinet = await startCabinet({
          site,
          siteFile: opts.site,
          board,
          ...(status ? { status } : {}),
          ...(opts.affinity ? { affinity: opts.affinity } : {}),
          ...(opts.mqtt ? { mqtt: opts.mqtt } : {}),
          ...(opts.key ? { key: opts.key } : {}),
          ...(opts.outbox ? { outbox: opts.outbox } : {}),
          print,
          ...(watchdog ? { watchdog } : {}),
        });
      } catch (err) {
        const e = err as Error & { code?: string };
        if (e.code === 'EADDRINUSE' || /EADDRINUSE/.test(e.message)) {
          throw new CliError(`status server: ${e.message}; choose another with --status HOST:PORT`, 3);
        }
        if (e.name === 'UplinkConfigError' || e.name === 'ChipOptionsError' || e.name === 'OutboxPathError') throw new CliError(`${opts.site}: ${e.message}`, 1);
        throw err;
      }
      if (print) {
        print(`wayside ${site.id} on ${board.name} (${board.id})`);
        if (cabinet.sim) print(cabinet.sim.describe());
        if (cabinet.runtime.statusUrl) print(`dashboard: ${cabinet.runtime.statusUrl}/  (metrics ${cabinet.runtime.statusUrl}/metrics, health ${cabinet.runtime.statusUrl}/healthz)`);
        if (cabinet.runtime.eventLogPath) print(`event log: ${cabinet.runtime.eventLogPath}`);
        if (cabinet.runtime.parts.uplink) print('uplink: on (MQTT + Fernet, durable outbox; see the dashboard for its backlog)');
        for (const m of cabinet.missing) print(`not running: ${m}`);
        print('Ctrl-C to stop (lamps go to all-red flash first)');
      }

      const reason = await new Promise<string>((resolve) => {
        const onSignal = (sig: NodeJS.Signals) => resolve(sig);
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        if (duration !== undefined) setTimeout(() => resolve(`--duration ${duration}s elapsed`), duration * 1000).unref();
      });
      const summary = await stopCabinet(cabinet, reason);
      if (profiler && opts.cpuProf) {
        const file = await profiler.stop(opts.cpuProf);
        if (print) print(`CPU profile: ${file} (wayside profile ${file})`);
        else process.stderr.write(`CPU profile: ${file}\n`);
      }
      if (json) process.stdout.write(JSON.stringify(summary) + '\n');
      else print!(`stopped: ${summary.samples} samples, ${summary.alerts} alerts, ${summary.phase_changes} phase changes, ${summary.monitor_trips} monitor trips, peak RSS ${summary.peak_rss_mb} MB`);
      process.exitCode = 0;
      // Worker threads and sockets are closed; exit now rather than wait for stray timers.
      setImmediate(() => process.exit(0));
    });
}

async function resolveBoard(id: string) {
  const boards = await import('../../../boards/index.js');
  if (id === 'auto') {
    const { readProbe } = await import('../../../boards/probe.js');
    const { detectBoard } = await import('../../../boards/detect.js');
    const r = detectBoard(await readProbe('/'));
    if ('ok' in r && r.ok === false) {
      throw new CliError(`${r.error.message}\nrun on a simulated cabinet with --board sim`, 2);
    }
    return (r as { board: import('../../../boards/types.js').BoardProfile }).board;
  }
  const b = boards.getBoard(id);
  if (!b) throw new CliError(`unknown board "${id}"; known: ${boards.BOARD_IDS.join(', ')}, or auto`, 2);
  return b;
}

/** systemd notifications when firmware/deploy/watchdog.ts is present; pets rate-limited to half the watchdog period (max 1 s). */
async function loadWatchdog(): Promise<{ ready(): void; pet(): void; stopping(): void } | null> {
  try {
    const w = await import('../../deploy/watchdog.js');
    const every = Math.min(1000, w.watchdogPingMs() ?? 1000);
    let last = -Infinity;
    return {
      ready: () => void w.notifyReady(),
      pet: () => {
        const now = performance.now();
        if (now - last < every) return;
        last = now;
        void w.notifyWatchdog();
      },
      stopping: () => void w.notifyStopping(),
    };
  } catch {
    return null;
  }
}
