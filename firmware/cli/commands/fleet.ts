import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { CliError } from '../errors.js';

/** `wayside fleet schedule` (and, with the uplink, `wayside fleet coordinator`). */
export function register(program: Command): void {
  const fleet = program.command('fleet').description('fleet task scheduling');
  fleet
    .command('schedule')
    .argument('<problem>', 'problem JSON: {"nodes":[{id,cpu,mem_mb,bw_mbps}],"tasks":[{id,compute,mem_mb,data_mb,source}]}')
    .description('assign tasks to nodes minimising the makespan (genetic algorithm seeded with LPT)')
    .option('--json', 'print the result as JSON')
    .option('--seed <n>', 'random seed', '1')
    .option('--time-limit-ms <n>', 'wall-clock budget', '1000')
    .option('--generations <n>', 'stop after this many generations (reproducible runs)')
    .action(async (file: string, opts: { json?: boolean; seed: string; timeLimitMs: string; generations?: string }) => {
      const { parseProblem, ProblemError } = await import('../../fleet/problem.js');
      const { schedule } = await import('../../fleet/genetic.js');
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        throw new CliError(`${file}: ${(e as Error).message}`, 3);
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        throw new CliError(`${file}: not valid JSON: ${(e as Error).message}`);
      }
      const seed = intOption('--seed', opts.seed);
      const timeLimitMs = intOption('--time-limit-ms', opts.timeLimitMs);
      const maxGenerations = opts.generations === undefined ? undefined : intOption('--generations', opts.generations);
      try {
        const problem = parseProblem(value);
        const r = schedule(problem, { seed, timeLimitMs, ...(maxGenerations !== undefined ? { maxGenerations } : {}) });
        if (opts.json) {
          process.stdout.write(JSON.stringify(r) + '\n');
        } else {
          const gap = r.lower_bound > 0 ? ((r.makespan / r.lower_bound - 1) * 100).toFixed(2) : '0.00';
          process.stdout.write(
            `makespan ${r.makespan.toFixed(3)} s (lower bound ${r.lower_bound.toFixed(3)}, +${gap} %; LPT ${r.lpt_makespan?.toFixed(3) ?? 'infeasible'}) after ${r.generations} generations in ${r.elapsed_ms.toFixed(0)} ms\n`,
          );
          for (const [t, n] of Object.entries(r.assignment)) process.stdout.write(`  ${t} → ${n}\n`);
        }
      } catch (e) {
        if (e instanceof ProblemError) throw new CliError(`${file}: ${e.message}`);
        throw e;
      }
    });

  fleet
    .command('coordinator')
    .description('plan the fleet over MQTT: re-plan when a node joins, leaves (Last Will) or drifts from its plan')
    .requiredOption('--site <file>', 'site file whose fleet.tasks are scheduled')
    .option('--mqtt <url>', 'broker URL (overrides the site uplink.broker)')
    .option('--key <file...>', 'Fernet key file(s) (override the site uplink key)')
    .option('--json', 'print each plan as a JSON line')
    .action(async (opts: { site: string; mqtt?: string; key?: string[]; json?: boolean }) => {
      const [{ connectAsync }, { loadSite }, { fleetConnection }, { FleetCoordinator }, { dirname }] = await Promise.all([
        import('mqtt'),
        import('../../site/load.js'),
        import('../../fleet/connection.js'),
        import('../../fleet/coordinator.js'),
        import('node:path'),
      ]);
      const site = await siteOrCliError(loadSite, opts.site);
      const conn = await connectionOrCliError(() => fleetConnection(site, opts, dirname(opts.site), 'coordinator'));
      const tasks = site.fleet?.tasks ?? [];
      if (tasks.length === 0) throw new CliError(`${opts.site}: fleet.tasks is empty: nothing to schedule`);
      const client = await connectAsync(conn.url, conn.options);
      const t0 = performance.now();
      const coordinator = new FleetCoordinator(client, conn.sealer, tasks, {
        plan: (p) => {
          if (opts.json) process.stdout.write(JSON.stringify({ event: 'plan', t_ms: Math.round(performance.now() - t0), ...p }) + '\n');
          else process.stdout.write(`plan v${p.version} (${p.reason}): makespan ${p.makespan.toFixed(2)} s on ${Object.keys(p.byNode).length} node(s)${p.unplaced.length ? `, unplaced ${p.unplaced.join(', ')}` : ''}\n`);
        },
        rejected: (topic, why) => process.stderr.write(`wayside: rejected ${topic}: ${why}\n`),
      }, { driftThreshold: site.fleet?.drift_threshold ?? 0.25 });
      await coordinator.start();
      await untilSignal();
      await client.endAsync();
    });

  fleet
    .command('device')
    .description('take part in the fleet: announce capacity (Last Will = offline), receive assignments, report measured load')
    .requiredOption('--site <file>', 'site file (id and fleet.capacity)')
    .option('--mqtt <url>', 'broker URL (overrides the site uplink.broker)')
    .option('--key <file...>', 'Fernet key file(s)')
    .option('--json', 'print assignments as JSON lines')
    .option('--slowdown <x>', 'simulation: report measured load this many times the nominal (tests dynamic balancing)', '1')
    .action(async (opts: { site: string; mqtt?: string; key?: string[]; json?: boolean; slowdown: string }) => {
      const [{ connectAsync }, { loadSite }, { fleetConnection }, { FleetDevice }, { dirname }] = await Promise.all([
        import('mqtt'),
        import('../../site/load.js'),
        import('../../fleet/connection.js'),
        import('../../fleet/device-agent.js'),
        import('node:path'),
      ]);
      const site = await siteOrCliError(loadSite, opts.site);
      const conn = await connectionOrCliError(() => fleetConnection(site, opts, dirname(opts.site), 'fleet'));
      const capacity = site.fleet?.capacity ?? { cpu: 1, mem_mb: 1024, bw_mbps: 20 };
      const slowdown = Number(opts.slowdown);
      if (!(slowdown > 0)) throw new CliError(`--slowdown must be > 0, got "${opts.slowdown}"`, 2);
      const tasks = new Map((site.fleet?.tasks ?? []).map((t) => [t.id, t]));
      const device = new FleetDevice(site.id, capacity, conn.sealer, (list, m) => {
        if (opts.json) process.stdout.write(JSON.stringify({ event: 'assignment', device: site.id, version: m.version, reason: m.reason, tasks: list }) + '\n');
        else process.stdout.write(`assignment v${m.version} (${m.reason}): ${list.join(', ') || '(none)'}\n`);
      });
      const client = await connectAsync(conn.url, { ...conn.options, ...device.willOptions() });
      client.on('message', (topic, payload) => device.handle(topic, payload.toString('utf8')));
      await client.subscribeAsync(device.topics(), { qos: 1 });
      const online = device.onlineMessage();
      await client.publishAsync(online.topic, online.payload, { qos: 1, retain: true });
      // Measured load: what the assigned tasks cost on this node (the site's own task list
      // gives their compute; unknown tasks count as 0), times the simulated slowdown.
      const report = setInterval(() => {
        let measured = 0;
        for (const id of device.tasks) measured += (tasks.get(id)?.compute ?? 0) / capacity.cpu;
        const m = device.loadMessage(measured * slowdown);
        if (m) client.publish(m.topic, m.payload, { qos: 1 });
      }, Math.round((site.fleet?.report_interval_s ?? 10) * 1000));
      await untilSignal();
      clearInterval(report);
      const off = device.offlineMessage();
      await client.publishAsync(off.topic, off.payload, { qos: 1, retain: true });
      await client.endAsync();
    });
}

async function siteOrCliError<T>(load: (f: string) => Promise<T>, file: string): Promise<T> {
  try {
    return await load(file);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

async function connectionOrCliError<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw new CliError((e as Error).message, 2);
  }
}

/** Resolves on SIGINT or SIGTERM, so the caller can leave cleanly (offline message, flushed client). */
function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

function intOption(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`${name} must be a non-negative integer, got "${v}"`, 2);
  return n;
}
