import type { Command } from 'commander';
import { CliError } from '../errors.js';

/**
 * `wayside anomaly score --input CSV --output CSV [--detector NAME] [--param k=v…] [--json]`
 * scores a NAB-format series (timestamp,value) and writes timestamp,value,anomaly_score, one
 * row per input row. `wayside anomaly list` names the detectors and their parameters.
 */
export function register(program: Command): void {
  const anomaly = program.command('anomaly').description('streaming anomaly detection');

  anomaly
    .command('score')
    .description('score a timestamp,value CSV and write timestamp,value,anomaly_score')
    .requiredOption('--input <csv>', 'input CSV with header timestamp,value')
    .requiredOption('--output <csv>', 'output CSV (timestamp,value,anomaly_score)')
    .option('--detector <name>', 'detector name (see `wayside anomaly list`)')
    .option('--param <k=v>', 'detector parameter override, repeatable', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--json', 'print a JSON summary')
    .action(async (opts: { input: string; output: string; detector?: string; param: string[]; json?: boolean }) => {
      const { readFile, writeFile } = await import('node:fs/promises');
      const { CsvFormatError, formatScoredCsv, parseSeriesCsv } = await import('../../anomaly/series-csv.js');
      const { DEFAULT_DETECTOR, createDetector, scoreSeries } = await import('../../anomaly/registry.js');
      const name = opts.detector ?? DEFAULT_DETECTOR;
      const params: Record<string, number> = {};
      for (const p of opts.param) {
        const m = /^([A-Za-z][A-Za-z0-9]*)=(.+)$/.exec(p);
        if (!m || !Number.isFinite(Number(m[2]))) throw new CliError(`--param ${p}: expected name=number`, 2);
        params[m[1]!] = Number(m[2]);
      }
      let detector;
      try {
        detector = createDetector(name, params);
      } catch (err) {
        throw new CliError(err instanceof Error ? err.message : String(err), 2);
      }
      let text: string;
      try {
        text = await readFile(opts.input, 'utf8');
      } catch (err) {
        throw new CliError(`${opts.input}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, 3);
      }
      let series;
      try {
        series = parseSeriesCsv(text);
      } catch (err) {
        if (err instanceof CsvFormatError) throw new CliError(`${opts.input}: ${err.message}`, 1);
        throw err;
      }
      const t0 = performance.now();
      const scores = scoreSeries(detector, series.tMs, series.values);
      const seconds = (performance.now() - t0) / 1000;
      try {
        await writeFile(opts.output, formatScoredCsv(series, scores));
      } catch (err) {
        throw new CliError(`${opts.output}: cannot write (${(err as NodeJS.ErrnoException).code ?? String(err)})`, 3);
      }
      let max = 0;
      for (const s of scores) if (s > max) max = s;
      const summary = { input: opts.input, output: opts.output, detector: name, rows: scores.length, max_score: max, seconds };
      if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else process.stdout.write(`${name}: scored ${scores.length} rows of ${opts.input} into ${opts.output} (max ${max.toFixed(3)})\n`);
    });

  anomaly
    .command('list')
    .description('list the detectors and their default parameters')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { DEFAULT_DETECTOR, detectorNames, detectorSpec } = await import('../../anomaly/registry.js');
      const rows = detectorNames().map((n) => {
        const s = detectorSpec(n);
        return { name: n, default: n === DEFAULT_DETECTOR, summary: s.summary, params: s.defaults };
      });
      if (opts.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
      else for (const r of rows) process.stdout.write(`${r.name}${r.default ? ' (default)' : ''}: ${r.summary}\n  ${Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
    });
}
