package org.chexnet.experiment.sweep;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.chexnet.experiment.sweep.SweepSpec.Parameter;
import org.chexnet.tracking.Run;
import org.chexnet.tracking.RunRecord;
import org.chexnet.tracking.RunStatus;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The outcome of a sweep: per trial its values, status, best objective and test AUROC; the best
 * finished trial; a table, a CSV and a PNG of the objective against each swept key.
 */
final class SweepSummary {
  static final String TABLE = "sweep-summary.md";
  static final String CSV = "sweep-summary.csv";
  static final String PLOT = "sweep.png";
  static final String BEST_SPEC = "best-spec.yaml";

  /** One trial's line; {@code run} is null for a trial that never started. */
  record Row(Trial trial, RunRecord run, Path runDirectory, double objective, Double testAuroc) {
    String status() {
      if (run == null) {
        return "NOT STARTED";
      }
      return run.tags().containsKey(Sweep.PRUNED_TAG) ? "STOPPED EARLY" : run.status();
    }
  }

  private final Sweep.Plan plan;
  private final List<Row> rows;
  private final Row best;

  private SweepSummary(Sweep.Plan plan, List<Row> rows, Row best) {
    this.plan = plan;
    this.rows = rows;
    this.best = best;
  }

  static SweepSummary of(Sweep.Plan plan, Map<Integer, RunRecord> children) throws IOException {
    boolean maximize = plan.spec().objective().maximize();
    List<Row> rows = new ArrayList<>();
    Row best = null;
    for (Trial trial : plan.trials()) {
      RunRecord run = children.get(trial.index());
      double objective = Double.NaN;
      Double test = null;
      Path directory = null;
      if (run != null) {
        directory = plan.store().runDirectory(run);
        for (double v : Sweep.history(plan.store(), run, plan.spec().objective().metric())) {
          if (!Double.isNaN(v)
              && (Double.isNaN(objective) || (maximize ? v > objective : v < objective))) {
            objective = v;
          }
        }
        test = run.metrics().get("test_mean_auroc");
      }
      Row row = new Row(trial, run, directory, objective, test);
      rows.add(row);
      boolean finished = run != null && run.status().equals(RunStatus.FINISHED.name());
      if (finished
          && !Double.isNaN(objective)
          && (best == null
              || (maximize ? objective > best.objective : objective < best.objective))) {
        best = row;
      }
    }
    return new SweepSummary(plan, rows, best);
  }

  /** The summary as the library's result type. */
  SweepResult result(String parentRunId, Path parentDirectory, boolean complete) {
    List<SweepResult.TrialResult> trials = new ArrayList<>();
    SweepResult.TrialResult bestTrial = null;
    for (Row r : rows) {
      SweepResult.TrialResult trial =
          new SweepResult.TrialResult(
              r.trial.index(),
              r.trial.values(),
              r.status(),
              r.run == null ? null : r.run.id(),
              r.objective,
              r.testAuroc);
      trials.add(trial);
      if (r == best) {
        bestTrial = trial;
      }
    }
    return new SweepResult(
        parentRunId, parentDirectory, trials, Optional.ofNullable(bestTrial), complete);
  }

  /** Whether every trial finished or was stopped early (none failed or is missing). */
  boolean allEnded() {
    return rows.stream()
        .allMatch(
            r ->
                r.run != null
                    && (r.run.status().equals(RunStatus.FINISHED.name())
                        || r.run.status().equals(RunStatus.KILLED.name())));
  }

  String table() {
    List<String> keys = new ArrayList<>(plan.spec().search().parameters().keySet());
    String metric = plan.spec().objective().metric();
    StringBuilder t = new StringBuilder();
    t.append("| trial | ");
    keys.forEach(k -> t.append(k).append(" | "));
    t.append("status | best ").append(metric).append(" | test_mean_auroc | run |\n|");
    t.append(" --- |".repeat(keys.size() + 5)).append('\n');
    for (Row r : rows) {
      t.append("| ").append(r.trial.index()).append(r == best ? " (best)" : "").append(" | ");
      keys.forEach(k -> t.append(Trial.yaml(r.trial.values().get(k))).append(" | "));
      t.append(r.status())
          .append(" | ")
          .append(Double.isNaN(r.objective) ? "" : format(r.objective))
          .append(" | ")
          .append(r.testAuroc == null ? "" : format(r.testAuroc))
          .append(" | ")
          .append(r.run == null ? "" : r.run.id())
          .append(" |\n");
    }
    if (best != null) {
      t.append(
          String.format(
              Locale.ROOT,
              "%nBest trial: %d %s, %s %s (run %s); its spec: %s%n",
              best.trial.index(),
              best.trial.values(),
              metric,
              format(best.objective),
              best.run.id(),
              BEST_SPEC));
    }
    return t.toString();
  }

  /** Writes the table, CSV, plot and the best trial's spec into the parent run. */
  void write(Run parent) throws IOException {
    parent.writeArtifact(TABLE, table().getBytes(StandardCharsets.UTF_8));
    parent.writeArtifact(CSV, csv().getBytes(StandardCharsets.UTF_8));
    parent.writeArtifact(PLOT, plot());
    if (best != null) {
      parent.writeArtifact(
          BEST_SPEC, Files.readAllBytes(best.runDirectory.resolve("artifacts/spec.yaml")));
      parent.setTag("chexnet.sweep.best_trial", String.valueOf(best.trial.index()));
      parent.setTag("chexnet.sweep.best_run_id", best.run.id());
      parent.logMetric("best_" + plan.spec().objective().metric(), best.objective, 0);
      if (best.testAuroc != null) {
        parent.logMetric("best_trial_test_mean_auroc", best.testAuroc, 0);
      }
    }
  }

  private String csv() {
    List<String> keys = new ArrayList<>(plan.spec().search().parameters().keySet());
    StringBuilder c = new StringBuilder("trial,");
    keys.forEach(k -> c.append(k).append(','));
    c.append("status,")
        .append(plan.spec().objective().metric())
        .append(",test_mean_auroc,run_id\n");
    for (Row r : rows) {
      c.append(r.trial.index()).append(',');
      keys.forEach(k -> c.append(csvCell(Trial.yaml(r.trial.values().get(k)))).append(','));
      c.append(r.status())
          .append(',')
          .append(Double.isNaN(r.objective) ? "" : format(r.objective))
          .append(',')
          .append(r.testAuroc == null ? "" : format(r.testAuroc))
          .append(',')
          .append(r.run == null ? "" : r.run.id())
          .append('\n');
    }
    return c.toString();
  }

  /** The objective against each swept key, side by side; log axes for log-uniform keys. */
  private byte[] plot() throws IOException {
    Map<String, Parameter> parameters = plan.spec().search().checkedParameters();
    List<BufferedImage> panels = new ArrayList<>();
    String metric = plan.spec().objective().metric();
    for (Map.Entry<String, Parameter> p : parameters.entrySet()) {
      List<Object> categories =
          p.getValue() instanceof Parameter.Values v && !allNumbers(v.values()) ? v.values() : null;
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      for (Row r : rows) {
        if (Double.isNaN(r.objective)) {
          continue;
        }
        Object value = r.trial.values().get(p.getKey());
        xs.add(categories != null ? categories.indexOf(value) : ((Number) value).doubleValue());
        ys.add(r.objective);
      }
      XYChart chart =
          new XYChartBuilder()
              .width(480)
              .height(360)
              .title(metric + " vs " + p.getKey())
              .xAxisTitle(
                  categories == null ? p.getKey() : p.getKey() + " (index in " + categories + ")")
              .yAxisTitle("best " + metric)
              .build();
      chart.getStyler().setLegendVisible(false);
      chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      chart.getStyler().setMarkerSize(10);
      chart
          .getStyler()
          .setXAxisLogarithmic(
              p.getValue() instanceof Parameter.Continuous c && c.log()
                  || (categories == null && spansDecades(xs)));
      if (xs.isEmpty()) {
        xs.add(0.0);
        ys.add(0.0); // XChart cannot draw an empty series; an empty sweep has one dummy point
      }
      chart.addSeries("trials", xs, ys).setMarker(SeriesMarkers.CIRCLE);
      panels.add(BitmapEncoder.getBufferedImage(chart));
    }
    int width = panels.stream().mapToInt(BufferedImage::getWidth).sum();
    int height = panels.stream().mapToInt(BufferedImage::getHeight).max().orElse(1);
    BufferedImage sheet = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = sheet.createGraphics();
    int x = 0;
    for (BufferedImage panel : panels) {
      g.drawImage(panel, x, 0, null);
      x += panel.getWidth();
    }
    g.dispose();
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(sheet, "png", png);
    return png.toByteArray();
  }

  private static boolean allNumbers(List<Object> values) {
    return values.stream().allMatch(v -> v instanceof Number);
  }

  private static boolean spansDecades(List<Double> xs) {
    double min = xs.stream().mapToDouble(Double::doubleValue).min().orElse(1);
    double max = xs.stream().mapToDouble(Double::doubleValue).max().orElse(1);
    return min > 0 && max / min >= 100;
  }

  private static String csvCell(String text) {
    return text.contains(",") || text.contains("\"")
        ? "\"" + text.replace("\"", "\"\"") + "\""
        : text;
  }

  private static String format(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }
}
