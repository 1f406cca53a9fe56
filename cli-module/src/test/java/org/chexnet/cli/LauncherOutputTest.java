package org.chexnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.chexnet.experiment.TinySpecs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a person reads when `chexnet run` goes to a log (CI, nohup, a file), through the real
 * launcher at its default log level: no TensorFlow native lines, whole lines only (no carriage
 * returns piling up), each task's end with its time (and rate once measurable).
 */
class LauncherOutputTest {
  @TempDir Path dir;

  @Test
  void aRunLogsReadableLinesWithoutNativeNoise() throws Exception {
    List<String> chexnet = ChildCli.launcher(dir.resolve("install"));
    Path work = Files.createDirectories(dir.resolve("work"));
    Files.writeString(
        work.resolve("tiny.yaml"),
        TinySpecs.dataAndModel("log")
            + "train: {epochs: 2, batch_size: 16}\nevaluate: {bootstrap: {replicates: 10}}\n");
    Map<String, String> defaults = new HashMap<>();
    defaults.put("TF_CPP_MIN_LOG_LEVEL", null); // the launcher's default, as a user has it
    ChildCli.Result run = ChildCli.run(work, null, defaults, chexnet, List.of("run", "tiny.yaml"));
    assertEquals(0, run.exit(), run.all());
    for (String noise :
        List.of("absl::InitializeLog", "mlir_graph_optimization_pass", "\r", "? img/s")) {
      assertFalse(run.all().contains(noise), noise + " in\n" + run.all());
    }
    for (String epoch : List.of("Epoch 1/2", "Epoch 2/2")) {
      assertTrue(
          run.out()
              .lines()
              .anyMatch(
                  l -> l.matches(epoch + ": 88 img in [0-9.]+ s( \\([0-9.]+ img/s\\))?, loss .*")),
          run.out());
    }
  }
}
