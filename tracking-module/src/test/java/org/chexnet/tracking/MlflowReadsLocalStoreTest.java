package org.chexnet.tracking;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes a local store and has MLflow 2.17.2's Python client read it back
 * (src/test/python/read_local_store.py, which exits non-zero on the first difference).
 */
class MlflowReadsLocalStoreTest {
  @TempDir Path temp;

  @Test
  void mlflowReadsTheRunsWeWrote() throws Exception {
    Path mlflow = MlflowTestServer.requireMlflow();
    Path root = temp.resolve("mlruns");
    writeStore(root);
    String printed = MlflowTestServer.runPython(mlflow, "read_local_store.py", root.toString());
    assertTrue(printed.contains("OK: MLflow read the store"), printed);
  }

  private void writeStore(Path root) throws IOException {
    LocalRunStore store = new LocalRunStore(root);

    try (Run run = store.startRun("x", "mlflow-check")) {
      run.logParams(Map.of("lr", "0.001", "model/arch", "densenet121"));
      double[] losses = {0.9, 0.5, 0.25};
      for (int step = 0; step < losses.length; step++) {
        run.logMetric("train/loss", losses[step], step);
      }
      run.logMetric("val_auroc", 0.84, 2);
      Map<String, String> versions = new LinkedHashMap<>(Provenance.runtimeVersions());
      versions.put("chexnet", "0.1.0-SNAPSHOT");
      run.setTags(
          new Provenance(
                  GitState.capture(Path.of("")), "spec-digest", "dataset-digest", 42L, versions)
              .tags());
      run.setTag("stage", "check");

      Path report = Files.writeString(temp.resolve("report.json"), "{\"auroc\": 0.84}");
      run.logArtifact(report, "");
      Path model = Files.createDirectories(temp.resolve("saved_model/variables"));
      Files.writeString(model.resolve("variables.index"), "index");
      run.logArtifact(temp.resolve("saved_model"), "model");
      run.writeArtifact(
          "eval/per_label.csv", "label,auroc\nEffusion,0.86\n".getBytes(StandardCharsets.UTF_8));
      run.end(RunStatus.FINISHED);
    }
    try (Run crashed = store.startRun("x", "mlflow-check-crashed")) {
      crashed.logMetric("train/loss", 1.0, 0);
    }
  }
}
