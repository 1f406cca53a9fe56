package org.chexnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.chexnet.cli.ShippedCommand.Started;
import org.chexnet.dataset.Finding;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped command as a user runs it: {@code ./chexnet --help}, {@code java -jar
 * cli-module/target/chexnet.jar} from another directory, the README's quickstart for one epoch in a
 * fresh working directory, and {@code chexnet serve} on the run it made (health, one prediction
 * equal to the run's own). None of it rebuilds the jar this build packaged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LauncherIT {
  private static final Pattern SERVING_AT = Pattern.compile("at (http://127\\.0\\.0\\.1:\\d+/)");
  private static final ObjectMapper JSON = new ObjectMapper();

  private Path dir;
  private ShippedCommand shipped;
  private Path quickstart;
  private Started quickstartRun;

  @BeforeAll
  void runTheQuickstartForOneEpoch(@TempDir Path scratch) throws Exception {
    dir = scratch;
    shipped = new ShippedCommand(dir);
    quickstart = Files.createDirectories(dir.resolve("quickstart"));
    boolean hadData = Files.exists(ShippedCommand.ROOT.resolve("data/quickstart"));
    boolean hadRuns = Files.exists(ShippedCommand.ROOT.resolve("mlruns"));
    quickstartRun =
        shipped.chexnet(
            quickstart,
            "run",
            ShippedCommand.ROOT.resolve("experiments/quickstart.yaml").toString(),
            "--set",
            "train.epochs=1");
    assertEquals(0, quickstartRun.exitCode(10), quickstartRun.output());
    assertEquals(hadData, Files.exists(ShippedCommand.ROOT.resolve("data/quickstart")));
    assertEquals(hadRuns, Files.exists(ShippedCommand.ROOT.resolve("mlruns")));
  }

  @Test
  void helpListsTheCommandsWithoutRebuilding() throws Exception {
    Started help = shipped.chexnet(dir, "--help");
    assertEquals(0, help.exitCode(2), help.output());
    for (String command : List.of("run", "sweep", "serve", "predict", "evaluate", "data")) {
      assertTrue(help.output().contains("  " + command + " "), command + " in\n" + help.output());
    }
    shipped.assertNoRebuild(help);
  }

  @Test
  void theJarRunsFromAnyDirectoryThroughItsManifestClassPath() throws Exception {
    Started version = shipped.javaJar(dir, "--version");
    assertEquals(0, version.exitCode(2), version.output());
    assertTrue(version.output().contains("chexnet"), version.output());
    Started help = shipped.javaJar(dir, "run", "--help");
    assertEquals(0, help.exitCode(2), help.output());
    assertTrue(help.output().contains("--resume"), help.output());
  }

  @Test
  void theQuickstartTrainsOneEpochAndRecordsTheRunWhereItWasCalled() throws Exception {
    String console = quickstartRun.output();
    shipped.assertNoRebuild(quickstartRun);
    assertTrue(console.contains("Epoch 1/1"), console);
    Path run = onlyRun(quickstart);
    assertTrue(Files.readString(run.resolve("meta.yaml")).contains("status: 3"), "FINISHED");
    assertEquals(2, Files.readAllLines(run.resolve("artifacts/history.csv")).size(), "one epoch");
    JsonNode metrics = JSON.readTree(run.resolve("artifacts/metrics.json").toFile());
    double mean = metrics.path("mean_auroc").asDouble(Double.NaN);
    assertTrue(mean > 0.5 && mean <= 1, "one epoch learns something: " + metrics);
    assertTrue(Files.isDirectory(quickstart.resolve("data/quickstart/images")));
  }

  @Test
  void serveAnswersHealthAndPredictsAsTheRunDid() throws Exception {
    Path run = onlyRun(quickstart);
    Started serve = shipped.chexnet(quickstart, "serve", "--model", run.toString(), "--port", "0");
    try {
      Matcher url = SERVING_AT.matcher("");
      for (int i = 0; i < 1200 && serve.process().isAlive(); i++) {
        if (url.reset(serve.output()).find()) {
          break;
        }
        Thread.sleep(100);
      }
      assertTrue(url.reset(serve.output()).find(), serve.output());
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> health =
          http.send(
              HttpRequest.newBuilder(URI.create(url.group(1) + "health"))
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, health.statusCode(), health.body());
      assertTrue(health.body().contains("\"status\":\"ok\""), health.body());

      // The launcher states serve's heap (-Xmx2g): its memory budget is half of it, whatever the
      // machine's memory (the JVM reports the heap less one survivor space).
      HttpResponse<String> model =
          http.send(
              HttpRequest.newBuilder(URI.create(url.group(1) + "api/v1/model"))
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      long budget = JSON.readTree(model.body()).path("memory_budget_bytes").asLong();
      assertTrue(budget > 900L << 20 && budget <= 1L << 30, model.body());

      // A test image: the served model gives it the probabilities the run wrote for it.
      List<String> predictions = Files.readAllLines(run.resolve("artifacts/predictions.csv"));
      String[] row = predictions.get(1).split(",");
      Path image = quickstart.resolve("data/quickstart/images").resolve(row[0]);
      HttpResponse<String> predicted =
          http.send(
              HttpRequest.newBuilder(URI.create(url.group(1) + "api/v1/predict"))
                  .header("Content-Type", "image/png")
                  .POST(HttpRequest.BodyPublishers.ofFile(image))
                  .timeout(Duration.ofSeconds(60))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, predicted.statusCode(), predicted.body());
      JsonNode probabilities = JSON.readTree(predicted.body()).path("probabilities");
      for (int c = 0; c < Finding.COUNT; c++) {
        String finding = Finding.labels().get(c);
        assertEquals(
            Double.parseDouble(row[c + 1]),
            probabilities.path(finding).asDouble(Double.NaN),
            1e-4,
            finding + " of " + row[0] + ": " + predicted.body());
      }
    } finally {
      serve.process().destroy();
      serve.process().waitFor();
    }
    shipped.assertNoRebuild(serve);
  }

  /**
   * The launcher's own rule, in a copy of its layout: it builds ({@code mvn -B -q -DskipTests
   * -Dfmt.skip -Dstyle.color=never install}, quiet but for errors) when the jar is missing or a
   * main source is newer, and runs the jar otherwise (a newer test changes nothing in the jar).
   */
  @Test
  void theLauncherRebuildsOnlyAJarOlderThanTheSources() throws Exception {
    ShippedCommand recording = new ShippedCommand(Files.createDirectories(dir.resolve("stale")));
    Path copy = Files.createDirectories(dir.resolve("stale/checkout"));
    Path launcher = copy.resolve("chexnet");
    Files.copy(ShippedCommand.LAUNCHER, launcher);
    Path source = copy.resolve("common-module/src/main/java/A.java");
    Files.createDirectories(source.getParent());
    Files.writeString(source, "class A {}\n");

    Started missing = recording.launch(launcher, copy, Map.of(), "--help");
    assertEquals(1, missing.exitCode(2), missing.output());
    assertTrue(missing.output().contains(ShippedCommand.REBUILD_LINE), missing.output());
    assertEquals(
        List.of("-B -q -DskipTests -Dfmt.skip -Dstyle.color=never install"),
        Files.readAllLines(recording.mavenCalls()));

    Path target = Files.createDirectories(copy.resolve("cli-module/target"));
    Files.copy(ShippedCommand.JAR, target.resolve("chexnet.jar"));
    Files.createSymbolicLink(target.resolve("lib"), ShippedCommand.JAR.resolveSibling("lib"));
    Instant jarTime = Files.getLastModifiedTime(target.resolve("chexnet.jar")).toInstant();
    Files.setLastModifiedTime(source, FileTime.from(jarTime.plusSeconds(60)));
    Started stale = recording.launch(launcher, copy, Map.of(), "--help");
    assertEquals(1, stale.exitCode(2), stale.output());
    assertEquals(2, Files.readAllLines(recording.mavenCalls()).size(), "a newer source rebuilds");

    Files.setLastModifiedTime(source, FileTime.from(jarTime.minusSeconds(60)));
    Path test = copy.resolve("common-module/src/test/java/ATest.java");
    Files.createDirectories(test.getParent());
    Files.writeString(test, "class ATest {}\n");
    Files.setLastModifiedTime(test, FileTime.from(jarTime.plusSeconds(60))); // not in the jar
    Started current = recording.launch(launcher, copy, Map.of(), "--help");
    assertEquals(0, current.exitCode(2), current.output());
    assertFalse(current.output().contains(ShippedCommand.REBUILD_LINE), current.output());
    assertEquals(2, Files.readAllLines(recording.mavenCalls()).size(), "an up-to-date jar runs");
  }

  private static Path onlyRun(Path work) throws Exception {
    try (Stream<Path> runs = Files.walk(work.resolve("mlruns"), 2)) {
      List<Path> found = runs.filter(p -> Files.isRegularFile(p.resolve("meta.yaml"))).toList();
      List<Path> withArtifacts =
          found.stream().filter(p -> Files.isDirectory(p.resolve("artifacts"))).toList();
      assertEquals(1, withArtifacts.size(), found.toString());
      return withArtifacts.get(0);
    }
  }
}
