import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { Level } from '../../hal/gpio.js';
import type { ChipInfo } from './chips.js';
import { ToolError, type InputLine, type LineProvider, type OutputLine } from './lines.js';

/** Paths of the libgpiod 1.6 tools (Debian package `gpiod`). */
export interface GpioTools {
  readonly gpioset: string;
  readonly gpioget: string;
  readonly gpiomon: string;
  readonly gpiodetect: string;
}

export const DEFAULT_TOOLS: GpioTools = { gpioset: 'gpioset', gpioget: 'gpioget', gpiomon: 'gpiomon', gpiodetect: 'gpiodetect' };

/** strerror text the tools print → errno code, so HalError.from gives the right kind. */
const STRERROR: [RegExp, string][] = [
  [/Device or resource busy/i, 'EBUSY'],
  [/Permission denied/i, 'EACCES'],
  [/Operation not permitted/i, 'EPERM'],
  [/No such file or directory/i, 'ENOENT'],
  [/No such device/i, 'ENODEV'],
  [/Invalid argument/i, 'EINVAL'],
];

export function toolError(tool: string, stderr: string, status: number | null, spawnError?: Error): ToolError {
  if (spawnError) {
    const code = (spawnError as NodeJS.ErrnoException).code;
    const msg = code === 'ENOENT' ? `${tool} not found (install the Debian package "gpiod")` : `${tool}: ${spawnError.message}`;
    return new ToolError(msg, code);
  }
  // The tools name themselves in their messages ("gpioset: error setting ..."); keep those as they are.
  const text = stderr.trim() || `${tool}: exit status ${status}`;
  const code = STRERROR.find(([re]) => re.test(text))?.[1];
  return new ToolError(text, code);
}

/**
 * Lines through the libgpiod 1.6 tools, for machines where node-libgpiod did not build.
 * Weaker than the binding, and honest about it:
 * - Each write runs `gpioset --mode=exit` synchronously (a few ms): libgpiod 1.6's gpioset
 *   cannot change a line it holds, so the line is released between writes; the drivers wayside
 *   targets (bcm2711, rp1, tegra, rockchip) keep the level, but the kernel does not promise it.
 * - Outputs cannot be read back: gpioget would re-request the line as an input.
 * - Inputs run one `gpiomon` per line for edge events (after one `gpioget` for the level now).
 */
export class ToolLines implements LineProvider {
  readonly kind = 'gpio-tools' as const;
  readonly readbackIsReal = false;
  private readonly monitors = new Set<ChildProcess>();

  constructor(
    private readonly tools: GpioTools = DEFAULT_TOOLS,
    /** Told when a gpiomon exits while its input is still open (a dead input must not look idle). */
    private readonly onMonitorError: (err: ToolError, chip: ChipInfo, offset: number) => void = () => {},
  ) {}

  output(chip: ChipInfo, offset: number, activeLow: boolean, initial: Level, _consumer: string): OutputLine {
    const set = (level: Level): void => {
      this.run(this.tools.gpioset, [...al(activeLow), '--mode=exit', chip.name, `${offset}=${level}`]);
    };
    set(initial);
    return { set, get: () => null, release: () => {} };
  }

  input(chip: ChipInfo, offset: number, activeLow: boolean, _consumer: string, onSample: (level: Level) => void): InputLine {
    const out = this.run(this.tools.gpioget, [...al(activeLow), chip.name, String(offset)]).trim();
    if (out !== '0' && out !== '1') throw new ToolError(`${this.tools.gpioget}: unexpected output "${out}"`, undefined);
    const initial = Number(out) as Level;
    const child = spawn(this.tools.gpiomon, [...al(activeLow), '-b', '-F', '%e', chip.name, String(offset)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.monitors.add(child);
    let released = false;
    let buf = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line === '1' || line === '0') onSample(Number(line) as Level);
      }
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (c: string) => {
      stderr += c;
    });
    let ended = false;
    const fail = (err?: Error, status: number | null = null): void => {
      if (ended) return; // a failed spawn emits both 'error' and 'close'
      ended = true;
      this.monitors.delete(child);
      if (!released) this.onMonitorError(toolError(this.tools.gpiomon, stderr, status, err), chip, offset);
    };
    child.on('error', (err) => fail(err));
    // 'close', not 'exit': only then has all of stderr (the reason) been read.
    child.on('close', (status) => fail(undefined, status));
    return {
      initial,
      release: () => {
        released = true;
        this.monitors.delete(child);
        child.kill('SIGTERM');
      },
    };
  }

  close(): void {
    for (const c of this.monitors) c.kill('SIGTERM');
    this.monitors.clear();
  }

  private run(tool: string, args: string[]): string {
    const r = spawnSync(tool, args, { encoding: 'utf8', timeout: 2000 });
    if (r.error || r.status !== 0) throw toolError(tool, r.stderr ?? '', r.status, r.error);
    return r.stdout;
  }
}

function al(activeLow: boolean): string[] {
  return activeLow ? ['-l'] : [];
}
