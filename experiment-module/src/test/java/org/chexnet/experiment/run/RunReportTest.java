package org.chexnet.experiment.run;

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
import javax.imageio.ImageIO;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.Reporter;
import org.chexnet.dataset.Finding;
import org.chexnet.evaluation.calibration.CalibrationMethod;
import org.chexnet.evaluation.calibration.ModelCalibration;
import org.chexnet.experiment.TinySpecs;
import org.chexnet.experiment.spec.SpecLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report set a run leaves in its artifacts, and the spec keys that shape it. */
class RunReportTest {
  static final String SPEC =
      TinySpecs.dataAndModel("tiny")
          + """
      train:
        epochs: 2
        batch_size: 16
        horizontal_flip: false
        callbacks:
          - type: model_checkpoint
          - type: csv_logger
            separator: ";"
      evaluate:
        bootstrap: {replicates: 50, seed: 5}
        threshold: {type: sensitivity, target: 0.8}
      """;

  /** What every finished run must have beside metrics.json's two agreed keys. */
  static void assertDetailedReport(Path artifacts, int replicates) throws IOException {
    JsonNode metrics = new ObjectMapper().readTree(artifacts.resolve("metrics.json").toFile());
    assertEquals(replicates, metrics.get("bootstrap").get("replicates").intValue());
    JsonNode ci = metrics.get("mean_auroc_ci");
    double mean = metrics.get("mean_auroc").doubleValue();
    assertTrue(
        ci.get("low").doubleValue() <= mean && mean <= ci.get("high").doubleValue(), ci + "");
    for (String finding : Finding.labels()) {
      assertTrue(metrics.get("auroc_ci").has(finding), finding);
      assertTrue(metrics.get("auroc_delong_ci").has(finding), finding);
    }
    assertEquals(
        "class,fpr,tpr,threshold", Files.readAllLines(artifacts.resolve("roc.csv")).get(0));
    for (String file : List.of("roc.png", "training.png", "report.md", "report.html")) {
      assertTrue(Files.size(artifacts.resolve(file)) > 0, file);
    }
    String html = Files.readString(artifacts.resolve("report.html"));
    assertTrue(html.contains("chexnet_paper_2017") && html.contains("95% CI bootstrap"));
    assertTrue(html.contains("data:image/png;base64,"), "plots embedded in the HTML");
  }

  /**
   * What every run evaluated on test with the default {@code evaluate.calibration} and {@code
   * evaluate.subgroups} must have, checked against the run's own records: the calibration section
   * for every finding on every test image, its means logged as run metrics, calibration.json fitted
   * on the validation images, subgroups by sex, age and view covering the test images,
   * reliability.png, both reports' sections, and a model card naming the dataset's digest.
   */
  static void assertClinicalSections(RunResult run) throws IOException {
    Path artifacts = run.artifactsDir();
    Path dir = run.directory();
    int testImages =
        Integer.parseInt(Files.readString(dir.resolve("tags/chexnet.data.test_images")));
    int validationImages =
        Integer.parseInt(Files.readString(dir.resolve("tags/chexnet.data.validation_images")));
    JsonNode metrics = new ObjectMapper().readTree(artifacts.resolve("metrics.json").toFile());
    List<String> findings = names(metrics.get("auroc"));
    assertEquals(Finding.labels(), findings);

    JsonNode calibration = metrics.get("calibration");
    assertEquals(findings, names(calibration));
    double meanBrier = 0;
    double meanEce = 0;
    int calibrated = 0;
    for (String finding : findings) {
      JsonNode one = calibration.get(finding);
      assertEquals(testImages, one.get("images").intValue(), finding);
      double brier = one.get("brier").doubleValue();
      double ece = one.get("ece").doubleValue();
      assertTrue(brier >= 0 && brier <= 1, finding + " Brier " + brier);
      assertTrue(ece >= 0 && ece <= 1, finding + " ECE " + ece);
      assertTrue(
          one.get("ece_ci").get("low").doubleValue()
              <= one.get("ece_ci").get("high").doubleValue());
      meanBrier += brier / findings.size();
      meanEce += ece / findings.size();
      if (one.has("calibrated")) {
        calibrated++;
        assertEquals("platt", one.get("calibrated").get("method").textValue());
        double after = one.get("calibrated").get("ece").doubleValue();
        assertTrue(after >= 0 && after <= 1, finding + " ECE after " + after);
      }
    }
    assertTrue(calibrated > 0, "some findings have validation positives to fit on");
    assertEquals(meanBrier, metric(dir, "test_mean_brier"), 1e-9);
    assertEquals(meanEce, metric(dir, "test_mean_ece"), 1e-9);
    assertEquals(
        run.evaluation().calibration().calibrated().orElseThrow().meanEce(),
        metric(dir, "test_mean_ece_calibrated"),
        1e-9);

    ModelCalibration stored = ModelCalibration.read(run.artifacts().calibration());
    assertEquals(findings, stored.classNames());
    assertEquals(CalibrationMethod.PLATT, stored.method());
    assertEquals(validationImages, stored.fittedOnImages());
    assertEquals(calibrated, stored.perClass().stream().filter(Optional::isPresent).count());

    JsonNode subgroups = metrics.get("subgroups");
    assertEquals(List.of("sex", "age", "view"), names(subgroups));
    assertEquals(List.of("F", "M"), names(subgroups.get("sex")));
    assertEquals(List.of("AP", "PA"), names(subgroups.get("view")));
    for (String attribute : names(subgroups)) {
      int images = 0;
      for (String value : names(subgroups.get(attribute))) {
        images += subgroups.get(attribute).get(value).get("images").intValue();
      }
      assertEquals(testImages, images, attribute + ": every test image in one subgroup");
    }
    assertTrue(subgroups.get("sex").get("M").get("fnr").has("Effusion"), "at the thresholds");
    assertEquals(3, run.evaluation().subgroups().orElseThrow().attributes().size());
    assertTrue(metrics.get("subgroup_gaps").get("view").get("auroc").has("Effusion"));

    BufferedImage reliability = ImageIO.read(run.artifacts().reliabilityDiagram().toFile());
    assertTrue(reliability.getWidth() > 0);
    String markdown = Files.readString(run.artifacts().reportMarkdown());
    assertTrue(markdown.contains("## Calibration"), markdown);
    assertTrue(markdown.contains("![Reliability diagram per class](reliability.png)"));
    assertTrue(markdown.contains("## Subgroups"));
    assertTrue(Files.readString(run.artifacts().reportHtml()).contains("<h3>view (View Position)"));

    String card = Files.readString(run.artifacts().modelCard());
    assertTrue(card.startsWith("# Model card: " + run.name() + "\n"), card);
    String digest = Files.readString(dir.resolve("tags/chexnet.dataset.digest"));
    assertTrue(card.contains("- Digest: `" + digest + "`"), card);
    assertTrue(card.contains("**Not for diagnosis.**"));
    assertTrue(card.contains("Label noise: NIH ChestX-ray14's labels"));
    assertTrue(card.contains("- Images: " + testImages + ", patients: "), card);
    assertTrue(card.contains("### Per subgroup") && card.contains("### Calibration"));
    assertTrue(card.contains("Synthetic data: with data.synthetic"));
    assertTrue(card.contains("validation split (" + validationImages + " images"), card);
  }

  private static double metric(Path run, String name) throws IOException {
    return Double.parseDouble(
        Files.readAllLines(run.resolve("metrics/" + name)).get(0).split(" ")[1]);
  }

  private static List<String> names(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void specChoosesBootstrapAndThresholdRuleAndTheHistoryIsPlotted(@TempDir Path work)
      throws Exception {
    RunResult run = run(work, SPEC);
    Path artifacts = run.artifactsDir();
    assertDetailedReport(artifacts, 50);
    assertClinicalSections(run);
    JsonNode metrics = new ObjectMapper().readTree(artifacts.resolve("metrics.json").toFile());
    assertEquals(5, metrics.get("bootstrap").get("seed").intValue());
    List<String> points = Files.readAllLines(artifacts.resolve("operating-points.csv"));
    assertTrue(points.size() > 1, "validation of the synthetic set has positives");
    for (String line : points.subList(1, points.size())) {
      assertTrue(line.contains(",sensitivity >= 0.8,"), line);
    }
    assertTrue(Files.readString(artifacts.resolve("report.md")).contains("## Operating points"));
    double low =
        Double.parseDouble(
            Files.readString(run.directory().resolve("metrics/test_mean_auroc_ci_low"))
                .split(" ")[1]);
    assertEquals(metrics.get("mean_auroc_ci").get("low").doubleValue(), low, 1e-12);
  }

  @Test
  void evaluatingOnValidationHasNoOperatingPointsNorCalibrationFittedThere(@TempDir Path work)
      throws Exception {
    RunResult run =
        run(work, SPEC.replace("evaluate:\n", "evaluate:\n  split: validation\n  subgroups: []\n"));
    assertFalse(Files.exists(run.artifactsDir().resolve("operating-points.csv")));
    assertTrue(Files.exists(run.directory().resolve("metrics/validation_mean_auroc_ci_high")));
    assertFalse(Files.exists(run.artifacts().calibration()));
    JsonNode metrics = new ObjectMapper().readTree(run.artifacts().metrics().toFile());
    assertFalse(metrics.get("calibration").get("Effusion").has("calibrated"));
    assertFalse(metrics.has("subgroups"));
    assertTrue(Files.exists(run.directory().resolve("metrics/validation_mean_ece")));
    assertFalse(Files.exists(run.directory().resolve("metrics/validation_mean_ece_calibrated")));
    String card = Files.readString(run.artifacts().modelCard());
    assertTrue(card.contains("Evaluated on the validation split"), card);
    assertTrue(card.contains("No per-image metadata was given"), card);
  }

  @Test
  void specChoosesTheCalibrationMethodAndSubgroupColumns(@TempDir Path work) throws Exception {
    RunResult run =
        run(
            work,
            SPEC.replace(
                "evaluate:\n",
                "evaluate:\n  calibration: isotonic\n  subgroups: [view, \"Follow-up #\"]\n"));
    assertEquals(
        CalibrationMethod.ISOTONIC, ModelCalibration.read(run.artifacts().calibration()).method());
    JsonNode metrics = new ObjectMapper().readTree(run.artifacts().metrics().toFile());
    assertEquals(List.of("view", "Follow-up #"), names(metrics.get("subgroups")));
    assertEquals(
        "isotonic",
        metrics.get("calibration").get("Effusion").get("calibrated").get("method").textValue());
  }

  @Test
  void aSubgroupAttributeTheMetadataLacksStopsTheRunBeforeTraining(@TempDir Path work)
      throws Exception {
    ChexnetException e =
        assertThrows(
            ChexnetException.class,
            () ->
                run(
                    work,
                    SPEC.replace("evaluate:\n", "evaluate:\n  subgroups: [sex, ethnicity]\n")));
    assertTrue(e.getMessage().startsWith("evaluate.subgroups: "), e.getMessage());
    assertTrue(e.getMessage().contains("ethnicity"), e.getMessage());
    assertFalse(Files.exists(work.resolve("mlruns")), "no run was started");

    // An age the dataset reads but no subgroup can hold is named with its file and line, before
    // training too.
    Path dataEntry = work.resolve("data/tiny/Data_Entry_2017_v2020.csv");
    List<String> rows = new ArrayList<>();
    for (String row : Files.readAllLines(dataEntry)) {
      String[] cells = row.split(",", -1);
      if (!rows.isEmpty()) {
        cells[4] = "-5"; // Patient Age
      }
      rows.add(String.join(",", cells));
    }
    Files.write(dataEntry, rows);
    e = assertThrows(ChexnetException.class, () -> run(work, SPEC));
    assertTrue(
        e.getMessage()
            .matches(
                "evaluate\\.subgroups: .*Data_Entry_2017_v2020\\.csv:\\d+: Patient Age: '-5' is not an age in years"),
        e.getMessage());
    assertFalse(Files.exists(work.resolve("mlruns")), "no run was started");
  }

  private static RunResult run(Path work, String spec) throws Exception {
    SpecLoader.LoadedSpec loaded = SpecLoader.load(spec, "spec.yaml", List.of());
    return new ExperimentRunner(Reporter.silent(), work).run(loaded);
  }
}
