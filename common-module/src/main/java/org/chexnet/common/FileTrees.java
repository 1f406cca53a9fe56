package org.chexnet.common;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.stream.Stream;

/** Directory trees as a whole. */
public final class FileTrees {
  private FileTrees() {}

  /**
   * Deletes {@code root} and everything below it (a staging copy left behind, a finished run's
   * backup); an absent root is fine. Symbolic links are deleted, not followed.
   */
  public static void delete(Path root) throws IOException {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
              throws IOException {
            Files.delete(file);
            CrashPoints.reached("deleted", file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException failure)
              throws IOException {
            if (failure != null && !(failure instanceof NoSuchFileException)) {
              throw failure;
            }
            Files.delete(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /**
   * Copies the tree under {@code source} into {@code destination}, every file with {@link
   * AtomicFiles#copy}, so no file there is ever half copied.
   */
  public static void copy(Path source, Path destination) throws IOException {
    List<Path> tree;
    try (Stream<Path> walk = Files.walk(source)) {
      tree = walk.toList();
    }
    for (Path item : tree) {
      Path target = destination.resolve(source.relativize(item).toString());
      if (Files.isDirectory(item)) {
        Files.createDirectories(target);
      } else {
        AtomicFiles.copy(item, target);
      }
    }
  }
}
