import type { Command } from 'commander';
import { CliError } from '../errors.js';

interface CheckOptions {
  json?: boolean;
  board?: string;
}

/** The YAML as plain data, or undefined when it is not even valid YAML (or unreadable). */
async function rawYaml(file: string): Promise<unknown> {
  const { readFile } = await import('node:fs/promises');
  const { parseDocument } = await import('yaml');
  try {
    const doc = parseDocument(await readFile(file, 'utf8'));
    return doc.errors.length > 0 ? undefined : (doc.toJS() as unknown);
  } catch {
    return undefined;
  }
}

/**
 * `wayside check SITE`: every problem of a site file, schema and board-aware, without
 * touching hardware. Exit 0 with a one-line summary, or 1 with all problems listed.
 * `board: auto` cannot be checked against a header here (the cabinet's board is not this
 * machine): `--board NAME` supplies one, otherwise header and bus checks are skipped with a note.
 */
export function register(program: Command): void {
  program
    .command('check')
    .description('Validate a site file (schema, pins, I2C buses and addresses) without touching hardware')
    .argument('<site>', 'site YAML file')
    .option('--board <id>', 'check against this board profile (needed for board: auto)')
    .option('--json', 'machine-readable output')
    .action(async (file: string, opts: CheckOptions) => {
      const { loadSite, SiteError } = await import('../../site/load.js');
      const { checkSite, checkPartialSite, resolveSiteBoard, siteSummary } = await import('../../site/check.js');
      type Problem = { path: string; code: string; message: string };
      let problems: Problem[] = [];
      const notes: string[] = [];
      let summary: string | null = null;
      let boardId: string | null = null;
      try {
        const site = await loadSite(file);
        const resolved = resolveSiteBoard(site, opts.board);
        problems = [...resolved.problems, ...checkSite(site, resolved.board)];
        boardId = resolved.board?.id ?? (opts.board ?? site.board);
        if (!resolved.board && resolved.problems.length === 0) {
          notes.push('board is auto: header pin and I2C bus checks skipped (pass --board NAME to check against a board)');
        }
        if (site.backend.gpio === 'firmata') notes.push('GPIO backend is firmata: pins are Firmata pins, header checks skipped');
        const { busLoadWarnings } = await import('../../site/bus-load.js');
        notes.push(...busLoadWarnings(site.sensors));
        summary = siteSummary(site, resolved.board);
      } catch (err) {
        if (!(err instanceof SiteError)) throw err;
        problems = err.problems.map((p) => ({ ...p, code: 'schema' }));
        // Keep going on what did validate, so one run lists every problem.
        const raw = await rawYaml(file);
        if (raw !== undefined) {
          const boardName = opts.board ?? (typeof (raw as { board?: unknown })?.board === 'string' ? (raw as { board: string }).board : 'auto');
          const resolved = resolveSiteBoard({ board: boardName } as Parameters<typeof resolveSiteBoard>[0], opts.board);
          boardId = resolved.board?.id ?? boardName;
          problems.push(...resolved.problems, ...checkPartialSite(raw, resolved.board));
        }
      }
      const ok = problems.length === 0;
      if (opts.json) {
        process.stdout.write(JSON.stringify({ ok, file, board: boardId, summary, problems, notes }, null, 2) + '\n');
        if (!ok) process.exitCode = 1;
        return;
      }
      for (const note of notes) process.stderr.write(`wayside: note: ${note}\n`);
      if (!ok) {
        throw new CliError(`${file}: ${problems.length} problem(s)\n` + problems.map((p) => `  ${p.path}: ${p.message}`).join('\n'), 1);
      }
      process.stdout.write(`ok: ${file}: ${summary}\n`);
    });
}
