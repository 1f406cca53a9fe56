package org.chexnet.experiment.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.chexnet.common.Reporter;
import org.chexnet.evaluation.DetailedEvaluation;
import org.chexnet.evaluation.EvaluationReport;
import org.chexnet.evaluation.Interval;
import org.chexnet.evaluation.PredictionSet;
import org.chexnet.evaluation.ReportOptions;
import org.chexnet.evaluation.ThresholdRule;
import org.chexnet.evaluation.TrainingHistory;
import org.chexnet.evaluation.calibration.CalibrationMethod;
import org.chexnet.evaluation.calibration.CalibrationReport;
import org.chexnet.evaluation.card.ClinicalEvaluation;
import org.chexnet.evaluation.card.ModelCard;
import org.chexnet.experiment.spec.CallbackSpec;
import org.chexnet.experiment.spec.EvaluateSpec;
import org.chexnet.experiment.spec.ExperimentSpec;
import org.chexnet.tracking.Run;
import org.chexnet.training.Predictions;

/**
 * The evaluation a finished run leaves in its artifacts: metrics.json, roc.csv, roc.png,
 * training.png, operating-points.csv, reliability.png, report.md and report.html (see {@link
 * EvaluationReport#writeAll} and {@link ClinicalEvaluation#write}), calibration.json and
 * model-card.md, with the intervals and mean calibration also logged as run metrics.
 */
final class RunReport {

  private RunReport() {}

  /** The report options a spec's {@code evaluate} section asks for. */
  static ReportOptions options(EvaluateSpec evaluate, long experimentSeed) {
    EvaluateSpec.BootstrapSpec bootstrap = evaluate.bootstrap();
    long seed = bootstrap.seed() != null ? bootstrap.seed() : experimentSeed;
    return ReportOptions.defaults()
        .withBootstrap(bootstrap.replicates(), seed)
        .withThresholdRule(thresholdRule(evaluate.threshold()));
  }

  static ThresholdRule thresholdRule(EvaluateSpec.ThresholdSpec threshold) {
    return threshold instanceof EvaluateSpec.ThresholdSpec.Sensitivity s
        ? ThresholdRule.sensitivity(s.target())
        : ThresholdRule.youden();
  }

  /** The post-hoc calibration {@code evaluate.calibration} asks for; empty for none. */
  static Optional<CalibrationMethod> calibrationMethod(EvaluateSpec evaluate) {
    return switch (evaluate.calibration()) {
      case PLATT -> Optional.of(CalibrationMethod.PLATT);
      case ISOTONIC -> Optional.of(CalibrationMethod.ISOTONIC);
      case NONE -> Optional.empty();
    };
  }

  /**
   * What the model card says about the model and its data, from the run's own records.
   *
   * @param limitations beyond those every card lists
   */
  record CardFacts(
      ModelCard.Model model,
      ModelCard.Data training,
      ModelCard.Data evaluated,
      List<String> limitations) {}

  /**
   * Writes the report set with its calibration and subgroup sections, calibration.json (when a
   * calibration was fitted) and model-card.md, and logs the headline numbers as run metrics.
   *
   * @param classes the run's findings, in output order
   * @param split the evaluated split's name, "test" or "validation"
   * @param evaluated predictions on that split
   * @param validation predictions on the validation split, where thresholds are chosen and the
   *     calibration is fitted; empty when the evaluated split is validation itself (a threshold or
   *     calibration measured where it was fitted would flatter the model)
   * @param subgroups the dataset's metadata and the attributes to compare; empty for none
   */
  static ClinicalEvaluation write(
      ExperimentSpec spec,
      List<String> classes,
      Run run,
      String split,
      Predictions evaluated,
      Optional<Predictions> validation,
      Optional<ClinicalEvaluation.Subgroups> subgroups,
      CardFacts card,
      Reporter reporter)
      throws IOException {
    Path artifacts = run.artifactsDir();
    ReportOptions options = options(spec.evaluate(), spec.seed());
    reporter.info(
        String.format(
            Locale.ROOT,
            "Scoring: %d bootstrap replicates (seed %d), thresholds by %s on validation",
            options.bootstrapReplicates(),
            options.seed(),
            options.thresholdRule().describe()));
    ClinicalEvaluation evaluation =
        ClinicalEvaluation.compute(
            classes,
            set(evaluated),
            validation.map(RunReport::set),
            options,
            calibrationMethod(spec.evaluate()),
            subgroups);
    evaluation.write(
        artifacts,
        spec.name() + ": " + split + " AUROC (run " + run.id() + ")",
        history(spec, artifacts));
    evaluation
        .card(card.model(), Optional.of(card.training()), card.evaluated(), card.limitations())
        .write(artifacts.resolve(ModelCard.FILE_NAME));
    DetailedEvaluation detailed = evaluation.detailed();
    Interval mean = detailed.bootstrap().mean();
    if (mean.defined()) {
      reporter.info(
          String.format(
              Locale.ROOT,
              "Mean %s AUROC %.4f, 95%% bootstrap CI [%.4f, %.4f]",
              split,
              detailed.result().meanAuroc(),
              mean.low(),
              mean.high()));
      run.logMetric(split + "_mean_auroc_ci_low", mean.low(), 0);
      run.logMetric(split + "_mean_auroc_ci_high", mean.high(), 0);
    }
    CalibrationReport calibration = evaluation.calibration();
    run.logMetric(split + "_mean_brier", calibration.uncalibrated().meanBrier(), 0);
    run.logMetric(split + "_mean_ece", calibration.uncalibrated().meanEce(), 0);
    if (calibration.calibrated().isPresent()) {
      run.logMetric(
          split + "_mean_brier_calibrated", calibration.calibrated().get().meanBrier(), 0);
      run.logMetric(split + "_mean_ece_calibrated", calibration.calibrated().get().meanEce(), 0);
    }
    reporter.info(evaluation.summary());
    return evaluation;
  }

  private static PredictionSet set(Predictions predictions) {
    return new PredictionSet(
        predictions.imageIndexes(), predictions.probabilities(), predictions.labels());
  }

  /** The csv_logger's file, when the spec has one and it was written. */
  private static Optional<TrainingHistory> history(ExperimentSpec spec, Path artifacts)
      throws IOException {
    for (CallbackSpec callback : spec.train().callbacks()) {
      if (callback instanceof CallbackSpec.CsvLogger csv
          && csv.separator().length() == 1
          && Files.isRegularFile(artifacts.resolve(csv.filename()))) {
        return Optional.of(
            TrainingHistory.read(artifacts.resolve(csv.filename()), csv.separator().charAt(0)));
      }
    }
    return Optional.empty();
  }
}
