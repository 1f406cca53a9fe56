package org.chexnet.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.chexnet.cli.spec.CallbackSpec;
import org.chexnet.cli.spec.DataSpec;
import org.chexnet.cli.spec.EvaluateSpec;
import org.chexnet.cli.spec.ExperimentSpec;
import org.chexnet.cli.spec.ModelSpec;
import org.chexnet.cli.spec.SpecLoader.LoadedSpec;
import org.chexnet.cli.spec.TrainSpec;
import org.chexnet.dataset.BatchLoader;
import org.chexnet.dataset.ChestXray14;
import org.chexnet.dataset.DataSplits;
import org.chexnet.dataset.DatasetDigest;
import org.chexnet.dataset.Finding;
import org.chexnet.dataset.LabeledImage;
import org.chexnet.dataset.SyntheticChestXray14;
import org.chexnet.evaluation.EvaluationReport;
import org.chexnet.evaluation.EvaluationResult;
import org.chexnet.evaluation.PredictionsCsv;
import org.chexnet.model.DenseNetConfig;
import org.chexnet.tracking.GitState;
import org.chexnet.tracking.LocalRunStore;
import org.chexnet.tracking.Provenance;
import org.chexnet.tracking.Run;
import org.chexnet.tracking.RunStatus;
import org.chexnet.training.Inference;
import org.chexnet.training.Predictions;
import org.chexnet.training.TrainableModel;
import org.chexnet.training.Trainer;
import org.chexnet.training.TrainingListener;
import org.chexnet.training.listeners.CsvLogger;
import org.chexnet.training.listeners.EarlyStopping;
import org.chexnet.training.listeners.ModelCheckpoint;
import org.chexnet.training.listeners.MonitorMode;
import org.chexnet.training.listeners.ProgressListener;
import org.chexnet.training.listeners.ReduceLrOnPlateau;
import org.chexnet.training.listeners.TrackingLogger;
import org.chexnet.training.listeners.UserListeners;
import org.tensorflow.TensorFlow;

/**
 * Runs one experiment end to end: data, provenance, training, evaluation of the best checkpoint,
 * and the record of it all in the local run store.
 */
public final class ExperimentRunner {
  private final PrintStream out;
  private final Path workDir;

  public ExperimentRunner(PrintStream out, Path workDir) {
    this.out = out;
    this.workDir = workDir;
  }

  /**
   * @return the finished run
   */
  public Run run(LoadedSpec loaded) throws Exception {
    ExperimentSpec spec = loaded.spec();
    Path weightsFile = PretrainedWeights.locate(spec.model(), workDir);
    ChestXray14 data = openData(spec.data());
    DataSplits splits = data.officialSplit(spec.data().validationFraction(), spec.seed());
    out.printf(
        "Data: %s (train %d, validation %d, test %d images)%n",
        data.root(), splits.train().size(), splits.validation().size(), splits.test().size());
    String datasetDigest = DatasetDigest.of(data, splits.imageIndexes());

    LocalRunStore store = new LocalRunStore(workDir.resolve(spec.tracking().uri()));
    String experiment =
        spec.tracking().experiment() != null ? spec.tracking().experiment() : spec.name();
    String runName =
        spec.tracking().runName() != null
            ? spec.tracking().runName()
            : spec.name()
                + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Run run = store.startRun(experiment, runName);
    try (run) {
      out.printf("Run %s (%s) in %s%n", run.id(), runName, run.directory());
      GitState git = GitState.capture(workDir);
      Provenance provenance =
          new Provenance(git, loaded.digest(), datasetDigest, spec.seed(), versions());
      run.setTags(provenance.tags());
      run.setTags(dataTags(splits));
      run.logParams(loaded.flatten());
      run.writeArtifact("spec.yaml", loaded.resolvedYaml().getBytes(StandardCharsets.UTF_8));
      if (git.dirty() && git.diff() != null) {
        run.writeArtifact("git-diff.patch", git.diff().getBytes(StandardCharsets.UTF_8));
      }
      try {
        trainAndEvaluate(spec, data, splits, run, weightsFile);
      } catch (Exception | Error e) {
        run.setTag("chexnet.failure", String.valueOf(e.getMessage()));
        run.end(RunStatus.FAILED);
        throw e;
      }
      run.end(RunStatus.FINISHED);
    }
    return run;
  }

  private void trainAndEvaluate(
      ExperimentSpec spec, ChestXray14 data, DataSplits splits, Run run, Path weightsFile)
      throws Exception {
    DataSpec d = spec.data();
    TrainSpec t = spec.train();
    TrainSpec.OptimizerSpec o = t.optimizer();
    DenseNetConfig config = networkConfig(spec.model(), d.imageSize());
    var adam =
        new TrainableModel.AdamSettings(
            (float) o.lr(), (float) o.beta1(), (float) o.beta2(), (float) o.epsilon());
    List<LabeledImage> evaluated =
        spec.evaluate().split() == EvaluateSpec.Split.TEST ? splits.test() : splits.validation();
    int evalBatch = spec.evaluate().batchSize();
    try (TrainableModel model = TrainableModel.create(config, adam, spec.seed());
        BatchLoader train =
            new BatchLoader(
                data,
                splits.train(),
                d.imageSize(),
                t.batchSize(),
                true,
                t.horizontalFlip(),
                d.cacheInMemory(),
                spec.seed(),
                d.loaderThreads());
        BatchLoader validation =
            new BatchLoader(
                data,
                splits.validation(),
                d.imageSize(),
                evalBatch,
                false,
                false,
                d.cacheInMemory(),
                spec.seed(),
                d.loaderThreads());
        BatchLoader test =
            new BatchLoader(
                data,
                evaluated,
                d.imageSize(),
                evalBatch,
                false,
                false,
                false,
                spec.seed(),
                d.loaderThreads())) {
      out.printf(
          "Model: DenseNet %s, growth %d, %dx%d input, %,d trainable parameters%n",
          config.blocks(),
          config.growthRate(),
          config.imageSize(),
          config.imageSize(),
          model.trainableParameterCount());
      if (weightsFile != null) {
        run.setTags(PretrainedWeights.load(model, weightsFile, out));
      }
      List<TrainingListener> listeners = new ArrayList<>();
      ModelCheckpoint checkpoint = null;
      for (CallbackSpec c : t.callbacks()) {
        TrainingListener listener = listener(c, run, t, splits.train().size());
        if (listener instanceof ModelCheckpoint m) {
          checkpoint = m;
        }
        listeners.add(listener);
      }
      if (listeners.stream().noneMatch(l -> l instanceof TrackingLogger)) {
        out.println(
            "Note: no mlflow_logger callback: per-epoch metrics are not recorded in the run"
                + " (history.csv still has them if csv_logger is on)");
      }

      Trainer.Outcome outcome =
          new Trainer(Finding.labels(), listeners).fit(model, train, validation, t.epochs());
      if (outcome.stopReason() != null) {
        out.println("Training stopped early: " + outcome.stopReason());
      }
      if (checkpoint != null && checkpoint.bestEpoch() >= 0) {
        model.restoreCheckpoint(checkpoint.bestDirectory());
        run.setTag("chexnet.best_epoch", String.valueOf(checkpoint.bestEpoch()));
        out.printf(
            "Evaluating the best checkpoint: epoch %d (%s %.4f)%n",
            checkpoint.bestEpoch() + 1, checkpoint.monitor(), checkpoint.bestValue());
      } else {
        out.println(
            "Evaluating the final weights (no model_checkpoint callback kept a best epoch)");
      }
      // The serving export (weights and BN statistics of the evaluated model, no optimizer state).
      model.exportSavedModel(run.artifactsDir().resolve("saved_model"));
      String split = spec.evaluate().split() == EvaluateSpec.Split.TEST ? "test" : "validation";
      Predictions predictions = Inference.run(model, test, "Evaluating on " + split);
      EvaluationResult result = predictions.evaluate(Finding.labels());
      Path artifacts = run.artifactsDir();
      EvaluationReport.writeMetricsJson(result, artifacts.resolve("metrics.json"));
      EvaluationReport.writeMarkdown(
          result,
          spec.name() + ": " + split + " AUROC (run " + run.id() + ")",
          artifacts.resolve("report.md"));
      PredictionsCsv.write(
          artifacts.resolve("predictions.csv"),
          Finding.labels(),
          predictions.imageIndexes(),
          predictions.probabilities());
      run.logMetric(split + "_loss", predictions.meanLoss(), 0);
      if (!Double.isNaN(result.meanAuroc())) {
        run.logMetric(split + "_mean_auroc", result.meanAuroc(), 0);
      }
      result.perClass().stream()
          .filter(c -> c.defined())
          .forEach(c -> logQuietly(run, split + "_auroc_" + c.className(), c.auroc()));
      out.println();
      out.println(EvaluationReport.consoleTable(result));
      out.printf(
          "%nResults: %s (metrics.json, report.md, predictions.csv, spec.yaml, checkpoints/)%n",
          artifacts);
    }
  }

  private TrainingListener listener(CallbackSpec c, Run run, TrainSpec t, int trainImages) {
    Path artifacts = run.artifactsDir();
    if (c instanceof CallbackSpec.Progress) {
      return new ProgressListener(t.batchSize(), trainImages, out);
    }
    if (c instanceof CallbackSpec.ModelCheckpoint m) {
      return new ModelCheckpoint(
          artifacts.resolve("checkpoints"), m.monitor(), mode(m.mode()), m.saveBestOnly());
    }
    if (c instanceof CallbackSpec.ReduceLrOnPlateau r) {
      return new ReduceLrOnPlateau(
          r.monitor(),
          mode(r.mode()),
          r.factor(),
          r.patience(),
          r.minDelta(),
          r.cooldown(),
          r.minLr());
    }
    if (c instanceof CallbackSpec.CsvLogger csv) {
      return new CsvLogger(artifacts.resolve(csv.filename()), csv.separator(), csv.append());
    }
    if (c instanceof CallbackSpec.EarlyStopping e) {
      return new EarlyStopping(
          e.monitor(),
          mode(e.mode()),
          e.minDelta(),
          e.patience(),
          e.baseline(),
          e.restoreBestWeights(),
          e.startFromEpoch(),
          artifacts.resolve("checkpoints/early-stopping-best"));
    }
    if (c instanceof CallbackSpec.MlflowLogger m) {
      return new TrackingLogger(run, m.logEveryNBatches());
    }
    if (c instanceof CallbackSpec.Custom custom) {
      return UserListeners.create(custom.className(), custom.params());
    }
    throw new IllegalStateException("no listener for " + c);
  }

  private static MonitorMode mode(CallbackSpec.Mode mode) {
    return MonitorMode.valueOf(mode.name());
  }

  private static void logQuietly(Run run, String key, double value) {
    try {
      run.logMetric(key, value, 0);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static DenseNetConfig networkConfig(ModelSpec model, int imageSize) {
    int classes = Finding.COUNT;
    return switch (model.architecture()) {
      case DENSENET121 -> DenseNetConfig.densenet121(imageSize, classes);
      case DENSENET169 -> DenseNetConfig.densenet169(imageSize, classes);
      case DENSENET201 -> DenseNetConfig.densenet201(imageSize, classes);
      case CUSTOM -> DenseNetConfig.custom(model.blocks(), model.growthRate(), imageSize, classes);
    };
  }

  private ChestXray14 openData(DataSpec d) throws java.io.IOException {
    Path root = workDir.resolve(d.root());
    if (!Files.exists(root) && d.synthetic() != null) {
      DataSpec.SyntheticSpec s = d.synthetic();
      out.printf(
          "Writing a synthetic ChestX-ray14 dataset (%d images, %dx%d) to %s%n",
          s.images(), s.imageSize(), s.imageSize(), root);
      SyntheticChestXray14.write(root, s.images(), s.imageSize(), s.seed());
    }
    if (!Files.isDirectory(root)) {
      throw new UsageException(
          "data.root: "
              + root
              + " does not exist; put ChestX-ray14 there (images/, "
              + "Data_Entry_2017_v2020.csv, train_val_list.txt, test_list.txt) or add data.synthetic to generate one");
    }
    return ChestXray14.open(root);
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
