/**
 * Reads a V8 .cpuprofile (from `wayside run --cpu-prof`, `node --cpu-prof` or DevTools) and
 * ranks functions by self time: the time samples landed in the function itself, not in what it
 * called. Pure: takes the parsed JSON.
 */
export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface HotFunction {
  name: string;
  location: string;
  selfMs: number;
  selfPct: number;
  totalMs: number;
  totalPct: number;
}

export function isCpuProfile(x: unknown): x is CpuProfile {
  const p = x as CpuProfile;
  return !!p && Array.isArray(p.nodes) && typeof p.startTime === 'number' && typeof p.endTime === 'number';
}

function label(n: CpuProfileNode): { name: string; location: string } {
  const f = n.callFrame;
  const name = f.functionName || (f.url ? '(anonymous)' : n.callFrame.functionName || '(root)');
  const file = f.url.replace(/^file:\/\//, '').replace(process.cwd() + '/', '');
  return { name, location: file ? `${file}:${f.lineNumber + 1}:${f.columnNumber + 1}` : '' };
}

/** Functions by self time, merged across call sites (same name and location). */
export function hottestFunctions(p: CpuProfile, limit = 20): { totalMs: number; samples: number; functions: HotFunction[] } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let samples = 0;
  if (p.samples && p.timeDeltas && p.samples.length === p.timeDeltas.length) {
    // Sample i lasted until sample i+1: attribute delta[i+1] to sample i.
    for (let i = 0; i < p.samples.length; i++) {
      const dt = p.timeDeltas[i + 1] ?? 0;
      selfUs.set(p.samples[i]!, (selfUs.get(p.samples[i]!) ?? 0) + Math.max(0, dt));
      samples++;
    }
  } else {
    const total = p.nodes.reduce((a, n) => a + (n.hitCount ?? 0), 0) || 1;
    const per = (p.endTime - p.startTime) / total;
    for (const n of p.nodes) selfUs.set(n.id, (n.hitCount ?? 0) * per);
    samples = total;
  }
  // Total (inclusive) time per node: self plus children's totals.
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<number, number>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!);
      const key = `${l.name}@${l.location}`;
      if (seen.has(key)) continue; // recursion counts once
      seen.add(key);
      inclusive.set(cur, (inclusive.get(cur) ?? 0) + us);
    }
  }
  const merged = new Map<string, { name: string; location: string; self: number; total: number }>();
  for (const n of p.nodes) {
    const l = label(n);
    const key = `${l.name}@${l.location}`;
    const m = merged.get(key) ?? { ...l, self: 0, total: 0 };
    m.self += selfUs.get(n.id) ?? 0;
    m.total = Math.max(m.total, inclusive.get(n.id) ?? 0);
    merged.set(key, m);
  }
  const totalUs = p.endTime - p.startTime || 1;
  const functions = [...merged.values()]
    .filter((m) => m.self > 0)
    .sort((a, b) => b.self - a.self)
    .slice(0, limit)
    .map((m) => ({
      name: m.name,
      location: m.location,
      selfMs: m.self / 1000,
      selfPct: (100 * m.self) / totalUs,
      totalMs: m.total / 1000,
      totalPct: (100 * m.total) / totalUs,
    }));
  return { totalMs: totalUs / 1000, samples, functions };
}
