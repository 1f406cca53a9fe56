package org.chexnet.experiment.run;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.FileTrees;
import org.chexnet.common.Reporter;
import org.chexnet.common.Version;
import org.chexnet.dataset.BatchLoader;
import org.chexnet.dataset.DataSplits;
import org.chexnet.dataset.LabeledImage;
import org.chexnet.dataset.ModelFindings;
import org.chexnet.evaluation.ClassAuroc;
import org.chexnet.evaluation.EvaluationReport;
import org.chexnet.evaluation.EvaluationResult;
import org.chexnet.evaluation.PredictionsCsv;
import org.chexnet.evaluation.card.ClinicalEvaluation;
import org.chexnet.evaluation.card.ModelCard;
import org.chexnet.evaluation.subgroups.ImageMetadata;
import org.chexnet.experiment.spec.CallbackSpec;
import org.chexnet.experiment.spec.DataSpec;
import org.chexnet.experiment.spec.EvaluateSpec;
import org.chexnet.experiment.spec.ExperimentSpec;
import org.chexnet.experiment.spec.ModelSpec;
import org.chexnet.experiment.spec.SpecLoader;
import org.chexnet.experiment.spec.SpecLoader.LoadedSpec;
import org.chexnet.experiment.spec.TrainSpec;
import org.chexnet.model.DenseNetConfig;
import org.chexnet.model.TrainingPass;
import org.chexnet.tracking.GitState;
import org.chexnet.tracking.LocalRunStore;
import org.chexnet.tracking.Provenance;
import org.chexnet.tracking.Run;
import org.chexnet.tracking.RunRecord;
import org.chexnet.tracking.RunStatus;
import org.chexnet.tracking.Tracking;
import org.chexnet.training.Inference;
import org.chexnet.training.Predictions;
import org.chexnet.training.TrainableModel;
import org.chexnet.training.Trainer;
import org.chexnet.training.TrainingListener;
import org.chexnet.training.listeners.ModelCheckpoint;
import org.chexnet.training.listeners.TrackingLogger;
import org.chexnet.training.losses.BinaryCrossEntropy.ClassWeights;
import org.tensorflow.TensorFlow;

/**
 * Runs one experiment end to end: data, provenance, training, evaluation of the best checkpoint,
 * and the record of it all in the local run store.
 */
public final class ExperimentRunner {
  /** How many times a run was resumed. */
  static final String RESUMES_TAG = "chexnet.resumes";

  /** Where a run keeps what a resume continues from, until it finishes. */
  private static final String BACKUP = "backup";

  /** The resolved spec in a run's artifacts: what a resume runs. */
  private static final String SPEC_ARTIFACT = "spec.yaml";

  private final Reporter reporter;
  private final Path workDir;

  public ExperimentRunner(Reporter reporter, Path workDir) {
    this.reporter = reporter;
    this.workDir = workDir;
  }

  /**
   * @return the finished run
   */
  public RunResult run(LoadedSpec loaded) throws Exception {
    return run(loaded, Map.of());
  }

  /**
   * @param tags extra tags for the run (a sweep's trials name their parent run here)
   * @return the finished run
   */
  public RunResult run(LoadedSpec loaded, Map<String, String> tags) throws Exception {
    ExperimentSpec spec = loaded.spec();
    Inputs inputs = inputs(spec);
    String datasetDigest = inputs.data().digest();

    // Local store first; an http(s) tracking.uri or MLFLOW_TRACKING_URI adds a server mirror.
    Tracking tracking = Tracking.fromUri(spec.tracking().uri(), workDir);
    String experiment =
        spec.tracking().experiment() != null ? spec.tracking().experiment() : spec.name();
    String runName =
        spec.tracking().runName() != null
            ? spec.tracking().runName()
            : spec.name()
                + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Run run = tracking.startRun(experiment, runName);
    try (run) {
      reporter.info(String.format("Run %s (%s) in %s", run.id(), runName, run.directory()));
      GitState git = GitState.capture(workDir);
      Provenance provenance =
          new Provenance(git, loaded.digest(), datasetDigest, spec.seed(), versions());
      run.setTags(provenance.tags());
      run.setTags(dataTags(inputs.data().splits()));
      run.setTags(tags);
      // Thread counts can change float reduction order, so they belong with the results.
      // and oneDNN's math mode decides float32 or bf16 inside convolutions and products.
      for (String setting :
          List.of("TF_NUM_INTRAOP_THREADS", "TF_DETERMINISTIC_OPS", "ONEDNN_DEFAULT_FPMATH_MODE")) {
        if (System.getenv(setting) != null) {
          run.setTag("chexnet.env." + setting, System.getenv(setting));
        }
      }
      inputs.data().record(run);
      run.logParams(loaded.flatten());
      if (git.dirty() && git.diff() != null) {
        run.writeArtifact("git-diff.patch", git.diff().getBytes(StandardCharsets.UTF_8));
      }
      // Last of the set-up: a run with its spec.yaml has all of it, and only such a run resumes.
      run.writeArtifact(SPEC_ARTIFACT, loaded.resolvedYaml().getBytes(StandardCharsets.UTF_8));
      return execute(spec, inputs, run, provenance.tags());
    }
  }

  /**
   * Continues a run that was killed or failed part way, from its last backup, with the spec it
   * recorded; refuses when its data no longer has the digest it started with.
   *
   * @param store the local run store holding it
   */
  public RunResult resume(LocalRunStore store, String runIdOrName) throws Exception {
    RunRecord record;
    try {
      record = store.readRun(runIdOrName);
    } catch (IllegalArgumentException e) {
      throw ChexnetException.invalidInput(e.getMessage());
    }
    if (record.status().equals(RunStatus.FINISHED.name())) {
      // Killed after it was marked FINISHED, before its backup was deleted: delete it now.
      FileTrees.delete(store.runDirectory(record).resolve(BACKUP));
      throw ChexnetException.invalidInput(
          "run " + record.id() + " (" + record.name() + ") FINISHED already: nothing to resume");
    }
    Path specFile = store.runDirectory(record).resolve("artifacts").resolve(SPEC_ARTIFACT);
    if (!Files.isRegularFile(specFile)) {
      throw ChexnetException.invalidInput(
          "run "
              + record.id()
              + " ("
              + record.name()
              + ") was killed before it was set up (no "
              + specFile
              + "): nothing to resume; start it again with chexnet run SPEC");
    }
    LoadedSpec loaded = SpecLoader.load(specFile, List.of());
    ExperimentSpec spec = loaded.spec();
    Inputs inputs = inputs(spec);
    String datasetDigest = inputs.data().digest();
    String recorded = record.tags().get(Provenance.DATASET_DIGEST_TAG);
    if (recorded != null && !recorded.equals(datasetDigest)) {
      throw ChexnetException.invalidInput(
          "run "
              + record.id()
              + " started on data with digest "
              + recorded
              + ", "
              + spec.data().root()
              + " now has "
              + datasetDigest
              + ": resuming would mix two datasets");
    }
    // With a server in the spec (or MLFLOW_TRACKING_URI), the resumed run is pushed when it ends.
    Tracking tracking =
        Tracking.open(store.root(), Tracking.fromUri(spec.tracking().uri(), workDir).remote());
    Run run = tracking.reopenRun(record.id());
    try (run) {
      int resumes = Integer.parseInt(record.tags().getOrDefault(RESUMES_TAG, "0")) + 1;
      run.setTag(RESUMES_TAG, String.valueOf(resumes));
      reporter.info(
          String.format("Resuming run %s (%s) in %s", run.id(), run.name(), run.directory()));
      return execute(spec, inputs, run, record.tags());
    }
  }

  /**
   * What a run reads besides its spec: the weights file to start from (or null), the data, and the
   * metadata its subgroups are read from (empty with {@code evaluate.subgroups: []}).
   */
  private record Inputs(
      Path weightsFile,
      DataPreparation.Prepared data,
      Optional<ClinicalEvaluation.Subgroups> subgroups) {}

  /**
   * Checked before a run is started or reopened: a missing weights file, bad data or a subgroup
   * attribute the metadata lacks stop it.
   */
  private Inputs inputs(ExperimentSpec spec) throws java.io.IOException {
    Path weightsFile = PretrainedWeights.locate(spec.model(), workDir);
    DataPreparation.Prepared data =
        new DataPreparation(reporter, workDir).prepare(spec.data(), spec.seed());
    return new Inputs(weightsFile, data, subgroups(spec.evaluate(), data));
  }

  /**
   * The metadata and attributes of {@code evaluate.subgroups}, every evaluated image's value read
   * once here so that a missing column or a malformed cell stops the run before training.
   */
  private static Optional<ClinicalEvaluation.Subgroups> subgroups(
      EvaluateSpec evaluate, DataPreparation.Prepared data) throws java.io.IOException {
    List<String> attributes = evaluate.subgroups();
    if (attributes.isEmpty()) {
      return Optional.empty();
    }
    List<LabeledImage> evaluated =
        evaluate.split() == EvaluateSpec.Split.TEST
            ? data.splits().test()
            : data.splits().validation();
    try {
      return Optional.of(
          new ClinicalEvaluation.Subgroups(ImageMetadata.read(data.imageMetadataFile()), attributes)
              .checkedOn(evaluated.stream().map(LabeledImage::imageIndex).toList()));
    } catch (IllegalArgumentException e) {
      throw ChexnetException.invalidInput("evaluate.subgroups: " + e.getMessage());
    }
  }

  /**
   * @param provenance the run's provenance tags (git commit, spec digest, versions), for the model
   *     card
   */
  private RunResult execute(
      ExperimentSpec spec, Inputs inputs, Run run, Map<String, String> provenance)
      throws Exception {
    RunResult result;
    try {
      result = trainAndEvaluate(spec, inputs, run, provenance);
    } catch (Exception | Error e) {
      run.setTag("chexnet.failure", String.valueOf(e.getMessage()));
      run.end(RunStatus.FAILED);
      throw e;
    }
    run.end(RunStatus.FINISHED);
    // The best checkpoint is in the artifacts; the backup (with optimizer slots) was only for
    // resuming. Deleted once the run is FINISHED: a kill half way through the deletion must not
    // leave a RUNNING run whose backup names a model no longer there.
    FileTrees.delete(backupDirectory(run));
    return result;
  }

  private static Path backupDirectory(Run run) {
    return run.directory().resolve(BACKUP);
  }

  private RunResult trainAndEvaluate(
      ExperimentSpec spec, Inputs inputs, Run run, Map<String, String> provenance)
      throws Exception {
    DataPreparation.Prepared data = inputs.data();
    DataSplits splits = data.splits();
    Path weightsFile = inputs.weightsFile();
    DataSpec d = spec.data();
    TrainSpec t = spec.train();
    TrainSpec.OptimizerSpec o = t.optimizer();
    ModelFindings findings = data.findings();
    List<String> classes = findings.findings();
    DenseNetConfig config = spec.model().networkConfig(d.imageSize(), classes.size());
    var adam =
        new TrainableModel.AdamSettings(
            (float) o.lr(), (float) o.beta1(), (float) o.beta2(), (float) o.epsilon());
    List<LabeledImage> evaluated =
        spec.evaluate().split() == EvaluateSpec.Split.TEST ? splits.test() : splits.validation();
    int evalBatch = spec.evaluate().batchSize();
    ClassWeights lossWeights =
        t.loss() == TrainSpec.Loss.WEIGHTED_BINARY_CROSSENTROPY
            ? recordLossWeights(splits.train(), classes, run)
            : null;
    try (TrainableModel model =
            TrainableModel.create(
                config,
                adam,
                lossWeights,
                new TrainingPass(t.precision(), t.memoryEfficient()),
                spec.seed());
        BatchLoader train =
            data.loader(
                splits.train(),
                t.batchSize(),
                true,
                t.horizontalFlip(),
                d.cacheInMemory(),
                spec.seed());
        BatchLoader validation =
            data.loader(
                splits.validation(), evalBatch, false, false, d.cacheInMemory(), spec.seed());
        BatchLoader test = data.loader(evaluated, evalBatch, false, false, false, spec.seed())) {
      reporter.info(
          String.format(
              "Model: DenseNet %s, growth %d, %dx%d input, %,d trainable parameters",
              config.blocks(),
              config.growthRate(),
              config.imageSize(),
              config.imageSize(),
              model.trainableParameterCount()));
      if (weightsFile != null) {
        run.setTags(PretrainedWeights.load(model, weightsFile, reporter));
      }
      List<TrainingListener> listeners = new ArrayList<>();
      ModelCheckpoint checkpoint = null;
      CallbackSpec.Context context =
          new CallbackSpec.Context(run, t.batchSize(), splits.train().size(), reporter);
      for (CallbackSpec c : t.callbacks()) {
        TrainingListener listener = c.listener(context);
        if (listener instanceof ModelCheckpoint m) {
          checkpoint = m;
        }
        listeners.add(listener);
      }
      if (listeners.stream().noneMatch(l -> l instanceof TrackingLogger)) {
        reporter.info(
            "Note: no mlflow_logger callback: per-epoch metrics are not recorded in the run"
                + " (history.csv still has them if csv_logger is on)");
      }

      Trainer.Outcome outcome =
          new Trainer(classes, listeners, backupDirectory(run), t.backupEveryNBatches())
              .fit(model, train, validation, t.epochs());
      if (outcome.stopReason() != null) {
        reporter.info("Training stopped early: " + outcome.stopReason());
      }
      if (checkpoint != null && checkpoint.bestEpoch() >= 0) {
        model.restoreCheckpoint(checkpoint.bestDirectory());
        run.setTag("chexnet.best_epoch", String.valueOf(checkpoint.bestEpoch()));
        reporter.info(
            String.format(
                "Evaluating the best checkpoint: epoch %d (%s %.4f)",
                checkpoint.bestEpoch() + 1, checkpoint.monitor(), checkpoint.bestValue()));
      } else {
        reporter.info(
            "Evaluating the final weights (no model_checkpoint callback kept a best epoch)");
      }
      // The serving export (weights and BN statistics of the evaluated model, no optimizer state).
      // With its findings beside it, so predict and serve name the outputs.
      model.exportSavedModel(
          run.artifactsDir().resolve("saved_model"),
          Map.of(ModelFindings.FILE_NAME, findings.toJson()));
      String split = spec.evaluate().split() == EvaluateSpec.Split.TEST ? "test" : "validation";
      Predictions predictions = Inference.run(model, test, reporter, "Evaluating on " + split);
      Optional<Predictions> thresholdSet =
          split.equals("test")
              ? Optional.of(
                  Inference.run(model, validation, reporter, "Validation, for thresholds"))
              : Optional.empty();
      RunReport.CardFacts card =
          new RunReport.CardFacts(
              new ModelCard.Model(
                  run.name(),
                  architecture(spec, config),
                  version(provenance),
                  run.artifactsDir().resolve("saved_model").toString()),
              data.cardData("training", splits.train()),
              data.cardData(split, evaluated),
              limitations(spec, splits));
      ClinicalEvaluation evaluation =
          RunReport.write(
              spec,
              classes,
              run,
              split,
              predictions,
              thresholdSet,
              inputs.subgroups(),
              card,
              reporter);
      EvaluationResult result = evaluation.detailed().result();
      Path artifacts = run.artifactsDir();
      PredictionsCsv.write(
          artifacts.resolve("predictions.csv"),
          classes,
          predictions.imageIndexes(),
          predictions.probabilities());
      if (thresholdSet.isPresent()) {
        // With it, `chexnet evaluate --validation-predictions` redoes the report from files.
        PredictionsCsv.write(
            artifacts.resolve("validation-predictions.csv"),
            classes,
            thresholdSet.get().imageIndexes(),
            thresholdSet.get().probabilities());
      }
      writeTrainingMetrics(run, outcome, checkpoint);
      run.logMetric(split + "_loss", predictions.meanLoss(), 0);
      if (!Double.isNaN(result.meanAuroc())) {
        run.logMetric(split + "_mean_auroc", result.meanAuroc(), 0);
      }
      for (ClassAuroc c : result.perClass()) {
        if (c.defined()) {
          run.logMetric(split + "_auroc_" + Run.keySegment(c.className()), c.auroc(), 0);
        }
      }
      reporter.info("");
      reporter.info(EvaluationReport.consoleTable(result));
      reporter.info(
          String.format(
              "%nResults: %s (report.html, report.md, metrics.json, roc.csv, reliability.png,"
                  + " model-card.md, calibration.json, predictions.csv, spec.yaml, saved_model/,"
                  + " checkpoints/)",
              artifacts));
      return new RunResult(
          run.id(),
          run.name(),
          run.directory(),
          checkpoint != null && checkpoint.bestEpoch() >= 0
              ? OptionalInt.of(checkpoint.bestEpoch() + 1)
              : OptionalInt.empty(),
          split,
          evaluation);
    }
  }

  /** The network, for the model card. */
  private static String architecture(ExperimentSpec spec, DenseNetConfig config) {
    return String.format(
        java.util.Locale.ROOT,
        "%s: DenseNet, blocks %s, growth rate %d, %d x %d input, %d sigmoid outputs; started from"
            + " %s",
        spec.model().architecture().name().toLowerCase(java.util.Locale.ROOT),
        config.blocks(),
        config.growthRate(),
        config.imageSize(),
        config.imageSize(),
        config.numClasses(),
        spec.model().weights() == ModelSpec.Weights.NONE
            ? "random weights"
            : spec.model().weights().name().toLowerCase(java.util.Locale.ROOT) + " weights");
  }

  /** chexnet's version, the git commit and the spec digest the run recorded. */
  private static String version(Map<String, String> provenance) {
    StringBuilder version =
        new StringBuilder("chexnet ")
            .append(provenance.getOrDefault("chexnet.version.chexnet", Version.current()));
    String commit = provenance.get("mlflow.source.git.commit");
    if (commit != null) {
      version.append(", git ").append(commit);
      String branch = provenance.get("mlflow.source.git.branch");
      if (branch != null) {
        version.append(" (").append(branch).append(')');
      }
      if ("true".equals(provenance.get("chexnet.git.dirty"))) {
        version.append(" with uncommitted changes (git-diff.patch)");
      }
    }
    String spec = provenance.get("chexnet.spec.digest");
    if (spec != null) {
      version.append(", spec ").append(spec);
    }
    return version.toString();
  }

  /** What the card must say beyond every card's limitations, from the spec and the split. */
  private static List<String> limitations(ExperimentSpec spec, DataSplits splits) {
    List<String> limitations = new ArrayList<>();
    boolean synthetic =
        spec.data().synthetic() != null
            || (spec.data().sources() != null
                && spec.data().sources().stream().anyMatch(s -> s.synthetic() != null));
    if (synthetic) {
      limitations.add(
          "Synthetic data: with data.synthetic the images are generated shapes in a dataset's"
              + " layout, so these numbers say nothing about real chest X-rays.");
    }
    if (spec.evaluate().split() == EvaluateSpec.Split.TEST) {
      limitations.add(
          "Thresholds and the post-hoc calibration were chosen on the validation split ("
              + splits.validation().size()
              + " images, patients disjoint from test), which also chose the checkpoint kept.");
    } else {
      limitations.add(
          "Evaluated on the validation split, which also chose the checkpoint kept: the numbers"
              + " are optimistic, and no thresholds or calibration were fitted.");
    }
    return limitations;
  }

  /**
   * How training ended, as a flat JSON for `dvc metrics show`: epochs, the best epoch (1-based) and
   * its monitored value, and the last epoch's logs.
   */
  private static void writeTrainingMetrics(
      Run run, Trainer.Outcome outcome, ModelCheckpoint checkpoint) throws java.io.IOException {
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("epochs_completed", outcome.epochsCompleted());
    if (checkpoint != null && checkpoint.bestEpoch() >= 0) {
      metrics.put("best_epoch", checkpoint.bestEpoch() + 1);
      metrics.put("best_" + checkpoint.monitor(), checkpoint.bestValue());
    }
    Map<String, Double> last = new java.util.TreeMap<>(outcome.lastEpochLogs());
    last.replaceAll((k, v) -> v == null || v.isNaN() ? null : v);
    metrics.put("last_epoch", last);
    run.writeArtifact(
        "training-metrics.json",
        new com.fasterxml.jackson.databind.ObjectMapper()
            .writerWithDefaultPrettyPrinter()
            .writeValueAsBytes(metrics));
  }

  /**
   * The class weights from the training split's prevalence (among the images whose label is known,
   * for a class with masked labels), written to the run.
   */
  private static ClassWeights recordLossWeights(
      List<LabeledImage> train, List<String> classes, Run run) throws java.io.IOException {
    long[] positives = new long[classes.size()];
    long[] known = new long[classes.size()];
    for (LabeledImage image : train) {
      for (int c = 0; c < classes.size(); c++) {
        if (image.known(c)) {
          known[c]++;
          positives[c] += image.labels()[c] > 0.5f ? 1 : 0;
        }
      }
    }
    ClassWeights weights;
    try {
      weights = ClassWeights.fromPrevalence(positives, known);
    } catch (IllegalArgumentException e) {
      throw ChexnetException.invalidInput(
          "train.loss: weighted_binary_crossentropy: " + e.getMessage() + " (" + classes + ")");
    }
    StringBuilder csv =
        new StringBuilder(
            "finding,training_positives,training_known,positive_weight,negative_weight\n");
    for (int c = 0; c < classes.size(); c++) {
      csv.append(
          String.format(
              java.util.Locale.ROOT,
              "%s,%d,%d,%.6f,%.6f%n",
              classes.get(c),
              positives[c],
              known[c],
              weights.positive()[c],
              weights.negative()[c]));
    }
    run.writeArtifact("loss-weights.csv", csv.toString().getBytes(StandardCharsets.UTF_8));
    run.setTag(
        "chexnet.loss.weighting",
        "positives x share of negatives, negatives x share of positives (training split)");
    return weights;
  }

  private static Map<String, String> dataTags(DataSplits splits) {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("chexnet.data.train_images", String.valueOf(splits.train().size()));
    tags.put("chexnet.data.validation_images", String.valueOf(splits.validation().size()));
    tags.put("chexnet.data.test_images", String.valueOf(splits.test().size()));
    return tags;
  }

  static Map<String, String> versions() {
    Map<String, String> versions = new LinkedHashMap<>(Provenance.runtimeVersions());
    versions.put("tensorflow", TensorFlow.version());
    versions.put("chexnet", Version.current());
    return versions;
  }
}
