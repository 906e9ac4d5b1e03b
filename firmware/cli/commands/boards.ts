import type { Command } from 'commander';
import { CliError } from '../errors.js';

/** Plain text table: columns padded to their widest cell. */
function table(header: string[], rows: (string | number | null)[][]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (c === null ? '-' : String(c))))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

async function boardOrExit(id: string) {
  const { getBoard, BOARD_IDS } = await import('../../../boards/index.js');
  const board = getBoard(id);
  if (!board) throw new CliError(`unknown board "${id}"; known boards: ${BOARD_IDS.join(', ')}`, 2);
  return board;
}

async function detectOrExit(root: string) {
  const { readProbe } = await import('../../../boards/probe.js');
  const { detectBoard } = await import('../../../boards/detect.js');
  const probe = await readProbe(root);
  const found = detectBoard(probe);
  if (!found.ok) throw new CliError(`${found.error.message} (root ${root})`, 2);
  if (found.level === 'soc') {
    process.stderr.write(
      `wayside: warning: only the SoC matched ("${found.matched}" → ${found.board.id}); check the header map before wiring\n`,
    );
  }
  return { probe, board: found.board };
}

/** `wayside boards list|detect|pins`. */
export function register(program: Command): void {
  const boards = program.command('boards').description('Board profiles, detection and header pin maps');

  boards
    .command('list')
    .description('List the known board profiles')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      const { BOARDS } = await import('../../../boards/index.js');
      if (opts.json) {
        const out = BOARDS.map((b) => ({
          id: b.id,
          name: b.name,
          soc: b.soc,
          compatible: [...b.compatible, ...b.socCompatible],
          gpioBackend: b.gpioBackend,
          i2cBuses: b.i2cBuses.map((i) => i.bus),
          headerSize: b.headerSize ?? null,
          ramMb: b.ramMb,
        }));
        process.stdout.write(JSON.stringify(out, null, 2) + '\n');
        return;
      }
      process.stdout.write(
        table(
          ['ID', 'NAME', 'SOC', 'GPIO', 'I2C', 'HEADER'],
          BOARDS.map((b) => [b.id, b.name, b.soc, b.gpioBackend, b.i2cBuses.map((i) => `i2c-${i.bus}`).join(',') || '-', b.headerSize ?? '-']),
        ),
      );
    });

  boards
    .command('detect')
    .description('Detect the board from the device tree, gpiochips and CPUs under a root')
    .option('--root <dir>', 'filesystem root to probe', '/')
    .option('--json', 'machine-readable output')
    .action(async (opts: { root: string; json?: boolean }) => {
      const { detectionReport } = await import('../../../boards/detect.js');
      const { probe, board } = await detectOrExit(opts.root);
      const report = detectionReport(probe, board);
      if (opts.json) {
        process.stdout.write(JSON.stringify(report, null, 2) + '\n');
        return;
      }
      process.stdout.write(
        `board   ${report.board} (${board.name})\nmodel   ${report.model ?? '-'}\nsoc     ${report.soc}\n` +
          `cpus    ${report.cpus.map((c) => `${c.id}:${c.part ?? '?'}${c.capacity !== null ? `@${c.capacity}` : ''}`).join(' ')}\n` +
          `big     ${report.bigCores.join(',') || '-'}\n` +
          `gpio    ${report.gpioChips.map((c) => `${c.label}@${c.base}+${c.ngpio}`).join(' ') || '-'}\n`,
      );
    });

  boards
    .command('pins')
    .description('Header pins of BOARD (or `auto`) with sysfs numbers computed on this root')
    .argument('<board>', 'board id, or auto to detect it')
    .option('--root <dir>', 'filesystem root whose gpiochips give the sysfs bases', '/')
    .option('--json', 'machine-readable output')
    .action(async (id: string, opts: { root: string; json?: boolean }) => {
      const { readProbe } = await import('../../../boards/probe.js');
      const { resolvePins } = await import('../../../boards/pins.js');
      const board = id === 'auto' ? (await detectOrExit(opts.root)).board : await boardOrExit(id);
      const pins = resolvePins(board, await readProbe(opts.root));
      if (opts.json) {
        process.stdout.write(JSON.stringify(pins, null, 2) + '\n');
        return;
      }
      process.stdout.write(
        table(
          ['PIN', 'FUNCTION', 'CHIP', 'LINE', 'SYSFS', 'NAME'],
          pins.map((p) => [p.pin, p.i2cBus !== null ? `${p.function} (i2c-${p.i2cBus})` : p.function, p.chip, p.line, p.sysfs, p.name]),
        ),
      );
    });
}
