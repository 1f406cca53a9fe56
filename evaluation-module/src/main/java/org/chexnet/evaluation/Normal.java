package org.chexnet.evaluation;

/** The standard normal distribution, for DeLong's intervals and p-values. */
final class Normal {

  /** Phi^-1(0.975), the half-width of a 95% interval in standard errors. */
  static final double Z_975 = 1.959963984540054;

  private static final double LOG_SQRT_2PI = 0.91893853320467274178;

  private Normal() {}

  /** Phi(x), to about 1e-15 absolute and, in the tails, about 1e-14 relative. */
  static double cdf(double x) {
    if (Double.isNaN(x)) {
      return Double.NaN;
    }
    if (Math.abs(x) < 3) {
      // Marsaglia (2004): Phi(x) = 1/2 + phi(x) (x + x^3/3 + x^5/(3*5) + ...), summed until the
      // terms no longer change the sum.
      double sum = x;
      double previous = Double.NaN;
      double term = x;
      double square = x * x;
      for (int i = 3; sum != previous; i += 2) {
        previous = sum;
        term *= square / i;
        sum += term;
      }
      return 0.5 + sum * Math.exp(-0.5 * square - LOG_SQRT_2PI);
    }
    // The tail by Laplace's continued fraction phi(t) / (t + 1/(t + 2/(t + ...))), which keeps its
    // relative accuracy where 1 - Phi would cancel to zero.
    double t = Math.abs(x);
    double fraction = t;
    for (int k = 200; k >= 1; k--) {
      fraction = t + k / fraction;
    }
    double tail = Math.exp(-0.5 * t * t - LOG_SQRT_2PI) / fraction;
    return x < 0 ? tail : 1 - tail;
  }

  /** Two-sided p-value of a z statistic. */
  static double twoSidedP(double z) {
    return 2 * cdf(-Math.abs(z));
  }
}
