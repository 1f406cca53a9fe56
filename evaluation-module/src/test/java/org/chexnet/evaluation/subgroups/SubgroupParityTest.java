package org.chexnet.evaluation.subgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.chexnet.evaluation.Interval;
import org.chexnet.evaluation.NihSample;
import org.chexnet.evaluation.PredictionSet;
import org.chexnet.evaluation.ScikitLearnReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Subgroups of 1,600 real NIH images (their sex, age and view from Data_Entry_2017_v2020.csv, their
 * labels, generated predictions that are worse on AP images) against pandas and scikit-learn, which
 * group the images from the same file on their own: per subgroup the counts, AUROC (roc_auc_score),
 * sensitivity, specificity and false-negative rate (confusion_matrix), the bootstrap intervals on
 * the same draws, and the largest gaps, all to 1e-9.
 */
class SubgroupParityTest {

  private static final double TOLERANCE = 1e-9;
  private static final int REPLICATES = 40;
  private static final List<String> CLASSES = NihSample.CLASSES;
  private static final List<String> ATTRIBUTES = List.of("sex", "age", "view");

  @TempDir static Path dir;

  private static SubgroupEvaluation ours;
  private static JsonNode theirs;

  @BeforeAll
  static void evaluateBoth() throws IOException {
    Path csv = NihSample.file();
    ImageMetadata metadata = NihSample.metadata();
    // Better separated on PA than on AP images; four decimals, so that ties occur.
    PredictionSet set =
        NihSample.predictions(
            metadata,
            0,
            metadata.rows(),
            3,
            (random, row, positive) -> {
              double separation = metadata.cell(row, "View Position").equals("AP") ? 0.4 : 2.0;
              double logit = random.nextGaussian() - 1.5 + (positive ? separation : 0);
              return (float) (Math.round(10_000 / (1 + Math.exp(-logit))) / 10_000.0);
            });
    double[] thresholds = new double[CLASSES.size()];
    Arrays.fill(thresholds, 0.3);
    thresholds[5] = Double.NaN; // a class without an operating point
    thresholds[2] = 0.25;

    Map<String, Object> input = new LinkedHashMap<>();
    input.put(
        "subgroups",
        Map.of(
            "metadata", csv.toString(),
            "images", set.imageIndexes(),
            "probabilities", NihSample.rows(set.probabilities(), CLASSES.size()),
            "labels", NihSample.rows(set.labels(), CLASSES.size()),
            "thresholds", Arrays.stream(thresholds).map(t -> Double.isNaN(t) ? 2.0 : t).toArray(),
            "classes", CLASSES,
            "attributes", ATTRIBUTES,
            "replicates", REPLICATES,
            "seed", 5));
    theirs =
        ScikitLearnReference.run("calibration_subgroups_reference.py", input, dir).get("subgroups");

    Map<String, Map<String, int[][]>> draws = new HashMap<>();
    for (String attribute : ATTRIBUTES) {
      Map<String, int[][]> byValue = new HashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = theirs.get(attribute).get("groups").fields();
          it.hasNext(); ) {
        Map.Entry<String, JsonNode> group = it.next();
        JsonNode rows = group.getValue().get("draws");
        int[][] indexes = new int[rows.size()][];
        for (int r = 0; r < indexes.length; r++) {
          indexes[r] = new int[rows.get(r).size()];
          for (int k = 0; k < indexes[r].length; k++) {
            indexes[r][k] = rows.get(r).get(k).intValue();
          }
        }
        byValue.put(group.getKey(), indexes);
      }
      draws.put(attribute, byValue);
    }
    ours =
        SubgroupEvaluation.compute(
            CLASSES, set, metadata, ATTRIBUTES, thresholds, REPLICATES, 5, draws);
  }

  @Test
  void subgroupsAreTheSameImagesInTheSameOrder() {
    for (AttributeSubgroups attribute : ours.attributes()) {
      JsonNode expected = theirs.get(attribute.attribute());
      List<String> values = new ArrayList<>();
      expected.get("groups").fieldNames().forEachRemaining(values::add);
      assertEquals(values, attribute.subgroups().stream().map(Subgroup::value).toList());
      for (Subgroup subgroup : attribute.subgroups()) {
        assertEquals(
            expected.get("groups").get(subgroup.value()).get("images").intValue(),
            subgroup.images());
      }
      assertEquals(expected.get("without_value").intValue(), attribute.imagesWithoutValue());
    }
    assertEquals(
        List.of("0-19", "20-39", "40-59", "60-79", "80+"),
        ours.attributes().get(1).subgroups().stream().map(Subgroup::value).toList());
  }

  @Test
  void perSubgroupMetricsAndIntervalsMatchScikitLearn() {
    int undefined = 0;
    for (AttributeSubgroups attribute : ours.attributes()) {
      for (Subgroup subgroup : attribute.subgroups()) {
        JsonNode expected = theirs.get(attribute.attribute()).get("groups").get(subgroup.value());
        String where = attribute.attribute() + "=" + subgroup.value();
        assertEquals(expected.get("mean_auroc").doubleValue(), subgroup.meanAuroc(), TOLERANCE);
        assertInterval(expected.get("mean_auroc_ci"), subgroup.meanAurocCi(), where + " mean");
        for (int c = 0; c < CLASSES.size(); c++) {
          SubgroupClass one = subgroup.perClass().get(c);
          String what = where + " " + CLASSES.get(c);
          assertEquals(expected.get("positives").get(c).intValue(), one.positives(), what);
          assertEquals((double) one.positives() / subgroup.images(), one.prevalence(), 0, what);
          JsonNode auroc = expected.get("auroc").get(c);
          if (auroc.isNull()) {
            undefined++;
            assertFalse(one.defined(), what);
            assertTrue(Double.isNaN(one.auroc()), what);
            assertEquals(
                one.positives() == 0
                    ? "no positive images in this subgroup"
                    : "no negative images in this subgroup",
                one.undefinedReason(),
                what);
          } else {
            assertEquals(auroc.doubleValue(), one.auroc(), TOLERANCE, what);
          }
          assertInterval(expected.get("auroc_ci").get(c), one.aurocCi(), what + " AUROC CI");
          if (c == 5) {
            assertTrue(one.operatingPoint().isEmpty(), what);
            assertTrue(Double.isNaN(one.falseNegativeRate()), what);
            continue;
          }
          assertRate(
              expected.get("sensitivity").get(c), one.operatingPoint().get().sensitivity(), what);
          assertRate(
              expected.get("specificity").get(c), one.operatingPoint().get().specificity(), what);
          assertRate(expected.get("fnr").get(c), one.falseNegativeRate(), what);
          assertInterval(expected.get("fnr_ci").get(c), one.falseNegativeRateCi(), what + " FNR");
        }
      }
    }
    assertTrue(undefined > 0, "Hernia (2 positives) has subgroups without an AUROC");
  }

  @Test
  void largestGapsMatchAndAreFlaggedWhenTheIntervalExcludesZero() {
    int flagged = 0;
    for (AttributeSubgroups attribute : ours.attributes()) {
      JsonNode expected = theirs.get(attribute.attribute());
      for (int c = 0; c < CLASSES.size(); c++) {
        flagged += assertGap(expected.get("auroc_gaps").get(c), attribute.aurocGaps().get(c));
        if (c == 5) {
          // No threshold, so no false-negative rate to compare.
          assertEquals(
              "fewer than two subgroups with a defined false-negative rate",
              attribute.falseNegativeRateGaps().get(c).undefinedReason());
        } else {
          flagged +=
              assertGap(expected.get("fnr_gaps").get(c), attribute.falseNegativeRateGaps().get(c));
        }
      }
    }
    assertTrue(flagged > 0, "the AP images' weaker predictions give flagged view gaps");
    assertTrue(
        degenerateNotFlagged > 0,
        "rare findings (Hernia: 2 positives) give intervals that exclude zero from too few cases,"
            + " left unflagged");
  }

  /** Gaps whose interval excludes zero but whose subgroups are too small to flag. */
  private static int degenerateNotFlagged;

  private static int assertGap(JsonNode expected, SubgroupGap actual) {
    if (expected.isNull()) {
      assertTrue(Double.isNaN(actual.gap()), actual.className());
      assertFalse(actual.flagged());
      return 0;
    }
    assertNull(actual.undefinedReason());
    assertEquals(expected.get("higher").textValue(), actual.higher(), actual.className());
    assertEquals(expected.get("lower").textValue(), actual.lower(), actual.className());
    assertEquals(expected.get("gap").doubleValue(), actual.gap(), TOLERANCE);
    assertInterval(expected.get("ci"), actual.ci(), actual.className() + " gap");
    boolean tooFew = expected.get("too_few").booleanValue();
    assertEquals(tooFew, actual.tooFewCases() != null, actual.className() + " too few cases");
    Interval ci = actual.ci();
    assertEquals(!tooFew && (ci.low() > 0 || ci.high() < 0), actual.flagged());
    if (tooFew && (ci.low() > 0 || ci.high() < 0)) {
      degenerateNotFlagged++;
    }
    return actual.flagged() ? 1 : 0;
  }

  private static void assertRate(JsonNode expected, double actual, String what) {
    assertEquals(expected.isNull() ? Double.NaN : expected.doubleValue(), actual, TOLERANCE, what);
  }

  private static void assertInterval(JsonNode expected, Interval actual, String what) {
    if (expected.isNull()) {
      assertFalse(actual.defined(), what);
      return;
    }
    assertEquals(expected.get(0).doubleValue(), actual.low(), TOLERANCE, what);
    assertEquals(expected.get(1).doubleValue(), actual.high(), TOLERANCE, what);
  }
}
