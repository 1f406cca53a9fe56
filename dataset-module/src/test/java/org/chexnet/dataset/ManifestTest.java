package org.chexnet.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestTest {
  @TempDir Path dir;

  @BeforeEach
  void realFiles() throws IOException {
    Files.createDirectories(dir.resolve("images"));
    Files.copy(
        TestData.realImage(TestData.GRAY_IMAGE), dir.resolve("images/" + TestData.GRAY_IMAGE));
    Files.copy(
        TestData.realImage(TestData.RGBA_IMAGE), dir.resolve("images/" + TestData.RGBA_IMAGE));
    Files.copy(TestData.resource(TestData.CSV), dir.resolve(ChestXray14.DATA_ENTRY_CSV));
    Files.writeString(dir.resolve(".DS_Store"), "not data");
  }

  @Test
  void snapshotListsEveryDataFileAndReadsBackTheSame() throws IOException {
    Manifest written = Manifest.snapshot(dir);
    assertEquals(
        List.of(
            ChestXray14.DATA_ENTRY_CSV,
            "images/" + TestData.RGBA_IMAGE,
            "images/" + TestData.GRAY_IMAGE),
        written.files().stream().map(Manifest.FileEntry::path).toList());
    Manifest.FileEntry gray = written.files().get(2);
    assertEquals(Files.size(TestData.realImage(TestData.GRAY_IMAGE)), gray.size());
    assertEquals(
        org.chexnet.common.Hashes.sha256Hex(TestData.realImage(TestData.GRAY_IMAGE)),
        gray.sha256());
    assertTrue(written.digest().matches("sha256:[0-9a-f]{64}"));

    Manifest read = Manifest.read(dir);
    assertEquals(written.digest(), read.digest());
    assertEquals(written.files(), read.files());
    assertTrue(Manifest.verify(dir).matches());
    // One file a line, so git diffs name the changed files.
    String json = Files.readString(dir.resolve(Manifest.FILE_NAME));
    assertTrue(
        json.contains("\n    {\"path\":\"images/" + TestData.GRAY_IMAGE + "\",\"size\":"), json);
    assertTrue(Files.isRegularFile(dir.resolve(FileHashes.CACHE)));
  }

  @Test
  void digestDependsOnContentNotLocation(@TempDir Path other) throws IOException {
    String digest = Manifest.snapshot(dir).digest();
    Files.createDirectories(other.resolve("images"));
    for (String file :
        List.of(
            ChestXray14.DATA_ENTRY_CSV,
            "images/" + TestData.GRAY_IMAGE,
            "images/" + TestData.RGBA_IMAGE)) {
      Files.copy(dir.resolve(file), other.resolve(file));
    }
    assertEquals(digest, Manifest.snapshot(other).digest());
    Files.writeString(other.resolve("extra.txt"), "x");
    assertNotEquals(digest, Manifest.snapshot(other).digest());
  }

  @Test
  void verifyReportsMissingExtraAndChangedFiles() throws IOException {
    Manifest manifest = Manifest.snapshot(dir);
    Files.delete(dir.resolve("images/" + TestData.RGBA_IMAGE));
    Files.writeString(dir.resolve("images/new.png"), "new");
    Files.writeString(dir.resolve(ChestXray14.DATA_ENTRY_CSV), "changed");
    Manifest.Report report = manifest.verify(dir, false);
    assertEquals(List.of("images/" + TestData.RGBA_IMAGE), report.missing());
    assertEquals(List.of("images/new.png"), report.extra());
    assertEquals(List.of(ChestXray14.DATA_ENTRY_CSV), report.changed());
    assertEquals(
        "missing: images/00002578_000.png\n"
            + "extra: images/new.png\n"
            + "changed: Data_Entry_2017_v2020.csv\n"
            + "1 missing, 1 extra, 1 changed\n",
        report.describe(10));
    // The actual digest is what a fresh snapshot of the changed directory records.
    assertNotEquals(manifest.digest(), report.actualDigest());
    assertEquals(Manifest.snapshot(dir).digest(), report.actualDigest());
    assertEquals(report.actualDigest(), Manifest.verify(dir).actualDigest());
  }

  @Test
  void aHashCacheThatCannotBeWrittenDoesNotStopVerification() throws IOException {
    Manifest manifest = Manifest.snapshot(dir);
    // A non-empty directory in the cache's place cannot be replaced, even by root (as a read-only
    // mount refuses the write).
    Files.delete(dir.resolve(FileHashes.CACHE));
    Files.createDirectories(dir.resolve(FileHashes.CACHE).resolve("blocker"));
    Manifest.Report report = manifest.verify(dir, false);
    assertTrue(report.matches(), report.describe(5));
  }

  @Test
  void aManifestFileCanLiveAwayFromItsData(@TempDir Path elsewhere) throws IOException {
    Manifest written = Manifest.snapshot(dir);
    Path file = Files.move(dir.resolve(Manifest.FILE_NAME), elsewhere.resolve("data.json"));
    Manifest read = Manifest.readFile(file);
    assertEquals(written.digest(), read.digest());
    assertTrue(read.verify(dir, false).matches());
    assertThrows(NoSuchFileException.class, () -> Manifest.readFile(dir.resolve("none.json")));
  }

  @Test
  void unchangedSizeAndMtimeAreTrustedUnlessRehashingAll() throws IOException {
    Manifest manifest = Manifest.snapshot(dir);
    Path csv = dir.resolve(ChestXray14.DATA_ENTRY_CSV);
    FileTime mtime = Files.getLastModifiedTime(csv);
    byte[] bytes = Files.readAllBytes(csv);
    bytes[bytes.length - 2] ^= 1;
    Files.write(csv, bytes);
    Files.setLastModifiedTime(csv, mtime);
    // Same size and mtime: the cache says unchanged, so only a full re-hash sees it.
    assertTrue(manifest.verify(dir, false).matches());
    assertEquals(List.of(ChestXray14.DATA_ENTRY_CSV), manifest.verify(dir, true).changed());
  }

  @Test
  void readNamesTheProblem() throws IOException {
    assertTrue(
        assertThrows(NoSuchFileException.class, () -> Manifest.read(dir))
            .getMessage()
            .contains("run `chexnet data snapshot"));
    Manifest.snapshot(dir);
    Path file = dir.resolve(Manifest.FILE_NAME);
    String json = Files.readString(file);
    Files.writeString(file, json.replaceFirst("\"sha256\":\"[0-9a-f]{64}\"", "\"sha256\":\"xyz\""));
    assertEquals(
        file + ": files[0].sha256: expected 64 lower-case hex digits",
        assertThrows(IOException.class, () -> Manifest.read(dir)).getMessage());
    Files.writeString(file, json.replaceFirst("\"size\":\\d+", "\"size\":1"));
    assertTrue(
        assertThrows(IOException.class, () -> Manifest.read(dir))
            .getMessage()
            .startsWith(file + ": digest: recorded sha256:"));
    Files.writeString(file, "{");
    assertTrue(
        assertThrows(IOException.class, () -> Manifest.read(dir))
            .getMessage()
            .startsWith(file + ": not valid JSON"));
  }
}
