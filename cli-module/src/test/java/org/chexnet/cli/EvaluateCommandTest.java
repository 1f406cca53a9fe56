package org.chexnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import org.chexnet.dataset.DataEntryCsv;
import org.chexnet.dataset.Finding;
import org.chexnet.evaluation.Auroc;
import org.chexnet.evaluation.DetailedEvaluation;
import org.chexnet.evaluation.PredictionSet;
import org.chexnet.evaluation.ReportOptions;
import org.chexnet.evaluation.calibration.CalibrationMethod;
import org.chexnet.evaluation.calibration.CalibrationReport;
import org.chexnet.evaluation.calibration.ClassCalibration;
import org.chexnet.evaluation.calibration.ModelCalibration;
import org.chexnet.evaluation.card.ModelCard;
import org.chexnet.evaluation.subgroups.AttributeSubgroups;
import org.chexnet.evaluation.subgroups.ImageMetadata;
import org.chexnet.evaluation.subgroups.Subgroup;
import org.chexnet.evaluation.subgroups.SubgroupClass;
import org.chexnet.evaluation.subgroups.SubgroupEvaluation;
import org.chexnet.evaluation.subgroups.SubgroupGap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `chexnet evaluate` on hand-made predictions and labels, and its errors. */
class EvaluateCommandTest {
  private static final int IMAGES = 40;

  @TempDir Path dir;

  /** Labels [IMAGES x 14], every class with positives and negatives. */
  private static float[][] labels() {
    Random random = new Random(4);
    float[][] labels = new float[IMAGES][Finding.COUNT];
    for (int i = 0; i < IMAGES; i++) {
      for (int c = 0; c < Finding.COUNT; c++) {
        labels[i][c] = i % 4 == c % 4 || random.nextDouble() < 0.2 ? 1 : 0;
      }
    }
    return labels;
  }

  private static float[][] scores(float[][] labels, long seed) {
    Random random = new Random(seed);
    float[][] scores = new float[IMAGES][Finding.COUNT];
    for (int i = 0; i < IMAGES; i++) {
      for (int c = 0; c < Finding.COUNT; c++) {
        scores[i][c] = (float) (0.5 * random.nextDouble() + 0.4 * labels[i][c]);
      }
    }
    return scores;
  }

  private static String name(int i) {
    return String.format(Locale.ROOT, "%08d_000.png", i);
  }

  private Path predictionsCsv(String file, float[][] scores, boolean header) throws Exception {
    StringBuilder csv = new StringBuilder();
    if (header) {
      csv.append("Image Index");
      Finding.labels().forEach(f -> csv.append(",prob_").append(f));
      csv.append('\n');
    }
    for (int i = 0; i < IMAGES; i++) {
      csv.append(name(i));
      for (float score : scores[i]) {
        csv.append(',').append(score);
      }
      csv.append('\n');
    }
    return Files.writeString(dir.resolve(file), csv);
  }

  private Path labelList(float[][] labels) throws Exception {
    StringBuilder list = new StringBuilder();
    for (int i = 0; i < IMAGES; i++) {
      list.append("images/").append(name(i));
      for (float label : labels[i]) {
        list.append(' ').append((int) label);
      }
      list.append('\n');
    }
    return Files.writeString(dir.resolve("labels.txt"), list);
  }

  private record Outcome(int exit, String out, String err) {}

  private static Outcome evaluate(String... args) {
    CommandLine cli = Chexnet.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    List<String> all = new ArrayList<>(List.of("evaluate"));
    all.addAll(List.of(args));
    int exit = cli.execute(all.toArray(String[]::new));
    return new Outcome(exit, out.toString(), err.toString().trim());
  }

  @Test
  void scoresPredictionsAgainstALabelListAndWritesTheReportSet() throws Exception {
    float[][] labels = labels();
    float[][] scores = scores(labels, 1);
    Path preds = predictionsCsv("preds.csv", scores, true);
    Path out = dir.resolve("report");
    Outcome o =
        evaluate(
            "--predictions",
            preds.toString(),
            "--labels",
            labelList(labels).toString(),
            "--out",
            out.toString(),
            "--bootstrap",
            "100");
    assertEquals(0, o.exit(), o.err());
    assertTrue(o.out().contains("Pleural_Thickening") && o.out().contains("Mean AUROC 95% CI"));
    JsonNode metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
    double sum = 0;
    for (int c = 0; c < Finding.COUNT; c++) {
      float[] s = new float[IMAGES];
      float[] l = new float[IMAGES];
      for (int i = 0; i < IMAGES; i++) {
        s[i] = scores[i][c];
        l[i] = labels[i][c];
      }
      double expected = Auroc.of(s, l);
      sum += expected;
      assertEquals(
          expected, metrics.get("auroc").get(Finding.labels().get(c)).doubleValue(), 1e-12);
    }
    assertEquals(sum / Finding.COUNT, metrics.get("mean_auroc").doubleValue(), 1e-12);
    assertEquals(100, metrics.get("bootstrap").get("replicates").intValue());
    for (String file : List.of("report.md", "report.html", "roc.csv", "roc.png")) {
      assertTrue(Files.size(out.resolve(file)) > 0, file);
    }

    // The same numbers without a header (columns in CheXNet order), into the default directory.
    Path bare = predictionsCsv("bare.csv", scores, false);
    Outcome o2 =
        evaluate(
            "--predictions",
            bare.toString(),
            "--labels",
            dir.resolve("labels.txt").toString(),
            "--bootstrap",
            "100");
    assertEquals(0, o2.exit(), o2.err());
    JsonNode metrics2 =
        new ObjectMapper().readTree(dir.resolve("bare-evaluation/metrics.json").toFile());
    assertEquals(metrics.get("auroc"), metrics2.get("auroc"));
    assertEquals(metrics.get("mean_auroc_ci"), metrics2.get("mean_auroc_ci"));
  }

  @Test
  void dataEntryLabelsValidationThresholdsAndABaseline() throws Exception {
    float[][] labels = labels();
    Path dataEntry = dataEntry(labels);
    Path preds = predictionsCsv("preds.csv", scores(labels, 1), true);
    Path validation = predictionsCsv("validation.csv", scores(labels, 2), true);
    Path baseline = predictionsCsv("baseline.csv", scores(labels, 3), true);
    Path out = dir.resolve("out");
    Outcome o =
        evaluate(
            "--predictions",
            preds.toString(),
            "--labels",
            dataEntry.toString(),
            "--validation-predictions",
            validation.toString(),
            "--threshold",
            "sensitivity=0.9",
            "--baseline",
            baseline.toString(),
            "--reference",
            "arnoweng_chexnet",
            "--out",
            out.toString(),
            "--bootstrap",
            "50");
    assertEquals(0, o.exit(), o.err());
    List<String> points = Files.readAllLines(out.resolve("operating-points.csv"));
    assertEquals(1 + Finding.COUNT, points.size());
    assertTrue(points.get(1).startsWith("Atelectasis,sensitivity >= 0.9,"), points.get(1));
    String md = Files.readString(out.resolve("report.md"));
    assertTrue(md.contains("## Paired comparison with baseline.csv"), md);
    assertTrue(md.contains("Δ vs arnoweng_chexnet"), md);
    JsonNode metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
    assertEquals("baseline.csv", metrics.get("vs_baseline").get("name").asText());
  }

  /**
   * NIH's Data_Entry for the predicted images with varied sex, age (five bands, one implausible
   * 414) and view, and five more rows (NIH's file lists more images than are predicted).
   */
  private Path dataEntry(float[][] labels) throws Exception {
    StringBuilder entries = new StringBuilder(DataEntryCsv.HEADER).append('\n');
    for (int i = 0; i < IMAGES + 5; i++) {
      List<String> findings = new ArrayList<>();
      for (int c = 0; c < Finding.COUNT; c++) {
        if (i < IMAGES && labels[i][c] == 1) {
          findings.add(Finding.labels().get(c));
        }
      }
      entries
          .append(name(i))
          .append(',')
          .append(findings.isEmpty() ? "No Finding" : String.join("|", findings))
          .append(',')
          .append(i % 3)
          .append(',')
          .append(i + 1)
          .append(',')
          .append(i == 7 ? 414 : 12 + 19 * (i % 5))
          .append(i % 2 == 0 ? ",M," : ",F,")
          .append(i % 3 == 0 ? "AP" : "PA")
          .append(",2048,2500,0.168,0.168\n");
    }
    return Files.writeString(dir.resolve("Data_Entry_2017_v2020.csv"), entries);
  }

  private static PredictionSet predictionSet(float[][] scores, float[][] labels) {
    List<String> names = new ArrayList<>();
    float[] probabilities = new float[IMAGES * Finding.COUNT];
    float[] truth = new float[IMAGES * Finding.COUNT];
    for (int i = 0; i < IMAGES; i++) {
      names.add(name(i));
      System.arraycopy(scores[i], 0, probabilities, i * Finding.COUNT, Finding.COUNT);
      System.arraycopy(labels[i], 0, truth, i * Finding.COUNT, Finding.COUNT);
    }
    return new PredictionSet(names, probabilities, truth);
  }

  @Test
  void metadataAddsCalibrationSubgroupsAndAModelCardWithTheLibrarysNumbers() throws Exception {
    float[][] labels = labels();
    float[][] scores = scores(labels, 1);
    float[][] validationScores = scores(labels, 2);
    Path dataEntry = dataEntry(labels);
    Path out = dir.resolve("clinical");
    List<String> attributes = List.of("sex", "age", "view", "Follow-up #");
    Outcome o =
        evaluate(
            "--predictions",
            predictionsCsv("preds.csv", scores, true).toString(),
            "--labels",
            dataEntry.toString(),
            "--validation-predictions",
            predictionsCsv("validation.csv", validationScores, true).toString(),
            "--metadata",
            dataEntry.toString(),
            "--subgroups",
            String.join(",", attributes),
            "--out",
            out.toString(),
            "--bootstrap",
            "60",
            "--seed",
            "8");
    assertEquals(0, o.exit(), o.err());
    assertTrue(o.out().contains("Calibration: mean Brier "), o.out());
    assertTrue(o.out().contains("Subgroups by age: 0-19 8, 20-39 8, 40-59 7, 60-79 8, 80+ 8, 1"));
    assertTrue(o.out().contains("calibration.json"), o.out());

    // The same numbers from the evaluation library on the same data.
    PredictionSet test = predictionSet(scores, labels);
    PredictionSet validation = predictionSet(validationScores, labels);
    ModelCalibration platt =
        ModelCalibration.fit(Finding.labels(), validation, CalibrationMethod.PLATT);
    CalibrationReport calibration =
        CalibrationReport.compute(Finding.labels(), test, Optional.of(platt), 60, 8);
    DetailedEvaluation detailed =
        DetailedEvaluation.compute(
            Finding.labels(),
            test,
            Optional.of(validation),
            ReportOptions.defaults().withBootstrap(60, 8));
    SubgroupEvaluation subgroups =
        SubgroupEvaluation.compute(
            Finding.labels(),
            test,
            ImageMetadata.read(dataEntry),
            attributes,
            SubgroupEvaluation.thresholds(detailed.operatingPoints()),
            60,
            8);

    JsonNode metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
    for (int c = 0; c < Finding.COUNT; c++) {
      JsonNode json = metrics.get("calibration").get(Finding.labels().get(c));
      ClassCalibration before = calibration.uncalibrated().perClass().get(c);
      ClassCalibration after = calibration.calibrated().orElseThrow().perClass().get(c);
      assertEquals(before.brier(), json.get("brier").doubleValue(), 0);
      assertEquals(before.ece(), json.get("ece").doubleValue(), 0);
      assertEquals(before.eceCi().low(), json.get("ece_ci").get("low").doubleValue(), 0);
      assertEquals(before.brierCi().high(), json.get("brier_ci").get("high").doubleValue(), 0);
      assertEquals(after.ece(), json.get("calibrated").get("ece").doubleValue(), 0);
      assertEquals(after.brier(), json.get("calibrated").get("brier").doubleValue(), 0);
    }
    JsonNode subgroupsJson = metrics.get("subgroups");
    assertEquals(attributes, names(subgroupsJson));
    for (AttributeSubgroups attribute : subgroups.attributes()) {
      JsonNode values = subgroupsJson.get(attribute.attribute());
      assertEquals(attribute.subgroups().stream().map(Subgroup::value).toList(), names(values));
      for (Subgroup subgroup : attribute.subgroups()) {
        JsonNode json = values.get(subgroup.value());
        assertEquals(subgroup.images(), json.get("images").intValue());
        assertEquals(subgroup.meanAuroc(), json.get("mean_auroc").doubleValue(), 0);
        for (SubgroupClass one : subgroup.perClass()) {
          if (one.defined()) {
            assertEquals(one.auroc(), json.get("auroc").get(one.className()).doubleValue(), 0);
            assertEquals(
                one.aurocCi().low(),
                json.get("auroc_ci").get(one.className()).get("low").doubleValue(),
                0);
          } else {
            assertEquals(
                one.undefinedReason(),
                json.get("auroc_undefined").get(one.className()).textValue());
          }
          if (!Double.isNaN(one.falseNegativeRate())) {
            assertEquals(
                one.falseNegativeRate(), json.get("fnr").get(one.className()).doubleValue(), 0);
          }
        }
      }
      for (SubgroupGap gap : attribute.aurocGaps()) {
        JsonNode json =
            metrics
                .get("subgroup_gaps")
                .get(attribute.attribute())
                .get("auroc")
                .get(gap.className());
        assertEquals(gap.flagged(), json.get("flagged").booleanValue());
        if (gap.undefinedReason() == null) {
          assertEquals(gap.gap(), json.get("gap").doubleValue(), 0);
        }
      }
    }
    // Every image is in one age band but the one aged 414.
    int aged = 0;
    for (String band : names(subgroupsJson.get("age"))) {
      aged += subgroupsJson.get("age").get(band).get("images").intValue();
    }
    assertEquals(IMAGES - 1, aged);

    ModelCalibration stored = ModelCalibration.read(out.resolve(ModelCalibration.FILE_NAME));
    assertEquals(IMAGES, stored.fittedOnImages());
    assertTrue(
        java.util.Arrays.equals(
            platt.apply(test.probabilities()), stored.apply(test.probabilities())));
    assertTrue(Files.size(out.resolve(CalibrationReport.RELIABILITY_PNG)) > 0);
    String report = Files.readString(out.resolve("report.md"));
    assertTrue(
        report.contains("## Calibration") && report.contains("### Follow-up # (Follow-up #)"));
    String card = Files.readString(out.resolve(ModelCard.FILE_NAME));
    assertTrue(card.startsWith("# Model card: preds.csv\n"), card);
    assertTrue(card.contains("**Not for diagnosis.**"));
    assertTrue(card.contains("## Training data\n\nNot known"), card);
    assertTrue(card.contains("| age = 80+ | 8 | "), card);
    assertTrue(card.contains("| ECE after platt [95% CI] |"), card);
  }

  @Test
  void subgroupsNeedMetadataThatHasTheirColumnsAndEveryImage() throws Exception {
    float[][] labels = labels();
    Path preds = predictionsCsv("preds.csv", scores(labels, 1), true);
    Path list = labelList(labels);
    Path never = dir.resolve("never");
    Outcome o =
        evaluate(
            "--predictions",
            "" + preds,
            "--labels",
            "" + list,
            "--subgroups",
            "sex",
            "--out",
            "" + never);
    assertEquals(Chexnet.USAGE_ERROR, o.exit());
    assertEquals("error: --subgroups needs --metadata FILE to read them from", o.err());
    Path dataEntry = dataEntry(labels);
    o =
        evaluate(
            "--predictions",
            "" + preds,
            "--labels",
            "" + list,
            "--metadata",
            "" + dataEntry,
            "--subgroups",
            "sex,ethnicity",
            "--out",
            "" + never);
    assertEquals(Chexnet.USAGE_ERROR, o.exit());
    assertTrue(o.err().startsWith("error: --metadata: "), o.err());
    assertTrue(o.err().contains("ethnicity"), o.err());
    // A metadata file without a row for a predicted image.
    List<String> rows = Files.readAllLines(dataEntry);
    rows.remove(4);
    Path partial = Files.write(dir.resolve("partial.csv"), rows);
    o =
        evaluate(
            "--predictions",
            "" + preds,
            "--labels",
            "" + list,
            "--metadata",
            "" + partial,
            "--out",
            "" + never);
    assertEquals(Chexnet.USAGE_ERROR, o.exit());
    assertTrue(o.err().contains(partial.toString()) && o.err().contains(name(3)), o.err());
    assertTrue(Files.notExists(never), "nothing written on bad input");
  }

  private static List<String> names(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void badInputIsNamedWithFileAndLine() throws Exception {
    float[][] labels = labels();
    Path list = labelList(labels);
    String good = Files.readString(predictionsCsv("good.csv", scores(labels, 1), true));
    String[] rows = good.split("\n");

    // An image the labels list has no prediction for (missing).
    Path missing = Files.writeString(dir.resolve("missing.csv"), good.replace(rows[3] + "\n", ""));
    assertError(
        list + ":3: 1 labelled image(s) have no prediction in " + missing + ", first " + name(2),
        missing,
        list);
    // A prediction for an image without labels (extra).
    Path extra =
        Files.writeString(
            dir.resolve("extra.csv"), good + rows[1].replace(name(0), "x.png") + "\n");
    assertError(
        extra
            + ":"
            + (IMAGES + 2)
            + ": 1 predicted image(s) have no labels in "
            + list
            + ", first x.png",
        extra,
        list);
    // Wrong column count.
    Path columns =
        Files.writeString(
            dir.resolve("columns.csv"), good.replace(rows[2], rows[2].replaceAll(",[^,]*$", "")));
    assertError(
        columns + ":3: expected 15 columns (the image and 14 probabilities), got 14",
        columns,
        list);
    // Outside [0, 1] and NaN.
    String[] cells = rows[4].split(",");
    Path outside =
        Files.writeString(
            dir.resolve("outside.csv"), good.replace(rows[4], rows[4].replace(cells[5], "1.5")));
    assertError(outside + ":5:6: probability 1.5 is outside [0, 1]", outside, list);
    Path nan =
        Files.writeString(
            dir.resolve("nan.csv"), good.replace(rows[4], rows[4].replace(cells[5], "NaN")));
    assertError(nan + ":5:6: probability NaN is NaN", nan, list);
    // A label list with a bad row.
    Path badLabels =
        Files.writeString(
            dir.resolve("bad-labels.txt"), Files.readString(list).replace(" 1", " 2"));
    Outcome o =
        evaluate(
            "--predictions", dir.resolve("good.csv").toString(), "--labels", badLabels.toString());
    assertEquals(Chexnet.USAGE_ERROR, o.exit());
    assertTrue(o.err().startsWith("error: " + badLabels + ":1: label "), o.err());
    // No such file.
    Path nowhere = dir.resolve("nowhere.csv");
    assertError("--predictions " + nowhere + ": no such file", nowhere, list);
  }

  private void assertError(String expected, Path predictions, Path labels) {
    Outcome o =
        evaluate(
            "--predictions",
            predictions.toString(),
            "--labels",
            labels.toString(),
            "--out",
            dir.resolve("never").toString());
    assertEquals(Chexnet.USAGE_ERROR, o.exit(), o.err());
    assertEquals("error: " + expected, o.err());
    assertTrue(Files.notExists(dir.resolve("never")), "nothing written on bad input");
  }
}
