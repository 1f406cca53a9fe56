package org.chexnet.dataset;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.chexnet.common.AtomicFiles;
import org.chexnet.common.Hashes;
import org.chexnet.common.Reporter;

/**
 * Content hashes of a directory's files on all cores, with a size+mtime cache ({@value #CACHE}) so
 * unchanged files are not read again. Files and directories whose name starts with '.' are not part
 * of the data (caches, staging, the hash cache itself).
 */
final class FileHashes {
  static final String CACHE = ".chexnet-hash-cache";

  private FileHashes() {}

  /** One file: '/'-separated path relative to the directory, size, sha-256 hex. */
  record Hashed(String path, long size, String sha256) {}

  private record Cached(long size, long mtimeNanos, String sha256) {}

  /**
   * Hashes every data file under {@code dir} except {@code excluded} (relative paths), reading only
   * files whose size or mtime changed since the cache was written (all of them if {@code useCache}
   * is false), then rewrites the cache.
   *
   * @return by relative path, sorted
   */
  static TreeMap<String, Hashed> hash(
      Path dir, List<String> excluded, boolean useCache, String label, Reporter reporter)
      throws IOException {
    Map<String, Cached> cache = useCache ? readCache(dir) : Map.of();
    TreeMap<String, Path> files = list(dir);
    excluded.forEach(files::remove);
    TreeMap<String, Hashed> hashed = new TreeMap<>();
    Map<String, Long> mtimes = new HashMap<>();
    Map<String, Path> toHash = new TreeMap<>();
    for (Map.Entry<String, Path> file : files.entrySet()) {
      BasicFileAttributes attributes =
          Files.readAttributes(file.getValue(), BasicFileAttributes.class);
      long mtime = attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS);
      mtimes.put(file.getKey(), mtime);
      Cached cached = cache.get(file.getKey());
      if (cached != null && cached.size() == attributes.size() && cached.mtimeNanos() == mtime) {
        hashed.put(file.getKey(), new Hashed(file.getKey(), cached.size(), cached.sha256()));
      } else {
        toHash.put(file.getKey(), file.getValue());
      }
    }
    Reporter.Task bar =
        reporter.task(
            label + " (" + hashed.size() + " unchanged)", toHash.size(), Reporter.Unit.FILES);
    try {
      for (Hashed h : hashOnAllCores(toHash, dir, bar::step)) {
        hashed.put(h.path(), h);
      }
    } finally {
      bar.close();
    }
    try {
      writeCache(dir, hashed, mtimes);
    } catch (IOException e) {
      // Only an optimisation: a read-only dataset (a shared mount) is still verifiable.
      reporter.warn("could not update the hash cache in " + dir + ": " + e);
    }
    return hashed;
  }

  /**
   * Hashes {@code files} (by relative path) on all cores, calling {@code hashedOne} after each.
   *
   * @return in {@code files}' order
   * @throws IOException naming a missing or unreadable file, or {@code dir} when interrupted
   */
  static List<Hashed> hashOnAllCores(Map<String, Path> files, Path dir, Runnable hashedOne)
      throws IOException {
    ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
    try {
      List<Future<Hashed>> futures = new ArrayList<>(files.size());
      files.forEach(
          (path, file) ->
              futures.add(
                  pool.submit(
                      () -> {
                        Hashed h = new Hashed(path, Files.size(file), Hashes.sha256Hex(file));
                        hashedOne.run();
                        return h;
                      })));
      List<Hashed> hashed = new ArrayList<>(futures.size());
      for (Future<Hashed> future : futures) {
        hashed.add(future.get());
      }
      return hashed;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while hashing " + dir, e);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Data files under dir by '/'-separated relative path, skipping dot-names at any depth. */
  static TreeMap<String, Path> list(Path dir) throws IOException {
    TreeMap<String, Path> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.filter(Files::isRegularFile)
          .forEach(
              file -> {
                Path relative = dir.relativize(file);
                for (Path part : relative) {
                  if (part.toString().startsWith(".")) {
                    return;
                  }
                }
                files.put(relative.toString().replace('\\', '/'), file);
              });
    }
    return files;
  }

  /**
   * sha-256 over "path NUL size NUL sha256 LF" per file in path order, as {@link DatasetDigest}.
   */
  static String digest(Iterable<Hashed> files) {
    MessageDigest digest = Hashes.sha256();
    for (Hashed file : files) {
      digest.update(
          (file.path() + '\0' + file.size() + '\0' + file.sha256() + '\n')
              .getBytes(StandardCharsets.UTF_8));
    }
    return Hashes.DIGEST_PREFIX + Hashes.hex(digest.digest());
  }

  /** Lines "sha256 TAB size TAB mtime-nanos TAB path"; an unreadable cache is just ignored. */
  private static Map<String, Cached> readCache(Path dir) throws IOException {
    Path file = dir.resolve(CACHE);
    Map<String, Cached> cache = new HashMap<>();
    if (!Files.isRegularFile(file)) {
      return cache;
    }
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String[] f = line.split("\t", 4);
      try {
        cache.put(f[3], new Cached(Long.parseLong(f[1]), Long.parseLong(f[2]), f[0]));
      } catch (RuntimeException e) {
        // A damaged cache only costs re-hashing; the manifest is what is trusted.
        return new HashMap<>();
      }
    }
    return cache;
  }

  private static void writeCache(Path dir, Map<String, Hashed> hashed, Map<String, Long> mtimes)
      throws IOException {
    StringBuilder out = new StringBuilder();
    for (Hashed h : hashed.values()) {
      out.append(h.sha256())
          .append('\t')
          .append(h.size())
          .append('\t')
          .append(mtimes.get(h.path()))
          .append('\t')
          .append(h.path())
          .append('\n');
    }
    AtomicFiles.write(dir.resolve(CACHE), out.toString());
  }
}
