package org.chexnet.dataset;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

/** Seeded patient orders for splits: the one rule every dataset's random splits follow. */
final class PatientShuffle {
  private PatientShuffle() {}

  /**
   * The distinct patients sorted, then shuffled with {@code seed}: the result depends only on the
   * seed and the set of patients, not on metadata or hash order.
   */
  static List<Integer> shuffled(Collection<Integer> patients, long seed) {
    List<Integer> order = new ArrayList<>(new TreeSet<>(patients));
    Collections.shuffle(order, new Random(seed));
    return order;
  }

  /** round(fraction * all patients) patients starting at {@code from}. */
  static List<Integer> first(List<Integer> patients, double fraction, int from) {
    int count = Math.min(patients.size() - from, (int) Math.round(fraction * patients.size()));
    return patients.subList(from, from + count);
  }

  /**
   * @throws IllegalArgumentException unless the fractions are non-negative and sum to 1
   */
  static void requireFractions(double train, double validation, double test) {
    double sum = train + validation + test;
    if (train < 0 || validation < 0 || test < 0 || Math.abs(sum - 1) > 1e-6) {
      throw new IllegalArgumentException(
          "patient-random fractions must be non-negative and sum to 1, got train "
              + train
              + ", validation "
              + validation
              + ", test "
              + test);
    }
  }

  /**
   * @throws IllegalArgumentException unless {@code fraction} is in [0, 1)
   */
  static void requireValidationFraction(double fraction) {
    if (!(fraction >= 0 && fraction < 1)) {
      throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + fraction);
    }
  }
}
