package org.chexnet.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AurocTest {

  @ParameterizedTest
  @ValueSource(longs = {1, 7, 42, 2024, 99991})
  void matchesBruteForcePairCountOnDataWithManyTies(long seed) {
    Random random = new Random(seed);
    int n = 200 + random.nextInt(800);
    float[] scores = new float[n];
    float[] labels = new float[n];
    for (int i = 0; i < n; i++) {
      // One decimal leaves only 11 distinct scores, so most pairs involve ties.
      scores[i] = Math.round(random.nextFloat() * 10f) / 10f;
      labels[i] = random.nextFloat() < 0.3f + 0.4f * scores[i] ? 1f : 0f;
    }
    assertEquals(bruteForce(scores, labels), Auroc.of(scores, labels), 1e-12);
  }

  @Test
  void handComputedExample() {
    // Positives 0.35 and 0.8 against negatives 0.1 and 0.4: 3 of 4 pairs ranked correctly.
    assertEquals(
        0.75, Auroc.of(new float[] {0.1f, 0.4f, 0.35f, 0.8f}, new float[] {0, 0, 1, 1}), 1e-15);
  }

  @Test
  void tieBetweenPositiveAndNegativeCountsOneHalf() {
    // Pairs: (0.5 vs 0.5) = 0.5, (0.5 vs 0.2) = 1, (0.9 vs 0.5) = 1, (0.9 vs 0.2) = 1 -> 3.5 / 4.
    assertEquals(
        0.875, Auroc.of(new float[] {0.5f, 0.9f, 0.5f, 0.2f}, new float[] {1, 1, 0, 0}), 1e-15);
  }

  @Test
  void perfectRankingIsOne() {
    assertEquals(
        1.0, Auroc.of(new float[] {0.1f, 0.2f, 0.3f, 0.9f, 0.95f}, new float[] {0, 0, 0, 1, 1}));
  }

  @Test
  void reversedRankingIsZero() {
    assertEquals(
        0.0, Auroc.of(new float[] {0.9f, 0.8f, 0.3f, 0.2f, 0.1f}, new float[] {0, 0, 0, 1, 1}));
  }

  @Test
  void allEqualScoresIsOneHalf() {
    assertEquals(
        0.5, Auroc.of(new float[] {0.3f, 0.3f, 0.3f, 0.3f, 0.3f}, new float[] {1, 0, 1, 0, 0}));
  }

  @Test
  void undefinedWithoutPositivesOrNegatives() {
    assertTrue(Double.isNaN(Auroc.of(new float[] {0.1f, 0.7f}, new float[] {0, 0})));
    assertTrue(Double.isNaN(Auroc.of(new float[] {0.1f, 0.7f}, new float[] {1, 1})));
    assertTrue(Double.isNaN(Auroc.of(new float[0], new float[0])));
  }

  @Test
  void rejectsMismatchedLengthsAndNaNScores() {
    assertThrows(IllegalArgumentException.class, () -> Auroc.of(new float[2], new float[3]));
    assertThrows(
        IllegalArgumentException.class,
        () -> Auroc.of(new float[] {Float.NaN, 0.5f}, new float[] {0, 1}));
  }

  private static double bruteForce(float[] scores, float[] labels) {
    double wins = 0;
    long pairs = 0;
    for (int p = 0; p < scores.length; p++) {
      if (labels[p] != 1f) {
        continue;
      }
      for (int q = 0; q < scores.length; q++) {
        if (labels[q] != 0f) {
          continue;
        }
        pairs++;
        wins += scores[p] > scores[q] ? 1 : scores[p] == scores[q] ? 0.5 : 0;
      }
    }
    return wins / pairs;
  }
}
