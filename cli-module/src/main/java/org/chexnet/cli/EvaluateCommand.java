package org.chexnet.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.chexnet.common.ChexnetException;
import org.chexnet.dataset.DataEntry;
import org.chexnet.dataset.DataEntryCsv;
import org.chexnet.dataset.Finding;
import org.chexnet.evaluation.Bootstrap;
import org.chexnet.evaluation.DetailedEvaluation;
import org.chexnet.evaluation.EvaluationReport;
import org.chexnet.evaluation.ImageTable;
import org.chexnet.evaluation.Interval;
import org.chexnet.evaluation.PredictionSet;
import org.chexnet.evaluation.ReferenceResults;
import org.chexnet.evaluation.ReportOptions;
import org.chexnet.evaluation.ThresholdRule;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = {
      "Score any model's predictions (AUROC with CIs, ROC, operating points) beside CheXNet's.",
      "Writes the run report set"
          + " (metrics.json, roc.csv, roc.png, report.md, report.html) beside the CheXNet paper"
          + " and the reproductions.",
      "Predictions: the common CSV layout, a header 'Image Index,prob_Atelectasis,...' (any column"
          + " order) or no header and 14 probabilities in CheXNet order after the image name.",
      "Labels: a list 'IMAGE l1 ... l14' (0/1, CheXNet order, every image predicted) or NIH's"
          + " Data_Entry_2017*.csv (only the predicted images are scored)."
    })
final class EvaluateCommand implements Callable<Integer> {
  @Spec CommandSpec command;

  @Option(
      names = "--predictions",
      required = true,
      paramLabel = "CSV",
      description = "the predictions to score")
  Path predictions;

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
      paramLabel = "CSV",
      description =
          "another model's predictions on the same images: paired bootstrap and DeLong test of"
              + " the difference")
  Path baseline;

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
      description = "bootstrap replicates for the 95% intervals (default ${DEFAULT-VALUE})")
  int replicates;

  @Option(
      names = "--seed",
      defaultValue = "" + ReportOptions.DEFAULT_SEED,
      description = "bootstrap seed (default ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--title",
      paramLabel = "TEXT",
      description = "report title (default: the predictions' file name)")
  String title;

  @Override
  public Integer call() throws Exception {
    ReportOptions options = options();
    List<String> classes = Finding.labels();
    PredictionSet scored = labelled(predictions, labels, classes);
    Optional<PredictionSet> validation = Optional.empty();
    if (validationPredictions != null) {
      validation =
          Optional.of(
              labelled(
                  validationPredictions,
                  validationLabels != null ? validationLabels : labels,
                  classes));
    } else if (validationLabels != null) {
      throw ChexnetException.invalidInput("--validation-labels needs --validation-predictions");
    }
    if (baseline != null) {
      PredictionSet other = labelled(baseline, labels, classes);
      try {
        other.alignedTo(scored);
      } catch (IllegalArgumentException e) {
        throw ChexnetException.invalidInput(
            baseline + ": " + e.getMessage() + " (" + predictions + ")");
      }
      options =
          options.withBaseline(
              Optional.of(new ReportOptions.Baseline(baseline.getFileName().toString(), other)));
    }
    Path dir = out != null ? out : defaultOut(predictions);
    PrintWriter console = command.commandLine().getOut();
    DetailedEvaluation evaluation =
        EvaluationReport.writeAll(
            dir,
            title != null ? title : predictions.getFileName().toString(),
            classes,
            scored,
            validation,
            Optional.empty(),
            options);
    console.print(EvaluationReport.consoleTable(evaluation.result()));
    Interval mean = evaluation.bootstrap().mean();
    if (mean.defined()) {
      console.printf(
          Locale.ROOT,
          "Mean AUROC 95%% CI (bootstrap, %d replicates): [%.4f, %.4f]%n",
          options.bootstrapReplicates(),
          mean.low(),
          mean.high());
    }
    console.printf("Wrote %s (report.html, report.md, metrics.json, roc.csv, roc.png)%n", dir);
    console.flush();
    return 0;
  }

  private ReportOptions options() {
    if (replicates < 1) {
      throw ChexnetException.invalidInput(
          "--bootstrap must be a positive number of replicates, got " + replicates);
    }
    Optional<String> source = Optional.empty();
    if (!reference.equals("none")) {
      List<String> sources = ReferenceResults.load().sources();
      if (!sources.contains(reference)) {
        throw ChexnetException.invalidInput(
            "--reference " + reference + ": expected none or one of " + String.join(", ", sources));
      }
      source = Optional.of(reference);
    }
    return ReportOptions.defaults()
        .withBootstrap(replicates, seed)
        .withThresholdRule(thresholdRule(threshold))
        .withReference(source);
  }

  static ThresholdRule thresholdRule(String rule) {
    if (rule.equals("youden")) {
      return ThresholdRule.youden();
    }
    if (rule.startsWith("sensitivity=")) {
      String target = rule.substring("sensitivity=".length());
      try {
        double value = Double.parseDouble(target);
        if (value > 0 && value <= 1) {
          return ThresholdRule.sensitivity(value);
        }
      } catch (NumberFormatException e) {
        // reported below with the expected form
      }
    }
    throw ChexnetException.invalidInput(
        "--threshold "
            + rule
            + ": expected youden or sensitivity=T with T in (0, 1], e.g. sensitivity=0.9");
  }

  /** {@code preds} with their labels from {@code labelFile}, every error naming file and line. */
  static PredictionSet labelled(Path preds, Path labelFile, List<String> classes)
      throws IOException {
    try {
      ImageTable table = ImageTable.readPredictions(preds, classes);
      boolean dataEntry = isDataEntry(labelFile);
      ImageTable truth =
          dataEntry
              ? readDataEntry(labelFile)
              : ImageTable.readLabelList(labelFile, classes.size());
      // A label list names exactly the scored images; Data_Entry names all 112,120.
      return table.withLabels(truth, !dataEntry);
    } catch (NoSuchFileException e) {
      throw ChexnetException.invalidInput(e.getFile() + ": no such file");
    } catch (IllegalArgumentException e) {
      throw ChexnetException.invalidInput(e.getMessage());
    }
  }

  private static boolean isDataEntry(Path file) throws IOException {
    try (var reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String first = reader.readLine();
      return first != null && first.startsWith("Image Index,Finding Labels");
    }
  }

  private static ImageTable readDataEntry(Path csv) throws IOException {
    List<DataEntry> entries = DataEntryCsv.read(csv);
    List<String> images = new ArrayList<>(entries.size());
    float[] values = new float[entries.size() * Finding.COUNT];
    int[] lines = new int[entries.size()];
    for (int i = 0; i < entries.size(); i++) {
      images.add(entries.get(i).imageIndex());
      System.arraycopy(entries.get(i).labels(), 0, values, i * Finding.COUNT, Finding.COUNT);
      lines[i] = i + 2; // after the header; NIH's file has no blank lines
    }
    return new ImageTable(csv, images, values, lines);
  }

  private static Path defaultOut(Path predictions) {
    String name = predictions.getFileName().toString();
    String stem = name.endsWith(".csv") ? name.substring(0, name.length() - 4) : name;
    return predictions.resolveSibling(stem + "-evaluation");
  }
}
