package org.chexnet.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunExportTest {
  @Test
  void exportReplacesTheTargetWithExactlyTheRunsArtifacts(@TempDir Path dir) throws Exception {
    LocalRunStore store = new LocalRunStore(dir.resolve("mlruns"));
    Path out = dir.resolve("results");
    try (Run first = store.startRun("e", "first")) {
      first.writeArtifact("metrics.json", "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
      first.writeArtifact("checkpoints/best/variables.index", new byte[] {1, 2});
      first.writeArtifact("only-in-first.txt", new byte[] {3});
      first.exportArtifacts(out);
      first.end(RunStatus.FINISHED);
    }
    assertEquals("{\"a\":1}", Files.readString(out.resolve("metrics.json")));
    try (Run second = store.startRun("e", "second")) {
      second.writeArtifact("metrics.json", "{\"a\":2}".getBytes(StandardCharsets.UTF_8));
      second.exportArtifacts(out);
      second.end(RunStatus.FINISHED);
    }
    assertEquals("{\"a\":2}", Files.readString(out.resolve("metrics.json")));
    assertFalse(Files.exists(out.resolve("only-in-first.txt")), "no mix of two runs");
    assertFalse(Files.exists(out.resolve("checkpoints")));
    try (Stream<Path> siblings = Files.list(dir)) {
      assertEquals(
          List.of("mlruns", "results"),
          siblings.map(p -> p.getFileName().toString()).sorted().toList(),
          "no staging or retired copies left behind");
    }
  }
}
