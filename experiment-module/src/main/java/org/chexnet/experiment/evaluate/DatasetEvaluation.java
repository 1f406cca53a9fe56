package org.chexnet.experiment.evaluate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.chexnet.common.AtomicFiles;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.InputFiles;
import org.chexnet.common.Reporter;
import org.chexnet.dataset.DataSplits;
import org.chexnet.dataset.Dataset;
import org.chexnet.dataset.DatasetDigest;
import org.chexnet.dataset.HarmonisedFindings;
import org.chexnet.dataset.LabelPolicy;
import org.chexnet.dataset.LabeledImage;
import org.chexnet.dataset.ModelFindings;
import org.chexnet.dataset.SplitPlan;
import org.chexnet.evaluation.EvaluationReport;
import org.chexnet.evaluation.PredictionSet;
import org.chexnet.evaluation.PredictionsCsv;
import org.chexnet.evaluation.ReportDocument;
import org.chexnet.evaluation.ReportOptions;
import org.chexnet.evaluation.ReportSection;
import org.chexnet.evaluation.calibration.CalibrationMethod;
import org.chexnet.evaluation.card.ClinicalEvaluation;
import org.chexnet.evaluation.card.ModelCard;
import org.chexnet.evaluation.subgroups.ImageMetadata;
import org.chexnet.experiment.data.Datasets;
import org.chexnet.experiment.data.ImageMetadataCsv;
import org.chexnet.experiment.models.ModelResolver;
import org.chexnet.experiment.predict.ImageInputs;
import org.chexnet.experiment.predict.ImagePredictions;
import org.chexnet.model.InferenceModel;
import org.chexnet.model.ModelInfo;

/**
 * A model scored on a split of any dataset, over the findings the two share (external validation: a
 * model trained on ChestX-ray14 tested on CheXpert): what {@code chexnet evaluate --model RUN
 * --dataset NAME --root DIR} does. Each of the model's findings is matched to the dataset's through
 * the harmonised table (docs/datasets.md), e.g. ChestX-ray14's Effusion to CheXpert's Pleural
 * Effusion; the report lists the findings compared and every finding skipped with the reason.
 * Labels the dataset leaves unknown under the label policy are masked out of that finding's AUROC.
 *
 * <p>The report is the clinical one of {@link PredictionsEvaluation} and a run: with the scored
 * split other than validation, the model also predicts the dataset's validation split, where the
 * operating points are chosen and the post-hoc calibration is fitted; calibration before and after;
 * subgroups from the dataset's own metadata ({@link ImageMetadataCsv}); model-card.md.
 */
public final class DatasetEvaluation {
  /** File beside the report: the model's probabilities of the compared findings. */
  public static final String PREDICTIONS_CSV = "predictions.csv";

  /**
   * File beside the report: the dataset's normalised metadata, as a run's artifact of that name.
   */
  public static final String IMAGE_METADATA_CSV = "image-metadata.csv";

  private static final List<String> SPLITS = List.of("test", "validation", "train", "all");

  /**
   * The flags of {@code evaluate}'s other modes: here the dataset gives the images, labels,
   * validation split and metadata.
   */
  private static final List<String> OTHER_MODES =
      List.of(
          "--predictions",
          "--labels",
          "--images",
          "--baseline",
          "--metadata",
          "--validation-predictions",
          "--validation-labels");

  private DatasetEvaluation() {}

  /**
   * Refuses a flag of {@code evaluate}'s other modes given with {@code --dataset}, rather than
   * leaving it unused.
   *
   * @param given the command line's flags and their values as written
   * @throws ChexnetException naming the first such flag and its value
   */
  public static void refuseOtherModes(Map<String, List<String>> given) {
    for (String flag : OTHER_MODES) {
      if (given.containsKey(flag)) {
        throw ChexnetException.invalidInput(
            flag
                + " "
                + String.join(" ", given.get(flag))
                + ": not with --dataset, where the model predicts the dataset's images and is"
                + " scored on its labels, validation split and metadata; leave it out");
      }
    }
  }

  /**
   * What to score where.
   *
   * @param model a model reference as {@code predict} takes it (run, checkpoint, SavedModel,
   *     models:/...)
   * @param modelSpec the network's spec for a checkpoint outside its run; may be null
   * @param dataset the dataset's registry name
   * @param root its directory
   * @param split {@code test}, {@code validation}, {@code train} or {@code all} (every image)
   * @param plan how the dataset is split (official, as a run splits it, by default)
   * @param splitSeed the seed of the split's random parts (a run's {@code seed})
   * @param views the views to keep; null keeps all
   * @param out where the reports go; null: {@code evaluation-DATASET-SPLIT}
   * @param threshold how each finding's operating point is chosen on the validation split: {@code
   *     youden} or {@code sensitivity=T}
   * @param reference the published column reported ours minus, or {@code none}
   * @param calibration the post-hoc calibration fitted on the validation split ({@code platt},
   *     {@code isotonic}) or {@code none}
   * @param subgroups the attributes of the dataset's metadata subgroups are compared by ({@code
   *     sex}, {@code age}, {@code view} or a column name); empty for none, null for {@link
   *     EvaluationRequest#DEFAULT_SUBGROUPS}
   */
  public record Request(
      String model,
      Path modelSpec,
      String dataset,
      Path root,
      String split,
      SplitPlan plan,
      long splitSeed,
      LabelPolicy policy,
      List<String> views,
      Path out,
      int bootstrapReplicates,
      long bootstrapSeed,
      String threshold,
      String reference,
      String calibration,
      List<String> subgroups,
      int batchSize,
      String title) {
    public Request {
      if (batchSize < 1) {
        throw ChexnetException.invalidInput("--batch-size must be positive, got " + batchSize);
      }
      subgroups = List.copyOf(subgroups != null ? subgroups : EvaluationRequest.DEFAULT_SUBGROUPS);
    }

    /** Where the reports go. */
    public Path outDirectory() {
      return out != null ? out : Path.of("evaluation-" + dataset + "-" + split);
    }

    /** The same request with its relative paths taken from {@code directory}. */
    public Request resolvedAgainst(Path directory) {
      return new Request(
          model,
          modelSpec == null ? null : directory.resolve(modelSpec),
          dataset,
          directory.resolve(root),
          split,
          plan,
          splitSeed,
          policy,
          views,
          directory.resolve(outDirectory()),
          bootstrapReplicates,
          bootstrapSeed,
          threshold,
          reference,
          calibration,
          subgroups,
          batchSize,
          title);
    }
  }

  /**
   * The evaluation, and the findings it compared and skipped.
   *
   * @param evaluation AUROCs, operating points, calibration and subgroups, as the report has them
   */
  public record Result(ClinicalEvaluation evaluation, HarmonisedFindings.Comparison comparison) {
    /**
     * What the command line prints: the findings compared and skipped, the AUROC table, the
     * calibration and subgroup lines.
     */
    public String describe() {
      return comparison.describe()
          + EvaluationReport.consoleText(evaluation.detailed())
          + evaluation.summary()
          + System.lineSeparator();
    }
  }

  /**
   * @param resolver opens the model reference
   * @throws ChexnetException when the model or dataset cannot be opened, the split is unknown or
   *     empty, an option is out of range, a subgroup attribute has no column in the dataset's
   *     metadata, or the model and dataset share no finding
   */
  public static Result evaluate(Request request, ModelResolver resolver, Reporter reporter)
      throws IOException {
    if (!SPLITS.contains(request.split())) {
      throw ChexnetException.invalidInput(
          "--split " + request.split() + ": expected one of " + String.join(", ", SPLITS));
    }
    ReportOptions options =
        PredictionsEvaluation.reportOptions(
            request.bootstrapReplicates(),
            request.bootstrapSeed(),
            request.threshold(),
            request.reference());
    Optional<CalibrationMethod> calibration =
        PredictionsEvaluation.calibrationMethod(request.calibration());
    InputFiles.outputDirectory(request.outDirectory(), "--out");
    ModelResolver.Resolved resolved =
        resolver.resolve(request.model(), request.modelSpec(), ModelResolver.Use.PREDICT);
    ModelFindings modelFindings = ModelResolver.findings(resolved);
    Dataset data = Datasets.open(request.dataset(), request.root());
    HarmonisedFindings.Comparison comparison =
        modelFindings.compareWith(data.name(), data.findings());
    if (comparison.shared().isEmpty()) {
      throw ChexnetException.invalidInput(
          "--model "
              + request.model()
              + " ("
              + modelFindings.dataset()
              + ") and the "
              + data.name()
              + " dataset share no finding (docs/datasets.md, harmonised findings)");
    }
    DataSplits split =
        Datasets.split(
            data,
            request.plan(),
            request.views(),
            request.policy(),
            1,
            request.splitSeed(),
            "--split: ");
    List<LabeledImage> images =
        switch (request.split()) {
          case "test" -> split.test();
          case "validation" -> split.validation();
          case "train" -> split.train();
          default -> {
            List<LabeledImage> all = new ArrayList<>(split.train());
            all.addAll(split.validation());
            all.addAll(split.test());
            yield all;
          }
        };
    if (images.isEmpty()) {
      throw ChexnetException.invalidInput(
          "--split " + request.split() + ": the " + data.name() + " split has no images");
    }
    // Thresholds and calibration fitted on the images they are measured on would flatter the model.
    List<LabeledImage> validationImages =
        request.split().equals("test") || request.split().equals("train")
            ? split.validation()
            : List.of();
    SubgroupSource subgroups = subgroups(request, data, images);
    reporter.info(
        String.format(
            Locale.ROOT,
            "Evaluating %s (%s findings) on %d %s images of %s (%s): %d finding(s) compared, %d"
                + " skipped",
            request.model(),
            modelFindings.dataset(),
            images.size(),
            request.split(),
            data.name(),
            data.root(),
            comparison.shared().size(),
            comparison.skipped().size()));
    if (validationImages.isEmpty()) {
      reporter.info(
          "No validation images apart from the scored ones: no operating points chosen, no"
              + " calibration fitted");
    }

    PredictionSet scored;
    Optional<PredictionSet> validation = Optional.empty();
    try (InferenceModel model = resolver.open(resolved)) {
      scored = predict(model, data, images, comparison, request.batchSize(), reporter);
      if (!validationImages.isEmpty()) {
        reporter.info(
            "Predicting the "
                + validationImages.size()
                + " validation images, where operating points are chosen and the calibration is"
                + " fitted");
        validation =
            Optional.of(
                predict(model, data, validationImages, comparison, request.batchSize(), reporter));
      }
    }

    // Named as the model names its outputs (its predictions CSV's columns).
    List<String> classNames =
        comparison.shared().stream().map(HarmonisedFindings.Shared::nameA).toList();
    String title =
        request.title() != null
            ? request.title()
            : request.model() + " on " + data.name() + " " + request.split();
    List<String> readFrom = new ArrayList<>(scored.imageIndexes());
    validation.ifPresent(v -> readFrom.addAll(v.imageIndexes()));
    ClinicalEvaluation evaluation =
        PredictionsEvaluation.computeAndWrite(
            classNames,
            scored,
            validation,
            options,
            calibration,
            subgroups.subgroups(),
            request.outDirectory(),
            title,
            cardModel(request, resolved, modelFindings),
            new ModelCard.Data(
                "the "
                    + data.name()
                    + " dataset at "
                    + data.root().toAbsolutePath()
                    + ", "
                    + request.split()
                    + " split",
                images.size(),
                OptionalInt.of(
                    (int) images.stream().mapToInt(LabeledImage::patientId).distinct().count()),
                DatasetDigest.of(data, readFrom),
                describeSplit(request)),
            limitations(modelFindings, data, comparison, validation),
            new ComparedFindings(modelFindings, data, comparison));
    if (subgroups.metadata() != null && !data.metadataFiles().contains(subgroups.metadata())) {
      // The normalised metadata the subgroups were read from, as a run keeps it.
      AtomicFiles.write(
          request.outDirectory().resolve(IMAGE_METADATA_CSV),
          Files.readAllBytes(subgroups.metadata()));
    }
    PredictionsCsv.write(
        request.outDirectory().resolve(PREDICTIONS_CSV),
        classNames,
        scored.imageIndexes(),
        scored.probabilities());
    return new Result(evaluation, comparison);
  }

  /**
   * The subgroups of the dataset's own metadata ({@link ImageMetadataCsv}), read before anything is
   * predicted so that an attribute without a column stops it at once.
   *
   * @param metadata where the metadata was read from
   */
  private record SubgroupSource(Optional<ClinicalEvaluation.Subgroups> subgroups, Path metadata) {}

  private static SubgroupSource subgroups(Request request, Dataset data, List<LabeledImage> images)
      throws IOException {
    if (request.subgroups().isEmpty()) {
      return new SubgroupSource(Optional.empty(), null);
    }
    Path file = ImageMetadataCsv.of(data);
    try {
      return new SubgroupSource(
          Optional.of(
              new ClinicalEvaluation.Subgroups(ImageMetadata.read(file), request.subgroups())
                  .checkedOn(images.stream().map(LabeledImage::imageIndex).toList())),
          file);
    } catch (IllegalArgumentException e) {
      throw ChexnetException.invalidInput("--subgroups: " + e.getMessage());
    }
  }

  /** A model's probabilities of the compared findings and the dataset's labels (NaN: masked). */
  private static PredictionSet predict(
      InferenceModel model,
      Dataset data,
      List<LabeledImage> images,
      HarmonisedFindings.Comparison comparison,
      int batchSize,
      Reporter reporter)
      throws IOException {
    List<String> names = images.stream().map(LabeledImage::imageIndex).toList();
    ImageInputs inputs = new ImageInputs(names, names.stream().map(data::imagePath).toList());
    float[] modelProbabilities =
        ImagePredictions.predict(
            model,
            inputs,
            model.preprocessing(),
            batchSize,
            Math.max(1, Runtime.getRuntime().availableProcessors() - 1),
            reporter);
    int modelClasses = model.classes();
    List<HarmonisedFindings.Shared> shared = comparison.shared();
    int k = shared.size();
    float[] probabilities = new float[images.size() * k];
    float[] labels = new float[images.size() * k];
    for (int i = 0; i < images.size(); i++) {
      LabeledImage image = images.get(i);
      for (int c = 0; c < k; c++) {
        HarmonisedFindings.Shared finding = shared.get(c);
        probabilities[i * k + c] = modelProbabilities[i * modelClasses + finding.indexA()];
        labels[i * k + c] =
            image.known(finding.indexB()) ? image.labels()[finding.indexB()] : Float.NaN;
      }
    }
    return new PredictionSet(names, probabilities, labels);
  }

  /** The model card's model: what the reference resolved to and what is known about it. */
  private static ModelCard.Model cardModel(
      Request request, ModelResolver.Resolved resolved, ModelFindings findings) {
    ModelInfo info = resolved.info();
    String ownCard =
        info.modelCardFile() != null ? "; its own card describes it: " + info.modelCardFile() : "";
    String version =
        info.runId() != null
            ? "run " + info.runId()
            : info.version() != null
                ? "registry version " + info.version()
                : info.card() != null
                    ? "imported from "
                        + info.card().source().file()
                        + " (SHA-256 "
                        + info.card().source().sha256()
                        + ")"
                    : "not recorded";
    Path weights =
        resolved instanceof ModelResolver.Resolved.Checkpoint checkpoint
            ? checkpoint.directory()
            : ((ModelResolver.Resolved.SavedModel) resolved).directory();
    return new ModelCard.Model(
        info.name() != null ? info.name() : request.model(),
        "a network whose outputs are " + findings.dataset() + "'s findings" + ownCard,
        version,
        weights.toAbsolutePath().toString());
  }

  /** What the model card must say about a cross-dataset evaluation. */
  private static List<String> limitations(
      ModelFindings model,
      Dataset data,
      HarmonisedFindings.Comparison comparison,
      Optional<PredictionSet> validation) {
    List<String> limitations = new ArrayList<>();
    limitations.add(
        "External validation: a model of "
            + model.dataset()
            + "'s findings scored against the "
            + data.name()
            + " dataset's labels over the "
            + comparison.shared().size()
            + " findings the two share (docs/datasets.md); "
            + comparison.skipped().size()
            + " findings of either were skipped. The two datasets' labels were made differently,"
            + " so a shared name need not mean the same reading.");
    limitations.add(
        validation.isPresent()
            ? "Operating points and the post-hoc calibration were fitted on the "
                + data.name()
                + " dataset's validation split ("
                + validation.get().images()
                + " images), not on the model's own training data."
            : "No validation split was predicted apart from the scored images: no operating points"
                + " were chosen and no calibration was fitted.");
    return limitations;
  }

  /** How the scored images were chosen, for the model card. */
  private static String describeSplit(Request request) {
    String plan =
        request.plan() instanceof SplitPlan.PatientRandom random
            ? String.format(
                Locale.ROOT,
                "a patient-level random split %s/%s/%s, seed %d",
                random.train(),
                random.validation(),
                random.test(),
                request.splitSeed())
            : request.plan() instanceof SplitPlan.Official official
                ? String.format(
                    Locale.ROOT,
                    "the dataset's official split (a split it lacks: %s of its training patients,"
                        + " seed %d)",
                    official.validationFraction(),
                    request.splitSeed())
                : "the split of " + request.plan();
    return "the "
        + request.split()
        + " images of "
        + plan
        + (request.views() != null ? ", views " + String.join(", ", request.views()) : "")
        + "; uncertain labels "
        + request.policy().uncertain().name().toLowerCase(Locale.ROOT)
        + ", missing labels "
        + request.policy().missing().name().toLowerCase(Locale.ROOT);
  }

  /** The report's "Findings compared" and "Findings skipped" sections and metrics.json keys. */
  private record ComparedFindings(
      ModelFindings model, Dataset data, HarmonisedFindings.Comparison comparison)
      implements ReportSection {

    /**
     * {@code "findings": {"model": NAME, "dataset": NAME, "compared": {"Effusion": {"harmonised":
     * "Effusion", "dataset": "Pleural Effusion"}, ...}, "skipped": [{"whose": NAME, "finding":
     * NAME, "reason": TEXT}, ...]}}, compared keyed by the model's output names.
     */
    @Override
    public Map<String, Object> metrics() {
      Map<String, Object> compared = new LinkedHashMap<>();
      for (HarmonisedFindings.Shared s : comparison.shared()) {
        Map<String, String> names = new LinkedHashMap<>();
        names.put("harmonised", s.finding());
        names.put("dataset", s.nameB());
        compared.put(s.nameA(), names);
      }
      List<Map<String, String>> skipped = new ArrayList<>();
      for (HarmonisedFindings.Skipped s : comparison.skipped()) {
        Map<String, String> entry = new LinkedHashMap<>();
        entry.put("whose", s.dataset());
        entry.put("finding", s.finding());
        entry.put("reason", s.reason());
        skipped.add(entry);
      }
      Map<String, Object> findings = new LinkedHashMap<>();
      findings.put("model", model.dataset());
      findings.put("dataset", data.name());
      findings.put("compared", compared);
      findings.put("skipped", skipped);
      return Map.of("findings", findings);
    }

    @Override
    public void addTo(ReportDocument document, Path dir) {
      document.heading("Findings compared");
      document.paragraph(
          "The model's outputs ("
              + model.dataset()
              + "'s findings) matched to the "
              + data.name()
              + " dataset's labels through the harmonised table (docs/datasets.md).");
      List<List<String>> rows = new ArrayList<>();
      for (HarmonisedFindings.Shared s : comparison.shared()) {
        rows.add(List.of(s.finding(), s.nameA(), s.nameB()));
      }
      document.table(List.of("Finding", "Model's output", data.name() + "'s label"), rows);
      document.heading("Findings skipped");
      List<List<String>> skipped = new ArrayList<>();
      for (HarmonisedFindings.Skipped s : comparison.skipped()) {
        skipped.add(List.of(s.dataset(), s.finding(), s.reason()));
      }
      document.table(List.of("Whose", "Finding", "Why"), skipped);
    }
  }
}
