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
import org.chexnet.dataset.Dataset;
import org.chexnet.dataset.Finding;
import org.chexnet.dataset.ImageRecord;
import org.chexnet.dataset.LabelPolicy;
import org.chexnet.dataset.LabeledImage;
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
import org.chexnet.experiment.data.Datasets;
import org.chexnet.experiment.data.ImageMetadataCsv;

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
    Truth truth = Truth.of(request);
    Optional<ClinicalEvaluation.Subgroups> subgroups = subgroups(request, truth.dataset());
    List<String> classes = truth.classes();
    InputFiles.outputDirectory(request.outDirectory(), "--out");
    PredictionSet scored = truth.label(request.predictions(), "--predictions");
    Optional<PredictionSet> validation = Optional.empty();
    if (request.validationPredictions() != null) {
      Truth validationTruth =
          request.validationLabels() != null
              ? Truth.file(request.validationLabels(), "--validation-labels", classes)
              : truth;
      validation =
          Optional.of(
              validationTruth.label(request.validationPredictions(), "--validation-predictions"));
    } else if (request.validationLabels() != null) {
      throw ChexnetException.invalidInput("--validation-labels needs --validation-predictions");
    }
    if (request.baseline() != null) {
      PredictionSet other = truth.label(request.baseline(), "--baseline");
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
            request.predictions().getFileName() + " scored against " + truth.describe(),
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

  /**
   * The metadata and attributes, each attribute checked against the file's columns: the metadata
   * file given, else the labels' dataset's own (as a run reads it), else none.
   */
  private static Optional<ClinicalEvaluation.Subgroups> subgroups(
      EvaluationRequest request, Optional<Dataset> dataset) throws IOException {
    if (request.metadata() == null && dataset.isEmpty()) {
      return Optional.empty();
    }
    String role = request.metadata() != null ? "--metadata" : "--dataset";
    if (request.subgroups().isEmpty()) {
      throw ChexnetException.invalidInput(
          "--subgroups: name at least one attribute (sex, age, view or a column of "
              + (request.metadata() != null ? request.metadata() : "the dataset's metadata")
              + ")");
    }
    Path file;
    if (request.metadata() != null) {
      file = InputFiles.file(request.metadata(), role);
    } else {
      file = asInput(() -> ImageMetadataCsv.of(dataset.get()));
    }
    try {
      ImageMetadata metadata = ImageMetadata.read(file);
      for (String attribute : request.subgroups()) {
        SubgroupAttribute.resolve(attribute, metadata);
      }
      return Optional.of(new ClinicalEvaluation.Subgroups(metadata, request.subgroups()));
    } catch (IllegalArgumentException e) {
      throw ChexnetException.invalidInput(role + ": " + e.getMessage());
    } catch (IOException e) {
      throw InputFiles.unreadable(file, role, e);
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

  /**
   * Ground truth for predictions files: a labels file (a label list names exactly the scored
   * images, NIH's Data_Entry all 112,120) or a dataset's labels under a label policy (NaN where it
   * leaves a label unknown); read once, when first needed.
   */
  private static final class Truth {
    private final List<String> classes;
    private final String description;
    private final Optional<Dataset> dataset;
    private final boolean everyLabelPredicted;
    private final IoCall<ImageTable> read;
    private ImageTable labels;

    private Truth(
        List<String> classes,
        String description,
        Optional<Dataset> dataset,
        boolean everyLabelPredicted,
        IoCall<ImageTable> read) {
      this.classes = classes;
      this.description = description;
      this.dataset = dataset;
      this.everyLabelPredicted = everyLabelPredicted;
      this.read = read;
    }

    static Truth of(EvaluationRequest request) throws IOException {
      EvaluationRequest.DatasetLabels from = request.datasetLabels();
      if (from == null) {
        return file(request.labels(), "--labels", Finding.labels());
      }
      Dataset data = Datasets.open(from.dataset(), from.root());
      return new Truth(
          data.findings(),
          "the " + data.name() + " dataset at " + data.root(),
          Optional.of(data),
          false,
          () -> datasetLabels(data, from.policy()));
    }

    static Truth file(Path labelFile, String role, List<String> classes) {
      boolean dataEntry = isDataEntry(labelFile, role);
      return new Truth(
          classes,
          labelFile.toAbsolutePath().toString(),
          Optional.empty(),
          !dataEntry,
          () ->
              read(
                  labelFile,
                  role,
                  () ->
                      dataEntry
                          ? readDataEntry(labelFile)
                          : ImageTable.readLabelList(labelFile, classes.size())));
    }

    List<String> classes() {
      return classes;
    }

    /** The dataset the labels come from; empty for a labels file. */
    Optional<Dataset> dataset() {
      return dataset;
    }

    String describe() {
      return description;
    }

    /** {@code preds} with their labels, every error naming file and line. */
    PredictionSet label(Path preds, String predsRole) throws IOException {
      ImageTable table = read(preds, predsRole, () -> ImageTable.readPredictions(preds, classes));
      if (labels == null) {
        labels = read.call();
      }
      try {
        return table.withLabels(labels, everyLabelPredicted);
      } catch (IllegalArgumentException e) {
        throw ChexnetException.invalidInput(e.getMessage());
      }
    }
  }

  /** Every image of {@code data} with its labels under {@code policy}, NaN where unknown. */
  private static ImageTable datasetLabels(Dataset data, LabelPolicy policy) throws IOException {
    List<ImageRecord> records = asInput(data::images);
    LabelPolicy.Labeler labeler = policy.labeler(data.findings());
    int classes = data.findings().size();
    List<String> images = new ArrayList<>(records.size());
    float[] values = new float[records.size() * classes];
    int[] lines = new int[records.size()];
    for (int i = 0; i < records.size(); i++) {
      LabeledImage image = labeler.label(records.get(i));
      images.add(image.imageIndex());
      for (int c = 0; c < classes; c++) {
        values[i * classes + c] = image.known(c) ? image.labels()[c] : Float.NaN;
      }
      lines[i] = records.get(i).line();
    }
    return new ImageTable(data.root(), images, values, lines);
  }

  /** A dataset reader's refusal (bad metadata) as input the user must fix. */
  private static <T> T asInput(IoCall<T> call) throws IOException {
    try {
      return call.call();
    } catch (IllegalArgumentException e) {
      throw ChexnetException.invalidInput(e.getMessage());
    }
  }

  private interface IoCall<T> {
    T call() throws IOException;
  }

  /** A file the user named, read as a table; what cannot be read is one line naming it. */
  private static ImageTable read(Path file, String role, IoCall<ImageTable> read) {
    InputFiles.file(file, role);
    try {
      return read.call();
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
