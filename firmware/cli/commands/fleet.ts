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
}

function intOption(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`${name} must be a non-negative integer, got "${v}"`, 2);
  return n;
}
