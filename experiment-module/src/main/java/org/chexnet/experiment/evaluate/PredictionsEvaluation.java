package org.chexnet.experiment.evaluate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.Hashes;
import org.chexnet.common.InputFiles;
import org.chexnet.dataset.DataEntry;
import org.chexnet.dataset.DataEntryCsv;
import org.chexnet.dataset.Finding;
import org.chexnet.evaluation.ImageTable;
import org.chexnet.evaluation.PredictionSet;
import org.chexnet.evaluation.ReferenceResults;
import org.chexnet.evaluation.ReportOptions;
import org.chexnet.evaluation.ReportSection;
import org.chexnet.evaluation.ThresholdRule;
import org.chexnet.evaluation.calibration.CalibrationMethod;
import org.chexnet.evaluation.card.ClinicalEvaluation;
import org.chexnet.evaluation.card.ModelCard;
import org.chexnet.evaluation.subgroups.ImageMetadata;
import org.chexnet.evaluation.subgroups.SubgroupAttribute;

/**
 * Scores a predictions file against labels and writes the run report set (metrics.json, roc.csv,
 * roc.png, reliability.png, report.md, report.html, model-card.md; operating points and
 * calibration.json with validation predictions; the subgroup section with metadata) beside the
 * CheXNet paper and the reproductions: what {@code chexnet evaluate} does.
 */
public final class PredictionsEvaluation {
  private PredictionsEvaluation() {}

  /**
   * @return what the reports show: AUROC per class with bootstrap and DeLong intervals, ROC curves,
   *     comparisons, operating points; calibration; subgroups when metadata was given
   * @throws ChexnetException naming the file and line of a prediction, label or metadata row the
   *     scorer cannot use, or the option that is out of range
   */
  public static ClinicalEvaluation evaluate(EvaluationRequest request) throws IOException {
    ReportOptions options =
        reportOptions(
            request.bootstrapReplicates(),
            request.seed(),
            request.threshold(),
            request.reference());
    Optional<CalibrationMethod> calibration = calibrationMethod(request.calibration());
    Optional<ClinicalEvaluation.Subgroups> subgroups = subgroups(request);
    List<String> classes = Finding.labels();
    InputFiles.outputDirectory(request.outDirectory(), "--out");
    PredictionSet scored =
        labelled(request.predictions(), "--predictions", request.labels(), "--labels", classes);
    Optional<PredictionSet> validation = Optional.empty();
    if (request.validationPredictions() != null) {
      validation =
          Optional.of(
              labelled(
                  request.validationPredictions(),
                  "--validation-predictions",
                  request.validationLabels() != null
                      ? request.validationLabels()
                      : request.labels(),
                  request.validationLabels() != null ? "--validation-labels" : "--labels",
                  classes));
    } else if (request.validationLabels() != null) {
      throw ChexnetException.invalidInput("--validation-labels needs --validation-predictions");
    }
    if (request.baseline() != null) {
      PredictionSet other =
          labelled(request.baseline(), "--baseline", request.labels(), "--labels", classes);
      try {
        other.alignedTo(scored);
      } catch (IllegalArgumentException e) {
        throw ChexnetException.invalidInput(
            request.baseline() + ": " + e.getMessage() + " (" + request.predictions() + ")");
      }
      options =
          options.withBaseline(
              Optional.of(
                  new ReportOptions.Baseline(request.baseline().getFileName().toString(), other)));
    }
    String title =
        request.title() != null ? request.title() : request.predictions().getFileName().toString();
    return computeAndWrite(
        classes,
        scored,
        validation,
        options,
        calibration,
        subgroups,
        request.outDirectory(),
        title,
        new ModelCard.Model(
            title,
            "not recorded: scored from a predictions file",
            "predictions file SHA-256 " + Hashes.sha256Hex(request.predictions()),
            request.predictions().toAbsolutePath().toString()),
        new ModelCard.Data(
            request.predictions().getFileName()
                + " scored against "
                + request.labels().toAbsolutePath(),
            scored.images(),
            OptionalInt.empty(),
            "",
            "the images of the predictions file"),
        List.of());
  }

  /**
   * Computes the clinical evaluation of {@code scored} and writes its report set and model card to
   * {@code out}: how this class and {@link DatasetEvaluation} end.
   *
   * @param limitations the model card's, beyond those every card lists
   * @param sections report sections before calibration and subgroups
   * @throws ChexnetException on a scored image the metadata lacks or a value it cannot read
   */
  static ClinicalEvaluation computeAndWrite(
      List<String> classes,
      PredictionSet scored,
      Optional<PredictionSet> validation,
      ReportOptions options,
      Optional<CalibrationMethod> calibration,
      Optional<ClinicalEvaluation.Subgroups> subgroups,
      Path out,
      String title,
      ModelCard.Model model,
      ModelCard.Data evaluated,
      List<String> limitations,
      ReportSection... sections)
      throws IOException {
    ClinicalEvaluation evaluation;
    try {
      evaluation =
          ClinicalEvaluation.compute(classes, scored, validation, options, calibration, subgroups);
    } catch (IllegalArgumentException e) {
      // An image the metadata lacks, or a value it cannot read: the message names file and line.
      throw ChexnetException.invalidInput(e.getMessage());
    }
    evaluation.write(out, title, Optional.empty(), sections);
    evaluation
        .card(model, Optional.empty(), evaluated, limitations)
        .write(out.resolve(ModelCard.FILE_NAME));
    return evaluation;
  }

  /**
   * @param method {@code platt}, {@code isotonic} or {@code none} (empty)
   */
  static Optional<CalibrationMethod> calibrationMethod(String method) {
    if (method.equals("none")) {
      return Optional.empty();
    }
    try {
      return Optional.of(CalibrationMethod.of(method));
    } catch (IllegalArgumentException e) {
      throw ChexnetException.invalidInput(
          "--calibration " + method + ": expected platt, isotonic or none");
    }
  }

  /** The metadata and attributes, each attribute checked against the file's columns. */
  private static Optional<ClinicalEvaluation.Subgroups> subgroups(EvaluationRequest request)
      throws IOException {
    if (request.metadata() == null) {
      return Optional.empty();
    }
    if (request.subgroups().isEmpty()) {
      throw ChexnetException.invalidInput(
          "--subgroups: name at least one attribute (sex, age, view or a column of "
              + request.metadata()
              + ")");
    }
    InputFiles.file(request.metadata(), "--metadata");
    try {
      ImageMetadata metadata = ImageMetadata.read(request.metadata());
      for (String attribute : request.subgroups()) {
        SubgroupAttribute.resolve(attribute, metadata);
      }
      return Optional.of(new ClinicalEvaluation.Subgroups(metadata, request.subgroups()));
    } catch (IllegalArgumentException e) {
      throw ChexnetException.invalidInput("--metadata: " + e.getMessage());
    } catch (IOException e) {
      throw InputFiles.unreadable(request.metadata(), "--metadata", e);
    }
  }

  /**
   * @param threshold {@code youden} or {@code sensitivity=T}
   * @param reference a published column of {@link ReferenceResults}, or {@code none}
   */
  static ReportOptions reportOptions(
      int bootstrapReplicates, long seed, String threshold, String reference) {
    if (bootstrapReplicates < 1) {
      throw ChexnetException.invalidInput(
          "--bootstrap must be a positive number of replicates, got " + bootstrapReplicates);
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
        .withBootstrap(bootstrapReplicates, seed)
        .withThresholdRule(thresholdRule(threshold))
        .withReference(source);
  }

  private static ThresholdRule thresholdRule(String rule) {
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
  private static PredictionSet labelled(
      Path preds, String predsRole, Path labelFile, String labelsRole, List<String> classes) {
    ImageTable table = read(preds, predsRole, () -> ImageTable.readPredictions(preds, classes));
    boolean dataEntry = isDataEntry(labelFile, labelsRole);
    ImageTable truth =
        read(
            labelFile,
            labelsRole,
            () ->
                dataEntry
                    ? readDataEntry(labelFile)
                    : ImageTable.readLabelList(labelFile, classes.size()));
    try {
      // A label list names exactly the scored images; Data_Entry names all 112,120.
      return table.withLabels(truth, !dataEntry);
    } catch (IllegalArgumentException e) {
      throw ChexnetException.invalidInput(e.getMessage());
    }
  }

  private interface TableRead {
    ImageTable read() throws IOException;
  }

  /** A file the user named, read as a table; what cannot be read is one line naming it. */
  private static ImageTable read(Path file, String role, TableRead read) {
    InputFiles.file(file, role);
    try {
      return read.read();
    } catch (IllegalArgumentException e) {
      throw ChexnetException.invalidInput(e.getMessage()); // already "file:line: ..."
    } catch (IOException e) {
      throw InputFiles.unreadable(file, role, e);
    }
  }

  private static boolean isDataEntry(Path file, String role) {
    InputFiles.file(file, role);
    try (var reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String first = reader.readLine();
      return first != null && first.startsWith("Image Index,Finding Labels");
    } catch (IOException e) {
      throw InputFiles.unreadable(file, role, e);
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
}
