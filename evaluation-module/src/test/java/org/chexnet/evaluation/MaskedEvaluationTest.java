package org.chexnet.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.chexnet.evaluation.calibration.CalibrationEvaluation;
import org.chexnet.evaluation.calibration.ClassCalibration;
import org.chexnet.evaluation.subgroups.ImageMetadata;
import org.chexnet.evaluation.subgroups.Subgroup;
import org.chexnet.evaluation.subgroups.SubgroupClass;
import org.chexnet.evaluation.subgroups.SubgroupEvaluation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Masked labels (NaN: an uncertain label ignored, a finding an image's dataset lacks) are left out
 * of that class's AUROC, intervals, curve, operating point and calibration, and the reports count
 * them; the AUROC and Brier score per class against scikit-learn's roc_auc_score and
 * brier_score_loss on the known images.
 */
class MaskedEvaluationTest {
  private static final List<String> CLASSES = List.of("Atelectasis", "Edema", "Fracture");

  @TempDir Path dir;

  /** 300 images; Edema masked on every third image, Fracture on all but 40. */
  private static PredictionSet sample(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int images = 300;
    float[] probabilities = new float[images * 3];
    float[] labels = new float[images * 3];
    List<String> names = new ArrayList<>();
    for (int i = 0; i < images; i++) {
      names.add("img" + i + ".jpg");
      for (int c = 0; c < 3; c++) {
        float label = random.nextInt(4) == 0 ? 1f : 0f;
        labels[i * 3 + c] = label;
        probabilities[i * 3 + c] = (float) Math.min(1, 0.3 * label + 0.7 * random.nextDouble());
      }
      if (i % 3 == 0) {
        labels[i * 3 + 1] = Float.NaN;
      }
      if (i >= 40) {
        labels[i * 3 + 2] = Float.NaN;
      }
    }
    return new PredictionSet(names, probabilities, labels);
  }

  @Test
  void maskedLabelsAreLeftOutOfEachClassAsScikitLearnLeavesThemOut() throws IOException {
    PredictionSet set = sample(11);
    Map<String, Object> input = new LinkedHashMap<>();
    input.put("classes", CLASSES);
    List<List<Double>> probabilities = new ArrayList<>();
    List<List<Double>> labels = new ArrayList<>();
    for (int i = 0; i < set.images(); i++) {
      List<Double> p = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (int c = 0; c < 3; c++) {
        p.add((double) set.probabilities()[i * 3 + c]);
        float label = set.labels()[i * 3 + c];
        y.add(Float.isNaN(label) ? null : (double) label);
      }
      probabilities.add(p);
      labels.add(y);
    }
    input.put("probabilities", probabilities);
    input.put("labels", labels);
    JsonNode sklearn = ScikitLearnReference.run("masked_reference.py", input, dir);

    EvaluationResult result =
        EvaluationResult.of(CLASSES, set.probabilities(), set.labels(), set.images());
    assertTrue(result.anyMasked());
    for (ClassAuroc c : result.perClass()) {
      JsonNode expected = sklearn.get(c.className());
      assertEquals(expected.get("auroc").asDouble(), c.auroc(), 1e-12, c.className());
      assertEquals(expected.get("positives").asInt(), c.positives(), c.className());
      assertEquals(expected.get("negatives").asInt(), c.negatives(), c.className());
      assertEquals(expected.get("masked").asInt(), result.masked(c), c.className());
    }
    CalibrationEvaluation calibration = CalibrationEvaluation.compute(CLASSES, set, 50, 3);
    for (ClassCalibration c : calibration.perClass()) {
      JsonNode expected = sklearn.get(c.className());
      assertEquals(expected.get("brier").asDouble(), c.brier(), 1e-9, c.className());
      assertEquals(expected.get("positives").asInt(), c.positives(), c.className());
    }
    assertEquals(0, result.masked(result.perClass().get(0)));
    assertEquals(100, result.masked(result.perClass().get(1)));
    assertEquals(260, result.masked(result.perClass().get(2)));
  }

  @Test
  void aClassesIntervalsCurveAndOperatingPointUseOnlyItsKnownImages() {
    PredictionSet set = sample(12);
    PredictionSet validation = sample(13);
    ReportOptions options = ReportOptions.defaults().withBootstrap(200, 5);
    DetailedEvaluation masked =
        DetailedEvaluation.compute(CLASSES, set, Optional.of(validation), options);
    int edema = 1;
    float[][] known = known(set, edema);
    float[][] knownValidation = known(validation, edema);
    DeLong.Estimate deLong = DeLong.of(known[0], known[1]);
    assertEquals(deLong.auroc(), masked.deLong().get(edema).auroc(), 0);
    assertEquals(deLong.variance(), masked.deLong().get(edema).variance(), 0);
    RocCurve curve = RocCurve.corners(known[0], known[1]);
    assertArrayEquals(curve.fpr(), masked.rocCurves().get(edema).fpr());
    assertArrayEquals(curve.tpr(), masked.rocCurves().get(edema).tpr());
    OperatingPoint point =
        OperatingPoint.choose(
                "Edema",
                options.thresholdRule(),
                knownValidation[0],
                knownValidation[1],
                known[0],
                known[1])
            .orElseThrow();
    assertEquals(point, masked.operatingPoints().get(edema).orElseThrow());
    assertEquals(
        set.images() - 100,
        point.truePositives()
            + point.falsePositives()
            + point.trueNegatives()
            + point.falseNegatives());
    // Every bootstrap replicate of the class sees only its known images: its intervals stay
    // inside [0, 1] and around the AUROC of those images.
    Interval interval = masked.bootstrap().perClass().get(edema);
    assertTrue(
        interval.low() <= deLong.auroc() && deLong.auroc() <= interval.high(), "" + interval);
  }

  @Test
  void aSubgroupsPrevalenceAndAurocCountOnlyItsKnownLabels() throws IOException {
    PredictionSet set = sample(15);
    StringBuilder csv = new StringBuilder("Image Index,Patient Gender\n");
    for (int i = 0; i < set.images(); i++) {
      csv.append(set.imageIndexes().get(i)).append(i % 2 == 0 ? ",M\n" : ",F\n");
    }
    Path metadata = Files.writeString(dir.resolve("metadata.csv"), csv);
    SubgroupEvaluation subgroups =
        SubgroupEvaluation.compute(
            CLASSES,
            set,
            ImageMetadata.read(metadata),
            List.of("sex"),
            new double[] {0.5, 0.5, 0.5},
            20,
            3);
    int fracture = 2;
    for (Subgroup subgroup : subgroups.attributes().get(0).subgroups()) {
      int parity = subgroup.value().equals("M") ? 0 : 1;
      List<Integer> rows = new ArrayList<>();
      for (int i = parity; i < set.images(); i += 2) {
        if (!Float.isNaN(set.labels()[i * 3 + fracture])) {
          rows.add(i);
        }
      }
      float[] scores = new float[rows.size()];
      float[] truth = new float[rows.size()];
      long positives = 0;
      for (int k = 0; k < rows.size(); k++) {
        scores[k] = set.probabilities()[rows.get(k) * 3 + fracture];
        truth[k] = set.labels()[rows.get(k) * 3 + fracture];
        positives += truth[k] >= 0.5f ? 1 : 0;
      }
      SubgroupClass c = subgroup.perClass().get(fracture);
      assertEquals((double) positives / rows.size(), c.prevalence(), 1e-12, subgroup.value());
      assertEquals(Auroc.of(scores, truth), c.auroc(), 0, subgroup.value());
    }
  }

  @Test
  void reportsCountTheMaskedLabelsPerClassAndOnlyWhenThereAreAny() throws IOException {
    PredictionSet set = sample(14);
    ReportOptions options = ReportOptions.defaults().withBootstrap(50, 5);
    DetailedEvaluation e =
        EvaluationReport.writeAll(
            dir, "masked", CLASSES, set, Optional.empty(), Optional.empty(), options);
    JsonNode metrics = new ObjectMapper().readTree(dir.resolve("metrics.json").toFile());
    assertEquals(0, metrics.get("masked").get("Atelectasis").asInt());
    assertEquals(100, metrics.get("masked").get("Edema").asInt());
    assertEquals(260, metrics.get("masked").get("Fracture").asInt());
    assertTrue(Files.readString(dir.resolve("report.md")).contains("| Masked |"));
    String table = EvaluationReport.consoleTable(e.result());
    assertTrue(table.lines().findFirst().orElseThrow().contains("Masked"), table);

    float[] allKnown = set.labels().clone();
    for (int i = 0; i < allKnown.length; i++) {
      allKnown[i] = Float.isNaN(allKnown[i]) ? 0f : allKnown[i];
    }
    Path plain = dir.resolve("plain");
    EvaluationReport.writeAll(
        plain,
        "plain",
        CLASSES,
        new PredictionSet(set.imageIndexes(), set.probabilities(), allKnown),
        Optional.empty(),
        Optional.empty(),
        options);
    assertFalse(new ObjectMapper().readTree(plain.resolve("metrics.json").toFile()).has("masked"));
    assertFalse(Files.readString(plain.resolve("report.md")).contains("Masked"));
  }

  /** The scores and labels of one class on the images whose label is known. */
  private static float[][] known(PredictionSet set, int c) {
    float[] scores = set.scores(c);
    float[] truth = set.truth(c);
    int n = 0;
    for (float t : truth) {
      n += Float.isNaN(t) ? 0 : 1;
    }
    float[][] out = new float[2][n];
    int k = 0;
    for (int i = 0; i < truth.length; i++) {
      if (!Float.isNaN(truth[i])) {
        out[0][k] = scores[i];
        out[1][k++] = truth[i];
      }
    }
    return out;
  }
}
