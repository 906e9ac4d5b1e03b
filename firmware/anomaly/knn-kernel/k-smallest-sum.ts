/**
 * Sum of the k smallest of `values[at .. at + count)`, the k-NN detector's non-conformity once
 * its distances are computed. The k kept values form a max-heap in `heap` (an insertion costs
 * log k, and most values fail the first comparison with the worst kept one).
 *
 * `bound` is a guess of the k-th smallest (the caller passes the last one, loosened):
 * consecutive lag vectors overlap in all but one value, so it moves little from one sample to
 * the next. Values under it are gathered into `scratch` first and the heap runs over those
 * few; if fewer than k are under it, over all values (copied there), newest slot first (`head`
 * is the slot after the newest, in a ring of `ring` slots; the newest shapes are mostly the
 * nearest, so the kept worst drops early). Either way the result is the sum of the same k
 * values. Returns the sum; the k-th smallest is left in heap[0].
 */
export function kSmallestSum(
  values: Float32Array,
  at: number,
  count: number,
  k: number,
  heap: Float64Array,
  scratch: Float32Array,
  bound: number,
  head: number,
  ring: number,
): number {
  let m = 0;
  if (bound < Infinity) {
    for (let i = 0; i < count; i++) {
      const d = values[at + i]!;
      if (d <= bound) scratch[m++] = d;
    }
  }
  if (m < k) {
    // The guess was too low (or none): all values, newest slot first.
    let slot = head;
    for (m = 0; m < count; m++) {
      slot = slot === 0 ? ring - 1 : slot - 1;
      scratch[m] = values[at + slot]!;
    }
  }
  let filled = 0;
  let worst = Infinity;
  for (let i = 0; i < m; i++) {
    const d = scratch[i]!;
    if (filled < k) {
      heapPush(heap, filled++, d);
      if (filled === k) worst = heap[0]!;
    } else if (d < worst) {
      heapReplaceTop(heap, k, d);
      worst = heap[0]!;
    }
  }
  let sum = 0;
  for (let i = 0; i < filled; i++) sum += heap[i]!;
  return sum;
}

/** Adds `v` to the max-heap held in h[0..n) (the largest at h[0]). */
function heapPush(h: Float64Array, n: number, v: number): void {
  let i = n;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (h[parent]! >= v) break;
    h[i] = h[parent]!;
    i = parent;
  }
  h[i] = v;
}

/** Replaces the largest value of the max-heap h[0..n) with the smaller `v`. */
function heapReplaceTop(h: Float64Array, n: number, v: number): void {
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    const c = r < n && h[r]! > h[l]! ? r : l;
    if (h[c]! <= v) break;
    h[i] = h[c]!;
    i = c;
  }
  h[i] = v;
}
