package org.chexnet.tracking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RunTest {
  @TempDir Path temp;
  Run run;

  @BeforeEach
  void startRun() throws IOException {
    run = new LocalRunStore(temp.resolve("mlruns")).startRun("x", "r");
  }

  private String read(String relative) throws IOException {
    return Files.readString(run.directory().resolve(relative), StandardCharsets.UTF_8);
  }

  @Test
  void aFindingsNameBecomesAKeySegmentMlflowAccepts() throws Exception {
    assertEquals("Support Devices _PadChest_", Run.keySegment("Support Devices (PadChest)"));
    assertEquals("Pleural Effusion", Run.keySegment("Pleural Effusion"));
    assertEquals("a_b", Run.keySegment("a/b"));
    try (Run run = new LocalRunStore(temp.resolve("keys")).startRun("x", "keys")) {
      run.logMetric("test_auroc_" + Run.keySegment("Support Devices (PadChest)"), 0.5, 0);
      run.end(RunStatus.FINISHED);
    }
  }

  @Test
  void paramsAndTagsAreFilesHoldingExactlyTheValue() throws IOException {
    run.logParam("lr", "0.001");
    run.logParams(Map.of("optimizer/name", "adam", "batch size", "16"));
    run.setTag("stage", "smoke");
    run.setTags(Map.of("note", "naïve, ünïcode"));
    run.setTag("stage", "full");

    assertEquals("0.001", read("params/lr"));
    assertEquals("adam", read("params/optimizer/name"));
    assertEquals("16", read("params/batch size"));
    assertEquals("full", read("tags/stage"));
    assertEquals("naïve, ünïcode", read("tags/note"));
  }

  @Test
  void aParamCannotChangeButMayBeLoggedAgainUnchanged() throws IOException {
    run.logParam("epochs", "5");
    run.logParam("epochs", "5");

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> run.logParam("epochs", "6"));
    assertTrue(e.getMessage().contains("epochs"), e.getMessage());
    assertEquals("5", read("params/epochs"));
  }

  @Test
  void metricHistoryGetsOneLinePerValueWithTimestampAndStep() throws IOException {
    long before = System.currentTimeMillis();
    run.logMetric("train/loss", 0.5, 0);
    run.logMetric("train/loss", 0.25, 1);
    run.logMetric("train/loss", Double.NaN, 7);
    long after = System.currentTimeMillis();

    List<String> lines = Files.readAllLines(run.directory().resolve("metrics/train/loss"));
    assertEquals(3, lines.size());
    String[][] expected = {{"0.5", "0"}, {"0.25", "1"}, {"NaN", "7"}};
    for (int i = 0; i < lines.size(); i++) {
      String[] parts = lines.get(i).split(" ");
      assertEquals(3, parts.length, lines.get(i));
      long timestamp = Long.parseLong(parts[0]);
      assertTrue(timestamp >= before && timestamp <= after, lines.get(i));
      assertEquals(expected[i][0], parts[1]);
      assertEquals(expected[i][1], parts[2]);
    }
    assertTrue(read("metrics/train/loss").endsWith("7\n"));
  }

  @Test
  void aReopenedRunLogsWhatItsHistoryHoldsOnceAndDropsAKilledWritersLeftovers() throws IOException {
    LocalRunStore store = new LocalRunStore(temp.resolve("mlruns"));
    run.logMetric("val_loss", 0.5, 0);
    run.logMetric("val_loss", 0.25, 1);
    // What a writer killed part way leaves: its temporary file, a staging directory.
    Path temporary = Files.writeString(run.artifactsDir().resolve(".report.md.x1.tmp"), "half");
    Path staging = Files.createDirectories(run.artifactsDir().resolve(".best.partial.x2.tmp"));
    Files.writeString(staging.resolve("variables.index"), "half");

    Run resumed = store.reopenRun(run.id());
    assertTrue(Files.notExists(temporary) && Files.notExists(staging), "leftovers deleted");
    // The resumed run repeats epoch 1, then goes on.
    resumed.logMetric("val_loss", 0.25, 1);
    resumed.logMetric("val_loss", 0.125, 2);
    resumed.logMetric("val_loss", 0.125, 2);
    resumed.logMetric("val_loss", 0.3, 1); // another value at a logged step is history too
    List<String> history =
        Files.readAllLines(run.directory().resolve("metrics/val_loss")).stream()
            .map(line -> line.substring(line.indexOf(' ') + 1))
            .toList();
    assertEquals(List.of("0.5 0", "0.25 1", "0.125 2", "0.3 1"), history);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "../escape",
        "a/../b",
        "/absolute",
        "trailing/",
        "a//b",
        "./a",
        "semi;colon",
        "tab\tkey",
        "ü"
      })
  void badKeysAreRejectedNamingTheKey(String key) {
    for (Executable attempt :
        List.<Executable>of(
            () -> run.logParam(key, "v"),
            () -> run.setTag(key, "v"),
            () -> run.logMetric(key, 1, 0),
            () -> run.writeArtifact(key, new byte[0]))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, attempt);
      assertTrue(e.getMessage().contains("'" + key + "'"), e.getMessage());
    }
  }

  @Test
  void endSetsStatusAndEndTime() throws IOException {
    run.end(RunStatus.FINISHED);
    run.close();

    String meta = read("meta.yaml");
    assertTrue(meta.contains("\nstatus: 3\n"), meta);
    assertTrue(meta.matches("(?s).*\nend_time: \\d{13}\n.*"), meta);
  }

  @Test
  void closeWithoutEndMarksTheRunFailed() throws IOException {
    try (Run crashing = run) {
      crashing.logMetric("loss", 1.0, 0);
    }

    String meta = read("meta.yaml");
    assertTrue(meta.contains("\nstatus: 4\n"), meta);
    assertTrue(meta.matches("(?s).*\nend_time: \\d{13}\n.*"), meta);
  }

  @Test
  void statusCodesAreMlflows() {
    Map<RunStatus, Integer> codes = new LinkedHashMap<>();
    for (RunStatus status : RunStatus.values()) {
      codes.put(status, status.code());
    }
    assertEquals(
        Map.of(
            RunStatus.RUNNING,
            1,
            RunStatus.SCHEDULED,
            2,
            RunStatus.FINISHED,
            3,
            RunStatus.FAILED,
            4,
            RunStatus.KILLED,
            5),
        codes);
  }

  @Test
  void logArtifactCopiesAFile() throws IOException {
    Path source = Files.writeString(temp.resolve("report.json"), "{\"auroc\": 0.84}");

    Path top = run.logArtifact(source, "");
    Path nested = run.logArtifact(source, "eval/test");

    assertEquals(run.artifactsDir().resolve("report.json"), top);
    assertEquals(run.artifactsDir().resolve("eval/test/report.json"), nested);
    assertEquals("{\"auroc\": 0.84}", Files.readString(top));
    assertEquals("{\"auroc\": 0.84}", Files.readString(nested));
  }

  @Test
  void logArtifactCopiesADirectoryTree() throws IOException {
    Path model = Files.createDirectories(temp.resolve("saved_model/variables"));
    Files.writeString(temp.resolve("saved_model/saved_model.pb"), "graph");
    Files.writeString(model.resolve("variables.index"), "index");

    Path copy = run.logArtifact(temp.resolve("saved_model"), "model");

    assertEquals(run.artifactsDir().resolve("model/saved_model"), copy);
    assertEquals("graph", Files.readString(copy.resolve("saved_model.pb")));
    assertEquals("index", Files.readString(copy.resolve("variables/variables.index")));
    assertEquals(List.of(), leftoverTempFiles());
  }

  @Test
  void writeArtifactReplacesContentAtomicallyLeavingNoTempFiles() throws IOException {
    run.writeArtifact("eval/metrics.csv", "old".getBytes(StandardCharsets.UTF_8));
    Path written =
        run.writeArtifact("eval/metrics.csv", "label,auroc\n".getBytes(StandardCharsets.UTF_8));
    run.logParam("p", "v");
    run.setTag("t", "v");

    assertEquals(run.artifactsDir().resolve("eval/metrics.csv"), written);
    assertArrayEquals(
        "label,auroc\n".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(written));
    assertEquals(List.of(), leftoverTempFiles());
  }

  private List<Path> leftoverTempFiles() throws IOException {
    try (Stream<Path> files = Files.walk(run.directory())) {
      return files.filter(file -> file.getFileName().toString().endsWith(".tmp")).toList();
    }
  }
}
