/**
 * The Gaussian tail probability Q(z) = P(Z > z) for a standard normal Z, and its two-sided
 * form. Uses the complementary error function (W. J. Cody's rational approximation as in
 * Numerical Recipes' erfcc, relative error < 1.2e-7), which is accurate far into the tail
 * where 1 − Φ(z) computed directly would round to 0.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Q(z) = P(Z > z). */
export function qFunction(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}
