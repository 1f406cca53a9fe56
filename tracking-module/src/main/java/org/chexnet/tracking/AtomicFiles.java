package org.chexnet.tracking;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Writes that a crash cannot leave half done: content goes to a temporary file in the target's own
 * directory (so the rename stays on one file system), is forced to disk, then renamed over the
 * target.
 */
final class AtomicFiles {
  private AtomicFiles() {}

  static void write(Path target, byte[] content) throws IOException {
    replaceWith(
        target,
        temp -> {
          try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            writeFully(channel, content);
            channel.force(true);
          }
        });
  }

  static void copy(Path source, Path target) throws IOException {
    replaceWith(
        target,
        temp -> {
          Files.copy(source, temp, StandardCopyOption.REPLACE_EXISTING);
          try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            channel.force(true);
          }
        });
  }

  /**
   * Appends one line to a log-style file with a single write, then forces it. Used for metric
   * histories, which grow by one line per logged value: rewriting the whole file each time would
   * cost O(n^2) over a training run. A small append to a regular file is one write(2) that the
   * process cannot be interrupted half-way through, so readers see either the whole line or none.
   */
  static void appendLine(Path target, String line) throws IOException {
    Files.createDirectories(target.getParent());
    try (FileChannel channel =
        FileChannel.open(
            target,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.APPEND)) {
      writeFully(channel, (line + "\n").getBytes(StandardCharsets.UTF_8));
      channel.force(false);
    }
  }

  /** Fills a staging directory that then replaces the target directory. */
  interface DirectoryFiller {
    void fill(Path staging) throws IOException;
  }

  /**
   * Replaces directory {@code target} as a whole: {@code filler} fills a staging directory beside
   * it, which is swapped in, so readers never see a mix of old and new; a failing filler leaves the
   * old directory as it was.
   */
  static void replaceDirectory(Path target, DirectoryFiller filler) throws IOException {
    Path absolute = target.toAbsolutePath();
    Files.createDirectories(absolute.getParent());
    Path staging =
        Files.createTempDirectory(absolute.getParent(), "." + absolute.getFileName() + ".partial-");
    Path retired = absolute.resolveSibling("." + absolute.getFileName() + ".old");
    try {
      filler.fill(staging);
      deleteTree(retired);
      if (Files.exists(absolute)) {
        Files.move(absolute, retired, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(staging, absolute, StandardCopyOption.ATOMIC_MOVE);
      deleteTree(retired);
    } finally {
      deleteTree(staging);
    }
  }

  private interface TempFileFiller {
    void fill(Path temp) throws IOException;
  }

  private static void replaceWith(Path target, TempFileFiller filler) throws IOException {
    Path directory = target.toAbsolutePath().getParent();
    Files.createDirectories(directory);
    Path temp = Files.createTempFile(directory, "." + target.getFileName(), ".tmp");
    try {
      filler.fill(temp);
      // rename(2): atomically replaces an existing target.
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      // Only left after a failure; a stray temp file would show up as a param, tag or artifact.
      Files.deleteIfExists(temp);
    }
  }

  private static void writeFully(FileChannel channel, byte[] content) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(content);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  /** Deletes a directory tree (a staging copy left behind); absent is fine. */
  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
