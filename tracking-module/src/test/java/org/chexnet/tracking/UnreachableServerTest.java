package org.chexnet.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tracking server that refuses connections from the first call on: the run is complete locally
 * and the command that copies it is said again when the run ends, where a person reads last.
 */
class UnreachableServerTest {
  @TempDir Path temp;

  @Test
  void thePushCommandIsRepeatedWhenTheRunEnds() throws Exception {
    URI refused;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      refused = URI.create("http://127.0.0.1:" + closed.getLocalPort());
    }
    Tracking tracking = Tracking.open(temp.resolve("mlruns"), Optional.of(refused), Map.of());
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream err = System.err;
    Run run;
    try {
      System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
      run = tracking.startRun("refused", "unreachable");
      RemoteTrackingTest.logTraining(run, 0, 2);
      run.end(RunStatus.FINISHED);
    } finally {
      System.setErr(err);
    }
    assertEquals("FINISHED", tracking.local().readRun(run.id()).status());
    String push = "chexnet runs push " + run.id() + " --to " + refused;
    List<String> lines = log.toString(StandardCharsets.UTF_8).strip().lines().toList();
    assertEquals(
        2, lines.stream().filter(line -> line.contains(push)).count(), String.join("\n", lines));
    assertTrue(lines.get(lines.size() - 1).contains(push), String.join("\n", lines));
  }
}
