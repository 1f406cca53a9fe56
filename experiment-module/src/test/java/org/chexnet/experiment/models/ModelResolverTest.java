package org.chexnet.experiment.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.chexnet.common.ChexnetException;
import org.chexnet.experiment.models.ModelResolver.Resolved;
import org.chexnet.experiment.models.ModelResolver.Use;
import org.chexnet.model.SavedModelPredictor;
import org.chexnet.serving.ModelInfo;
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
    }

    Resolved bare =
        resolver.resolve(
            run.directory().resolve("artifacts/saved_model").toString(), null, Use.PREDICT);
    assertEquals(TinyServedModel.MEAN_AUROC, bare.info().testMeanAuroc(), "metrics beside it");
    assertEquals("saved_model", bare.info().name());
    ChexnetException noCheckpoint =
        assertThrows(
            ChexnetException.class,
            () -> resolver.resolve(run.id(), null, Use.CLASS_ACTIVATION_MAPS));
    assertTrue(noCheckpoint.getMessage().contains("need a checkpoint"), noCheckpoint.getMessage());
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
