package org.chexnet.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.Reporter;
import org.chexnet.evaluation.Bootstrap;
import org.chexnet.evaluation.EvaluationReport;
import org.chexnet.evaluation.Interval;
import org.chexnet.evaluation.ReferenceResults;
import org.chexnet.evaluation.ReportOptions;
import org.chexnet.evaluation.card.ClinicalEvaluation;
import org.chexnet.experiment.evaluate.EvaluationRequest;
import org.chexnet.experiment.evaluate.PredictionsEvaluation;
import org.chexnet.experiment.models.ModelResolver;
import org.chexnet.experiment.predict.ImageInputs;
import org.chexnet.experiment.predict.ModelPredictions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = {
      "Score any model's predictions (AUROC with CIs, ROC, operating points, calibration,"
          + " subgroups) beside CheXNet's.",
      "Writes the run report set (metrics.json, roc.csv, roc.png, reliability.png, report.md,"
          + " report.html, model-card.md; calibration.json with --validation-predictions) beside"
          + " the CheXNet paper and the reproductions.",
      "Predictions: the common CSV layout, a header 'Image Index,prob_Atelectasis,...' (any column"
          + " order) or no header and 14 probabilities in CheXNet order after the image name.",
      "Labels: a list 'IMAGE l1 ... l14' (0/1, CheXNet order, every image predicted) or NIH's"
          + " Data_Entry_2017*.csv (only the predicted images are scored).",
      "Or --model MODEL --images DIR|LIST: the model (e.g. a model directory of `chexnet models"
          + " import`, with its card's preprocessing) predicts the images first, into"
          + " OUT/NAME-predictions.csv; a model as --baseline predicts the same images."
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

  @Option(
      names = "--images",
      paramLabel = "DIR|LIST",
      description = "the images a --model or a model --baseline predicts, as predict's --images")
  Path images;

  @Option(
      names = "--image-root",
      paramLabel = "DIR",
      description = "where a list's relative paths start (default: the list's directory)")
  Path imageRoot;

  @Option(
      names = "--runs",
      defaultValue = "mlruns",
      paramLabel = "DIR",
      description = "run store searched for a run id given as a model (default ${DEFAULT-VALUE})")
  Path runs;

  @Option(
      names = "--labels",
      required = true,
      paramLabel = "LIST",
      description = "ground truth: a 14-column label list or a Data_Entry csv")
  Path labels;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "where the reports go (default: the predictions' name with -evaluation)")
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
              + " with validation sensitivity >= T); default ${DEFAULT-VALUE}")
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
      description = "published column to report ours minus (or none); default ${DEFAULT-VALUE}")
  String reference;

  @Option(
      names = "--bootstrap",
      defaultValue = "" + Bootstrap.DEFAULT_REPLICATES,
      paramLabel = "N",
      description = "bootstrap replicates for the 95%% intervals (default ${DEFAULT-VALUE})")
  int replicates;

  @Option(
      names = "--seed",
      defaultValue = "" + ReportOptions.DEFAULT_SEED,
      description = "bootstrap seed (default ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--calibration",
      defaultValue = "platt",
      paramLabel = "METHOD",
      description =
          "post-hoc calibration fitted on --validation-predictions and reported before and after:"
              + " platt, isotonic or none (default ${DEFAULT-VALUE})")
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
    if ((predictions == null) == (model == null)) {
      throw ChexnetException.invalidInput(
          "give either --predictions CSV or --model MODEL with --images DIR|LIST");
    }
    if (subgroups != null && metadata == null) {
      throw ChexnetException.invalidInput("--subgroups needs --metadata FILE to read them from");
    }
    if (model != null && (out == null || images == null)) {
      throw ChexnetException.invalidInput(
          "--model "
              + model
              + " needs --images DIR|LIST to predict and --out DIR for its predictions and the"
              + " report");
    }
    ImageInputs inputs = images == null ? null : ImageInputs.of(images, imageRoot);
    ModelResolver resolver = ModelOptions.resolver(runs);
    ModelPredictions.Opener opener =
        reference -> resolver.open(reference, null, ModelResolver.Use.PREDICT);
    Reporter reporter = new ConsoleReporter(System.out);
    Path scored =
        model == null
            ? predictions
            : ModelPredictions.predicted(
                model, opener, inputs, out.resolve(ModelPredictions.fileName(model)), reporter);
    Path baselinePredictions =
        baseline == null
            ? null
            : ModelPredictions.fileOrPredicted(
                baseline,
                opener,
                inputs,
                out != null ? out : scored.toAbsolutePath().getParent(),
                "baseline-",
                "--baseline",
                reporter);
    EvaluationRequest request =
        EvaluationRequest.of(scored, labels)
            .withOut(out)
            .withValidation(validationPredictions, validationLabels)
            .withThreshold(threshold)
            .withBaseline(baselinePredictions)
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
    console.print(EvaluationReport.consoleTable(evaluation.detailed().result()));
    Interval mean = evaluation.detailed().bootstrap().mean();
    if (mean.defined()) {
      console.printf(
          Locale.ROOT,
          "Mean AUROC 95%% CI (bootstrap, %d replicates): [%.4f, %.4f]%n",
          replicates,
          mean.low(),
          mean.high());
    }
    console.println(evaluation.summary());
    console.printf(
        "Wrote %s (report.html, report.md, metrics.json, roc.csv, roc.png, reliability.png,"
            + " model-card.md%s)%n",
        request.outDirectory(),
        evaluation.calibration().calibration().isPresent() ? ", calibration.json" : "");
    console.flush();
    return 0;
  }
}
