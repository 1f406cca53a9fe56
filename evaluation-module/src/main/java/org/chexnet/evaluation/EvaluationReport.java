package org.chexnet.evaluation;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.chexnet.common.AtomicFiles;

/**
 * Writes an evaluation as dvc metrics and plots, PNG charts, a Markdown and an HTML report, and a
 * console table.
 */
public final class EvaluationReport {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** File names {@link #writeAll} writes in its directory. */
  public static final String METRICS_JSON = "metrics.json";

  public static final String ROC_CSV = "roc.csv";
  public static final String ROC_PNG = "roc.png";
  public static final String TRAINING_PNG = "training.png";
  public static final String OPERATING_POINTS_CSV = "operating-points.csv";
  public static final String REPORT_MD = "report.md";
  public static final String REPORT_HTML = "report.html";

  private EvaluationReport() {}

  /**
   * Writes the whole evaluation into {@code dir}: metrics.json (the keys above plus the 95%
   * intervals), roc.csv ({@code class,fpr,tpr,threshold}, the curves' corners), roc.png,
   * training.png (from {@code history}, when given), operating-points.csv (with validation
   * predictions), report.md and a self-contained report.html.
   *
   * @param test the predictions to score, with their labels
   * @param validation predictions on which the operating points' thresholds are chosen
   * @param history the run's per-epoch metrics (see {@link TrainingHistory#read})
   * @return what was computed, e.g. for a console summary
   */
  public static DetailedEvaluation writeAll(
      Path dir,
      String title,
      List<String> classNames,
      PredictionSet test,
      Optional<PredictionSet> validation,
      Optional<TrainingHistory> history,
      ReportOptions options)
      throws IOException {
    return writeAll(dir, title, classNames, test, validation, history, options, List.of());
  }

  /**
   * {@link #writeAll(Path, String, List, PredictionSet, Optional, Optional, ReportOptions)} with
   * more sections (calibration, subgroups, ...): each adds its key to metrics.json and its tables
   * and figures to the reports, in the order given.
   */
  public static DetailedEvaluation writeAll(
      Path dir,
      String title,
      List<String> classNames,
      PredictionSet test,
      Optional<PredictionSet> validation,
      Optional<TrainingHistory> history,
      ReportOptions options,
      List<ReportSection> sections)
      throws IOException {
    DetailedEvaluation evaluation =
        DetailedEvaluation.compute(classNames, test, validation, options);
    write(dir, title, evaluation, history, sections);
    return evaluation;
  }

  /**
   * Writes what {@link #writeAll(Path, String, List, PredictionSet, Optional, Optional,
   * ReportOptions, List)} writes for an evaluation computed already (e.g. one whose operating
   * points a section needed first).
   */
  public static void write(
      Path dir,
      String title,
      DetailedEvaluation evaluation,
      Optional<TrainingHistory> history,
      List<ReportSection> sections)
      throws IOException {
    List<String> classNames = evaluation.classNames();
    Files.createDirectories(dir);
    Map<String, Object> metrics = detailedMetrics(evaluation);
    for (ReportSection section : sections) {
      section
          .metrics()
          .forEach(
              (key, value) -> {
                if (metrics.containsKey(key)) {
                  throw new IllegalArgumentException(
                      "metrics.json key '" + key + "' written twice");
                }
                metrics.put(key, value);
              });
    }
    writeJson(metrics, dir.resolve(METRICS_JSON));
    writeRocCsv(evaluation, dir.resolve(ROC_CSV));
    Path rocPng = dir.resolve(ROC_PNG);
    Plots.writeRoc(
        rocPng,
        "ROC per class, " + title,
        classNames,
        evaluation.rocCurves(),
        evaluation.result().perClass().stream().map(ClassAuroc::auroc).toList(),
        900,
        750);
    ReportDocument document = DetailedReport.document(evaluation, title);
    document.image("ROC curves per class", ROC_PNG, Files.readAllBytes(rocPng));
    if (history.isPresent()) {
      Path trainingPng = dir.resolve(TRAINING_PNG);
      Plots.writeTraining(trainingPng, "Loss and AUROC per epoch", history.get(), 900, 500);
      document.image("Training curves", TRAINING_PNG, Files.readAllBytes(trainingPng));
    }
    if (evaluation.operatingPoints().stream().anyMatch(Optional::isPresent)) {
      writeOperatingPointsCsv(evaluation, dir.resolve(OPERATING_POINTS_CSV));
    }
    for (ReportSection section : sections) {
      section.addTo(document, dir);
    }
    AtomicFiles.write(dir.resolve(REPORT_MD), document.markdown());
    AtomicFiles.write(dir.resolve(REPORT_HTML), document.html());
  }

  private static Map<String, Object> baseMetrics(EvaluationResult result) {
    Map<String, Object> auroc = new LinkedHashMap<>();
    for (ClassAuroc c : result.perClass()) {
      auroc.put(c.className(), c.defined() ? c.auroc() : null);
    }
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("mean_auroc", ReportFormat.json(result.meanAuroc()));
    metrics.put("images", result.images());
    metrics.put("auroc", auroc);
    if (result.anyMasked()) {
      // Labels left out of each class's AUROC (unknown: uncertain ignored, missing, not labelled).
      Map<String, Object> masked = new LinkedHashMap<>();
      result.perClass().forEach(c -> masked.put(c.className(), result.masked(c)));
      metrics.put("masked", masked);
    }
    return metrics;
  }

  /**
   * {@code {"mean_auroc": 0.87, "images": 1234, "auroc": {"Atelectasis": 0.81, ...}}} for {@code
   * dvc metrics show}, then 95% intervals and the comparisons' mean differences. An undefined value
   * is written as null: JSON has no NaN, and null keeps the class visible.
   */
  private static Map<String, Object> detailedMetrics(DetailedEvaluation e) {
    Map<String, Object> metrics = baseMetrics(e.result());
    metrics.put("mean_auroc_ci", ReportFormat.json(e.bootstrap().mean()));
    Map<String, Object> bootstrap = new LinkedHashMap<>();
    Map<String, Object> deLong = new LinkedHashMap<>();
    for (int c = 0; c < e.classNames().size(); c++) {
      bootstrap.put(e.classNames().get(c), ReportFormat.json(e.bootstrap().perClass().get(c)));
      deLong.put(e.classNames().get(c), ReportFormat.json(e.deLong().get(c).ci95()));
    }
    metrics.put("auroc_ci", bootstrap);
    metrics.put("auroc_delong_ci", deLong);
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("replicates", e.options().bootstrapReplicates());
    settings.put("seed", e.options().seed());
    metrics.put("bootstrap", settings);
    e.reference().ifPresent(r -> metrics.put("vs_reference", comparison(e, r)));
    e.baseline().ifPresent(b -> metrics.put("vs_baseline", comparison(e, b)));
    return metrics;
  }

  private static Map<String, Object> comparison(
      DetailedEvaluation e, DetailedEvaluation.Comparison comparison) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("name", comparison.against());
    json.put(
        "mean_auroc_delta", ReportFormat.json(e.result().meanAuroc() - comparison.theirMean()));
    json.put("mean_auroc_delta_ci", ReportFormat.json(comparison.bootstrap().mean()));
    return json;
  }

  private static void writeJson(Map<String, Object> metrics, Path file) throws IOException {
    AtomicFiles.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(metrics));
  }

  /** roc.csv for {@code dvc plots show}: the corners of each defined class's curve. */
  private static void writeRocCsv(DetailedEvaluation e, Path file) throws IOException {
    StringBuilder csv = new StringBuilder("class,fpr,tpr,threshold\n");
    for (int c = 0; c < e.classNames().size(); c++) {
      RocCurve corners = e.rocCurves().get(c);
      if (corners == null) {
        continue;
      }
      for (int i = 0; i < corners.size(); i++) {
        double threshold = corners.thresholds()[i];
        csv.append(e.classNames().get(c))
            .append(',')
            .append(corners.fpr()[i])
            .append(',')
            .append(corners.tpr()[i])
            .append(',')
            // numpy and pandas read "inf"; Java's "Infinity" they do not.
            .append(Double.isInfinite(threshold) ? "inf" : Float.toString((float) threshold))
            .append('\n');
      }
    }
    AtomicFiles.write(file, csv.toString());
  }

  private static void writeOperatingPointsCsv(DetailedEvaluation e, Path file) throws IOException {
    StringBuilder csv =
        new StringBuilder("class,rule,threshold,tp,fp,tn,fn,sensitivity,specificity,ppv,npv,f1\n");
    for (Optional<OperatingPoint> maybe : e.operatingPoints()) {
      if (maybe.isEmpty()) {
        continue;
      }
      OperatingPoint p = maybe.get();
      csv.append(p.className())
          .append(',')
          .append(e.options().thresholdRule().describe().replace(',', ';'))
          .append(',')
          .append(Double.isInfinite(p.threshold()) ? "inf" : Float.toString((float) p.threshold()));
      for (long count :
          new long[] {
            p.truePositives(), p.falsePositives(), p.trueNegatives(), p.falseNegatives()
          }) {
        csv.append(',').append(count);
      }
      for (double rate :
          new double[] {p.sensitivity(), p.specificity(), p.ppv(), p.npv(), p.f1()}) {
        csv.append(',').append(Double.isNaN(rate) ? "" : Double.toString(rate));
      }
      csv.append('\n');
    }
    AtomicFiles.write(file, csv.toString());
  }

  /** {@link #consoleTable} and the mean AUROC's bootstrap interval. */
  public static String consoleText(DetailedEvaluation evaluation) {
    String table = consoleTable(evaluation.result());
    Interval mean = evaluation.bootstrap().mean();
    return mean.defined()
        ? table
            + String.format(
                Locale.ROOT,
                "Mean AUROC 95%% CI (bootstrap, %d replicates): [%.4f, %.4f]%n",
                evaluation.bootstrap().replicates(),
                mean.low(),
                mean.high())
        : table;
  }

  /** Aligned plain-text table: class, AUROC, positives and the paper's AUROC, the mean last. */
  public static String consoleTable(EvaluationResult result) {
    ReferenceResults reference = ReferenceResults.load();
    List<String[]> rows = new ArrayList<>();
    // A Masked column only where labels were left out, and the paper's column only for
    // ChestX-ray14's findings: NIH's table is unchanged, another dataset's gets no NIH numbers.
    boolean masked = result.anyMasked();
    boolean paper =
        reference.covers(result.perClass().stream().map(ClassAuroc::className).toList());
    List<String> header = new ArrayList<>(List.of("Class", "AUROC", "Positives"));
    if (masked) {
      header.add("Masked");
    }
    if (paper) {
      header.add("Paper");
    }
    rows.add(header.toArray(String[]::new));
    for (ClassAuroc c : result.perClass()) {
      List<String> row = new ArrayList<>();
      row.add(c.className());
      row.add(c.defined() ? ReportFormat.number(c.auroc()) : "undefined");
      row.add(Integer.toString(c.positives()));
      if (masked) {
        row.add(Integer.toString(result.masked(c)));
      }
      if (paper) {
        row.add(ReportFormat.number(reference.auroc(ReferenceResults.PAPER, c.className())));
      }
      rows.add(row.toArray(String[]::new));
    }
    List<String> mean = new ArrayList<>(List.of("Mean", ReportFormat.number(result.meanAuroc())));
    mean.add("");
    if (masked) {
      mean.add("");
    }
    if (paper) {
      mean.add(ReportFormat.number(reference.mean(ReferenceResults.PAPER)));
    }
    rows.add(mean.toArray(String[]::new));

    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder table = new StringBuilder();
    for (String[] row : rows) {
      // Class name left-aligned, numbers right-aligned so their decimal points line up.
      table.append(String.format(Locale.ROOT, "%-" + widths[0] + "s", row[0]));
      for (int i = 1; i < row.length; i++) {
        table.append("  ").append(String.format(Locale.ROOT, "%" + widths[i] + "s", row[i]));
      }
      table.append('\n');
    }
    return table.toString();
  }
}
