package org.chexnet.dataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.chexnet.common.Reporter;

/**
 * The prepare entry point run in a child JVM by {@link PreparedCacheTest}, which kills it mid-way:
 * args IMAGES_DIR CACHE_ROOT SHARD_IMAGES MILLIS_PER_IMAGE DECODE_LOG. Each image is handed out
 * after a pause, so that the kill lands while shards are being written, and its name appended to
 * DECODE_LOG as its decoding starts; the images are the directory's files in name order, plus one
 * missing name (skipped).
 */
public final class PrepareMain {
  static final String MISSING = "missing.png";
  static final String DIGEST = "sha256:kill-test";
  static final int SIZE = 64;
  static final int WORKERS = 2;

  public static void main(String[] args) throws Exception {
    Path images = Path.of(args[0]);
    long pause = Long.parseLong(args[3]);
    Path decodeLog = Path.of(args[4]);
    PreparedCache.prepare(
        name -> {
          try {
            Thread.sleep(pause);
            // One O_APPEND write per name: whole lines, whichever thread writes.
            Files.writeString(
                decodeLog, name + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          return images.resolve(name);
        },
        names(images),
        Path.of(args[1]),
        DIGEST,
        SIZE,
        PreparedCache.OnBadImage.SKIP,
        WORKERS,
        Integer.parseInt(args[2]),
        Reporter.silent());
  }

  static List<String> names(Path images) throws IOException {
    try (var files = Files.list(images)) {
      List<String> names =
          new java.util.ArrayList<>(files.map(f -> f.getFileName().toString()).sorted().toList());
      names.add(names.size() / 2, MISSING);
      return names;
    }
  }
}
