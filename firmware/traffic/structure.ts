/**
 * Ring-and-barrier structure of an intersection: which phases exist, the order each ring serves
 * them in, the barrier groups, and which pairs may show green together. Standard NEMA dual ring
 * is the default (reference/traffic.md); a site may give its own.
 */
export const MAX_PHASE = 8;

export const NEMA_RINGS: readonly (readonly number[])[] = [
  [1, 2, 3, 4],
  [5, 6, 7, 8],
];
export const NEMA_BARRIERS: readonly (readonly number[])[] = [
  [1, 2, 5, 6],
  [3, 4, 7, 8],
];

export interface Structure {
  /** Phases in use, ascending. Phases of the rings that are not in use are never served. */
  readonly phases: readonly number[];
  /** Rings, each the service order of its phases in use (empty rings are dropped). */
  readonly rings: readonly (readonly number[])[];
  /** Barrier groups (sides), each the phases in use on that side. */
  readonly barriers: readonly (readonly number[])[];
  /** compatible[a][b]: phases a and b may show green/yellow at the same time. Indexed 0..8. */
  readonly compatible: readonly (readonly boolean[])[];
  /** ringOf[p], sideOf[p]: ring index and barrier index of phase p (-1 when not in use). */
  readonly ringOf: readonly number[];
  readonly sideOf: readonly number[];
}

export interface StructureSpec {
  phases: readonly number[];
  rings?: readonly (readonly number[])[];
  barriers?: readonly (readonly number[])[];
  /** Pairs that may time together; default: different rings on the same side of the barrier. */
  compatible?: readonly (readonly [number, number])[];
}

/** Builds and checks a structure. Throws an Error naming the problem (callers add the file/field). */
export function buildStructure(spec: StructureSpec): Structure {
  const phases = [...new Set(spec.phases)].sort((a, b) => a - b);
  if (phases.length === 0) throw new Error('no phases in use');
  for (const p of phases) if (!Number.isInteger(p) || p < 1 || p > MAX_PHASE) throw new Error(`phase ${p} is not 1-${MAX_PHASE}`);
  const inUse = (p: number): boolean => phases.includes(p);
  const ringsAll = spec.rings ?? NEMA_RINGS;
  const barriersAll = spec.barriers ?? NEMA_BARRIERS;
  const ringOf = new Array<number>(MAX_PHASE + 1).fill(-1);
  const sideOf = new Array<number>(MAX_PHASE + 1).fill(-1);
  const rings: number[][] = [];
  for (const r of ringsAll) {
    const used = r.filter(inUse);
    if (used.length === 0) continue;
    for (const p of used) {
      if (ringOf[p] !== -1) throw new Error(`phase ${p} is in two rings`);
      ringOf[p] = rings.length;
    }
    rings.push(used);
  }
  barriersAll.forEach((b, i) => {
    for (const p of b) {
      if (!inUse(p)) continue;
      if (sideOf[p] !== -1) throw new Error(`phase ${p} is in two barrier groups`);
      sideOf[p] = i;
    }
  });
  for (const p of phases) {
    if (ringOf[p] === -1) throw new Error(`phase ${p} is in no ring`);
    if (sideOf[p] === -1) throw new Error(`phase ${p} is in no barrier group`);
  }
  // A ring must visit each side in one block, or "both rings cross the barrier together" breaks.
  for (const r of rings) {
    let changes = 0;
    for (let i = 1; i < r.length; i++) if (sideOf[r[i]!] !== sideOf[r[i - 1]!]) changes++;
    if (changes > barriersAll.length - 1) throw new Error(`ring ${r.join(',')} crosses a barrier more than once`);
  }
  const barriers = barriersAll.map((b) => b.filter(inUse)).filter((b) => b.length > 0);
  // Renumber sides to the compacted barrier list.
  const sideIndex = new Map<number, number>();
  barriersAll.forEach((b, i) => {
    if (b.some(inUse)) sideIndex.set(i, sideIndex.size);
  });
  for (const p of phases) sideOf[p] = sideIndex.get(sideOf[p]!)!;

  const compatible = Array.from({ length: MAX_PHASE + 1 }, () => new Array<boolean>(MAX_PHASE + 1).fill(false));
  if (spec.compatible) {
    for (const [a, b] of spec.compatible) {
      if (!inUse(a) || !inUse(b)) continue;
      if (a === b) throw new Error(`phase ${a} cannot be listed as compatible with itself`);
      if (ringOf[a] === ringOf[b]) throw new Error(`phases ${a} and ${b} are in the same ring and cannot be compatible`);
      if (sideOf[a] !== sideOf[b]) throw new Error(`phases ${a} and ${b} are on different sides of the barrier and cannot be compatible`);
      compatible[a]![b] = true;
      compatible[b]![a] = true;
    }
  } else {
    for (const a of phases) for (const b of phases) {
      if (a !== b && ringOf[a] !== ringOf[b] && sideOf[a] === sideOf[b]) compatible[a]![b] = true;
    }
  }
  return { phases, rings, barriers, compatible, ringOf, sideOf };
}

/** Compatible pairs (a < b) of a structure, for logs and the monitor. */
export function compatiblePairs(s: Structure): [number, number][] {
  const out: [number, number][] = [];
  for (const a of s.phases) for (const b of s.phases) if (a < b && s.compatible[a]![b]) out.push([a, b]);
  return out;
}
