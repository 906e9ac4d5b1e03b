import { BOARDS } from './index.js';
import type { Probe, ProbeCpu } from './probe.js';
import type { BoardProfile } from './types.js';

/**
 * Board detection: a pure function of a Probe. The device tree lists compatible strings
 * most specific first (`radxa,rock-5b`, `rockchip,rk3588`). A board-level string beats any
 * SoC-level one; among equals the earlier (more specific) string wins. A SoC-only match is
 * accepted but reported as such: another board with the same SoC would have another header.
 */
export type MatchLevel = 'board' | 'soc';

export interface Detected {
  readonly ok: true;
  readonly board: BoardProfile;
  /** The device-tree string that matched, and how strongly. */
  readonly matched: string;
  readonly level: MatchLevel;
}

export class UnknownBoardError extends Error {
  override readonly name = 'UnknownBoardError';
  constructor(
    readonly compatible: readonly string[],
    readonly model: string | null,
    readonly known: readonly string[],
  ) {
    const said =
      compatible.length === 0
        ? 'no /proc/device-tree/compatible (not a device-tree board?)'
        : `device tree says compatible = ${compatible.map((c) => `"${c}"`).join(', ')}${model ? `, model = "${model}"` : ''}`;
    super(`unknown board: ${said}; known boards: ${known.join(', ')}`);
  }
}

export type DetectResult = Detected | { readonly ok: false; readonly error: UnknownBoardError };

/** `nvidia,p3768-0000+p3767-*` style patterns; everything but `*` is literal. */
export function compatibleMatches(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  const re = new RegExp('^' + pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
  return re.test(value);
}

export function detectBoard(probe: Pick<Probe, 'compatible' | 'model'>, boards: readonly BoardProfile[] = BOARDS): DetectResult {
  let best: { board: BoardProfile; matched: string; level: MatchLevel; score: number } | null = null;
  probe.compatible.forEach((value, index) => {
    for (const board of boards) {
      const level: MatchLevel | null = board.compatible.some((p) => compatibleMatches(p, value))
        ? 'board'
        : board.socCompatible.some((p) => compatibleMatches(p, value))
          ? 'soc'
          : null;
      if (!level) continue;
      const score = (level === 'board' ? 1_000_000 : 0) - index;
      if (!best || score > best.score) best = { board, matched: value, level, score };
    }
  });
  if (!best) return { ok: false, error: new UnknownBoardError(probe.compatible, probe.model, boards.map((b) => b.id)) };
  const { board, matched, level } = best;
  return { ok: true, board, matched, level };
}

/**
 * The big cores. With cpu_capacity on every core: those within 80% of the biggest (two A76
 * clusters may report 1024 and 1017 from different OPP tables; an A55 reports ~530).
 * Without it: cores whose CPU part the profile calls big, else the profile's big clusters.
 */
export function bigCores(cpus: readonly ProbeCpu[], board?: BoardProfile): number[] {
  if (cpus.length > 0 && cpus.every((c) => c.capacity !== null)) {
    const max = Math.max(...cpus.map((c) => c.capacity!));
    return cpus.filter((c) => c.capacity! >= 0.8 * max).map((c) => c.id);
  }
  if (board && board.cpu.clusters.length > 0) {
    const bigParts = new Set(board.cpu.clusters.filter((c) => c.big).map((c) => c.part.toLowerCase()));
    if (cpus.length > 0 && cpus.every((c) => c.part !== null)) return cpus.filter((c) => bigParts.has(c.part!)).map((c) => c.id);
    return board.cpu.clusters.filter((c) => c.big).flatMap((c) => [...c.cores]);
  }
  return cpus.map((c) => c.id);
}

/** The `wayside boards detect --json` shape. */
export interface DetectionReport {
  board: string;
  model: string | null;
  soc: string;
  cpus: { id: number; part: string | null; capacity: number | null }[];
  bigCores: number[];
  gpioChips: { label: string; base: number; ngpio: number }[];
}

export function detectionReport(probe: Probe, board: BoardProfile): DetectionReport {
  return {
    board: board.id,
    model: probe.model,
    soc: board.soc,
    cpus: probe.cpus.map((c) => ({ id: c.id, part: c.part, capacity: c.capacity })),
    bigCores: bigCores(probe.cpus, board),
    gpioChips: probe.gpioChips.map((c) => ({ label: c.label, base: c.base, ngpio: c.ngpio })),
  };
}
