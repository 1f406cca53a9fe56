package org.chexnet.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  @Test
  void aWrittenFileHasTheModeTheUmaskGivesNotATempFilesOwnerOnlyMode() throws Exception {
    Path plain = Files.createFile(dir.resolve("plain"));
    Path written = dir.resolve("written.json");
    AtomicFiles.write(written, "{}");
    Set<PosixFilePermission> umaskMode = Files.getPosixFilePermissions(plain);
    assertEquals(umaskMode, Files.getPosixFilePermissions(written));
    if (umaskMode.equals(PosixFilePermissions.fromString("rw-r--r--"))) {
      // Under umask 022, as on CI: readable by the group and others, as dvc and MLflow expect.
      assertFalse(
          Files.getPosixFilePermissions(Files.createTempFile(dir, "t", ".tmp")).equals(umaskMode),
          "createTempFile's 0600 would differ");
    }
    Path copy = dir.resolve("copy.json");
    AtomicFiles.copy(written, copy);
    assertEquals(umaskMode, Files.getPosixFilePermissions(copy));
  }

  @Test
  void replacesTheWholeFileAndLeavesNoTemporaryFiles() throws Exception {
    Path file = dir.resolve("sub/metrics.json");
    AtomicFiles.write(file, "first, longer content");
    AtomicFiles.write(file, "second");
    assertEquals("second", Files.readString(file));
    AtomicFiles.copy(file, dir.resolve("sub/copy"));
    assertEquals("second", Files.readString(dir.resolve("sub/copy")));
    assertEquals(List.of("copy", "metrics.json"), names(dir.resolve("sub")));
  }

  @Test
  void aFailedWriteKeepsTheOldFileAndRemovesItsTemporaryFile() throws Exception {
    Path file = dir.resolve("kept.txt");
    AtomicFiles.write(file, "old");
    assertThrows(
        IOException.class, () -> AtomicFiles.copy(dir.resolve("missing"), dir.resolve("kept.txt")));
    assertEquals("old", Files.readString(file));
    assertEquals(List.of("kept.txt"), names(dir));
  }

  @Test
  void appendLineGrowsTheFileByWholeLines() throws Exception {
    Path history = dir.resolve("metrics/loss");
    AtomicFiles.appendLine(history, "1 0.5 0");
    AtomicFiles.appendLine(history, "2 0.25 1");
    assertEquals(List.of("1 0.5 0", "2 0.25 1"), Files.readAllLines(history));
  }

  @Test
  void replaceDirectorySwapsTheWholeTreeOrNothing() throws Exception {
    Path target = dir.resolve("artifacts");
    AtomicFiles.replaceDirectory(target, staging -> Files.writeString(staging.resolve("a"), "1"));
    AtomicFiles.replaceDirectory(target, staging -> Files.writeString(staging.resolve("b"), "2"));
    assertEquals(List.of("b"), names(target));
    assertThrows(
        IOException.class,
        () ->
            AtomicFiles.replaceDirectory(
                target,
                staging -> {
                  Files.writeString(staging.resolve("c"), "3");
                  throw new IOException("disk full");
                }));
    assertEquals(List.of("b"), names(target), "the old directory is kept");
    assertEquals(List.of("artifacts"), names(dir), "no staging or retired copy left");
  }

  @Test
  void publishDirectoryKeepsAnotherWritersVersionAndReplacesAnEmptyDirectory() throws Exception {
    Path target = dir.resolve("synthetic");
    Files.createDirectories(target);
    assertTrue(
        AtomicFiles.publishDirectory(
            target, staging -> Files.writeString(staging.resolve("first"), "1")),
        "an empty directory is replaced");
    assertFalse(
        AtomicFiles.publishDirectory(
            target, staging -> Files.writeString(staging.resolve("second"), "2")));
    assertEquals(List.of("first"), names(target), "the version published first is kept");
    assertThrows(
        IOException.class,
        () ->
            AtomicFiles.publishDirectory(
                dir.resolve("failed"),
                staging -> {
                  Files.writeString(staging.resolve("half"), "x");
                  throw new IOException("disk full");
                }));
    assertEquals(List.of("synthetic"), names(dir), "no staging directory or half version left");
  }

  @Test
  void moveIntoReplacesTheTargetWithTheWholeSource() throws Exception {
    Path part = dir.resolve("state/images_001.tar.gz.part");
    Files.createDirectories(part.getParent());
    Files.writeString(part, "new");
    Path target = dir.resolve("state/images_001.tar.gz");
    Files.writeString(target, "old");
    AtomicFiles.moveInto(part, target);
    assertEquals("new", Files.readString(target));
    assertFalse(Files.exists(part));

    Path staging = dir.resolve("cache.partial");
    Files.createDirectories(staging.resolve("shards"));
    Files.writeString(staging.resolve("shards/0"), "pixels");
    AtomicFiles.moveInto(staging, dir.resolve("cache"));
    assertEquals("pixels", Files.readString(dir.resolve("cache/shards/0")));
    assertFalse(Files.exists(staging));
  }

  @Test
  void deletingATreeRemovesEverythingAndAnAbsentTreeIsFine() throws Exception {
    Path root = dir.resolve("backup");
    Files.createDirectories(root.resolve("model-e1/variables"));
    Files.writeString(root.resolve("model-e1/variables/data"), "x");
    Files.writeString(root.resolve("state.json"), "{}");
    FileTrees.delete(root);
    assertFalse(Files.exists(root));
    FileTrees.delete(root);
  }

  @Test
  void hashesMatchThePublishedSha256TestVector() throws Exception {
    // FIPS 180-2, appendix B.1: SHA-256("abc").
    String abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    assertEquals(abc, Hashes.sha256Hex("abc".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertEquals("sha256:" + abc, Hashes.digest("abc"));
    Path file = dir.resolve("abc");
    Files.writeString(file, "abc");
    assertEquals(abc, Hashes.sha256Hex(file));
    assertTrue(Hashes.hex(Hashes.md5().digest(new byte[0])).startsWith("d41d8cd98f00b204"));
  }

  private static List<String> names(Path directory) throws IOException {
    try (Stream<Path> list = Files.list(directory)) {
      return list.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
