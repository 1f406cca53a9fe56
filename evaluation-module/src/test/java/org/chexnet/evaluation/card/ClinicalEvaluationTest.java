package org.chexnet.evaluation.card;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import javax.imageio.ImageIO;
import org.chexnet.evaluation.DetailedEvaluation;
import org.chexnet.evaluation.EvaluationReport;
import org.chexnet.evaluation.NihSample;
import org.chexnet.evaluation.PredictionSet;
import org.chexnet.evaluation.ReportFormat;
import org.chexnet.evaluation.ReportOptions;
import org.chexnet.evaluation.calibration.CalibrationMethod;
import org.chexnet.evaluation.calibration.CalibrationReport;
import org.chexnet.evaluation.calibration.ModelCalibration;
import org.chexnet.evaluation.subgroups.ImageMetadata;
import org.chexnet.evaluation.subgroups.SubgroupEvaluation;
import org.chexnet.evaluation.subgroups.SubgroupReport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library path a run takes: overconfident predictions on 1,600 real NIH images (600 for
 * validation, 1,000 for test), Platt and isotonic calibration fitted on validation, calibration and
 * subgroup sections written with the report, and the model card.
 */
class ClinicalEvaluationTest {

  private static final List<String> CLASSES = NihSample.CLASSES;
  private static final int REPLICATES = 200;

  @TempDir static Path dir;

  private static ImageMetadata metadata;
  private static PredictionSet validation;
  private static PredictionSet test;
  private static ReportOptions options;
  private static CalibrationReport calibration;
  private static SubgroupEvaluation subgroups;
  private static DetailedEvaluation evaluation;
  private static JsonNode metrics;

  @BeforeAll
  static void writeReport() throws IOException {
    metadata = NihSample.metadata();
    validation = predictions(0, 600);
    test = predictions(600, 1600);
    options = ReportOptions.defaults().withBootstrap(REPLICATES, 7);
    calibration =
        CalibrationReport.compute(
            CLASSES,
            test,
            Optional.of(ModelCalibration.fit(CLASSES, validation, CalibrationMethod.PLATT)),
            REPLICATES,
            7);
    DetailedEvaluation thresholds =
        DetailedEvaluation.compute(CLASSES, test, Optional.of(validation), options);
    subgroups =
        SubgroupEvaluation.compute(
            CLASSES,
            test,
            metadata,
            List.of("sex", "age", "view"),
            SubgroupEvaluation.thresholds(thresholds.operatingPoints()),
            REPLICATES,
            7);
    evaluation =
        EvaluationReport.writeAll(
            dir,
            "test",
            CLASSES,
            test,
            Optional.of(validation),
            Optional.empty(),
            options,
            List.of(calibration, new SubgroupReport(subgroups)));
    metrics = new ObjectMapper().readTree(dir.resolve("metrics.json").toFile());
  }

  @Test
  void metricsJsonHasTheCalibrationAndSubgroupSections() {
    JsonNode calibrationJson = metrics.get("calibration");
    List<String> findings = new ArrayList<>();
    calibrationJson.fieldNames().forEachRemaining(findings::add);
    assertEquals(CLASSES, findings);
    JsonNode atelectasis = calibrationJson.get("Atelectasis");
    assertEquals(
        calibration.uncalibrated().perClass().get(0).brier(),
        atelectasis.get("brier").doubleValue());
    assertEquals(
        calibration.uncalibrated().perClass().get(0).eceCi().low(),
        atelectasis.get("ece_ci").get("low").doubleValue());
    assertEquals("platt", atelectasis.get("calibrated").get("method").textValue());

    JsonNode sex = metrics.get("subgroups").get("sex");
    assertEquals(List.of("F", "M"), names(sex));
    JsonNode male = sex.get("M");
    assertEquals(
        subgroups.attributes().get(0).subgroups().get(1).images(), male.get("images").intValue());
    assertTrue(male.get("mean_auroc").isNumber());
    assertEquals(CLASSES, names(male.get("auroc")));
    assertEquals(
        List.of("0-19", "20-39", "40-59", "60-79", "80+"),
        names(metrics.get("subgroups").get("age")));
    assertEquals(List.of("AP", "PA"), names(metrics.get("subgroups").get("view")));
    JsonNode hernia = metrics.get("subgroups").get("age").get("0-19");
    assertTrue(hernia.get("auroc").get("Hernia").isNull());
    assertEquals(
        "no positive images in this subgroup",
        hernia.get("auroc_undefined").get("Hernia").textValue());
    assertTrue(
        metrics.get("subgroup_gaps").get("view").get("auroc").get("Effusion").has("flagged"));
    // The sections come after the existing keys, which keep their places.
    assertEquals("mean_auroc", metrics.fieldNames().next());
  }

  @Test
  void plattCalibrationOnValidationLowersTheTestEceOfOverconfidentPredictions() {
    double before = 0;
    double after = 0;
    for (int c = 0; c < CLASSES.size(); c++) {
      before += calibration.uncalibrated().perClass().get(c).ece();
      after += calibration.calibrated().get().perClass().get(c).ece();
    }
    assertTrue(after < 0.7 * before, "ECE " + before + " before, " + after + " after");
  }

  @Test
  void reportsShowTheTablesAndTheReliabilityFigure() throws IOException {
    String markdown = Files.readString(dir.resolve("report.md"));
    assertTrue(markdown.contains("## Calibration"), markdown);
    assertTrue(markdown.contains("![Reliability diagram per class](reliability.png)"));
    assertTrue(markdown.contains("## Subgroups\n\n### sex (Patient Gender)"));
    assertTrue(markdown.contains("### age (Patient Age)"));
    assertTrue(markdown.contains("| Sensitivity / specificity / FNR | AP | PA |"));
    assertTrue(markdown.contains("undefined: no positive images"));
    String html = Files.readString(dir.resolve("report.html"));
    assertTrue(html.contains("<h3>view (View Position)</h3>"));
    assertTrue(html.contains("<img alt=\"Reliability diagram per class\" src=\"data:image/png"));
    BufferedImage png = ImageIO.read(dir.resolve(CalibrationReport.RELIABILITY_PNG).toFile());
    assertEquals(4 * 380, png.getWidth());
    assertEquals(4 * 340, png.getHeight());
  }

  @Test
  void reportWithoutSectionsHasNone() throws IOException {
    Path plain = dir.resolve("plain");
    EvaluationReport.writeAll(
        plain, "plain", CLASSES, test, Optional.empty(), Optional.empty(), options);
    JsonNode json = new ObjectMapper().readTree(plain.resolve("metrics.json").toFile());
    assertFalse(json.has("calibration"));
    assertFalse(json.has("subgroups"));
    assertFalse(Files.readString(plain.resolve("report.md")).contains("## Calibration"));
    assertFalse(Files.exists(plain.resolve(CalibrationReport.RELIABILITY_PNG)));
  }

  @Test
  void calibrationFileRoundTripsAndBadFilesAreNamed() throws IOException {
    for (CalibrationMethod method : CalibrationMethod.values()) {
      ModelCalibration fitted = ModelCalibration.fit(CLASSES, validation, method);
      Path file = dir.resolve(method.id() + "-" + ModelCalibration.FILE_NAME);
      fitted.write(file);
      ModelCalibration read = ModelCalibration.read(file);
      assertEquals(method, read.method());
      assertEquals(CLASSES, read.classNames());
      assertEquals(600, read.fittedOnImages());
      float[] expected = fitted.apply(test.probabilities());
      float[] actual = read.apply(test.probabilities());
      for (int k = 0; k < expected.length; k++) {
        assertEquals(expected[k], actual[k], 0, "value " + k);
      }
    }
    Path bad = dir.resolve("bad.json");
    Files.writeString(
        bad,
        "{\"format\": \"chexnet-calibration/1\", \"method\": \"platt\","
            + " \"classes\": {\"Mass\": {\"slope\": \"x\"}}}");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ModelCalibration.read(bad));
    assertEquals(bad + ": classes.Mass: expected a number slope", e.getMessage());
  }

  @Test
  void modelCardSaysWhatTheModelIsForAndShowsTheNumbers() throws IOException {
    ModelCard card =
        new ModelCard(
            new ModelCard.Model(
                "quickstart",
                "DenseNet-121, 224 x 224, 14 sigmoid outputs",
                "git abc1234",
                "mlruns/0/r1"),
            Optional.of(
                new ModelCard.Data(
                    "NIH ChestX-ray14, train list",
                    600,
                    OptionalInt.of(250),
                    "sha256:feed",
                    "patient-level")),
            new ModelCard.Data(
                "NIH ChestX-ray14 sample",
                1000,
                OptionalInt.empty(),
                "",
                "every 25th row, last 1,000"),
            evaluation,
            Optional.of(calibration),
            Optional.of(subgroups),
            List.of("Trained on 600 images only."));
    Path file = dir.resolve(ModelCard.FILE_NAME);
    card.write(file);
    String markdown = Files.readString(file);
    assertTrue(markdown.startsWith("# Model card: quickstart\n"), markdown);
    for (String section :
        List.of(
            "## Model details",
            "## Intended use",
            "## Factors",
            "## Metrics",
            "## Evaluation data",
            "## Training data",
            "## Quantitative analyses",
            "### Per subgroup",
            "### Calibration",
            "## Ethical considerations",
            "## Caveats and recommendations")) {
      assertTrue(markdown.contains(section + "\n"), section);
    }
    assertTrue(markdown.contains("**Not for diagnosis.**"));
    assertTrue(markdown.contains("- Digest: `sha256:feed`"));
    assertTrue(markdown.contains("Label noise: NIH ChestX-ray14's labels"));
    assertTrue(markdown.contains("- Trained on 600 images only."));
    assertTrue(markdown.contains("- Split: every 25th row, last 1,000."));
    assertTrue(
        markdown.contains(
            "| **Mean** | **"
                + ReportFormat.number(evaluation.result().meanAuroc())
                + "** | "
                + ReportFormat.interval(evaluation.bootstrap().mean())));
    assertTrue(markdown.contains("| sex = M | "));
    assertTrue(markdown.contains("| ECE after platt [95% CI] |"));
  }

  /** Real labels; predictions that rank well but are overconfident (2.5 times the logit). */
  private static PredictionSet predictions(int from, int to) {
    return NihSample.predictions(
        metadata,
        from,
        to,
        from + 11,
        (random, row, positive) -> {
          double logit = random.nextGaussian() - 2 + (positive ? 1.8 : 0);
          return (float) (1 / (1 + Math.exp(-2.5 * logit)));
        });
  }

  private static List<String> names(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
