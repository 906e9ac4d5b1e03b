import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * CPU affinity per thread. The control thread (engine, monitor, lamp and detector I/O) gets
 * cores of its own so a model inference or a log rotation cannot steal its time slice; the
 * inference worker gets another cluster; everything else (libuv pool, V8 helpers, the status
 * and jobs workers) goes to the "system" cores. Cores come from the board profile's `affinity`
 * field (RK3588: control on an A76, inference on the other A76 cluster, system on the A55s;
 * Pi: control on core 3), or from `--affinity LIST`.
 *
 * Pinning uses `taskset -p -c LIST TID` (util-linux) per thread id from /proc/self/task, and
 * `chrt -f -p PRIO TID` for the control thread. Both are best effort: in a container or
 * without CAP_SYS_NICE they fail, and that is a warning, never a failure.
 */
export type ThreadRole = 'control' | 'inference' | 'system';

export interface AffinityPlan {
  readonly control: readonly number[];
  readonly inference: readonly number[];
  readonly system: readonly number[];
}

export interface ThreadAffinity {
  readonly tid: number;
  readonly name: string;
  readonly role: ThreadRole;
  /** Cores the kernel reports the thread may run on now (Cpus_allowed_list). */
  readonly effective: string;
  readonly requested: string | null;
  readonly realtime: boolean;
}

export interface AffinityResult {
  readonly mode: string;
  readonly plan: AffinityPlan | null;
  readonly threads: ThreadAffinity[];
  readonly warnings: string[];
}

/** Parses a kernel CPU list (`0-2,5`) into sorted core numbers. */
export function parseCpuList(text: string): number[] {
  const out = new Set<number>();
  for (const part of text.trim().split(',')) {
    if (part === '') continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`bad CPU list "${text}": "${part}" is not N or N-M`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new Error(`bad CPU list "${text}": ${a}-${b} runs backwards`);
    for (let c = a; c <= b; c++) out.add(c);
  }
  return [...out].sort((x, y) => x - y);
}

export function formatCpuList(cpus: readonly number[]): string {
  const s = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++;
    parts.push(j === i ? `${s[i]}` : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/**
 * Chooses cores. `auto`: the board profile's plan (null when the profile names none, as the
 * simulated board does). `off`: null. Otherwise a CPU list for the control thread; heavy and
 * system work share the remaining online cores (all cores if none remain).
 */
export function planAffinity(mode: string, profile: AffinityPlan | undefined, online: readonly number[]): AffinityPlan | null {
  if (mode === 'off') return null;
  if (mode === 'auto') {
    if (!profile || profile.control.length === 0) return null;
    const keep = (cs: readonly number[]): number[] => cs.filter((c) => online.includes(c));
    const control = keep(profile.control);
    if (control.length === 0) return null;
    const rest = online.filter((c) => !control.includes(c));
    const inference = keep(profile.inference);
    const system = keep(profile.system);
    return {
      control,
      inference: inference.length ? inference : rest.length ? rest : [...online],
      system: system.length ? system : rest.length ? rest : [...online],
    };
  }
  const control = parseCpuList(mode);
  const missing = control.filter((c) => !online.includes(c));
  if (missing.length) throw new Error(`--affinity ${mode}: core(s) ${missing.join(',')} not online (online: ${formatCpuList(online)})`);
  const rest = online.filter((c) => !control.includes(c));
  const other = rest.length ? rest : [...online];
  return { control, inference: other, system: other };
}

/** Cores this process may use (what taskset/cgroups allow us), from /proc/self/status. */
export function onlineCpus(procRoot = '/proc'): number[] {
  try {
    const m = /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`${procRoot}/self/status`, 'utf8'));
    if (m) return parseCpuList(m[1]!);
  } catch {
    /* not Linux */
  }
  return [0];
}

export interface ThreadInfo {
  readonly tid: number;
  readonly name: string;
}

/** Threads of this process, from /proc/self/task/<tid>/comm. */
export function listThreads(procRoot = '/proc'): ThreadInfo[] {
  try {
    return readdirSync(`${procRoot}/self/task`)
      .map((t) => Number(t))
      .filter((t) => Number.isInteger(t))
      .map((tid) => ({ tid, name: readTaskFile(procRoot, tid, 'comm').trim() }));
  } catch {
    return [];
  }
}

/** The OS thread id of the calling thread (main or a worker), from /proc/thread-self. */
export function currentTid(procRoot = '/proc'): number | null {
  try {
    const m = /task\/(\d+)$/.exec(readlinkSync(`${procRoot}/thread-self`));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export function effectiveAffinity(tid: number, procRoot = '/proc'): string {
  const m = /Cpus_allowed_list:\s*(\S+)/.exec(readTaskFile(procRoot, tid, 'status'));
  return m ? m[1]! : '?';
}

function readTaskFile(procRoot: string, tid: number, file: string): string {
  try {
    return readFileSync(`${procRoot}/self/task/${tid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

/** Runs `taskset -p -c LIST TID`; returns a warning string when it fails, else null. */
export function pinThread(tid: number, cpus: readonly number[]): string | null {
  const list = formatCpuList(cpus);
  const r = spawnSync('taskset', ['-p', '-c', list, String(tid)], { encoding: 'utf8' });
  if (r.error) return `taskset not available (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}); thread ${tid} not pinned to ${list}`;
  if (r.status !== 0) return `taskset -p -c ${list} ${tid} failed: ${(r.stderr || r.stdout).trim().split('\n')[0]}`;
  return null;
}

/** `chrt -f -p PRIO TID` (SCHED_FIFO); a warning string when not permitted. */
export function makeRealtime(tid: number, priority = 10): string | null {
  const r = spawnSync('chrt', ['-f', '-p', String(priority), String(tid)], { encoding: 'utf8' });
  if (r.error) return `chrt not available; thread ${tid} stays SCHED_OTHER`;
  if (r.status !== 0) return `real-time priority not permitted for thread ${tid} (${(r.stderr || r.stdout).trim().split('\n')[0]}); it stays SCHED_OTHER`;
  return null;
}

/**
 * Applies a plan: `roles` maps the tids we know (main thread, each worker's self-reported tid)
 * to a role; every other thread of the process is system work. Returns what the kernel now
 * reports for each thread, plus warnings. Never throws for permission problems.
 */
export function applyAffinity(
  mode: string,
  plan: AffinityPlan | null,
  roles: ReadonlyMap<number, { role: ThreadRole; name: string }>,
  options: { realtime?: boolean; procRoot?: string } = {},
): AffinityResult {
  const procRoot = options.procRoot ?? '/proc';
  const warnings: string[] = [];
  const threads: ThreadAffinity[] = [];
  for (const t of listThreads(procRoot)) {
    const known = roles.get(t.tid);
    const role: ThreadRole = known?.role ?? 'system';
    const cpus = plan ? plan[role] : null;
    let realtime = false;
    if (cpus) {
      const w = pinThread(t.tid, cpus);
      if (w) warnings.push(w);
      if (role === 'control' && options.realtime) {
        const rw = makeRealtime(t.tid);
        if (rw) warnings.push(rw);
        else realtime = true;
      }
    }
    threads.push({
      tid: t.tid,
      name: known?.name ?? t.name,
      role,
      effective: effectiveAffinity(t.tid, procRoot),
      requested: cpus ? formatCpuList(cpus) : null,
      realtime,
    });
  }
  // One warning per kind is enough on the console.
  return { mode, plan, threads, warnings: [...new Set(warnings)] };
}
