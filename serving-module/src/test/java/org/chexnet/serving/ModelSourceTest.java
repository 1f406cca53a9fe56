package org.chexnet.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.chexnet.tracking.LocalRunStore;
import org.chexnet.tracking.MlflowServer;
import org.chexnet.tracking.MlflowTestServer;
import org.chexnet.tracking.ModelRegistry;
import org.chexnet.tracking.Run;
import org.chexnet.tracking.RunStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every form of --model: a SavedModel, a run's artifacts, a run directory, a registry URI. */
class ModelSourceTest {
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

    ModelSource source = ModelSource.resolve(run.directory().toString(), Optional.empty(), work);
    assertEquals(run.directory().resolve("artifacts/saved_model"), source.savedModel());
    assertEquals("tiny-run", source.info().name());
    assertEquals(run.id(), source.info().runId());
    assertNull(source.info().version());
    assertEquals(TinyServedModel.MEAN_AUROC, source.info().testMeanAuroc());
    assertEquals(13, source.info().thresholds().size());

    ModelSource bare =
        ModelSource.resolve(
            run.directory().resolve("artifacts/saved_model").toString(), Optional.empty(), work);
    assertEquals(TinyServedModel.MEAN_AUROC, bare.info().testMeanAuroc(), "metrics beside it");
    assertEquals("saved_model", bare.info().name());
  }

  @Test
  void somethingElseIsRefusedSayingWhatWasExpected() throws Exception {
    Files.createDirectories(work.resolve("empty"));
    IllegalArgumentException empty =
        assertThrows(
            IllegalArgumentException.class,
            () -> ModelSource.resolve(work.resolve("empty").toString(), Optional.empty(), work));
    assertTrue(empty.getMessage().contains("no saved_model.pb"), empty.getMessage());
    IllegalArgumentException noServer =
        assertThrows(
            IllegalArgumentException.class,
            () -> ModelSource.resolve("models:/chexnet@champion", Optional.empty(), work));
    assertTrue(noServer.getMessage().contains("MLFLOW_TRACKING_URI"), noServer.getMessage());

    Path bad = work.resolve("bad");
    Files.createDirectories(bad);
    Files.writeString(bad.resolve("operating-points.csv"), "class,threshold\nEffusion,high\n");
    java.io.IOException notNumber =
        assertThrows(
            java.io.IOException.class,
            () -> ModelSource.readThresholds(bad.resolve("operating-points.csv")));
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
      ModelSource source =
          ModelSource.resolve(
              "models:/chexnet-serving@champion", Optional.of(server.uri().toString()), cache);
      assertEquals(cache.resolve("chexnet-serving/1"), source.savedModel());
      assertEquals("chexnet-serving", source.info().name());
      assertEquals("1", source.info().version());
      assertEquals(version.runId(), source.info().runId());
      assertEquals(0.75, source.info().testMeanAuroc());
      assertEquals(Map.of("Effusion", 0.875), source.info().testAuroc());
      // The thresholds come from the run's operating points beside the registered model.
      assertEquals(13, source.info().thresholds().size());
      assertEquals(TinyServedModel.EFFUSION_THRESHOLD, source.info().thresholds().get("Effusion"));
      assertEquals("youden", source.info().thresholdRule());
      try (SavedModelPredictor predictor = SavedModelPredictor.load(source.savedModel())) {
        assertEquals(TinyServedModel.SIZE, predictor.imageSize());
      }
    }
  }
}
