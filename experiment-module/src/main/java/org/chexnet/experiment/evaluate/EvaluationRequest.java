package org.chexnet.experiment.evaluate;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.chexnet.common.ChexnetException;
import org.chexnet.dataset.LabelPolicy;
import org.chexnet.evaluation.Bootstrap;
import org.chexnet.evaluation.ReferenceResults;
import org.chexnet.evaluation.ReportOptions;
import org.chexnet.evaluation.calibration.CalibrationMethod;

/**
 * What {@code chexnet evaluate} scores: any model's predictions against labels, with the options of
 * the report. Start from {@link #of} and change what differs from the defaults.
 *
 * @param predictions the common CSV layout ({@code Image Index,prob_Atelectasis,...}, any column
 *     order) or no header and 14 probabilities in CheXNet order after the image name
 * @param labels a list {@code IMAGE l1 ... l14} (every image predicted) or NIH's Data_Entry csv
 *     (only the predicted images are scored); null with {@code datasetLabels}
 * @param datasetLabels the dataset whose labels the predictions are scored against instead of a
 *     labels file (its findings are the classes; its metadata the subgroups' unless {@code
 *     metadata} is given); null for a labels file
 * @param out where the reports go; null: the predictions' name with {@code -evaluation}
 * @param validationPredictions predictions on a validation set where each class's threshold is
 *     chosen; null for none
 * @param validationLabels their labels; null: {@code labels}
 * @param threshold {@code youden} or {@code sensitivity=T}
 * @param baseline another model's predictions on the same images, compared by a paired bootstrap
 *     and DeLong; null for none
 * @param reference the published column reported ours minus, or {@code none}
 * @param title the report's title; null: the predictions' file name
 * @param calibration the post-hoc calibration fitted on the validation predictions ({@code platt},
 *     {@code isotonic}) or {@code none}; nothing is fitted without validation predictions
 * @param metadata per-image metadata (NIH's Data_Entry, CheXpert's csv, any CSV with an image id
 *     column) for the subgroup section; null for none
 * @param subgroups the attributes subgroups are compared by with {@code metadata}: {@code sex},
 *     {@code age}, {@code view} or column names
 */
public record EvaluationRequest(
    Path predictions,
    Path labels,
    DatasetLabels datasetLabels,
    Path out,
    Path validationPredictions,
    Path validationLabels,
    String threshold,
    Path baseline,
    String reference,
    int bootstrapReplicates,
    long seed,
    String title,
    String calibration,
    Path metadata,
    List<String> subgroups) {

  /** The attributes compared when metadata is given and no others are named. */
  public static final List<String> DEFAULT_SUBGROUPS = List.of("sex", "age", "view");

  /**
   * Labels read from a dataset directory, as a run reads them.
   *
   * @param dataset its registry name (chestxray14, chexpert, mimic_cxr_jpg, padchest)
   * @param policy what its uncertain and blank labels become; a label it leaves unknown is masked
   *     out of that finding's AUROC
   */
  public record DatasetLabels(String dataset, Path root, LabelPolicy policy) {
    /** The dataset's labels when a dataset or root is named, else null (a labels file is). */
    public static DatasetLabels ifNamed(String dataset, Path root, LabelPolicy policy) {
      return dataset == null && root == null ? null : new DatasetLabels(dataset, root, policy);
    }

    public DatasetLabels {
      if (dataset == null || root == null) {
        throw ChexnetException.invalidInput("--dataset and --root go together");
      }
    }
  }

  /**
   * @param subgroups null: {@link #DEFAULT_SUBGROUPS}
   */
  public EvaluationRequest {
    subgroups = List.copyOf(subgroups != null ? subgroups : DEFAULT_SUBGROUPS);
  }

  /** The predictions and labels with every option at its default. */
  public static EvaluationRequest of(Path predictions, Path labels) {
    return of(predictions, labels, null);
  }

  /** The predictions scored against a dataset's labels, every option at its default. */
  public static EvaluationRequest of(Path predictions, DatasetLabels labels) {
    return of(predictions, null, labels);
  }

  /**
   * @throws ChexnetException unless exactly one of {@code labels} and {@code datasetLabels} is
   *     given
   */
  public static EvaluationRequest of(Path predictions, Path labels, DatasetLabels datasetLabels) {
    if ((labels == null) == (datasetLabels == null)) {
      throw ChexnetException.invalidInput(
          "score --predictions against --labels FILE or a --dataset NAME --root DIR: one of them");
    }
    return new EvaluationRequest(
        predictions,
        labels,
        datasetLabels,
        null,
        null,
        null,
        "youden",
        null,
        ReferenceResults.PAPER,
        Bootstrap.DEFAULT_REPLICATES,
        ReportOptions.DEFAULT_SEED,
        null,
        CalibrationMethod.PLATT.id(),
        null,
        DEFAULT_SUBGROUPS);
  }

  public EvaluationRequest withOut(Path directory) {
    return with(r -> r.out = directory);
  }

  /**
   * @param validationLabels null: the same labels as the scored predictions
   */
  public EvaluationRequest withValidation(Path validationPredictions, Path validationLabels) {
    return with(
        r -> {
          r.validationPredictions = validationPredictions;
          r.validationLabels = validationLabels;
        });
  }

  public EvaluationRequest withThreshold(String rule) {
    return with(r -> r.threshold = rule);
  }

  public EvaluationRequest withBaseline(Path baselinePredictions) {
    return with(r -> r.baseline = baselinePredictions);
  }

  public EvaluationRequest withReference(String source) {
    return with(r -> r.reference = source);
  }

  public EvaluationRequest withBootstrap(int replicates, long bootstrapSeed) {
    return with(
        r -> {
          r.bootstrapReplicates = replicates;
          r.seed = bootstrapSeed;
        });
  }

  public EvaluationRequest withTitle(String reportTitle) {
    return with(r -> r.title = reportTitle);
  }

  /**
   * @param method {@code platt}, {@code isotonic} or {@code none}
   */
  public EvaluationRequest withCalibration(String method) {
    return with(r -> r.calibration = method);
  }

  /**
   * @param metadataFile per-image metadata; null for no subgroup section
   * @param attributes {@code sex}, {@code age}, {@code view} or column names of the metadata; null:
   *     {@link #DEFAULT_SUBGROUPS}
   */
  public EvaluationRequest withSubgroups(Path metadataFile, List<String> attributes) {
    return with(
        r -> {
          r.metadata = metadataFile;
          r.subgroups = attributes;
        });
  }

  /** The same request with its relative paths taken from {@code directory}. */
  public EvaluationRequest resolvedAgainst(Path directory) {
    UnaryOperator<Path> resolve = path -> path == null ? null : directory.resolve(path);
    return with(
        r -> {
          r.predictions = resolve.apply(predictions);
          r.labels = resolve.apply(labels);
          r.datasetLabels =
              datasetLabels == null
                  ? null
                  : new DatasetLabels(
                      datasetLabels.dataset(),
                      directory.resolve(datasetLabels.root()),
                      datasetLabels.policy());
          r.out = resolve.apply(out);
          r.validationPredictions = resolve.apply(validationPredictions);
          r.validationLabels = resolve.apply(validationLabels);
          r.baseline = resolve.apply(baseline);
          r.metadata = resolve.apply(metadata);
        });
  }

  /** This request with {@code change} made to a copy of its parts. */
  private EvaluationRequest with(Consumer<Parts> change) {
    Parts parts = new Parts(this);
    change.accept(parts);
    return parts.request();
  }

  /** A request's parts, changeable: what the withers change before building the new record. */
  private static final class Parts {
    Path predictions;
    Path labels;
    DatasetLabels datasetLabels;
    Path out;
    Path validationPredictions;
    Path validationLabels;
    String threshold;
    Path baseline;
    String reference;
    int bootstrapReplicates;
    long seed;
    String title;
    String calibration;
    Path metadata;
    List<String> subgroups;

    Parts(EvaluationRequest r) {
      predictions = r.predictions;
      labels = r.labels;
      datasetLabels = r.datasetLabels;
      out = r.out;
      validationPredictions = r.validationPredictions;
      validationLabels = r.validationLabels;
      threshold = r.threshold;
      baseline = r.baseline;
      reference = r.reference;
      bootstrapReplicates = r.bootstrapReplicates;
      seed = r.seed;
      title = r.title;
      calibration = r.calibration;
      metadata = r.metadata;
      subgroups = r.subgroups;
    }

    EvaluationRequest request() {
      return new EvaluationRequest(
          predictions,
          labels,
          datasetLabels,
          out,
          validationPredictions,
          validationLabels,
          threshold,
          baseline,
          reference,
          bootstrapReplicates,
          seed,
          title,
          calibration,
          metadata,
          subgroups);
    }
  }

  /** Where the reports go. */
  public Path outDirectory() {
    if (out != null) {
      return out;
    }
    String name = predictions.getFileName().toString();
    String stem = name.endsWith(".csv") ? name.substring(0, name.length() - 4) : name;
    return predictions.resolveSibling(stem + "-evaluation");
  }
}
