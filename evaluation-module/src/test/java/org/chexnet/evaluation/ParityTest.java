package org.chexnet.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Agreement to 1e-9 with scikit-learn and a numpy DeLong, on random and tied data: the values come
 * from parity-fixture.json, written by src/test/python/make_parity_fixture.py.
 */
class ParityTest {

  private static final double TOLERANCE = 1e-9;
  private static final JsonNode FIXTURE = load();

  static Stream<JsonNode> singles() {
    return stream(FIXTURE.get("single"));
  }

  static Stream<JsonNode> paired() {
    return stream(FIXTURE.get("paired"));
  }

  @ParameterizedTest
  @MethodSource("singles")
  void aurocMatchesRocAucScore(JsonNode c) {
    assertEquals(
        c.get("auroc").doubleValue(),
        Auroc.of(floats(c.get("scores")), floats(c.get("labels"))),
        TOLERANCE);
  }

  @ParameterizedTest
  @MethodSource("singles")
  void rocPointsMatchRocCurve(JsonNode c) {
    float[] scores = floats(c.get("scores"));
    float[] labels = floats(c.get("labels"));
    assertCurve(c.get("roc"), RocCurve.of(scores, labels));
    assertCurve(c.get("roc_corners"), RocCurve.corners(scores, labels));
  }

  @ParameterizedTest
  @MethodSource("singles")
  void deLongMatchesReference(JsonNode c) {
    DeLong.Estimate estimate = DeLong.of(floats(c.get("scores")), floats(c.get("labels")));
    assertEquals(c.get("delong_auroc").doubleValue(), estimate.auroc(), TOLERANCE);
    assertEquals(c.get("delong_variance").doubleValue(), estimate.variance(), TOLERANCE);
    assertInterval(c.get("delong_ci"), estimate.ci95());
  }

  @ParameterizedTest
  @MethodSource("singles")
  void operatingPointsMatchSklearnMetrics(JsonNode c) {
    float[] scores = floats(c.get("scores"));
    float[] labels = floats(c.get("labels"));
    float[] testScores = floats(c.get("test_scores"));
    float[] testLabels = floats(c.get("test_labels"));
    RocCurve curve = RocCurve.of(scores, labels);
    assertEquals(c.get("youden_threshold").doubleValue(), ThresholdRule.youden().choose(curve), 0);
    assertEquals(
        c.get("sensitivity90_threshold").doubleValue(),
        ThresholdRule.sensitivity(0.9).choose(curve),
        0);
    assertOperatingPoint(
        c.get("youden_test"),
        OperatingPoint.choose("x", ThresholdRule.youden(), scores, labels, testScores, testLabels)
            .orElseThrow());
    assertOperatingPoint(
        c.get("sensitivity90_test"),
        OperatingPoint.choose(
                "x", ThresholdRule.sensitivity(0.9), scores, labels, testScores, testLabels)
            .orElseThrow());
  }

  @ParameterizedTest
  @MethodSource("paired")
  void pairedDeLongMatchesReference(JsonNode c) {
    DeLong.Difference difference =
        DeLong.paired(
            floats(c.get("scores_a")), floats(c.get("scores_b")), floats(c.get("labels")));
    assertEquals(c.get("difference").doubleValue(), difference.difference(), TOLERANCE);
    assertEquals(c.get("variance").doubleValue(), difference.variance(), TOLERANCE);
    assertInterval(c.get("ci"), difference.ci95());
    assertEquals(c.get("z").doubleValue(), difference.z(), TOLERANCE);
    assertEquals(c.get("p").doubleValue(), difference.pValue(), TOLERANCE);
  }

  @Test
  void bootstrapIntervalsMatchForTheSameResamples() {
    JsonNode b = FIXTURE.get("bootstrap");
    JsonNode indexes = b.get("indexes");
    int[][] draws = new int[indexes.size()][];
    for (int r = 0; r < draws.length; r++) {
      draws[r] = ints(indexes.get(r));
    }
    PredictionSet ours = set(b.get("probabilities"), b.get("labels"));
    PredictionSet theirs = set(b.get("probabilities_b"), b.get("labels"));
    Resampling fixed = Resampling.fixed(draws, ours.images());
    assertBootstrap(b.get("aurocs"), Bootstrap.run(ours, null, fixed, draws.length));
    assertBootstrap(b.get("difference"), Bootstrap.run(ours, theirs, fixed, draws.length));
  }

  @Test
  void deLongPValuesMatchTheNormalTailFromErfc() {
    // Phi(x) from scipy's erfc: a difference of x standard errors has the two-sided p 2 Phi(-|x|).
    for (JsonNode point : FIXTURE.get("normal_cdf")) {
      double x = point.get(0).doubleValue();
      double expected = point.get(1).doubleValue();
      if (x <= 0) {
        double p = new DeLong.Difference(x, 1).pValue();
        assertEquals(2 * expected, p, Math.max(1e-15, 2 * expected * 1e-12), "x = " + x);
      }
    }
  }

  private static void assertBootstrap(JsonNode expected, BootstrapResult actual) {
    JsonNode perClass = expected.get("per_class");
    for (int c = 0; c < perClass.size(); c++) {
      assertInterval(perClass.get(c), actual.perClass().get(c));
      assertEquals(expected.get("used").get(c).intValue(), actual.replicatesUsed().get(c));
    }
    assertInterval(expected.get("mean"), actual.mean());
    assertEquals(expected.get("mean_used").intValue(), actual.meanReplicatesUsed());
  }

  private static void assertCurve(JsonNode expected, RocCurve actual) {
    assertArrayEquals(doubles(expected.get("fpr")), actual.fpr(), TOLERANCE);
    assertArrayEquals(doubles(expected.get("tpr")), actual.tpr(), TOLERANCE);
    assertArrayEquals(doubles(expected.get("thresholds")), actual.thresholds(), 0);
  }

  private static void assertOperatingPoint(JsonNode expected, OperatingPoint actual) {
    assertEquals(expected.get("threshold").doubleValue(), actual.threshold(), 0);
    assertEquals(expected.get("tp").longValue(), actual.truePositives());
    assertEquals(expected.get("fp").longValue(), actual.falsePositives());
    assertEquals(expected.get("tn").longValue(), actual.trueNegatives());
    assertEquals(expected.get("fn").longValue(), actual.falseNegatives());
    assertRate(expected.get("sensitivity"), actual.sensitivity());
    assertRate(expected.get("specificity"), actual.specificity());
    assertRate(expected.get("ppv"), actual.ppv());
    assertRate(expected.get("npv"), actual.npv());
    assertRate(expected.get("f1"), actual.f1());
  }

  private static void assertRate(JsonNode expected, double actual) {
    assertEquals(expected.isNull() ? Double.NaN : expected.doubleValue(), actual, TOLERANCE);
  }

  private static void assertInterval(JsonNode expected, Interval actual) {
    assertEquals(expected.get(0).doubleValue(), actual.low(), TOLERANCE);
    assertEquals(expected.get(1).doubleValue(), actual.high(), TOLERANCE);
  }

  private static PredictionSet set(JsonNode probabilities, JsonNode labels) {
    List<String> images = new ArrayList<>();
    List<Float> p = new ArrayList<>();
    List<Float> l = new ArrayList<>();
    for (int row = 0; row < probabilities.size(); row++) {
      images.add("img" + row);
      probabilities.get(row).forEach(v -> p.add(v.floatValue()));
      labels.get(row).forEach(v -> l.add(v.floatValue()));
    }
    return new PredictionSet(images, toArray(p), toArray(l));
  }

  private static float[] toArray(List<Float> values) {
    float[] array = new float[values.size()];
    IntStream.range(0, array.length).forEach(i -> array[i] = values.get(i));
    return array;
  }

  /** The fixture holds float32 values printed as doubles; the cast back is exact. */
  private static float[] floats(JsonNode node) {
    float[] values = new float[node.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) node.get(i).doubleValue();
    }
    return values;
  }

  private static double[] doubles(JsonNode node) {
    double[] values = new double[node.size()];
    for (int i = 0; i < values.length; i++) {
      JsonNode value = node.get(i);
      // Python's json writes sklearn's first threshold, inf, as Infinity.
      values[i] = value.isTextual() ? Double.parseDouble(value.textValue()) : value.doubleValue();
    }
    return values;
  }

  private static int[] ints(JsonNode node) {
    int[] values = new int[node.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = node.get(i).intValue();
    }
    return values;
  }

  private static Stream<JsonNode> stream(JsonNode array) {
    List<JsonNode> nodes = new ArrayList<>();
    array.forEach(nodes::add);
    return nodes.stream();
  }

  private static JsonNode load() {
    try (InputStream in = ParityTest.class.getResourceAsStream("parity-fixture.json")) {
      return new ObjectMapper()
          .enable(com.fasterxml.jackson.core.JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS)
          .readTree(in);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read parity-fixture.json", e);
    }
  }
}
