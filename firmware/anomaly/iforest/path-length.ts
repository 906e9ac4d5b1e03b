/**
 * Path-length normalisation of an Isolation Forest (Liu, Ting & Zhou 2008, eq. 1), as
 * scikit-learn's `_average_path_length` computes it:
 *   c(n) = 2 H(n−1) − 2 (n−1)/n with H(i) ≈ ln(i) + γ, for n > 2;  c(2) = 1;  c(0) = c(1) = 0.
 * c(2) is 1 exactly (H(1) = 1): the ln approximation would give 0.154 there.
 * c(n) is the average path length of an unsuccessful search in a binary search tree of n
 * items; it is added at a leaf that still holds n samples (the height limit cut the tree)
 * and it normalises the mean depth into the score 2^(−E(h)/c(ψ)).
 */
export const EULER_GAMMA = 0.5772156649015329;

export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/** The height limit of a tree grown on ψ samples: ceil(log2 max(ψ, 2)). */
export function heightLimit(psi: number): number {
  return Math.ceil(Math.log2(Math.max(psi, 2)));
}
