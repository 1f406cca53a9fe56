package org.chexnet.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.chexnet.common.ChexnetException;
import org.chexnet.dataset.SplitPlan;
import org.chexnet.evaluation.Bootstrap;
import org.chexnet.evaluation.EvaluationReport;
import org.chexnet.evaluation.ReferenceResults;
import org.chexnet.evaluation.ReportOptions;
import org.chexnet.evaluation.card.ClinicalEvaluation;
import org.chexnet.experiment.Experiments;
import org.chexnet.experiment.evaluate.DatasetEvaluation;
import org.chexnet.experiment.evaluate.EvaluationRequest;
import org.chexnet.experiment.evaluate.PredictionsEvaluation;
import org.chexnet.experiment.models.ModelResolver;
import org.chexnet.experiment.predict.ModelPredictions;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "evaluate",
    description = {
      "Score any model's predictions (AUROC with CIs, ROC, operating points, calibration,"
          + " subgroups) beside CheXNet's.",
      "--predictions against --labels or a --dataset's labels; or --model on --images; or --model"
          + " on a --dataset's split over the findings the two share (docs/evaluation.md)."
    })
final class EvaluateCommand implements Callable<Integer> {
  @Spec CommandSpec command;

  @Option(
      names = "--predictions",
      paramLabel = "CSV",
      description = "the predictions to score (or --model with --images)")
  Path predictions;

  @Option(
      names = "--model",
      paramLabel = "MODEL",
      description = "a model to predict --images with and score, as predict's --model")
  String model;

  /** The images a --model or a model --baseline predicts. */
  @ArgGroup(exclusive = false)
  ImageInputOptions images;

  @Option(
      names = "--runs",
      defaultValue = "mlruns",
      paramLabel = "DIR",
      description = "run store searched for a run id given as a model")
  Path runs;

  @Option(
      names = "--labels",
      paramLabel = "LIST",
      description = "ground truth: a 14-column label list or a Data_Entry csv")
  Path labels;

  @Option(
      names = "--dataset",
      paramLabel = "NAME",
      description = "the dataset a --model is scored on, or --predictions against")
  String dataset;

  @Option(names = "--root", paramLabel = "DIR", description = "with --dataset: its directory")
  Path root;

  @Option(
      names = "--split",
      defaultValue = "test",
      paramLabel = "SPLIT",
      description = "with --dataset: test, validation, train or all; split as a run splits it")
  String split;

  @Option(
      names = "--patient-random",
      arity = "3",
      paramLabel = "FRACTION",
      description = "with --dataset: train, validation, test fractions of patients (else official)")
  List<Double> fractions;

  @Option(
      names = "--validation-fraction",
      defaultValue = "0.1",
      paramLabel = "F",
      description = "with the official split: the share of patients a missing split takes")
  double validationFraction;

  @Option(
      names = "--split-seed",
      defaultValue = "42",
      paramLabel = "N",
      description = "with --dataset: the seed of the split's random parts, a spec's seed")
  long splitSeed;

  /** With --dataset: what its uncertain and blank labels become. */
  @Mixin LabelPolicyOptions labelPolicy;

  @Option(
      names = "--views",
      split = ",",
      paramLabel = "V",
      description = "with --dataset: keep only these views (PA, AP, LATERAL, OTHER, UNKNOWN)")
  List<String> views;

  @Option(
      names = "--batch-size",
      defaultValue = "16",
      paramLabel = "N",
      description = "with --model: images per inference batch")
  int batchSize;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description =
          "where the reports go (default: PREDICTIONS-evaluation, evaluation-DATASET-SPLIT)")
  Path out;

  @Option(
      names = "--validation-predictions",
      paramLabel = "CSV",
      description = "validation predictions: each class's threshold is chosen there")
  Path validationPredictions;

  @Option(
      names = "--validation-labels",
      paramLabel = "LIST",
      description = "labels of the validation predictions (default: --labels)")
  Path validationLabels;

  @Option(
      names = "--threshold",
      defaultValue = "youden",
      paramLabel = "RULE",
      description = "youden, or sensitivity=T: the highest with validation sensitivity >= T")
  String threshold;

  @Option(
      names = "--baseline",
      paramLabel = "CSV|MODEL",
      description = "another model's predictions or that model: paired bootstrap and DeLong")
  String baseline;

  @Option(
      names = "--reference",
      defaultValue = ReferenceResults.PAPER,
      paramLabel = "SOURCE",
      description = "published column to report ours minus (or none)")
  String reference;

  @Option(
      names = "--bootstrap",
      defaultValue = "" + Bootstrap.DEFAULT_REPLICATES,
      paramLabel = "N",
      description = "bootstrap replicates for the 95%% intervals")
  int replicates;

  @Option(
      names = "--seed",
      defaultValue = "" + ReportOptions.DEFAULT_SEED,
      description = "bootstrap seed")
  long seed;

  @Option(
      names = "--calibration",
      defaultValue = "platt",
      paramLabel = "METHOD",
      description = "platt, isotonic or none, fitted on the validation predictions or split")
  String calibration;

  @Option(
      names = "--metadata",
      paramLabel = "CSV",
      description = "per-image metadata (docs/evaluation.md): performance per subgroup")
  Path metadata;

  @Option(
      names = "--subgroups",
      split = ",",
      paramLabel = "ATTRIBUTE",
      description = "with --metadata/--dataset: sex, age, view or a column (default: sex,age,view)")
  List<String> subgroups;

  @Option(
      names = "--title",
      paramLabel = "TEXT",
      description = "report title (default: the predictions' file name)")
  String title;

  @Override
  public Integer call() throws Exception {
    if ((dataset != null || root != null) && predictions == null) {
      return evaluateOnDataset();
    }
    if (subgroups != null && metadata == null && dataset == null) {
      throw ChexnetException.invalidInput("--subgroups needs --metadata FILE to read them from");
    }
    ModelResolver resolver = ModelResolver.fromEnvironment(runs);
    ModelPredictions.ForEvaluation scored =
        ModelPredictions.forEvaluation(
            predictions,
            model,
            baseline,
            images == null ? null : images.inputs(),
            out,
            reference -> resolver.open(reference, null, ModelResolver.Use.PREDICT),
            new ConsoleReporter(System.out));
    EvaluationRequest request =
        EvaluationRequest.of(
                scored.predictions(),
                labels,
                EvaluationRequest.DatasetLabels.ifNamed(dataset, root, labelPolicy.policy()))
            .withOut(out)
            .withValidation(validationPredictions, validationLabels)
            .withThreshold(threshold)
            .withBaseline(scored.baseline())
            .withReference(reference)
            .withBootstrap(replicates, seed)
            .withTitle(title)
            .withCalibration(calibration);
    if (metadata != null || subgroups != null) {
      request = request.withSubgroups(metadata, subgroups);
    }
    ClinicalEvaluation evaluation = PredictionsEvaluation.evaluate(request);
    PrintWriter console = command.commandLine().getOut();
    console.print(EvaluationReport.consoleText(evaluation.detailed()));
    console.println(evaluation.summary());
    console.printf(
        "Wrote %s (report.html, report.md, metrics.json, roc.csv, roc.png, reliability.png,"
            + " model-card.md%s)%n",
        request.outDirectory(),
        evaluation.calibration().calibration().isPresent() ? ", calibration.json" : "");
    console.flush();
    return 0;
  }

  private int evaluateOnDataset() throws Exception {
    if (model == null || dataset == null || root == null) {
      throw ChexnetException.invalidInput(
          "scoring a model on a dataset needs --model MODEL --dataset NAME --root DIR");
    }
    DatasetEvaluation.refuseOtherModes(
        command.commandLine().getParseResult().matchedOptions().stream()
            .collect(Collectors.toMap(OptionSpec::longestName, OptionSpec::stringValues)));
    SplitPlan plan =
        fractions != null
            ? new SplitPlan.PatientRandom(fractions.get(0), fractions.get(1), fractions.get(2))
            : new SplitPlan.Official(validationFraction);
    DatasetEvaluation.Request request =
        new DatasetEvaluation.Request(
            model,
            null,
            dataset,
            root,
            split,
            plan,
            splitSeed,
            labelPolicy.policy(),
            views,
            out,
            replicates,
            seed,
            threshold,
            reference,
            calibration,
            subgroups,
            batchSize,
            title);
    DatasetEvaluation.Result result =
        Experiments.in(Path.of(""), new ConsoleReporter(System.out))
            .evaluate(request, ModelResolver.fromEnvironment(runs));
    PrintWriter console = command.commandLine().getOut();
    console.print(result.describe());
    console.printf(
        "Wrote %s (report.html, report.md, metrics.json, model-card.md, predictions.csv, ...)%n",
        request.outDirectory());
    console.flush();
    return 0;
  }
}
