package org.chexnet.experiment.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.FileTrees;
import org.chexnet.dataset.Finding;
import org.chexnet.experiment.models.ModelResolver.Resolved;
import org.chexnet.experiment.models.ModelResolver.Use;
import org.chexnet.model.ModelCard;
import org.chexnet.model.ModelInfo;
import org.chexnet.model.Preprocessing;
import org.chexnet.model.SavedModelPredictor;
import org.chexnet.serving.TinyServedModel;
import org.chexnet.tracking.LocalRunStore;
import org.chexnet.tracking.MlflowServer;
import org.chexnet.tracking.MlflowTestServer;
import org.chexnet.tracking.ModelRegistry;
import org.chexnet.tracking.Run;
import org.chexnet.tracking.RunStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every form of --model: a SavedModel, a run's artifacts, a run directory, a run id or name, a
 * registry URI.
 */
class ModelResolverTest {
  @TempDir static Path shared;
  private static TinyServedModel model;
  @TempDir Path work;

  @BeforeAll
  static void export() throws Exception {
    model = TinyServedModel.export(shared.resolve("artifacts"));
  }

  @Test
  void aRunDirectoryGivesItsSavedModelNameAurocAndThresholds() throws Exception {
    LocalRunStore store = new LocalRunStore(work.resolve("mlruns"));
    Run run = store.startRun("serving", "tiny-run");
    for (String artifact : new String[] {"saved_model", "metrics.json", "operating-points.csv"}) {
      run.logArtifact(model.artifacts.resolve(artifact), "");
    }
    run.writeArtifact(
        ModelInfo.MODEL_CARD_MD, "# Model card: tiny-run\n".getBytes(StandardCharsets.UTF_8));
    run.writeArtifact(ModelInfo.CALIBRATION_JSON, "{}".getBytes(StandardCharsets.UTF_8));
    run.end(RunStatus.FINISHED);

    ModelResolver resolver = new ModelResolver(store.root(), Optional.empty(), work);
    // The run's directory, its id and its name all name the same SavedModel and evaluation.
    for (String reference : List.of(run.directory().toString(), run.id(), "tiny-run")) {
      Resolved.SavedModel source =
          (Resolved.SavedModel) resolver.resolve(reference, null, Use.SERVE);
      assertEquals(
          run.directory().resolve("artifacts/saved_model").toAbsolutePath(),
          source.directory().toAbsolutePath());
      assertEquals("tiny-run", source.info().name());
      assertEquals(run.id(), source.info().runId());
      assertNull(source.info().version());
      assertEquals(TinyServedModel.MEAN_AUROC, source.info().testMeanAuroc());
      assertEquals(13, source.info().thresholds().size());
      // The card and the calibration stored with the model, beside its SavedModel.
      assertEquals(
          run.artifactsDir().resolve(ModelInfo.MODEL_CARD_MD).toAbsolutePath(),
          source.info().modelCardFile().toAbsolutePath());
      assertEquals(
          run.artifactsDir().resolve(ModelInfo.CALIBRATION_JSON).toAbsolutePath(),
          source.info().calibrationFile().toAbsolutePath());
    }

    Resolved bare =
        resolver.resolve(
            run.directory().resolve("artifacts/saved_model").toString(), null, Use.PREDICT);
    assertEquals(TinyServedModel.MEAN_AUROC, bare.info().testMeanAuroc(), "metrics beside it");
    assertEquals("saved_model", bare.info().name());
    // Without a checkpoint, class activation maps come from the SavedModel's feature maps.
    Resolved maps = resolver.resolve(run.id(), null, Use.CLASS_ACTIVATION_MAPS);
    assertTrue(maps instanceof Resolved.SavedModel, maps.toString());
  }

  @Test
  void aModelDirectoryBringsItsCardClassesAndPreprocessing() throws Exception {
    Path directory = work.resolve("imported");
    FileTrees.copy(model.artifacts.resolve("saved_model"), directory);
    // An evaluation beside an imported model is not its own: the card says what is known.
    Files.writeString(work.resolve("metrics.json"), "{\"mean_auroc\": 0.999}");
    List<String> classes = new ArrayList<>(Finding.labels());
    classes.set(13, "Other");
    ModelCard card =
        new ModelCard(
            "arnoweng/CheXNet model.pth.tar",
            new ModelCard.Source(
                "model.pth.tar",
                "0123456789abcdef".repeat(4),
                28_000_000,
                "arnoweng",
                "arnoweng/CheXNet",
                "PyTorch legacy",
                List.of()),
            new ModelCard.Architecture(
                "DenseNet", List.of(1, 1), 4, 8, 4, 0.5, 1e-5, TinyServedModel.SIZE, "Linear"),
            classes,
            Preprocessing.centerCrop(TinyServedModel.SIZE + 8, TinyServedModel.SIZE),
            List.of(
                new ModelCard.PublishedAuroc(
                    "the paper's", "https://example.org/aurocs", Map.of("Other", 0.9), 0.9, null)),
            "2024-01-01T00:00:00Z");
    for (Map.Entry<String, byte[]> file : card.files().entrySet()) {
      Files.write(directory.resolve(file.getKey()), file.getValue());
    }

    ModelResolver resolver = new ModelResolver(work.resolve("mlruns"), Optional.empty(), work);
    Resolved.SavedModel resolved =
        (Resolved.SavedModel) resolver.resolve(directory.toString(), null, Use.SERVE);
    assertEquals(card, resolved.info().card());
    assertEquals(card.name(), resolved.info().name());
    assertNull(resolved.info().testMeanAuroc(), "no evaluation of ours");
    assertEquals(
        directory.resolve(ModelCard.MARKDOWN_NAME), resolved.info().modelCardFile(), "its card");
    assertNull(resolved.info().calibrationFile());
    try (SavedModelPredictor predictor = ModelResolver.loadSavedModel(directory)) {
      assertEquals(classes, predictor.classNames());
      assertEquals(card.preprocessing(), predictor.preprocessing());
      assertTrue(predictor.source().contains("SHA-256 0123456789ab"), predictor.source());
    }

    // A card whose input size is not the SavedModel's is refused, naming the card.
    Files.write(
        directory.resolve(ModelCard.FILE_NAME),
        new ModelCard(
                card.name(),
                card.source(),
                card.architecture(),
                classes,
                Preprocessing.resize(TinyServedModel.SIZE * 2),
                card.published(),
                card.importedAt())
            .json());
    ChexnetException wrongSize =
        assertThrows(ChexnetException.class, () -> ModelResolver.loadSavedModel(directory));
    assertTrue(
        wrongSize.getMessage().startsWith(directory.resolve(ModelCard.FILE_NAME).toString()),
        wrongSize.getMessage());
  }

  @Test
  void somethingElseIsRefusedSayingWhatWasExpected() throws Exception {
    Files.createDirectories(work.resolve("empty"));
    ModelResolver resolver = new ModelResolver(work.resolve("mlruns"), Optional.empty(), work);
    ChexnetException empty =
        assertThrows(
            ChexnetException.class,
            () -> resolver.resolve(work.resolve("empty").toString(), null, Use.SERVE));
    assertTrue(empty.getMessage().contains("no saved_model.pb"), empty.getMessage());
    ChexnetException noServer =
        assertThrows(
            ChexnetException.class,
            () -> resolver.resolve("models:/chexnet@champion", null, Use.SERVE));
    assertTrue(noServer.getMessage().contains("MLFLOW_TRACKING_URI"), noServer.getMessage());

    Path bad = work.resolve("bad");
    Files.createDirectories(bad);
    Files.writeString(bad.resolve("operating-points.csv"), "class,threshold\nEffusion,high\n");
    java.io.IOException notNumber =
        assertThrows(
            java.io.IOException.class,
            () -> ModelInfo.readThresholds(bad.resolve("operating-points.csv")));
    assertTrue(notNumber.getMessage().contains("line 2"), notNumber.getMessage());
  }

  @Test
  void aRegistryUriIsDownloadedOnceAndServed() throws Exception {
    LocalRunStore store = new LocalRunStore(work.resolve("mlruns"));
    Run run = store.startRun("serving", "registered");
    run.logArtifact(model.artifacts.resolve("saved_model"), "");
    run.logArtifact(model.artifacts.resolve("operating-points.csv"), "");
    run.logMetric("test_mean_auroc", 0.75, 0);
    run.logMetric("test_auroc_Effusion", 0.875, 0);
    run.end(RunStatus.FINISHED);
    try (MlflowTestServer server = MlflowTestServer.start(work.resolve("server"));
        MlflowServer remote = MlflowServer.connect(server.uri(), Map.of())) {
      ModelRegistry.ModelVersion version =
          new ModelRegistry(remote)
              .register(store, store.readRun(run.id()), "chexnet-serving", Optional.of("champion"));
      Path cache = work.resolve("models");
      Resolved.SavedModel source =
          (Resolved.SavedModel)
              new ModelResolver(store.root(), Optional.of(server.uri().toString()), cache)
                  .resolve("models:/chexnet-serving@champion", null, Use.SERVE);
      assertEquals(cache.resolve("chexnet-serving/1"), source.directory());
      assertEquals("chexnet-serving", source.info().name());
      assertEquals("1", source.info().version());
      assertEquals(version.runId(), source.info().runId());
      assertEquals(0.75, source.info().testMeanAuroc());
      assertEquals(Map.of("Effusion", 0.875), source.info().testAuroc());
      // The thresholds come from the run's operating points beside the registered model.
      assertEquals(13, source.info().thresholds().size());
      assertEquals(TinyServedModel.EFFUSION_THRESHOLD, source.info().thresholds().get("Effusion"));
      assertEquals("youden", source.info().thresholdRule());
      try (SavedModelPredictor predictor = ModelResolver.loadSavedModel(source.directory())) {
        assertEquals(TinyServedModel.SIZE, predictor.imageSize());
      }
    }
  }
}
