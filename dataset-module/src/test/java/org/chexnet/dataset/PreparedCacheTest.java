package org.chexnet.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.chexnet.common.ChexnetException;
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
    PreparedCache cache = prepare(images, names, dir.resolve("cache"));
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
   * A prepare that stops at a bad image (FAIL) keeps the images its shard already holds: once the
   * image is there, the next call decodes exactly the images from it on, each once.
   */
  @Test
  void aFailedPrepareContinuesFromTheImageItStoppedAt() throws IOException {
    Path images = images(39);
    // Inside the last shard, so that no shard is started after the failure.
    List<String> names = new ArrayList<>(PrepareMain.names(images));
    names.remove(PrepareMain.MISSING);
    int bad = names.size() - 2;
    names.add(bad, PrepareMain.MISSING);
    assertEquals(List.of(4, 5), List.of(bad / SHARD, bad % SHARD));
    assertEquals(5 * SHARD, names.size());
    Path cacheRoot = dir.resolve("cache");
    List<String> first = new ArrayList<>();
    ChexnetException failed =
        assertThrows(
            ChexnetException.class,
            () -> prepare(images, names, cacheRoot, PreparedCache.OnBadImage.FAIL, 1, first::add));
    assertTrue(failed.getMessage().contains(PrepareMain.MISSING), failed.getMessage());
    assertEquals(names.subList(0, bad + 1), first);

    Files.copy(images.resolve(names.get(0)), images.resolve(PrepareMain.MISSING));
    List<String> second = new ArrayList<>();
    PreparedCache cache =
        prepare(images, names, cacheRoot, PreparedCache.OnBadImage.FAIL, 1, second::add);
    assertEquals(names.subList(bad, names.size()), second);
    assertEquals(names.size(), cache.imageCount());
    ImageDecoder decoder = new ImageDecoder(PrepareMain.SIZE);
    for (String name : names) {
      assertArrayEquals(decoder.decodeGray(images.resolve(name)), cache.gray(name), name);
    }
  }

  /**
   * A real prepare in a child JVM, SIGKILLed part way through its shards, after the missing image
   * was listed as skipped in one, then resumed. Finished shards are kept as they are (same files);
   * unfinished ones are continued in place from their last whole image (a torn image or line is cut
   * off, a half shard never used); no image is decoded twice, except at most the one each worker
   * was decoding at the kill instant (its pixels or line not yet written, so nothing to keep); the
   * skipped image is not tried again; the final cache equals an uninterrupted one byte for byte.
   */
  @Test
  void aKilledPrepareResumesImageByImage() throws Exception {
    Path images = images(114);
    List<String> names = PrepareMain.names(images);
    int missingShard = names.indexOf(PrepareMain.MISSING) / SHARD;
    // The kill lands while the rest of that shard is decoded: 6 images, 40 ms each at least.
    assertEquals(1, names.indexOf(PrepareMain.MISSING) % SHARD);
    Path cacheRoot = dir.resolve("killed");
    Path staging =
        Path.of(
            PreparedCache.directory(cacheRoot, PrepareMain.DIGEST, PrepareMain.SIZE) + ".partial");
    Path decodeLog = dir.resolve("decoded-before-kill.txt");
    Process child = startPrepare(images, cacheRoot, 40, decodeLog);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      assertTrue(child.isAlive(), "the prepare ended before it was killed: " + log(decodeLog));
      assertTrue(
          System.nanoTime() < deadline, "no skipped image listed within 60 s: " + log(decodeLog));
      if (listsMissing(staging, missingShard)) {
        signal(child, "STOP"); // look again while it cannot finish the shard
        if (listsMissing(staging, missingShard)) {
          break;
        }
        signal(child, "CONT");
      }
      Thread.sleep(10);
    }
    child.destroyForcibly(); // SIGKILL
    assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    Map<String, Object> finished = finishedShards(staging);
    Map<String, Object> unfinished = inodes(staging, ".bin.partial");
    int shards = (names.size() + SHARD - 1) / SHARD;
    assertTrue(finished.size() >= PrepareMain.WORKERS, "finished shards: " + finished.keySet());
    String missingPixels = shardFile(missingShard) + ".partial";
    assertTrue(
        Files.size(staging.resolve(missingPixels)) >= PrepareMain.SIZE * PrepareMain.SIZE,
        "the image before the skipped one is in its shard");
    // Torn writes: half an image and half a line, as a kill inside a write leaves them.
    Files.write(
        staging.resolve(missingPixels),
        new byte[PrepareMain.SIZE * PrepareMain.SIZE / 2],
        StandardOpenOption.APPEND);
    Files.writeString(
        staging.resolve(String.format("shard-%05d.tsv.partial", missingShard)),
        "+ " + names.get(missingShard * SHARD + 2).substring(0, 5),
        StandardOpenOption.APPEND);
    // A half shard where a finished one would be: never used.
    int halfWritten = shards - 1;
    assertFalse(finished.containsKey(shardFile(halfWritten)));
    assertFalse(unfinished.containsKey(shardFile(halfWritten) + ".partial"));
    Files.write(staging.resolve(shardFile(halfWritten)), new byte[] {1, 2, 3});

    List<String> beforeKill = Files.readAllLines(decodeLog);
    Queue<String> afterKill = new ConcurrentLinkedQueue<>();
    PreparedCache cache =
        prepare(
            images,
            names,
            cacheRoot,
            PreparedCache.OnBadImage.SKIP,
            PrepareMain.WORKERS,
            afterKill::add);
    assertEquals(beforeKill.size(), Set.copyOf(beforeKill).size(), "decoded twice before the kill");
    assertEquals(afterKill.size(), Set.copyOf(afterKill).size(), "decoded twice after the kill");
    Set<String> decoded = new HashSet<>(beforeKill);
    decoded.addAll(afterKill);
    assertEquals(Set.copyOf(names), decoded);
    // The image each shard was decoding at the kill: the last one it started.
    Map<Integer, String> inFlight = new HashMap<>();
    beforeKill.forEach(name -> inFlight.put(names.indexOf(name) / SHARD, name));
    Set<String> decodedTwice = new HashSet<>(beforeKill);
    decodedTwice.retainAll(afterKill);
    assertTrue(decodedTwice.size() <= PrepareMain.WORKERS, "decoded twice: " + decodedTwice);
    for (String name : decodedTwice) {
      assertTrue(
          inFlight.containsValue(name), name + " was decoded twice, not in flight at the kill");
      String shard = shardFile(names.indexOf(name) / SHARD);
      assertFalse(finished.containsKey(shard), name + " of finished " + shard + " decoded again");
    }
    assertFalse(afterKill.contains(PrepareMain.MISSING), "the skipped image was tried again");
    assertEquals(Set.of(PrepareMain.MISSING), cache.skipped().keySet());

    Path target = PreparedCache.directory(cacheRoot, PrepareMain.DIGEST, PrepareMain.SIZE);
    for (Map.Entry<String, Object> shard : finished.entrySet()) {
      assertEquals(
          shard.getValue(),
          Files.readAttributes(target.resolve(shard.getKey()), "unix:ino").get("ino"),
          shard.getKey() + " was written again");
    }
    for (Map.Entry<String, Object> shard : unfinished.entrySet()) {
      String name = shard.getKey().replace(".partial", "");
      assertEquals(
          shard.getValue(),
          Files.readAttributes(target.resolve(name), "unix:ino").get("ino"),
          name + " was not continued in place");
    }
    assertFalse(Files.exists(staging));

    Path fresh = dir.resolve("uninterrupted");
    prepare(images, names, fresh);
    assertEquals(
        contents(PreparedCache.directory(fresh, PrepareMain.DIGEST, PrepareMain.SIZE)),
        contents(target));
  }

  /**
   * Two prepares of one cache at once (parallel sweep trials): every image is decoded once, by one
   * of them, and both end with the cache an uninterrupted prepare makes.
   */
  @Test
  void twoPreparesAtOnceDecodeEachImageOnce() throws Exception {
    Path images = images(40);
    List<String> names = PrepareMain.names(images);
    Path cacheRoot = dir.resolve("shared");
    List<Path> decodeLogs = List.of(dir.resolve("decoded-a.txt"), dir.resolve("decoded-b.txt"));
    List<Process> children = new ArrayList<>();
    for (Path decodeLog : decodeLogs) {
      children.add(startPrepare(images, cacheRoot, 5, decodeLog));
    }
    List<String> decoded = new ArrayList<>();
    for (int i = 0; i < children.size(); i++) {
      assertTrue(children.get(i).waitFor(60, TimeUnit.SECONDS), "still preparing after 60 s");
      assertEquals(0, children.get(i).exitValue(), log(decodeLogs.get(i)));
      if (Files.exists(decodeLogs.get(i))) {
        decoded.addAll(Files.readAllLines(decodeLogs.get(i)));
      }
    }
    assertEquals(names.size(), decoded.size(), "decodes");
    assertEquals(Set.copyOf(names), Set.copyOf(decoded));
    Path fresh = dir.resolve("uninterrupted");
    prepare(images, names, fresh);
    assertEquals(
        contents(PreparedCache.directory(fresh, PrepareMain.DIGEST, PrepareMain.SIZE)),
        contents(PreparedCache.directory(cacheRoot, PrepareMain.DIGEST, PrepareMain.SIZE)));
  }

  /** {@link PrepareMain} in a child JVM, its output in DECODE_LOG's sibling {@code .out}. */
  private Process startPrepare(Path images, Path cacheRoot, int millisPerImage, Path decodeLog)
      throws IOException {
    return new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            PrepareMain.class.getName(),
            images.toString(),
            cacheRoot.toString(),
            String.valueOf(SHARD),
            String.valueOf(millisPerImage),
            decodeLog.toString())
        .redirectErrorStream(true)
        .redirectOutput(output(decodeLog).toFile())
        .start();
  }

  private static Path output(Path decodeLog) {
    return decodeLog.resolveSibling(decodeLog.getFileName() + ".out");
  }

  private static String log(Path decodeLog) throws IOException {
    return Files.readString(output(decodeLog));
  }

  private static boolean listsMissing(Path staging, int shard) throws IOException {
    Path list = staging.resolve(String.format("shard-%05d.tsv.partial", shard));
    return Files.isRegularFile(list)
        && Files.readString(list).contains("- " + PrepareMain.MISSING + "\t");
  }

  private static void signal(Process process, String signal) throws Exception {
    Process kill =
        new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).inheritIO().start();
    assertEquals(0, kill.waitFor(), "kill -" + signal);
  }

  private Path images(int count) throws IOException {
    Path data = dir.resolve("data");
    SyntheticChestXray14.write(data, count, 96, 3);
    return data.resolve(ChestXray14.IMAGES_DIR);
  }

  private static PreparedCache prepare(Path images, List<String> names, Path cacheRoot)
      throws IOException {
    return prepare(
        images, names, cacheRoot, PreparedCache.OnBadImage.SKIP, PrepareMain.WORKERS, name -> {});
  }

  private static PreparedCache prepare(
      Path images,
      List<String> names,
      Path cacheRoot,
      PreparedCache.OnBadImage onBadImage,
      int workers,
      Consumer<String> decoding)
      throws IOException {
    return PreparedCache.prepare(
        name -> {
          decoding.accept(name);
          return images.resolve(name);
        },
        names,
        cacheRoot,
        PrepareMain.DIGEST,
        PrepareMain.SIZE,
        onBadImage,
        workers,
        SHARD,
        Reporter.silent());
  }

  private static String shardFile(int shard) {
    return String.format("shard-%05d.bin", shard);
  }

  /** Shard files whose list is written (finished), to their inode. */
  private static Map<String, Object> finishedShards(Path staging) throws IOException {
    Map<String, Object> finished = new HashMap<>();
    for (String list : inodes(staging, ".tsv").keySet()) {
      String shard = list.replace(".tsv", ".bin");
      finished.put(shard, Files.readAttributes(staging.resolve(shard), "unix:ino").get("ino"));
    }
    return finished;
  }

  /** The files in {@code staging} whose name ends with {@code suffix}, to their inode. */
  private static Map<String, Object> inodes(Path staging, String suffix) throws IOException {
    Map<String, Object> inodes = new HashMap<>();
    if (!Files.isDirectory(staging)) {
      return inodes;
    }
    try (Stream<Path> files = Files.list(staging)) {
      for (Path file : files.filter(f -> f.toString().endsWith(suffix)).toList()) {
        inodes.put(
            file.getFileName().toString(), Files.readAttributes(file, "unix:ino").get("ino"));
      }
    }
    return inodes;
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
