package org.chexnet.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
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
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "evaluate",
    description = {
      "Score any model's predictions (AUROC with CIs, ROC, operating points, calibration,"
          + " subgroups) beside CheXNet's.",
      "Writes the run report set (report.html, metrics.json, ROC and reliability plots,"
          + " model-card.md) beside the CheXNet paper and the reproductions.",
      "Score a predictions file (--predictions, 'Image Index,prob_Atelectasis,...' or 14 unnamed"
          + " columns) against --labels; or let --model predict --images first; or score --model"
          + " on a --dataset's split over the findings the two share. Formats and outputs:"
          + " docs/evaluation.md."
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
      description =
          "a model to predict --images with and score: a model directory, run, SavedModel or"
              + " models:/ URI, as predict's --model")
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
      description =
          "with --model: the dataset to score it on (chestxray14, chexpert, mimic_cxr_jpg,"
              + " padchest)")
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
      description =
          "with --dataset: split patients at random by these train, validation and test fractions"
              + " (as a spec's patient_random; default: the dataset's official split)")
  List<Double> fractions;

  @Option(
      names = "--validation-fraction",
      defaultValue = "0.1",
      paramLabel = "F",
      description =
          "with the official split: the share of train's patients a missing validation or test"
              + " split takes")
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
          "where the reports go (default: the predictions' name with -evaluation, or"
              + " evaluation-DATASET-SPLIT)")
  Path out;

  @Option(
      names = "--validation-predictions",
      paramLabel = "CSV",
      description =
          "predictions on a validation set: each class's threshold is chosen there and its"
              + " sensitivity, specificity, PPV, NPV and F1 measured on --predictions")
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
      description =
          "youden (maximise sensitivity + specificity - 1) or sensitivity=T (highest threshold"
              + " with validation sensitivity >= T)")
  String threshold;

  @Option(
      names = "--baseline",
      paramLabel = "CSV|MODEL",
      description =
          "another model's predictions on the same images, or that model (predicted on --images):"
              + " paired bootstrap and DeLong test of the difference")
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
      description =
          "post-hoc calibration fitted on --validation-predictions and reported before and after:"
              + " platt, isotonic or none")
  String calibration;

  @Option(
      names = "--metadata",
      paramLabel = "CSV",
      description =
          "per-image metadata (NIH's Data_Entry csv, CheXpert's train.csv, any CSV with an"
              + " 'Image Index', 'Path', 'dicom_id' or 'ImageID' column): performance per subgroup")
  Path metadata;

  @Option(
      names = "--subgroups",
      split = ",",
      paramLabel = "ATTRIBUTE",
      description =
          "with --metadata: sex, age (in bands), view, or any column of the metadata by name"
              + " (default: sex,age,view)")
  List<String> subgroups;

  @Option(
      names = "--title",
      paramLabel = "TEXT",
      description = "report title (default: the predictions' file name)")
  String title;

  @Override
  public Integer call() throws Exception {
    if (dataset != null || root != null) {
      return evaluateOnDataset();
    }
    if (subgroups != null && metadata == null) {
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
        EvaluationRequest.of(scored.predictions(), labels)
            .withOut(out)
            .withValidation(validationPredictions, validationLabels)
            .withThreshold(threshold)
            .withBaseline(scored.baseline())
            .withReference(reference)
            .withBootstrap(replicates, seed)
            .withTitle(title)
            .withCalibration(calibration);
    if (metadata != null) {
      request =
          request.withSubgroups(
              metadata, subgroups != null ? subgroups : EvaluationRequest.DEFAULT_SUBGROUPS);
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
    if (predictions != null || labels != null || images != null || baseline != null) {
      throw ChexnetException.invalidInput(
          "--model with --dataset scores the model on the dataset's labels: leave out"
              + " --predictions, --labels, --images and --baseline");
    }
    if (batchSize < 1) {
      throw ChexnetException.invalidInput("--batch-size must be positive, got " + batchSize);
    }
    SplitPlan plan =
        fractions != null
            ? new SplitPlan.PatientRandom(fractions.get(0), fractions.get(1), fractions.get(2))
            : new SplitPlan.Official(validationFraction);
    Path target = out != null ? out : Path.of("evaluation-" + dataset + "-" + split);
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
            target,
            replicates,
            seed,
            batchSize,
            title);
    DatasetEvaluation.Result result =
        Experiments.in(Path.of(""), new ConsoleReporter(System.out))
            .evaluate(request, ModelResolver.fromEnvironment(runs));
    PrintWriter console = command.commandLine().getOut();
    console.print(result.comparison().describe());
    console.print(EvaluationReport.consoleText(result.evaluation()));
    console.printf(
        "Wrote %s (report.html, report.md, metrics.json, roc.csv, roc.png, predictions.csv)%n",
        target);
    console.flush();
    return 0;
  }
}
