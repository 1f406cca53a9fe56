package org.chexnet.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What NIH's archives may and may not do when unpacked. */
class TarGzTest {
  @TempDir Path dir;

  @Test
  void unpacksFilesDirectoriesAndLongPaxNames() throws Exception {
    String longName = "images/" + "x".repeat(120) + ".png";
    byte[] tar =
        tar(
            out -> {
              directory(out, "images/");
              file(out, "images/00000001_000.png", new byte[] {1, 2, 3});
              file(out, longName, new byte[700]);
            });
    Path out = dir.resolve("out");
    assertEquals(2, TarGz.extract(archive(gzip(tar)), out));
    assertArrayEquals(
        new byte[] {1, 2, 3}, Files.readAllBytes(out.resolve("images/00000001_000.png")));
    assertEquals(700, Files.size(out.resolve(longName)));
  }

  @Test
  void symbolicAndHardLinksAreRefused() throws Exception {
    for (byte type : new byte[] {TarArchiveEntry.LF_SYMLINK, TarArchiveEntry.LF_LINK}) {
      byte[] tar =
          tar(
              out -> {
                TarArchiveEntry link = new TarArchiveEntry("images/link.png", type);
                link.setLinkName("/etc/passwd");
                out.putArchiveEntry(link);
                out.closeArchiveEntry();
              });
      Path out = dir.resolve("links-" + (char) type);
      IOException e = assertThrows(IOException.class, () -> TarGz.extract(archive(gzip(tar)), out));
      assertTrue(
          e.getMessage().contains("'images/link.png': unsupported entry type"), e.getMessage());
      assertTrue(e.getMessage().contains("(a link)"), e.getMessage());
      assertFalse(Files.exists(out.resolve("images/link.png")));
    }
  }

  @Test
  void entriesOutsideTheDirectoryAreRefused() throws Exception {
    for (String name : new String[] {"../evil.png", "images/../../evil.png", "/tmp/evil.png"}) {
      byte[] tar = tar(out -> file(out, name, new byte[] {1}));
      Path out = dir.resolve("escape");
      IOException e = assertThrows(IOException.class, () -> TarGz.extract(archive(gzip(tar)), out));
      assertTrue(e.getMessage().contains("refusing entry"), e.getMessage());
      assertFalse(Files.exists(dir.resolve("evil.png")));
    }
  }

  @Test
  void anArchiveCutBeforeItsEndMarkerIsTruncated() throws Exception {
    byte[] whole = tar(out -> file(out, "images/a.png", new byte[100]));
    // The header and the padded data, without the zero blocks that end a tar.
    byte[] cut = Arrays.copyOf(whole, 1024);
    IOException e = assertThrows(IOException.class, () -> TarGz.extract(archive(gzip(cut)), dir));
    assertTrue(
        e.getMessage().contains("truncated tar at byte 1024 (no end marker)"), e.getMessage());
  }

  @Test
  void anArchiveCutInsideAFileIsTruncatedAndLeavesNoPartialFile() throws Exception {
    byte[] whole = tar(out -> file(out, "images/a.png", new byte[5000]));
    byte[] cut = Arrays.copyOf(whole, 512 + 2000);
    Path out = dir.resolve("out");
    IOException e = assertThrows(IOException.class, () -> TarGz.extract(archive(gzip(cut)), out));
    assertTrue(e.getMessage().contains("'images/a.png'"), e.getMessage());
    try (var left = Files.list(out.resolve("images"))) {
      assertEquals(List.of(), left.toList(), "no image and no temporary file left");
    }
  }

  @Test
  void aGzipStreamCutShortIsCorrupt() throws Exception {
    byte[] gz = gzip(tar(out -> file(out, "images/a.png", new byte[5000])));
    byte[] cut = Arrays.copyOf(gz, gz.length - 10);
    IOException e = assertThrows(IOException.class, () -> TarGz.extract(archive(cut), dir));
    assertTrue(e.getMessage().contains("corrupt gzip data"), e.getMessage());
  }

  private interface Entries {
    void write(TarArchiveOutputStream out) throws IOException;
  }

  private static byte[] tar(Entries entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
      out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      entries.write(out);
    }
    return bytes.toByteArray();
  }

  private static void file(TarArchiveOutputStream out, String name, byte[] content)
      throws IOException {
    TarArchiveEntry entry = new TarArchiveEntry(name, true);
    entry.setSize(content.length);
    out.putArchiveEntry(entry);
    out.write(content);
    out.closeArchiveEntry();
  }

  private static void directory(TarArchiveOutputStream out, String name) throws IOException {
    out.putArchiveEntry(new TarArchiveEntry(name));
    out.closeArchiveEntry();
  }

  private static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }

  private Path archive(byte[] bytes) throws IOException {
    Path file = Files.createTempFile(dir, "images_", ".tar.gz");
    Files.write(file, bytes);
    return file;
  }
}
