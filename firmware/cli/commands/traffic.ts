import type { Command } from 'commander';
import { CliError } from '../errors.js';

/**
 * `wayside traffic simulate SCENARIO.json [--json] [--events FILE] [--atspm FILE.csv]`:
 * the intersection simulator (firmware/traffic/sim). Scenario problems exit 1 naming the field.
 */
export function register(program: Command): void {
  const traffic = program.command('traffic').description('Traffic signal controller tools');
  traffic
    .command('simulate')
    .description('Run a scenario against the real engine, strategy and conflict monitor on the sim backend')
    .argument('<scenario>', 'scenario JSON file (schema: firmware/traffic/README.md)')
    .option('--json', 'print the result as JSON')
    .option('--events <file>', 'write lamp changes and monitor trips as JSON lines')
    .option('--atspm <file>', 'write the controller event log (Indiana hi-res codes) as CSV')
    .action(async (file: string, opts: { json?: boolean; events?: string; atspm?: string }) => {
      const { readFileSync, createWriteStream } = await import('node:fs');
      const { parseScenario, ScenarioError } = await import('../../traffic/sim/scenario.js');
      const { simulate } = await import('../../traffic/sim/simulate.js');
      const { AtspmCsv } = await import('../../traffic/atspm-log.js');
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new CliError(`${file}: cannot read: ${(e as Error).message}`, 3);
      }
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (e) {
        throw new CliError(`${file}: not valid JSON: ${(e as Error).message}`, 1);
      }
      let scenario;
      try {
        scenario = parseScenario(raw);
      } catch (e) {
        if (e instanceof ScenarioError) throw new CliError(e.problems.map((p) => `${file}: ${p}`).join('\n'), 1);
        throw e;
      }
      const eventsOut = opts.events ? createWriteStream(opts.events) : undefined;
      const eventLines: string[] = [];
      const csv = opts.atspm ? new AtspmCsv(scenario.signal_id, Date.parse(scenario.start_time)) : undefined;
      const atspmOut = opts.atspm ? createWriteStream(opts.atspm) : undefined;
      if (atspmOut && csv) atspmOut.write(csv.header());
      let run;
      try {
        run = simulate(scenario, {
          events: eventsOut
            ? (line) => {
                eventLines.push(line);
                if (eventLines.length >= 4096) eventsOut.write(eventLines.splice(0).join('\n') + '\n');
              }
            : undefined,
          atspm: csv && atspmOut ? (t, code, param) => csv.add(t, code, param, (chunk) => atspmOut.write(chunk)) : undefined,
        });
      } catch (e) {
        // Plan problems (a fixed cycle that does not add up, a bad ring) come from the resolver.
        if (e instanceof Error && /^controller/.test(e.message)) throw new CliError(`${file}: ${e.message}`, 1);
        throw e;
      }
      if (eventsOut) {
        if (eventLines.length) eventsOut.write(eventLines.join('\n') + '\n');
        await new Promise<void>((res, rej) => eventsOut.end((err?: Error | null) => (err ? rej(err) : res())));
      }
      if (atspmOut && csv) {
        csv.flush((chunk) => atspmOut.write(chunk));
        await new Promise<void>((res, rej) => atspmOut.end((err?: Error | null) => (err ? rej(err) : res())));
      }
      const { result, info } = run;
      if (opts.json) {
        process.stdout.write(JSON.stringify(result) + '\n');
        return;
      }
      const lines = [
        `${file}: ${scenario.duration_s} s simulated in ${(info.wall_ms / 1000).toFixed(2)} s (${Math.round(scenario.duration_s / Math.max(0.001, info.wall_ms / 1000))} sim s per wall s)`,
        `vehicles ${result.vehicles}, average delay ${result.avg_delay_s.toFixed(2)} s`,
        ...Object.entries(result.per_phase).map(
          ([p, r]) => `  phase ${p}: ${r.vehicles} vehicles, average delay ${r.avg_delay_s.toFixed(2)} s, max queue ${r.max_queue}`,
        ),
        result.monitor_trips.length
          ? `conflict monitor tripped: ${result.monitor_trips.map((t) => `${(t.t_ms / 1000).toFixed(2)} s ${t.reason}`).join('; ')} (latched flashing red)`
          : 'conflict monitor: no trip',
        ...info.detector_faults.map((d) => `detector ${d.channel} (phase ${d.phase}) ${d.fault} at ${(d.t_ms / 1000).toFixed(1)} s → ${d.fault === 'restored' ? 'normal' : 'max recall'}`),
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}
