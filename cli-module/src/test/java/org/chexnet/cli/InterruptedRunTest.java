package org.chexnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.chexnet.tracking.LocalRunStore;
import org.chexnet.tracking.Run;
import org.chexnet.tracking.RunProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `runs list` tells a run whose process was killed with {@code kill -9} (it stays RUNNING in
 * meta.yaml for ever) from one still going, by the pid, host and process start time the run
 * recorded, and says how to continue it.
 */
class InterruptedRunTest {
  @TempDir Path dir;

  private static String list(Path store) {
    PrintStream out = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      assertEquals(0, Chexnet.commandLine().execute("runs", "list", "--from", store.toString()));
    } finally {
      System.setOut(out);
    }
    return printed.toString(StandardCharsets.UTF_8);
  }

  private static String row(String listing, String runId) {
    return listing.lines().filter(l -> l.startsWith(runId)).findFirst().orElseThrow();
  }

  /** Records {@code process} as the one running {@code run}, as a run started there would. */
  private static void ranIn(Run run, long pid, long startMillis) throws Exception {
    Path tags = run.directory().resolve("tags");
    Files.writeString(tags.resolve(RunProcess.PID_TAG), String.valueOf(pid));
    Files.writeString(tags.resolve(RunProcess.START_TAG), String.valueOf(startMillis));
  }

  @Test
  void aRunWhoseProcessIsGoneIsInterruptedWithTheCommandThatContinuesIt() throws Exception {
    Path store = dir.resolve("mlruns");
    LocalRunStore local = new LocalRunStore(store);
    Run alive = local.startRun("e", "still-going");
    assertEquals(
        String.valueOf(ProcessHandle.current().pid()),
        Files.readString(alive.directory().resolve("tags").resolve(RunProcess.PID_TAG)));

    // A process that ran a run and was killed with SIGKILL.
    Run killed = local.startRun("e", "killed");
    Process child = new ProcessBuilder("sleep", "60").start();
    long childStart = child.info().startInstant().orElseThrow().toEpochMilli();
    ranIn(killed, child.pid(), childStart);
    child.destroyForcibly();
    assertTrue(child.waitFor(30, TimeUnit.SECONDS));

    // The recorded pid is this JVM's, but it started at another time: the pid was reused.
    Run reused = local.startRun("e", "pid-reused");
    long myStart = ProcessHandle.current().info().startInstant().orElseThrow().toEpochMilli();
    ranIn(reused, ProcessHandle.current().pid(), myStart - 3_600_000);

    String listing = list(store);
    assertTrue(row(listing, alive.id()).contains("RUNNING"), listing);
    assertFalse(row(listing, alive.id()).contains("INTERRUPTED"), listing);
    for (Run run : List.of(killed, reused)) {
      assertTrue(row(listing, run.id()).contains("INTERRUPTED"), listing);
      assertTrue(
          listing.contains(
              "Continue it with: chexnet run --resume " + run.id() + " --store " + store),
          listing);
    }
    assertFalse(listing.contains("--resume " + alive.id()), listing);
  }
}
