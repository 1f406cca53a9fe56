package org.chexnet.evaluation;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Everything a report shows about one prediction set: AUROCs with bootstrap and DeLong intervals,
 * ROC curves, comparisons and operating points.
 *
 * @param deLong per class; NaN values for an undefined class
 * @param rocCurves per class, the corners scikit-learn keeps by default (the same curve as every
 *     threshold, see {@link RocCurve#corners}); null for an undefined class
 * @param reference ours minus a published column, when asked for
 * @param baseline ours minus another model on the same images, when given
 * @param operatingPoints per class, chosen on validation; empty without validation predictions or
 *     where validation lacks positives or negatives for the class
 */
public record DetailedEvaluation(
    List<String> classNames,
    EvaluationResult result,
    BootstrapResult bootstrap,
    List<DeLong.Estimate> deLong,
    List<RocCurve> rocCurves,
    Optional<Comparison> reference,
    Optional<Comparison> baseline,
    List<Optional<OperatingPoint>> operatingPoints,
    ReportOptions options) {

  /**
   * Ours minus another set of AUROCs.
   *
   * @param theirs their AUROC per class, NaN where they give none
   * @param theirMean their mean AUROC
   * @param deLong per class, ours minus theirs: paired for a model, one-sample for a constant
   * @param bootstrap intervals of ours minus theirs (paired for a model)
   */
  public record Comparison(
      String against,
      List<Double> theirs,
      double theirMean,
      List<DeLong.Difference> deLong,
      BootstrapResult bootstrap) {}

  public static DetailedEvaluation compute(
      List<String> classNames,
      PredictionSet test,
      Optional<PredictionSet> validation,
      ReportOptions options) {
    int classes = classNames.size();
    if (test.classes() != classes) {
      throw new IllegalArgumentException(
          "expected "
              + classes
              + " classes "
              + classNames
              + ", the predictions have "
              + test.classes());
    }
    EvaluationResult result =
        EvaluationResult.of(classNames, test.probabilities(), test.labels(), test.images());
    BootstrapResult bootstrap =
        Bootstrap.aurocs(test, options.bootstrapReplicates(), options.seed());
    List<DeLong.Estimate> deLong = new ArrayList<>(classes);
    List<RocCurve> curves = new ArrayList<>(classes);
    for (int c = 0; c < classes; c++) {
      deLong.add(DeLong.of(test.scores(c), test.truth(c)));
      curves.add(
          result.perClass().get(c).defined()
              ? RocCurve.corners(test.scores(c), test.truth(c))
              : null);
    }
    Optional<Comparison> reference =
        options
            .referenceSource()
            .map(source -> versusReference(source, classNames, deLong, bootstrap));
    Optional<Comparison> baseline =
        options.baseline().map(other -> versusBaseline(other, classNames, test, options));
    List<Optional<OperatingPoint>> operatingPoints = new ArrayList<>(classes);
    for (int c = 0; c < classes; c++) {
      Optional<OperatingPoint> point = Optional.empty();
      if (validation.isPresent()) {
        if (validation.get().classes() != classes) {
          throw new IllegalArgumentException(
              "validation predictions have "
                  + validation.get().classes()
                  + " classes, expected "
                  + classes);
        }
        point =
            OperatingPoint.choose(
                classNames.get(c),
                options.thresholdRule(),
                validation.get().scores(c),
                validation.get().truth(c),
                test.scores(c),
                test.truth(c));
      }
      operatingPoints.add(point);
    }
    return new DetailedEvaluation(
        classNames,
        result,
        bootstrap,
        deLong,
        curves,
        reference,
        baseline,
        operatingPoints,
        options);
  }

  private static Comparison versusReference(
      String source,
      List<String> classNames,
      List<DeLong.Estimate> deLong,
      BootstrapResult bootstrap) {
    ReferenceResults references = ReferenceResults.load();
    List<Double> theirs = new ArrayList<>();
    List<DeLong.Difference> differences = new ArrayList<>();
    for (int c = 0; c < classNames.size(); c++) {
      OptionalDouble value = references.auroc(source, classNames.get(c));
      double their = value.isPresent() ? value.getAsDouble() : Double.NaN;
      theirs.add(their);
      differences.add(deLong.get(c).minus(their));
    }
    double theirMean = references.mean(source);
    return new Comparison(
        source, theirs, theirMean, differences, bootstrap.minus(theirs, theirMean));
  }

  private static Comparison versusBaseline(
      ReportOptions.Baseline other,
      List<String> classNames,
      PredictionSet test,
      ReportOptions options) {
    PredictionSet aligned = other.predictions().alignedTo(test);
    EvaluationResult theirs =
        EvaluationResult.of(
            classNames, aligned.probabilities(), aligned.labels(), aligned.images());
    List<DeLong.Difference> differences = new ArrayList<>();
    for (int c = 0; c < classNames.size(); c++) {
      differences.add(DeLong.paired(test.scores(c), aligned.scores(c), test.truth(c)));
    }
    return new Comparison(
        other.name(),
        theirs.perClass().stream().map(ClassAuroc::auroc).toList(),
        theirs.meanAuroc(),
        differences,
        Bootstrap.difference(test, aligned, options.bootstrapReplicates(), options.seed()));
  }
}
