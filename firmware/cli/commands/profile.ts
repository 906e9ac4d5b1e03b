import type { Command } from 'commander';
import { CliError } from '../errors.js';

/** `wayside profile FILE [--top N] [--json]`: the hottest functions (self time) of a .cpuprofile. */
export function register(program: Command): void {
  program
    .command('profile')
    .description('print the hottest functions (by self time) of a V8 .cpuprofile (from `wayside run --cpu-prof DIR`)')
    .argument('<file>', '.cpuprofile file')
    .option('--top <n>', 'how many functions', '20')
    .option('--json', 'machine-readable output')
    .action(async (file: string, opts: { top: string; json?: boolean }) => {
      const { readFile } = await import('node:fs/promises');
      const { hottestFunctions, isCpuProfile } = await import('../../runtime/profile-report.js');
      const top = Number(opts.top);
      if (!Number.isInteger(top) || top < 1) throw new CliError(`--top: must be a positive integer, got "${opts.top}"`, 2);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        throw new CliError(`${file}: ${(err as Error).message}`, 3);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        throw new CliError(`${file}: not JSON (${(err as Error).message})`, 1);
      }
      if (!isCpuProfile(parsed)) throw new CliError(`${file}: not a V8 CPU profile (needs nodes, startTime, endTime)`, 1);
      const r = hottestFunctions(parsed, top);
      if (opts.json) {
        process.stdout.write(JSON.stringify({ file, total_ms: r.totalMs, samples: r.samples, functions: r.functions }) + '\n');
        return;
      }
      process.stdout.write(`${file}: ${r.totalMs.toFixed(0)} ms profiled, ${r.samples} samples\n`);
      process.stdout.write(`${'self ms'.padStart(9)} ${'self %'.padStart(7)} ${'total %'.padStart(8)}  function\n`);
      for (const f of r.functions) {
        process.stdout.write(
          `${f.selfMs.toFixed(1).padStart(9)} ${f.selfPct.toFixed(1).padStart(7)} ${f.totalPct.toFixed(1).padStart(8)}  ${f.name}${f.location ? `  ${f.location}` : ''}\n`,
        );
      }
    });
}
