package org.chexnet.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers killed with SIGKILL at each step of a durable write (a child JVM stopped by {@link
 * CrashPoints}): what is on disk afterwards is the old version or the new one, and a later writer
 * or {@link AtomicFiles#deleteLeftovers} never loses the only complete copy.
 */
class AtomicFilesCrashTest {
  @TempDir Path dir;

  /**
   * Child JVM: {@code dir TARGET VERSION} replaces directory TARGET with one file, VERSION; {@code
   * publish TARGET VERSION} publishes it.
   */
  public static void main(String[] args) throws IOException {
    Path target = Path.of(args[1]);
    switch (args[0]) {
      case "dir" ->
          AtomicFiles.replaceDirectory(
              target, staging -> Files.writeString(staging.resolve("version"), args[2]));
      case "publish" ->
          AtomicFiles.publishDirectory(
              target, staging -> Files.writeString(staging.resolve("version"), args[2]));
      default -> AtomicFiles.write(target, args[2]);
    }
  }

  @Test
  void aKillBetweenTheTwoRenamesLeavesThePreviousVersionRetiredAndNextWritersKeepIt()
      throws Exception {
    Path target = dir.resolve("best");
    Path retired = AtomicFiles.retired(target);
    assertEquals(0, write("dir", target, "v1", null));

    assertEquals(137, write("dir", target, "v2", "1:retired "), "killed between the renames");
    assertFalse(Files.exists(target));
    assertEquals("v1", Files.readString(retired.resolve("version")), "the complete previous one");

    // A second writer killed once its new version is staged: the retired copy is still the one.
    assertEquals(137, write("dir", target, "v3", "1:filled "));
    assertFalse(Files.exists(target));
    assertEquals("v1", Files.readString(retired.resolve("version")));

    // Leftovers of the kills go; the retired copy, the only complete version, stays.
    AtomicFiles.deleteLeftovers(dir);
    assertEquals(List.of(retired.getFileName().toString()), names(dir));

    // Killed as the retired copy is deleted: only once the new version is in place.
    assertEquals(137, write("dir", target, "v4", "1:deleted .*/\\.best\\.old/"));
    assertEquals("v4", Files.readString(target.resolve("version")));
    AtomicFiles.deleteLeftovers(dir);
    assertEquals(List.of("best"), names(dir), "the half-deleted retired copy is a leftover");
  }

  @Test
  void aKillAtAnyStepOfAFileWriteLeavesTheOldOrTheNewContent() throws Exception {
    Path file = dir.resolve("metrics.json");
    assertEquals(0, write("file", file, "old", null));
    assertEquals(137, write("file", file, "new", "1:written "));
    assertEquals("old", Files.readString(file), "killed before the rename");
    assertEquals(2, names(dir).size(), "and its temporary file left: " + names(dir));
    AtomicFiles.deleteLeftovers(dir);
    assertEquals(List.of("metrics.json"), names(dir));
    assertEquals(137, write("file", file, "new", "1:renamed "));
    assertEquals("new", Files.readString(file), "killed after the rename");
  }

  @Test
  void aRetiredCopyWhoseDirectoryIsBackIsALeftover() throws Exception {
    Path target = dir.resolve("saved_model");
    assertEquals(0, write("dir", target, "v1", null));
    assertEquals(137, write("dir", target, "v2", "1:swapped "), "killed before the cleanup");
    assertTrue(Files.exists(AtomicFiles.retired(target)));
    assertEquals("v2", Files.readString(target.resolve("version")));
    AtomicFiles.deleteLeftovers(dir);
    assertEquals(List.of("saved_model"), names(dir));
  }

  @Test
  void aPublishKilledBeforeItsRenameLeavesNoDirectoryAndTheNextWriterPublishes() throws Exception {
    Path target = dir.resolve("synthetic");
    assertEquals(137, write("publish", target, "v1", "1:filled "));
    assertFalse(Files.exists(target), "nothing half written appears");
    AtomicFiles.deleteLeftovers(dir);
    assertEquals(List.of(), names(dir), "its staging directory is a leftover");
    assertEquals(137, write("publish", target, "v2", "1:renamed "));
    assertEquals("v2", Files.readString(target.resolve("version")), "killed after the rename");
    assertEquals(0, write("publish", target, "v3", null));
    assertEquals("v2", Files.readString(target.resolve("version")), "the first version is kept");
  }

  /** Runs {@link #main} in a new JVM, killed at {@code killAt} unless null; its exit code. */
  private static int write(String kind, Path target, String version, String killAt)
      throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (killAt != null) {
      command.add("-D" + CrashPoints.KILL_AT + "=" + killAt);
    }
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            AtomicFilesCrashTest.class.getName(),
            kind,
            target.toString(),
            version));
    Process process = new ProcessBuilder(command).inheritIO().start();
    assertTrue(process.waitFor(1, TimeUnit.MINUTES), "the writer did not end");
    return process.exitValue();
  }

  private static List<String> names(Path directory) throws IOException {
    try (Stream<Path> list = Files.list(directory)) {
      return list.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
