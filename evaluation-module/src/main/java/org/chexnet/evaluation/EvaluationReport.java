package org.chexnet.evaluation;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/** Writes an {@link EvaluationResult} as dvc metrics, a Markdown report and a console table. */
public final class EvaluationReport {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MISSING = "—";

  private EvaluationReport() {}

  /**
   * metrics.json for {@code dvc metrics show}: {@code {"mean_auroc": 0.87, "images": 1234, "auroc":
   * {"Atelectasis": 0.81, ...}}}. An undefined AUROC is written as null: JSON has no NaN, and null
   * keeps the class visible.
   */
  public static void writeMetricsJson(EvaluationResult result, Path file) throws IOException {
    Map<String, Object> auroc = new LinkedHashMap<>();
    for (ClassAuroc c : result.perClass()) {
      auroc.put(c.className(), c.defined() ? c.auroc() : null);
    }
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("mean_auroc", Double.isNaN(result.meanAuroc()) ? null : result.meanAuroc());
    metrics.put("images", result.images());
    metrics.put("auroc", auroc);
    AtomicFiles.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(metrics));
  }

  /**
   * report.md: our per-class AUROC beside the CheXNet paper and the reproductions, with the means
   * in the last row, positives/negatives per class, and the undefined classes with their reason.
   */
  public static void writeMarkdown(EvaluationResult result, String title, Path file)
      throws IOException {
    ReferenceResults reference = ReferenceResults.load();
    List<String> sources = reference.sources();
    StringBuilder md = new StringBuilder();
    md.append("# ").append(title).append("\n\n");
    md.append("- Images: ").append(result.images()).append('\n');
    md.append("- Mean AUROC: ")
        .append(format(result.meanAuroc()))
        .append(" (over ")
        .append(definedCount(result))
        .append(" of ")
        .append(result.perClass().size())
        .append(" classes)\n\n");

    md.append("| Class | AUROC | Positives | Negatives");
    sources.forEach(source -> md.append(" | ").append(source));
    md.append(" |\n|---|---:|---:|---:");
    sources.forEach(source -> md.append("|---:"));
    md.append("|\n");
    for (ClassAuroc c : result.perClass()) {
      md.append("| ")
          .append(c.className())
          .append(" | ")
          .append(format(c.auroc()))
          .append(" | ")
          .append(c.positives())
          .append(" | ")
          .append(c.negatives());
      sources.forEach(
          source -> md.append(" | ").append(format(reference.auroc(source, c.className()))));
      md.append(" |\n");
    }
    md.append("| **Mean** | **").append(format(result.meanAuroc())).append("** |  | ");
    sources.forEach(source -> md.append(" | ").append(format(reference.mean(source))));
    md.append(" |\n");

    List<ClassAuroc> undefined = result.undefinedClasses();
    if (!undefined.isEmpty()) {
      md.append("\n## Undefined classes\n\n")
          .append(
              "Left out of the mean AUROC; the reference means still cover all their classes.\n\n");
      undefined.forEach(
          c ->
              md.append("- ")
                  .append(c.className())
                  .append(": ")
                  .append(c.undefinedReason())
                  .append('\n'));
    }
    AtomicFiles.write(file, md.toString());
  }

  /** Aligned plain-text table: class, AUROC, positives and the paper's AUROC, the mean last. */
  public static String consoleTable(EvaluationResult result) {
    ReferenceResults reference = ReferenceResults.load();
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"Class", "AUROC", "Positives", "Paper"});
    for (ClassAuroc c : result.perClass()) {
      rows.add(
          new String[] {
            c.className(),
            c.defined() ? format(c.auroc()) : "undefined",
            Integer.toString(c.positives()),
            format(reference.auroc(ReferenceResults.PAPER, c.className()))
          });
    }
    rows.add(
        new String[] {
          "Mean", format(result.meanAuroc()), "", format(reference.mean(ReferenceResults.PAPER))
        });

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

  private static long definedCount(EvaluationResult result) {
    return result.perClass().stream().filter(ClassAuroc::defined).count();
  }

  private static String format(OptionalDouble value) {
    return value.isPresent() ? format(value.getAsDouble()) : MISSING;
  }

  private static String format(double value) {
    return Double.isNaN(value) ? MISSING : String.format(Locale.ROOT, "%.4f", value);
  }
}
