package org.chexnet.evaluation;

import java.util.SplittableRandom;

/**
 * How many times each image appears in bootstrap replicate r: the draws every bootstrap of this
 * module shares, so that intervals computed from the same seed come from the same replicates.
 */
@FunctionalInterface
public interface Resampling {

  /** Counts per image for replicate {@code replicate}; must not depend on call order. */
  int[] counts(int replicate);

  /**
   * n draws with replacement per replicate. Each replicate gets its own generator, seeded from the
   * root in replicate order, so the result is the same however the replicates are scheduled.
   */
  static Resampling seeded(long seed, int replicates, int images) {
    SplittableRandom root = new SplittableRandom(seed);
    long[] seeds = new long[replicates];
    for (int r = 0; r < replicates; r++) {
      seeds[r] = root.nextLong();
    }
    return replicate -> {
      SplittableRandom random = new SplittableRandom(seeds[replicate]);
      int[] counts = new int[images];
      for (int draw = 0; draw < images; draw++) {
        counts[random.nextInt(images)]++;
      }
      return counts;
    };
  }

  /** Replicates given as index arrays, e.g. the ones a reference implementation used. */
  static Resampling fixed(int[][] indexes, int images) {
    return replicate -> {
      int[] counts = new int[images];
      for (int i : indexes[replicate]) {
        counts[i]++;
      }
      return counts;
    };
  }
}
