package org.chexnet.evaluation.calibration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.chexnet.evaluation.Interval;
import org.chexnet.evaluation.NihSample;
import org.chexnet.evaluation.PredictionSet;
import org.chexnet.evaluation.Resampling;
import org.chexnet.evaluation.ScikitLearnReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Brier score, ECE and reliability bins (with their bootstrap intervals on the same draws), Platt
 * scaling and isotonic calibration against scikit-learn to 1e-9, on data this test generates:
 * miscalibrated probabilities, ties, probabilities on the bin edges, 0 and 1, a rare class.
 */
class CalibrationParityTest {

  private static final double TOLERANCE = 1e-9;
  private static final int IMAGES = 3000;
  private static final int REPLICATES = 100;
  private static final List<String> CLASSES = List.of("Smooth", "Overconfident", "Rounded", "Rare");

  @TempDir static Path dir;

  private static PredictionSet set;
  private static int[][] draws;
  private static float[][] plattFit;
  private static float[][] isotonicFit;
  private static float[] applied;
  private static JsonNode reference;

  @BeforeAll
  static void runReference() throws IOException {
    SplittableRandom random = new SplittableRandom(17);
    set = predictions(random);
    draws = new int[REPLICATES][IMAGES];
    for (int[] draw : draws) {
      for (int k = 0; k < IMAGES; k++) {
        draw[k] = random.nextInt(IMAGES);
      }
    }
    plattFit = new float[][] {set.scores(1), set.truth(1), set.scores(3), set.truth(3)};
    isotonicFit = new float[][] {set.scores(2), set.truth(2), set.scores(0), set.truth(0)};
    applied = new float[] {0f, 1f, 1e-9f, 1e-16f, 0.5f, 0.1f, 0.3f, 0.999999f, 0.123456f, 0.87f};

    Map<String, Object> input = new LinkedHashMap<>();
    input.put(
        "calibration",
        List.of(
            Map.of(
                "probabilities", NihSample.rows(set.probabilities(), CLASSES.size()),
                "labels", NihSample.rows(set.labels(), CLASSES.size()),
                "indexes", draws)));
    input.put(
        "platt", List.of(fitCase(plattFit[0], plattFit[1]), fitCase(plattFit[2], plattFit[3])));
    input.put(
        "isotonic",
        List.of(
            fitCase(isotonicFit[0], isotonicFit[1]),
            fitCase(isotonicFit[2], isotonicFit[3]),
            fitCase(
                new float[] {1e-16f, 5e-16f, 3e-15f, 0.2f, 0.2f, 0.6f},
                new float[] {1, 0, 0, 1, 0, 1})));
    reference = ScikitLearnReference.run("calibration_subgroups_reference.py", input, dir);
  }

  @Test
  void brierEceAndBinsMatchScikitLearn() {
    CalibrationEvaluation ours =
        CalibrationEvaluation.compute(CLASSES, set, Resampling.fixed(draws, IMAGES), REPLICATES, 0);
    JsonNode theirs = reference.get("calibration").get(0);
    for (int c = 0; c < CLASSES.size(); c++) {
      ClassCalibration one = ours.perClass().get(c);
      JsonNode expected = theirs.get(c);
      String name = CLASSES.get(c);
      assertEquals(expected.get("brier").doubleValue(), one.brier(), TOLERANCE, name);
      assertEquals(expected.get("ece").doubleValue(), one.ece(), TOLERANCE, name);
      assertInterval(expected.get("brier_ci"), one.brierCi(), name + " Brier CI");
      assertInterval(expected.get("ece_ci"), one.eceCi(), name + " ECE CI");
      long[] counts = new long[ReliabilityBins.BINS];
      for (int b = 0; b < counts.length; b++) {
        counts[b] = expected.get("counts").get(b).longValue();
      }
      assertArrayEquals(counts, one.bins().counts(), name + " bin counts");
      List<Double> observed = new ArrayList<>();
      List<Double> predicted = new ArrayList<>();
      for (int b = 0; b < ReliabilityBins.BINS; b++) {
        if (one.bins().counts()[b] > 0) {
          observed.add(one.bins().observedRate()[b]);
          predicted.add(one.bins().meanPredicted()[b]);
        }
      }
      assertArrayEquals(doubles(expected.get("observed_rate")), unboxed(observed), TOLERANCE);
      assertArrayEquals(doubles(expected.get("mean_predicted")), unboxed(predicted), TOLERANCE);
    }
  }

  @Test
  void plattScalingMatchesTheExactWeightedLogisticFitAndScikitLearnsSigmoid() {
    for (int k = 0; k < 2; k++) {
      PlattScaling ours = PlattScaling.fit(plattFit[2 * k], plattFit[2 * k + 1]);
      JsonNode theirs = reference.get("platt").get(k);
      assertEquals(theirs.get("slope").doubleValue(), ours.slope(), TOLERANCE);
      assertEquals(theirs.get("intercept").doubleValue(), ours.intercept(), TOLERANCE);
      // scikit-learn's own L-BFGS stops at a gradient of 1e-6, short of the exact minimum.
      assertEquals(theirs.get("sklearn_sigmoid_slope").doubleValue(), ours.slope(), 1e-5);
      assertEquals(theirs.get("sklearn_sigmoid_intercept").doubleValue(), ours.intercept(), 1e-5);
      assertArrayEquals(doubles(theirs.get("applied")), apply(ours), TOLERANCE);
    }
  }

  @Test
  void isotonicCalibrationMatchesIsotonicRegression() {
    float[][] cases = {
      isotonicFit[0],
      isotonicFit[1],
      isotonicFit[2],
      isotonicFit[3],
      {1e-16f, 5e-16f, 3e-15f, 0.2f, 0.2f, 0.6f},
      {1, 0, 0, 1, 0, 1}
    };
    for (int k = 0; k < 3; k++) {
      IsotonicCalibration ours = IsotonicCalibration.fit(cases[2 * k], cases[2 * k + 1]);
      JsonNode theirs = reference.get("isotonic").get(k);
      assertArrayEquals(doubles(theirs.get("thresholds")), ours.thresholds(), TOLERANCE);
      assertArrayEquals(doubles(theirs.get("values")), ours.values(), TOLERANCE);
      assertArrayEquals(doubles(theirs.get("applied")), apply(ours), TOLERANCE);
    }
  }

  private static double[] apply(ClassCalibrator calibrator) {
    double[] values = new double[applied.length];
    for (int i = 0; i < values.length; i++) {
      values[i] = calibrator.apply(applied[i]);
    }
    return values;
  }

  /**
   * Smooth: well-ranked, mildly miscalibrated; Overconfident: twice the true logit; Rounded: two
   * decimals, so ties and exact bin edges (0.1f, 0.3f, 0.5f, 0, 1); Rare: 8 positives.
   */
  private static PredictionSet predictions(SplittableRandom random) {
    int classes = CLASSES.size();
    float[] probabilities = new float[IMAGES * classes];
    float[] labels = new float[IMAGES * classes];
    List<String> images = new ArrayList<>();
    for (int i = 0; i < IMAGES; i++) {
      images.add(String.format("%08d_000.png", i));
      double truth = random.nextGaussian() * 1.5 - 1.2;
      double risk = sigmoid(truth);
      for (int c = 0; c < classes; c++) {
        boolean positive = c == 3 ? i % 375 == 7 : random.nextDouble() < risk;
        double noisy = truth + random.nextGaussian() * 0.8;
        double p =
            switch (c) {
              case 0 -> sigmoid(0.8 * noisy + 0.3);
              case 1 -> sigmoid(2 * noisy);
              case 2 -> Math.round(sigmoid(noisy) * 100) / 100.0;
              default -> sigmoid(noisy + (positive ? 2 : 0));
            };
        probabilities[i * classes + c] = (float) p;
        labels[i * classes + c] = positive ? 1 : 0;
      }
    }
    return new PredictionSet(images, probabilities, labels);
  }

  private static Map<String, Object> fitCase(float[] probabilities, float[] labels) {
    return Map.of(
        "fit_probabilities", toDoubles(probabilities),
        "fit_labels", toDoubles(labels),
        "apply_probabilities", toDoubles(applied));
  }

  private static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }

  private static double[] toDoubles(float[] values) {
    return IntStream.range(0, values.length).mapToDouble(i -> values[i]).toArray();
  }

  private static double[] unboxed(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static double[] doubles(JsonNode node) {
    double[] values = new double[node.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = node.get(i).doubleValue();
    }
    return values;
  }

  private static void assertInterval(JsonNode expected, Interval actual, String what) {
    assertEquals(expected.get(0).doubleValue(), actual.low(), TOLERANCE, what);
    assertEquals(expected.get(1).doubleValue(), actual.high(), TOLERANCE, what);
  }
}
