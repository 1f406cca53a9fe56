package org.chexnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.chexnet.model.PythonTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The project's own dvc.yaml under a real, pinned DVC, in a fresh git repository with a small
 * synthetic dataset, its stages calling the shipped {@code ./chexnet} launcher and the jar this
 * build packaged: repro, metrics, plots, a no-op second repro, a parameter change that reruns only
 * the stage it feeds, a DVC experiment over params.yaml, and one that switches {@code data.dataset}
 * to CheXpert: every stage reruns on CheXpert's layout and findings.
 */
class DvcPipelineIT {
  private static final Path PROJECT = ShippedCommand.ROOT;

  /** params.yaml at test size: the same keys as the project's, smaller values. */
  private static String tinyParams() throws Exception {
    return Files.readString(PROJECT.resolve("params.yaml"))
        .replace(
            "synthetic: {images: 1200, image_size: 128, seed: 7}",
            "synthetic: {images: 120, image_size: 32, seed: 7}")
        .replace("image_size: 64", "image_size: 32")
        .replace("blocks: [2, 2, 2, 2]", "blocks: [1, 1, 1, 1]")
        .replace("growth_rate: 12", "growth_rate: 4")
        .replace("epochs: 10", "epochs: 2")
        .replace("replicates: 1000", "replicates: 50");
  }

  @TempDir Path dir;
  private ShippedCommand shipped;

  @Test
  void projectPipelineRunsUnderRealDvc() throws Exception {
    shipped = new ShippedCommand(dir);
    Path repo = Files.createDirectories(dir.resolve("repo"));
    Path bin = PythonTools.venvBin(Path.of("src/test/python/requirements-dvc.txt"));
    String params = tinyParams();
    assertTrue(params.contains("images: 120") && params.contains("epochs: 2"), params);
    Files.writeString(repo.resolve("params.yaml"), params);
    for (String file :
        List.of(
            "dvc.yaml",
            ".dvcignore",
            ".dvc/config",
            ".dvc/.gitignore",
            ".dvc/plots/roc_by_class.json")) {
      Files.createDirectories(repo.resolve(file).getParent());
      Files.copy(PROJECT.resolve(file), repo.resolve(file));
    }
    for (String module :
        List.of(
            "common",
            "dataset",
            "model",
            "training",
            "evaluation",
            "tracking",
            "experiment",
            "cli")) {
      copyTree(
          PROJECT.resolve(module + "-module/src/main"), repo.resolve(module + "-module/src/main"));
    }
    // The stages call ./chexnet: the launcher itself, with the jar this build packaged in its
    // place (newer than the copied sources, so the launcher runs it as it is).
    Files.copy(
        ShippedCommand.LAUNCHER, repo.resolve("chexnet"), StandardCopyOption.COPY_ATTRIBUTES);
    Path target = Files.createDirectories(repo.resolve("cli-module/target"));
    Files.copy(ShippedCommand.JAR, target.resolve("chexnet.jar"));
    Files.createSymbolicLink(target.resolve("lib"), ShippedCommand.JAR.resolveSibling("lib"));
    Files.writeString(repo.resolve(".gitignore"), "/mlruns/\n/cli-module/target/\n");
    run(repo, bin, "git", "init", "-q");
    run(repo, bin, "git", "add", "-A");
    run(repo, bin, "git", "commit", "-qm", "pipeline");

    String first = run(repo, bin, "dvc", "repro");
    assertFalse(first.contains(ShippedCommand.REBUILD_LINE), first);
    for (String stage : List.of("prepare", "train", "evaluate")) {
      assertTrue(first.contains("Running stage '" + stage + "'"), first);
    }
    String metrics = run(repo, bin, "dvc", "metrics", "show");
    assertTrue(metrics.contains("results/evaluate/metrics.json"), metrics);
    assertTrue(metrics.contains("mean_auroc"), metrics);
    assertTrue(metrics.contains("best_val_loss"), metrics);
    String plots = run(repo, bin, "dvc", "plots", "show", "--json");
    assertTrue(
        plots.contains("val_loss") && plots.contains("\"fpr\""),
        plots.substring(0, Math.min(2000, plots.length())));
    String nihHeader = Files.readAllLines(repo.resolve("results/train/predictions.csv")).get(0);
    assertTrue(nihHeader.contains("prob_Effusion"), nihHeader);
    evaluatedWithCalibrationAndSubgroups(repo, nihHeader);

    String second = run(repo, bin, "dvc", "repro");
    assertFalse(second.contains("Running stage"), second);

    // A parameter only the evaluate stage reads: only it runs again.
    Files.writeString(
        repo.resolve("params.yaml"), params.replace("replicates: 50", "replicates: 60"));
    String third = run(repo, bin, "dvc", "repro");
    assertTrue(third.contains("Running stage 'evaluate'"), third);
    assertFalse(third.contains("Running stage 'train'"), third);
    assertFalse(third.contains("Running stage 'prepare'"), third);

    run(repo, bin, "git", "add", "-A");
    run(repo, bin, "git", "commit", "-qm", "pipeline ran");
    String experiment = run(repo, bin, "dvc", "exp", "run", "-S", "train.optimizer.lr=0.0001");
    assertTrue(experiment.contains("Running stage 'train'"), experiment);
    assertFalse(experiment.contains("Running stage 'prepare'"), experiment);
    String shown = run(repo, bin, "dvc", "exp", "show", "--json");
    assertTrue(shown.contains("0.0001"), shown.substring(0, Math.min(3000, shown.length())));

    // Another dataset: synthetic CheXpert data, trained and evaluated on CheXpert's findings (the
    // columns of the train.csv the prepare stage wrote).
    String chexpert = run(repo, bin, "dvc", "exp", "run", "-S", "data.dataset=chexpert");
    for (String stage : List.of("prepare", "train", "evaluate")) {
      assertTrue(chexpert.contains("Running stage '" + stage + "'"), chexpert);
    }
    String metadata = Files.readAllLines(repo.resolve("data/quickstart/train.csv")).get(0);
    assertTrue(metadata.startsWith("Path,Sex,Age,Frontal/Lateral,AP/PA,No Finding,"), metadata);
    String findings = metadata.substring("Path,Sex,Age,Frontal/Lateral,AP/PA,".length());
    assertTrue(findings.contains(",Pleural Effusion,"), findings);
    String header = Files.readAllLines(repo.resolve("results/train/predictions.csv")).get(0);
    assertEquals("Image Index,prob_" + findings.replace(",", ",prob_"), header);
    evaluatedWithCalibrationAndSubgroups(repo, header);
    assertFalse(Files.exists(shipped.mavenCalls()), "the launcher tried to rebuild the jar");
  }

  /**
   * The evaluate stage's metrics name the findings of the predictions' {@code header}, with
   * calibration per finding and subgroups by sex, age and view.
   */
  private static void evaluatedWithCalibrationAndSubgroups(Path repo, String header)
      throws Exception {
    List<String> findings =
        Stream.of(header.split(",")).skip(1).map(c -> c.substring("prob_".length())).toList();
    JsonNode metrics =
        new ObjectMapper().readTree(repo.resolve("results/evaluate/metrics.json").toFile());
    assertEquals(findings, fieldNames(metrics.get("auroc")), metrics.toString());
    assertEquals(findings, fieldNames(metrics.get("calibration")), metrics.toString());
    assertEquals(List.of("sex", "age", "view"), fieldNames(metrics.get("subgroups")));
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /**
   * Runs a command in {@code dir} with the venv's bin first on PATH, then the shipped command's (no
   * mvn: the launcher must not rebuild); fails on a non-zero exit.
   */
  private String run(Path dir, Path bin, String... command) throws Exception {
    List<String> line = new ArrayList<>(List.of(command));
    if (Files.isExecutable(bin.resolve(command[0]))) {
      line.set(0, bin.resolve(command[0]).toString()); // PATH below is the child's, not ours
    }
    ProcessBuilder builder =
        new ProcessBuilder(line).directory(dir.toFile()).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.put("PATH", bin + ":" + shipped.path());
    env.put("DVC_NO_ANALYTICS", "1");
    env.put("GIT_AUTHOR_NAME", "test");
    env.put("GIT_AUTHOR_EMAIL", "test@example.org");
    env.put("GIT_COMMITTER_NAME", "test");
    env.put("GIT_COMMITTER_EMAIL", "test@example.org");
    Path log = Files.createTempFile("dvc", ".log");
    builder.redirectOutput(log.toFile());
    Process p = builder.start();
    assertTrue(p.waitFor(10, TimeUnit.MINUTES), String.join(" ", command) + " timed out");
    String out = Files.readString(log, StandardCharsets.UTF_8);
    Files.delete(log);
    assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
    return out;
  }

  private static void copyTree(Path from, Path to) throws Exception {
    List<Path> paths = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(from)) {
      walk.forEach(paths::add);
    }
    for (Path p : paths) {
      Path target = to.resolve(from.relativize(p).toString());
      if (Files.isDirectory(p)) {
        Files.createDirectories(target);
      } else {
        Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
  }
}
