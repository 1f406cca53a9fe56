package org.chexnet.examples;

import java.nio.file.Path;
import java.util.Locale;
import org.chexnet.evaluation.ClassAuroc;
import org.chexnet.evaluation.DetailedEvaluation;
import org.chexnet.evaluation.Interval;
import org.chexnet.evaluation.card.ClinicalEvaluation;
import org.chexnet.experiment.Experiments;
import org.chexnet.experiment.evaluate.EvaluationRequest;

/**
 * Scores a predictions CSV against labels and prints the per-class AUROC table with 95% bootstrap
 * intervals and the calibration summary; the report set (report.html, metrics.json, roc.csv,
 * reliability.png, model-card.md, ...) goes to the output directory.
 *
 * <pre>
 * java -cp ... org.chexnet.examples.EvaluatePredictions PREDICTIONS.csv LABELS [OUT_DIR]
 * </pre>
 *
 * LABELS is NIH's Data_Entry_2017*.csv or a list {@code IMAGE l1 ... l14}.
 */
public final class EvaluatePredictions {
  private EvaluatePredictions() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: EvaluatePredictions PREDICTIONS.csv LABELS [OUT_DIR]");
      System.exit(2);
    }
    EvaluationRequest request = EvaluationRequest.of(Path.of(args[0]), Path.of(args[1]));
    if (args.length > 2) {
      request = request.withOut(Path.of(args[2]));
    }
    ClinicalEvaluation scored = Experiments.in(Path.of("")).evaluate(request);
    DetailedEvaluation evaluation = scored.detailed();

    System.out.printf("%-20s %8s %19s%n", "Finding", "AUROC", "95% CI");
    for (int c = 0; c < evaluation.classNames().size(); c++) {
      ClassAuroc auroc = evaluation.result().perClass().get(c);
      Interval ci = evaluation.bootstrap().perClass().get(c);
      System.out.printf(
          Locale.ROOT,
          "%-20s %8s %19s%n",
          auroc.className(),
          auroc.defined() ? String.format(Locale.ROOT, "%.4f", auroc.auroc()) : "-",
          ci.defined() ? String.format(Locale.ROOT, "[%.4f, %.4f]", ci.low(), ci.high()) : "-");
    }
    System.out.printf(Locale.ROOT, "%-20s %8.4f%n", "Mean", evaluation.result().meanAuroc());
    // Brier score and expected calibration error; scored.subgroups() with request.withSubgroups.
    System.out.println(scored.summary());
  }
}
