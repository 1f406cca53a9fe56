package org.chexnet.evaluation.calibration;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.chexnet.evaluation.PredictionSet;
import org.chexnet.evaluation.ReportDocument;
import org.chexnet.evaluation.ReportFormat;
import org.chexnet.evaluation.ReportSection;

/**
 * The calibration section of an evaluation: metrics.json's {@code "calibration"} key, the report's
 * table and reliability.png.
 *
 * <p>metrics.json: {@code "calibration": {"<Finding>": {"brier": x, "brier_ci": {"low": x, "high":
 * x}, "ece": x, "ece_ci": {...}, "images": n, "positives": n, "calibrated": {"method": "platt",
 * "brier": x, "brier_ci": {...}, "ece": x, "ece_ci": {...}}}}}, the "calibrated" key only for a
 * class that a post-hoc calibration maps.
 *
 * @param uncalibrated the model's own probabilities
 * @param calibration the post-hoc calibration fitted on validation, when there is one
 * @param calibrated the same images after {@code calibration}
 */
public record CalibrationReport(
    CalibrationEvaluation uncalibrated,
    Optional<ModelCalibration> calibration,
    Optional<CalibrationEvaluation> calibrated)
    implements ReportSection {

  public static final String RELIABILITY_PNG = "reliability.png";

  public CalibrationReport {
    if (calibration.isPresent() != calibrated.isPresent()) {
      throw new IllegalArgumentException("a calibration and its evaluation go together");
    }
  }

  /**
   * Calibration of {@code test}, and of {@code test} after {@code calibration} when given, with the
   * same bootstrap replicates.
   */
  public static CalibrationReport compute(
      List<String> classNames,
      PredictionSet test,
      Optional<ModelCalibration> calibration,
      int replicates,
      long seed) {
    return new CalibrationReport(
        CalibrationEvaluation.compute(classNames, test, replicates, seed),
        calibration,
        calibration.map(
            c -> CalibrationEvaluation.compute(classNames, c.apply(test), replicates, seed)));
  }

  @Override
  public Map<String, Object> metrics() {
    Map<String, Object> perClass = new LinkedHashMap<>();
    for (int c = 0; c < uncalibrated.perClass().size(); c++) {
      ClassCalibration before = uncalibrated.perClass().get(c);
      Map<String, Object> json = scores(before);
      json.put("images", before.images());
      json.put("positives", before.positives());
      if (isCalibrated(c)) {
        Map<String, Object> after = new LinkedHashMap<>();
        after.put("method", calibration.get().method().id());
        after.putAll(scores(calibrated.get().perClass().get(c)));
        json.put("calibrated", after);
      }
      perClass.put(before.className(), json);
    }
    return Map.of("calibration", perClass);
  }

  @Override
  public void addTo(ReportDocument document, Path dir) throws IOException {
    document.heading("Calibration");
    List<String> header = new ArrayList<>(List.of("Class", "Brier", "95% CI", "ECE", "95% CI"));
    if (calibration.isPresent()) {
      String method = calibration.get().method().id();
      header.addAll(List.of("Brier, " + method, "95% CI", "ECE, " + method, "95% CI"));
    }
    header.add("Positives");
    List<List<String>> rows = new ArrayList<>();
    for (int c = 0; c < uncalibrated.perClass().size(); c++) {
      ClassCalibration before = uncalibrated.perClass().get(c);
      List<String> row = new ArrayList<>(List.of(before.className()));
      row.addAll(cells(before));
      if (calibration.isPresent()) {
        row.addAll(
            isCalibrated(c)
                ? cells(calibrated.get().perClass().get(c))
                : List.of("left as is", "", "", ""));
      }
      row.add(Integer.toString(before.positives()));
      rows.add(row);
    }
    document.table(header, rows);
    Path png = dir.resolve(RELIABILITY_PNG);
    ReliabilityDiagram.write(png, uncalibrated, calibrated);
    document.image("Reliability diagram per class", RELIABILITY_PNG, Files.readAllBytes(png));
    StringBuilder method =
        new StringBuilder(
            "- Brier score: mean of (probability - label)^2 over the images; 0 is perfect, and"
                + " always predicting the prevalence p scores p(1 - p).\n"
                + "- ECE (expected calibration error): 10 equal-width bins of the probability,"
                + " [0, 0.1], (0.1, 0.2], ..., (0.9, 1] (closed on the right, as scikit-learn's"
                + " calibration_curve); the sum over non-empty bins of (bin count / n) x |mean"
                + " predicted - observed positive rate|.\n"
                + "- 95% CIs: the AUROCs' bootstrap ("
                + uncalibrated.replicates()
                + " replicates over images, seed "
                + uncalibrated.seed()
                + "), both numbers recomputed on each replicate, 2.5th and 97.5th percentiles.");
    calibration.ifPresent(
        c ->
            method
                .append("\n- Calibrated: ")
                .append(
                    c.method() == CalibrationMethod.PLATT
                        ? "Platt scaling, sigmoid(a x logit(p) + b) per class, fitted on the "
                        : "isotonic regression of the label on the probability per class, fitted"
                            + " on the ")
                .append(c.fittedOnImages())
                .append(
                    " validation images' predictions and applied to these; a class whose"
                        + " validation images lack a positive or a negative is left as is."));
    document.paragraph(method.toString());
  }

  private boolean isCalibrated(int c) {
    return calibration.isPresent() && calibration.get().perClass().get(c).isPresent();
  }

  private static Map<String, Object> scores(ClassCalibration calibration) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("brier", ReportFormat.json(calibration.brier()));
    json.put("brier_ci", ReportFormat.json(calibration.brierCi()));
    json.put("ece", ReportFormat.json(calibration.ece()));
    json.put("ece_ci", ReportFormat.json(calibration.eceCi()));
    return json;
  }

  private static List<String> cells(ClassCalibration calibration) {
    return List.of(
        ReportFormat.number(calibration.brier()),
        ReportFormat.interval(calibration.brierCi()),
        ReportFormat.number(calibration.ece()),
        ReportFormat.interval(calibration.eceCi()));
  }
}
