import type { FuzzyArt } from './fuzzy-art.js';

/**
 * ARTime's starting vigilance, computed once from the learning period's feature vectors:
 *
 * - order the vectors from the least to the most typical, typicality being the sum of a
 *   vector's cosine similarities to all the others (a zero vector is 1 − the other's norm);
 * - train a scratch fuzzy ART with both bounds at `initialRho` (0.8 in ARTime) on them in that
 *   order, so the odd ones found categories first and the typical ones then resonate;
 * - the result is the mean match over the second half of that pass (from position
 *   `half`, 1-based, to the end): how well this stream's ordinary windows match each other.
 *
 * `rows` holds n vectors of `dim` values, row-major, from row `first`. `sums` (n) and `order` (n) are scratch.
 * O(n² dim) once per stream, at the end of the learning period (n ≈ 100 in ARTime).
 */
export function initialVigilance(
  rows: Float64Array,
  first: number,
  n: number,
  dim: number,
  art: FuzzyArt,
  initialRho: number,
  half: number,
  sums: Float64Array,
  order: Int32Array,
): number {
  for (let i = 0; i < n; i++) sums[i] = 1; // the similarity of a vector with itself
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const s = similarity(rows, (first + i) * dim, (first + j) * dim, dim);
      sums[i] = sums[i]! + s;
      sums[j] = sums[j]! + s;
    }
  }
  // stable insertion sort of the indices by ascending sum (n is small, and nothing is allocated)
  for (let i = 0; i < n; i++) {
    const v = sums[i]!;
    let k = i - 1;
    while (k >= 0 && sums[order[k]!]! > v) {
      order[k + 1] = order[k]!;
      k--;
    }
    order[k + 1] = i;
  }
  art.clear();
  art.rhoLb = initialRho;
  art.rhoUb = initialRho;
  let total = 0;
  let count = 0;
  for (let p = 0; p < n; p++) {
    art.present(rows, true, (first + order[p]!) * dim);
    if (p + 1 >= half) {
      total += art.lastMatch;
      count++;
    }
  }
  return count > 0 ? total / count : initialRho;
}

/** Cosine similarity; against a zero vector, 1 − the other's norm. */
function similarity(x: Float64Array, a: number, b: number, dim: number): number {
  let aa = 0;
  let bb = 0;
  let ab = 0;
  for (let k = 0; k < dim; k++) {
    aa += x[a + k]! * x[a + k]!;
    bb += x[b + k]! * x[b + k]!;
    ab += x[a + k]! * x[b + k]!;
  }
  const na = Math.sqrt(aa);
  const nb = Math.sqrt(bb);
  if (na === 0) return 1 - nb;
  if (nb === 0) return 1 - na;
  return ab / (na * nb);
}
