import type { BoardProfile } from '../../boards/types.js';
import { fillTemplate, readTemplate } from './templates.js';

/** `[0,1,2,3,4,6,7]` → `0-4 6-7` (systemd CPU list syntax). */
export function cpuList(cores: readonly number[]): string {
  const sorted = [...new Set(cores)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(' ');
}

export interface UnitOptions {
  /** Board id written into ExecStart (`auto` lets the runtime detect it). */
  readonly boardId: string;
  /** Profile for CPUAffinity / Nice / backend-dependent hardening; null for `auto`. */
  readonly board: BoardProfile | null;
  readonly node: string;
  readonly watchdogSec: number;
}

/**
 * wayside.service for a board. CPUAffinity is the union of the profile's control, inference
 * and system cores: the process may use exactly those (an RK3588 keeps core 5 free next to
 * the control core) and the runtime pins each thread inside that set. A sysfs-GPIO board
 * (Jetson Nano) must write /sys/class/gpio, so ProtectKernelTunables (read-only /sys) is off there.
 */
export async function renderUnit(o: UnitOptions): Promise<string> {
  const b = o.board;
  const cores = b ? [...b.affinity.control, ...b.affinity.inference, ...b.affinity.system] : [];
  return fillTemplate(await readTemplate('wayside.service.in'), {
    BOARD: o.boardId,
    NODE: o.node,
    WATCHDOG_SEC: `${o.watchdogSec}s`,
    CPU_AFFINITY:
      cores.length > 0
        ? `CPUAffinity=${cpuList(cores)}`
        : `# CPUAffinity not set: board ${o.boardId} has no profile cores here; the runtime pins its threads after detection.`,
    NICE: String(b?.nice ?? -5),
    PROTECT_TUNABLES:
      b?.gpioBackend === 'linux-sysfs'
        ? '# ProtectKernelTunables off: the linux-sysfs GPIO backend writes /sys/class/gpio.'
        : 'ProtectKernelTunables=yes',
  });
}

export async function renderGuardUnit(node: string): Promise<string> {
  return fillTemplate(await readTemplate('wayside-guard.service.in'), { NODE: node });
}

export async function renderZram(board: BoardProfile | null, boardId: string): Promise<string> {
  const ram = board && board.ramMb > 0 ? board.ramMb : 4096;
  return fillTemplate(await readTemplate('zram-generator.conf.in'), {
    BOARD: boardId,
    RAM_MB: String(ram),
    ZRAM_MB: String(Math.min(Math.floor(ram / 2), 4096)),
  });
}

