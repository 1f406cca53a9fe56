package org.chexnet.evaluation;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The content of report.md and report.html, built once for both. */
final class DetailedReport {

  private DetailedReport() {}

  static ReportDocument document(DetailedEvaluation e, String title) {
    EvaluationResult result = e.result();
    ReportOptions options = e.options();
    ReportDocument doc = new ReportDocument(title);
    long defined = result.perClass().stream().filter(ClassAuroc::defined).count();
    doc.paragraph(
        "- Images: "
            + result.images()
            + "\n- Mean AUROC: **"
            + ReportFormat.number(result.meanAuroc())
            + "** "
            + ReportFormat.interval(e.bootstrap().mean())
            + " (over "
            + defined
            + " of "
            + result.perClass().size()
            + " classes)");

    doc.heading("AUROC per class");
    ReferenceResults reference = ReferenceResults.load();
    // The published columns are ChestX-ray14's: left out for another dataset's findings.
    List<String> sources = reference.covers(e.classNames()) ? reference.sources() : List.of();
    List<String> header =
        new ArrayList<>(
            List.of(
                "Class", "AUROC", "95% CI bootstrap", "95% CI DeLong", "Positives", "Negatives"));
    boolean masked = result.anyMasked();
    if (masked) {
      header.add("Masked");
    }
    header.addAll(sources);
    e.reference()
        .ifPresent(r -> header.addAll(List.of("Δ vs " + r.against(), "Δ 95% CI", "Δ p (DeLong)")));
    List<List<String>> rows = new ArrayList<>();
    for (int c = 0; c < e.classNames().size(); c++) {
      ClassAuroc auroc = result.perClass().get(c);
      List<String> row =
          new ArrayList<>(
              List.of(
                  auroc.className(),
                  ReportFormat.number(auroc.auroc()),
                  ReportFormat.interval(e.bootstrap().perClass().get(c)),
                  ReportFormat.interval(e.deLong().get(c).ci95()),
                  Integer.toString(auroc.positives()),
                  Integer.toString(auroc.negatives())));
      if (masked) {
        row.add(Integer.toString(result.masked(auroc)));
      }
      sources.forEach(
          source -> row.add(ReportFormat.number(reference.auroc(source, auroc.className()))));
      int index = c;
      e.reference().ifPresent(r -> row.addAll(differenceCells(r, index)));
      rows.add(row);
    }
    List<String> mean =
        new ArrayList<>(
            List.of(
                "**Mean**",
                "**" + ReportFormat.number(result.meanAuroc()) + "**",
                ReportFormat.interval(e.bootstrap().mean()),
                ReportFormat.MISSING,
                "",
                ""));
    if (masked) {
      mean.add("");
    }
    sources.forEach(source -> mean.add(ReportFormat.number(reference.mean(source))));
    e.reference().ifPresent(r -> mean.addAll(meanDifferenceCells(result, r)));
    rows.add(mean);
    doc.table(header, rows);
    if (masked) {
      doc.paragraph(
          "Masked: images whose label of the class is not known (an uncertain label ignored, a"
              + " missing one, or a finding the image's dataset does not label); they are left out"
              + " of that class's AUROC, intervals, curve and operating point.");
    }

    e.baseline()
        .ifPresent(
            b -> {
              doc.heading("Paired comparison with " + b.against());
              List<List<String>> pairRows = new ArrayList<>();
              for (int c = 0; c < e.classNames().size(); c++) {
                List<String> row =
                    new ArrayList<>(
                        List.of(
                            e.classNames().get(c),
                            ReportFormat.number(result.perClass().get(c).auroc()),
                            ReportFormat.number(b.theirs().get(c))));
                row.addAll(differenceCells(b, c));
                pairRows.add(row);
              }
              List<String> pairMean =
                  new ArrayList<>(
                      List.of(
                          "**Mean**",
                          ReportFormat.number(result.meanAuroc()),
                          ReportFormat.number(b.theirMean())));
              pairMean.addAll(meanDifferenceCells(result, b));
              pairRows.add(pairMean);
              doc.table(
                  List.of("Class", "Ours", b.against(), "Δ", "Δ 95% CI", "Δ p (DeLong)"), pairRows);
              doc.paragraph(
                  "Δ is ours minus "
                      + b.against()
                      + " on the same images; its interval is a paired bootstrap (both models"
                      + " scored on the same draws) and its p-value DeLong's paired test.");
            });

    if (e.operatingPoints().stream().anyMatch(Optional::isPresent)) {
      doc.heading("Operating points");
      doc.paragraph(
          "Threshold per class chosen on validation predictions by "
              + options.thresholdRule().describe()
              + ", then applied to these images (positive when the probability is at least the"
              + " threshold).");
      List<List<String>> pointRows = new ArrayList<>();
      for (Optional<OperatingPoint> maybe : e.operatingPoints()) {
        maybe.ifPresent(
            p ->
                pointRows.add(
                    List.of(
                        p.className(),
                        Double.isInfinite(p.threshold())
                            ? "∞"
                            : String.format(Locale.ROOT, "%.4f", p.threshold()),
                        ReportFormat.number(p.sensitivity()),
                        ReportFormat.number(p.specificity()),
                        ReportFormat.number(p.ppv()),
                        ReportFormat.number(p.npv()),
                        ReportFormat.number(p.f1()),
                        Long.toString(p.truePositives()),
                        Long.toString(p.falsePositives()),
                        Long.toString(p.trueNegatives()),
                        Long.toString(p.falseNegatives()))));
      }
      doc.table(
          List.of(
              "Class",
              "Threshold",
              "Sensitivity",
              "Specificity",
              "PPV",
              "NPV",
              "F1",
              "TP",
              "FP",
              "TN",
              "FN"),
          pointRows);
    }

    List<ClassAuroc> undefined = result.undefinedClasses();
    if (!undefined.isEmpty()) {
      StringBuilder reasons =
          new StringBuilder(
              "Left out of the mean AUROC; the reference means cover all their classes.");
      undefined.forEach(
          c ->
              reasons
                  .append("\n- ")
                  .append(c.className())
                  .append(": ")
                  .append(c.undefinedReason()));
      doc.heading("Undefined classes");
      doc.paragraph(reasons.toString());
    }

    BootstrapResult bootstrap = e.bootstrap();
    int fewest =
        bootstrap.replicatesUsed().stream()
            .mapToInt(Integer::intValue)
            .filter(n -> n > 0)
            .min()
            .orElse(0);
    doc.heading("Method");
    doc.paragraph(
        "- AUROC: exact Mann-Whitney statistic, ties counting one half.\n"
            + "- 95% CI bootstrap: "
            + bootstrap.replicates()
            + " replicates drawn over images with replacement (seed "
            + options.seed()
            + "), 2.5th and 97.5th percentiles; a replicate without a positive or a negative"
            + " for a class is left out for that class (fewest kept: "
            + fewest
            + "; for the mean: "
            + bootstrap.meanReplicatesUsed()
            + ").\n"
            + "- 95% CI DeLong: AUROC ± 1.96 standard errors of DeLong's variance (Sun and Xu's"
            + " fast algorithm), clipped to [0, 1].\n"
            + "- Δ vs a published column: ours minus their constant, which carries no sampling"
            + " error; its mean compares our mean over the defined classes with theirs over all.");
    return doc;
  }

  private static List<String> differenceCells(DetailedEvaluation.Comparison comparison, int c) {
    DeLong.Difference difference = comparison.deLong().get(c);
    return List.of(
        ReportFormat.signed(difference.difference()),
        ReportFormat.interval(comparison.bootstrap().perClass().get(c)),
        pValue(difference.pValue()));
  }

  private static List<String> meanDifferenceCells(
      EvaluationResult result, DetailedEvaluation.Comparison comparison) {
    return List.of(
        ReportFormat.signed(result.meanAuroc() - comparison.theirMean()),
        ReportFormat.interval(comparison.bootstrap().mean()),
        ReportFormat.MISSING);
  }

  private static String pValue(double p) {
    if (Double.isNaN(p)) {
      return ReportFormat.MISSING;
    }
    return p < 1e-4 ? "< 0.0001" : String.format(Locale.ROOT, "%.4f", p);
  }
}
