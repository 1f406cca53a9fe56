package org.chexnet.dataset;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.chexnet.common.Hashes;

/**
 * One digest for the data a run uses, so a result can name exactly what it was trained and scored
 * on: sha-256 over one line "relative path NUL size NUL content sha-256 LF" per file, in sorted
 * path order, for the metadata files and every named image. Files are hashed on all cores.
 */
public final class DatasetDigest {
  private DatasetDigest() {}

  /**
   * @return "sha256:" followed by 64 hex digits
   * @throws IOException naming a missing or unreadable file
   */
  public static String of(Dataset data, Collection<String> imageIndexes) throws IOException {
    // Relative paths with '/' so the digest is the same wherever and on whatever OS the dataset
    // lives.
    TreeMap<String, Path> files = new TreeMap<>();
    for (Path file : data.metadataFiles()) {
      files.put(relative(data.root(), file), file);
    }
    for (String imageIndex : imageIndexes) {
      Path image = data.imagePath(imageIndex);
      files.put(relative(data.root(), image), image);
    }

    ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
    try {
      List<Future<String>> lines = new ArrayList<>(files.size());
      files.forEach(
          (name, file) ->
              lines.add(
                  pool.submit(
                      () ->
                          name + '\0' + Files.size(file) + '\0' + Hashes.sha256Hex(file) + '\n')));
      MessageDigest digest = Hashes.sha256();
      for (Future<String> line : lines) {
        digest.update(line.get().getBytes(StandardCharsets.UTF_8));
      }
      return Hashes.DIGEST_PREFIX + Hashes.hex(digest.digest());
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while hashing " + data.root(), e);
    } finally {
      pool.shutdownNow();
    }
  }

  private static String relative(Path root, Path file) {
    return root.relativize(file).toString().replace('\\', '/');
  }
}
