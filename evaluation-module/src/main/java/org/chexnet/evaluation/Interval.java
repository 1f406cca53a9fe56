package org.chexnet.evaluation;

/**
 * A two-sided 95% confidence interval; both bounds NaN when undefined.
 *
 * @param low lower bound
 * @param high upper bound
 */
public record Interval(double low, double high) {

  public static final Interval UNDEFINED = new Interval(Double.NaN, Double.NaN);

  public boolean defined() {
    return !Double.isNaN(low) && !Double.isNaN(high);
  }

  /** The interval moved by {@code delta}, e.g. ours minus a published constant. */
  public Interval shifted(double delta) {
    return new Interval(low + delta, high + delta);
  }
}
