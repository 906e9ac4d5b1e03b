import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What the running system says about itself, read from a filesystem root (`/` on a board,
 * a fixture directory in tests). Reading is the only I/O in board detection: detect.ts and
 * pins.ts are pure functions of this object. Missing files give empty / null fields, never
 * an exception, because a container or an old kernel lacks some of them.
 */
export interface ProbeCpu {
  readonly id: number;
  /** `CPU part` from /proc/cpuinfo (`0xd0b`), null on CPUs that do not report it (x86). */
  readonly part: string | null;
  /** /sys/devices/system/cpu/cpuN/cpu_capacity (1024 = the biggest core), null when absent. */
  readonly capacity: number | null;
}

export interface ProbeGpioChip {
  /** Directory name under /sys/class/gpio (`gpiochip512`). */
  readonly dir: string;
  readonly label: string;
  readonly base: number;
  readonly ngpio: number;
}

export interface Probe {
  readonly root: string;
  /** /proc/device-tree/compatible, NUL-separated, most specific first. */
  readonly compatible: readonly string[];
  readonly model: string | null;
  readonly gpioChips: readonly ProbeGpioChip[];
  readonly cpus: readonly ProbeCpu[];
  readonly memTotalKb: number | null;
}

async function text(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

async function list(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

/** Device-tree strings end in NUL and are NUL-separated. */
export function splitNul(raw: string): string[] {
  return raw.split('\0').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** `processor : N` blocks of /proc/cpuinfo → id → CPU part (arm64 repeats the part per core). */
export function parseCpuinfo(raw: string): Map<number, string | null> {
  const parts = new Map<number, string | null>();
  let current: number | null = null;
  for (const line of raw.split('\n')) {
    const m = /^([^:]+?)\s*:\s*(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1]!.trim().toLowerCase();
    const value = m[2]!.trim();
    if (key === 'processor' && /^\d+$/.test(value)) {
      current = Number(value);
      parts.set(current, null);
    } else if (key === 'cpu part' && current !== null) {
      parts.set(current, value.toLowerCase());
    }
  }
  return parts;
}

export function parseMemTotalKb(raw: string): number | null {
  const m = /^MemTotal:\s+(\d+)\s*kB/m.exec(raw);
  return m ? Number(m[1]) : null;
}

async function readGpioChips(root: string): Promise<ProbeGpioChip[]> {
  const base = join(root, 'sys/class/gpio');
  const chips: ProbeGpioChip[] = [];
  for (const dir of await list(base)) {
    if (!/^gpiochip\d+$/.test(dir)) continue;
    const label = (await text(join(base, dir, 'label')))?.trim();
    const b = Number((await text(join(base, dir, 'base')))?.trim());
    const n = Number((await text(join(base, dir, 'ngpio')))?.trim());
    if (!label || !Number.isInteger(b) || !Number.isInteger(n)) continue;
    chips.push({ dir, label, base: b, ngpio: n });
  }
  return chips.sort((a, b) => a.base - b.base);
}

async function readCpus(root: string): Promise<ProbeCpu[]> {
  const parts = parseCpuinfo((await text(join(root, 'proc/cpuinfo'))) ?? '');
  const ids = new Set(parts.keys());
  const cpuDir = join(root, 'sys/devices/system/cpu');
  for (const dir of await list(cpuDir)) {
    const m = /^cpu(\d+)$/.exec(dir);
    if (m) ids.add(Number(m[1]));
  }
  const cpus: ProbeCpu[] = [];
  for (const id of [...ids].sort((a, b) => a - b)) {
    const cap = (await text(join(cpuDir, `cpu${id}`, 'cpu_capacity')))?.trim();
    cpus.push({ id, part: parts.get(id) ?? null, capacity: cap && /^\d+$/.test(cap) ? Number(cap) : null });
  }
  return cpus;
}

/** Reads the probe from `root` (default `/`). */
export async function readProbe(root = '/'): Promise<Probe> {
  const compatible = splitNul((await text(join(root, 'proc/device-tree/compatible'))) ?? '');
  const modelRaw = await text(join(root, 'proc/device-tree/model'));
  const model = modelRaw === null ? null : (splitNul(modelRaw)[0] ?? null);
  const meminfo = await text(join(root, 'proc/meminfo'));
  return {
    root,
    compatible,
    model,
    gpioChips: await readGpioChips(root),
    cpus: await readCpus(root),
    memTotalKb: meminfo === null ? null : parseMemTotalKb(meminfo),
  };
}
