package org.chexnet.common;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes that a crash cannot leave half done, and that survive a power cut once they returned: the
 * content goes to a temporary file in the target's own directory (so the rename stays on one file
 * system), is forced to disk, renamed over the target, and the directory is forced so the rename
 * itself is durable. Readers (dvc, MLflow, a watching dashboard) see the old file or the new one,
 * never a mix.
 *
 * <p>The temporary file is created like any other file, so the result has the mode the umask gives
 * (0644 under umask 022), not the owner-only mode of {@link Files#createTempFile}. Its name starts
 * with '.': stores that list a directory skip it.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes a file's content; throwing leaves the target as it was. */
  public interface ContentWriter {
    void writeTo(OutputStream out) throws IOException;
  }

  public static void write(Path target, byte[] content) throws IOException {
    write(target, out -> out.write(content));
  }

  /**
   * Streams content (a download, a copy) into the target; when {@code writer} throws (a failed
   * checksum), nothing replaces the target.
   */
  public static void write(Path target, ContentWriter writer) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path directory = absolute.getParent();
    Files.createDirectories(directory);
    Path temp = createTemp(directory, absolute.getFileName().toString());
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        OutputStream out = Channels.newOutputStream(channel);
        writer.writeTo(out);
        out.flush();
        channel.force(true);
      }
      CrashPoints.reached("written", absolute);
      // rename(2): atomically replaces an existing target.
      Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE);
      CrashPoints.reached("renamed", absolute);
      forceDirectory(directory);
    } finally {
      // Only left after a failure; a stray temp file would show up as a param, tag or artifact.
      Files.deleteIfExists(temp);
    }
  }

  /** UTF-8 text. */
  public static void write(Path target, String content) throws IOException {
    write(target, content.getBytes(StandardCharsets.UTF_8));
  }

  /** A copy of {@code source} that appears at {@code target} only when complete. */
  public static void copy(Path source, Path target) throws IOException {
    write(target, out -> Files.copy(source, out));
  }

  /**
   * Appends one line to a log-style file with a single write, then forces it. Used for metric
   * histories, which grow by one line per logged value: rewriting the whole file each time would
   * cost O(n^2) over a training run. A small append to a regular file is one write(2) that the
   * process cannot be interrupted half-way through, so readers see either the whole line or none.
   */
  public static void appendLine(Path target, String line) throws IOException {
    Files.createDirectories(target.toAbsolutePath().getParent());
    try (FileChannel channel =
        FileChannel.open(
            target,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.APPEND)) {
      writeFully(channel, (line + "\n").getBytes(StandardCharsets.UTF_8));
      CrashPoints.reached("appended", target);
      channel.force(false);
    }
  }

  /** Fills a staging directory that then becomes the target directory. */
  public interface DirectoryFiller {
    void fill(Path staging) throws IOException;
  }

  /**
   * Replaces directory {@code target} as a whole: {@code filler} fills a staging directory beside
   * it, which is swapped in, so readers never see a mix of old and new; a failing filler leaves the
   * old directory as it was. The staging directory is created empty with the umask's mode.
   *
   * <p>At every instant a complete version is on disk: the target, or between the two renames its
   * previous version at {@link #retired}. When a crash left the target absent and the retired copy
   * there, that copy is kept until the new version is in place.
   */
  public static void replaceDirectory(Path target, DirectoryFiller filler) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path parent = absolute.getParent();
    Files.createDirectories(parent);
    Path staging = createTemp(parent, absolute.getFileName() + ".partial", true);
    Path retired = retired(absolute);
    try {
      filler.fill(staging);
      CrashPoints.reached("filled", absolute);
      if (Files.exists(absolute)) {
        FileTrees.delete(retired);
        Files.move(absolute, retired, StandardCopyOption.ATOMIC_MOVE);
        CrashPoints.reached("retired", absolute);
      }
      Files.move(staging, absolute, StandardCopyOption.ATOMIC_MOVE);
      forceDirectory(parent);
      CrashPoints.reached("swapped", absolute);
      FileTrees.delete(retired);
    } finally {
      FileTrees.delete(staging);
    }
  }

  /**
   * Makes directory {@code target} appear complete or not at all, for a directory only ever written
   * once (a generated dataset, which concurrent trials of a sweep may all set out to write): {@code
   * filler} fills a staging directory beside it, whose files and directories are forced to disk
   * before it is renamed into place. An empty directory at {@code target} is replaced; a non-empty
   * one is another writer's published version: it is kept and ours discarded. A failing filler
   * leaves {@code target} as it was.
   *
   * @return false when another writer's version was already there
   */
  public static boolean publishDirectory(Path target, DirectoryFiller filler) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path parent = absolute.getParent();
    Files.createDirectories(parent);
    Path staging = createTemp(parent, absolute.getFileName().toString(), true);
    try {
      filler.fill(staging);
      forceTree(staging);
      CrashPoints.reached("filled", absolute);
      if (Files.isDirectory(absolute, LinkOption.NOFOLLOW_LINKS)) {
        try {
          Files.delete(absolute);
        } catch (DirectoryNotEmptyException published) {
          return false;
        }
      }
      try {
        Files.move(staging, absolute, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
        if (Files.isDirectory(absolute)) {
          return false; // published meanwhile
        }
        throw e;
      }
      CrashPoints.reached("renamed", absolute);
      forceDirectory(parent);
      return true;
    } finally {
      FileTrees.delete(staging);
    }
  }

  /**
   * Renames a complete file or directory tree (a finished download, a cache built in a staging
   * directory a resumed writer continues) over {@code target} durably: its content is forced to
   * disk first and the rename after it, so a crash leaves {@code source} or {@code target}, each
   * whole. Both must be on one file system; a directory target must be absent or empty.
   */
  public static void moveInto(Path source, Path target) throws IOException {
    Path absolute = target.toAbsolutePath();
    forceTree(source);
    CrashPoints.reached("written", absolute);
    // rename(2): atomically replaces an existing file.
    Files.move(source, absolute, StandardCopyOption.ATOMIC_MOVE);
    CrashPoints.reached("renamed", absolute);
    forceDirectory(absolute.getParent());
  }

  /**
   * Deletes what writers killed part way left under {@code root}: their temporary files and staging
   * directories, and retired copies whose directory is back in place. A retired copy whose
   * directory is absent is kept: it is the complete version a reader falls back to. Only for a tree
   * no one writes to at the time (a killed run about to be resumed).
   */
  public static void deleteLeftovers(Path root) throws IOException {
    if (!Files.isDirectory(root)) {
      return;
    }
    List<Path> leftovers = new ArrayList<>();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
            if (!dir.equals(root) && isLeftover(dir)) {
              leftovers.add(dir);
              return FileVisitResult.SKIP_SUBTREE;
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
            if (isLeftover(file)) {
              leftovers.add(file);
            }
            return FileVisitResult.CONTINUE;
          }
        });
    for (Path leftover : leftovers) {
      FileTrees.delete(leftover);
    }
  }

  private static boolean isLeftover(Path path) {
    String name = path.getFileName().toString();
    if (!name.startsWith(".")) {
      return false;
    }
    if (name.endsWith(".tmp")) {
      return true;
    }
    if (name.endsWith(".old")) {
      String retiredOf = name.substring(1, name.length() - ".old".length());
      return Files.exists(path.resolveSibling(retiredOf));
    }
    return false;
  }

  /**
   * Where {@link #replaceDirectory} keeps the old directory between its two renames: after a crash
   * there it is the complete previous version.
   */
  public static Path retired(Path target) {
    Path absolute = target.toAbsolutePath();
    return absolute.resolveSibling("." + absolute.getFileName() + ".old");
  }

  private static Path createTemp(Path directory, String name) throws IOException {
    return createTemp(directory, name, false);
  }

  /** A new empty file or directory, created with the default (umask) permissions. */
  private static Path createTemp(Path directory, String name, boolean asDirectory)
      throws IOException {
    while (true) {
      String suffix = Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
      Path temp = directory.resolve("." + name + "." + suffix + ".tmp");
      try {
        return asDirectory ? Files.createDirectory(temp) : Files.createFile(temp);
      } catch (FileAlreadyExistsException taken) {
        // another writer drew the same name: draw again
      }
    }
  }

  /** Forces every file and directory under {@code root} (or the file {@code root}) to disk. */
  private static void forceTree(Path root) throws IOException {
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
              throws IOException {
            if (attributes.isRegularFile()) {
              try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                channel.force(true);
              }
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException failure)
              throws IOException {
            if (failure != null) {
              throw failure;
            }
            forceDirectory(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /**
   * Forces a directory's entries (a rename into it) to disk. Windows cannot open a directory for
   * this; there NTFS journals the rename itself.
   */
  private static void forceDirectory(Path directory) throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (AccessDeniedException | UnsupportedOperationException notOnThisPlatform) {
      // see above
    }
  }

  private static void writeFully(FileChannel channel, byte[] content) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(content);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }
}
