package org.chexnet.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.chexnet.common.Hashes;
import org.chexnet.common.Reporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreparedCacheTest {
  private static final int SHARD = 8;

  @TempDir Path dir;

  @Test
  void preparedImagesAreTheDecodersAndBadOnesAreSkipped() throws IOException {
    Path images = images(40);
    List<String> names = PrepareMain.names(images);
    PreparedCache cache = prepare(images, names, dir.resolve("cache"), name -> {});
    assertEquals(40, cache.imageCount());
    assertEquals(Set.of(PrepareMain.MISSING), cache.skipped().keySet());
    ImageDecoder decoder = new ImageDecoder(PrepareMain.SIZE);
    for (String name : names) {
      if (!name.equals(PrepareMain.MISSING)) {
        assertArrayEquals(decoder.decodeGray(images.resolve(name)), cache.gray(name), name);
      }
    }
  }

  /**
   * A real prepare in a child JVM, SIGKILLed after a few shards, then resumed: the finished shards
   * are kept as they are (same files) and none of their images is decoded again; a half-written
   * shard is not used; the final cache equals an uninterrupted one byte for byte.
   */
  @Test
  void aKilledPrepareResumesWithoutRedoingFinishedShards() throws Exception {
    Path images = images(120);
    List<String> names = PrepareMain.names(images);
    Path cacheRoot = dir.resolve("killed");
    Path staging =
        Path.of(
            PreparedCache.directory(cacheRoot, PrepareMain.DIGEST, PrepareMain.SIZE) + ".partial");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                PrepareMain.class.getName(),
                images.toString(),
                cacheRoot.toString(),
                String.valueOf(SHARD),
                "40")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("child.log").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (finishedShards(staging).size() < 4) {
      assertTrue(child.isAlive(), "the prepare ended before it was killed: " + log());
      assertTrue(System.nanoTime() < deadline, "no 4 shards within 60 s: " + log());
      Thread.sleep(20);
    }
    child.destroyForcibly(); // SIGKILL
    assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    Map<String, Object> finished = finishedShards(staging);
    int shards = (names.size() + SHARD - 1) / SHARD;
    assertTrue(finished.size() < shards, "the kill came after the last shard");
    // A shard a kill interrupted between its pixels and its list must be decoded again.
    int halfWritten = shards - 1;
    assertFalse(finished.containsKey(shardFile(halfWritten)));
    Files.write(staging.resolve(shardFile(halfWritten)), new byte[] {1, 2, 3});

    Set<String> decodedAgain = ConcurrentHashMap.newKeySet();
    prepare(images, names, cacheRoot, decodedAgain::add);
    Set<String> fromFinishedShards = new java.util.HashSet<>();
    for (String shard : finished.keySet()) {
      int index = Integer.parseInt(shard.replaceAll("\\D", ""));
      fromFinishedShards.addAll(
          names.subList(index * SHARD, Math.min(names.size(), (index + 1) * SHARD)));
    }
    for (String name : fromFinishedShards) {
      assertFalse(decodedAgain.contains(name), name + " was decoded again");
    }
    assertEquals(names.size() - fromFinishedShards.size(), decodedAgain.size());
    Path target = PreparedCache.directory(cacheRoot, PrepareMain.DIGEST, PrepareMain.SIZE);
    for (Map.Entry<String, Object> shard : finished.entrySet()) {
      assertEquals(
          shard.getValue(),
          Files.readAttributes(target.resolve(shard.getKey()), "unix:ino").get("ino"),
          shard.getKey() + " was written again");
    }
    assertFalse(Files.exists(staging));

    Path fresh = dir.resolve("uninterrupted");
    prepare(images, names, fresh, name -> {});
    assertEquals(
        contents(PreparedCache.directory(fresh, PrepareMain.DIGEST, PrepareMain.SIZE)),
        contents(target));
  }

  private String log() throws IOException {
    return Files.readString(dir.resolve("child.log"));
  }

  private Path images(int count) throws IOException {
    Path data = dir.resolve("data");
    SyntheticChestXray14.write(data, count, 96, 3);
    return data.resolve(ChestXray14.IMAGES_DIR);
  }

  private static PreparedCache prepare(
      Path images, List<String> names, Path cacheRoot, java.util.function.Consumer<String> seen)
      throws IOException {
    return PreparedCache.prepare(
        name -> {
          seen.accept(name);
          return images.resolve(name);
        },
        names,
        cacheRoot,
        PrepareMain.DIGEST,
        PrepareMain.SIZE,
        PreparedCache.OnBadImage.SKIP,
        2,
        SHARD,
        Reporter.silent());
  }

  private static String shardFile(int shard) {
    return String.format("shard-%05d.bin", shard);
  }

  /** Shard files whose list is written (finished), to their inode. */
  private static Map<String, Object> finishedShards(Path staging) throws IOException {
    Map<String, Object> finished = new HashMap<>();
    if (!Files.isDirectory(staging)) {
      return finished;
    }
    try (Stream<Path> files = Files.list(staging)) {
      for (Path list : files.filter(f -> f.toString().endsWith(".tsv")).toList()) {
        String shard = list.getFileName().toString().replace(".tsv", ".bin");
        finished.put(shard, Files.readAttributes(staging.resolve(shard), "unix:ino").get("ino"));
      }
    }
    return finished;
  }

  /** Relative path to bytes, of every file under {@code root}. */
  private static Map<String, String> contents(Path root) throws IOException {
    Map<String, String> contents = new TreeMap<>();
    List<Path> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      walk.filter(Files::isRegularFile).forEach(files::add);
    }
    for (Path file : files) {
      contents.put(root.relativize(file).toString(), Hashes.sha256Hex(Files.readAllBytes(file)));
    }
    return contents;
  }
}
