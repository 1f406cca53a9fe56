package org.chexnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.chexnet.cli.ShippedCommand.Started;
import org.chexnet.tracking.LocalRunStore;
import org.chexnet.tracking.RunRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./chexnet sweep SWEEP --parallel 2}: the two trials start as processes of the same jar the
 * launcher runs, with its JVM options, at the same time, and record child runs of the sweep's
 * parent.
 */
class SweepLauncherIT {
  private static final String BASE =
      """
      name: tiny
      seed: 3
      data:
        root: data/tiny
        synthetic: {images: 120, image_size: 32, seed: 5}
        image_size: 32
      model: {architecture: custom, blocks: [1, 1, 1, 1], growth_rate: 4, weights: none}
      train:
        epochs: 2
        horizontal_flip: false
        callbacks: [{type: model_checkpoint}, {type: mlflow_logger}]
      evaluate:
        bootstrap: {replicates: 100}
      tracking: {experiment: sweeps}
      """;
  private static final String SWEEP =
      """
      name: two
      base: base.yaml
      objective: {metric: val_loss, mode: min}
      search:
        type: grid
        parameters:
          train.optimizer.lr: [1.0e-3, 3.0e-3]
      """;

  @TempDir Path dir;

  @Test
  void twoTrialsRunAtOnceAsProcessesOfTheShippedJar() throws Exception {
    ShippedCommand shipped = new ShippedCommand(dir);
    Path work = Files.createDirectories(dir.resolve("work"));
    Files.writeString(work.resolve("base.yaml"), BASE);
    Files.writeString(work.resolve("sweep.yaml"), SWEEP);
    // The launcher's JVM options, and 4 cores seen: each of 2 trials gets 2 threads.
    Started sweep =
        shipped.launch(
            ShippedCommand.LAUNCHER,
            work,
            Map.of("CHEXNET_JAVA_OPTS", "-XX:+UseSerialGC -XX:ActiveProcessorCount=4"),
            "sweep",
            "sweep.yaml",
            "--parallel",
            "2");

    // Watch the sweep JVM's children (the launcher execs java) while the sweep runs: not their
    // descendants, since a trial's own short-lived forks carry its arguments until they exec.
    Map<Long, List<String>> trials = new HashMap<>();
    int atOnce = 0;
    while (sweep.process().isAlive()) {
      List<ProcessHandle> running =
          sweep.process().children().filter(p -> isTrial(p.info().arguments())).toList();
      atOnce = Math.max(atOnce, running.size());
      running.forEach(p -> trials.putIfAbsent(p.pid(), List.of(p.info().arguments().get())));
      Thread.sleep(50);
    }
    assertEquals(0, sweep.exitCode(1), sweep.output());
    shipped.assertNoRebuild(sweep);

    assertEquals(2, trials.size(), "two trial processes: " + trials + "\n" + sweep.output());
    assertEquals(2, atOnce, "both at once");
    for (List<String> arguments : trials.values()) {
      assertTrue(arguments.contains("-XX:+UseSerialGC"), "the launcher's options: " + arguments);
      int classPath = arguments.indexOf("-cp");
      assertEquals(ShippedCommand.JAR.toString(), arguments.get(classPath + 1), "the shipped jar");
      assertEquals(Chexnet.class.getName(), arguments.get(classPath + 2));
      assertEquals("run", arguments.get(classPath + 3));
    }

    LocalRunStore store = new LocalRunStore(work.resolve("mlruns"));
    List<RunRecord> runs = store.listRuns(Optional.of("sweeps"));
    RunRecord parent = runs.stream().filter(r -> r.name().equals("two")).findFirst().orElseThrow();
    assertEquals("FINISHED", parent.status());
    List<RunRecord> children =
        runs.stream().filter(r -> parent.id().equals(r.tags().get("mlflow.parentRunId"))).toList();
    assertEquals(2, children.size(), runs.toString());
    for (RunRecord child : children) {
      assertEquals("FINISHED", child.status(), child.name());
      assertEquals("2", child.tags().get("chexnet.env.TF_NUM_INTRAOP_THREADS"), "4 cores / 2");
      assertEquals("4", child.tags().get("chexnet.version.available.processors"), child.name());
    }
  }

  /** A trial: a JVM running the CLI's {@code run}. */
  private static boolean isTrial(Optional<String[]> arguments) {
    if (arguments.isEmpty()) {
      return false;
    }
    List<String> list = List.of(arguments.get());
    int main = list.indexOf(Chexnet.class.getName());
    return main >= 0 && main + 1 < list.size() && list.get(main + 1).equals("run");
  }
}
