package org.chexnet.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.chexnet.common.AtomicFiles;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.FileTrees;
import org.chexnet.common.Hashes;
import org.chexnet.common.Reporter;

/**
 * Images decoded and resized once ({@link ImageDecoder}) into uint8 shards that {@link BatchLoader}
 * reads through memory maps, so epochs do no image decoding. A cache lives in {@code
 * CACHE_ROOT/<key>/}, where the key hashes the dataset digest, the image size and {@link
 * #DECODER_VERSION}: changing any of them selects (and {@link #prepare} builds) another directory.
 * Layout: {@code meta.json} (with each shard's image count), {@code index.txt} (image names in
 * shard order), {@code shard-NNNNN.bin} (size*size bytes per image, row-major gray), {@code
 * skipped.tsv} (name TAB reason).
 *
 * <p>Preparing is resumable: shard i holds the images of slice i of the image list ({@value
 * #SHARD_IMAGES} per slice, less those skipped); each finished shard is written atomically (with
 * its list beside it) into {@code <key>.partial/}, and a later call after a kill, at any point,
 * decodes only the slices without a finished shard. The complete directory is renamed into place
 * last.
 */
public final class PreparedCache implements BatchLoader.GraySource {
  /** The default cache root inside a dataset directory; dot-named, so not part of the manifest. */
  public static final String DEFAULT_DIR = ".chexnet-cache";

  /** Bump when ImageDecoder's output changes, so old caches are not reused. */
  public static final int DECODER_VERSION = 2;

  static final String FORMAT = "chexnet-prepared/2";

  /** Images per slice of the image list, so per shard; the unit of work redone after a kill. */
  static final int SHARD_IMAGES = 256;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What to do with an image that is missing or cannot be decoded. */
  public enum OnBadImage {
    /** Stop, naming the file. */
    FAIL,
    /** Leave it out and list it in {@link #skipped()}. */
    SKIP
  }

  private final Path directory;
  private final int imageSize;

  /** Image name to (shard << 32) | index within the shard. */
  private final Map<String, Long> positions;

  private final List<MappedByteBuffer> shards;
  private final Map<String, String> skipped;

  private PreparedCache(
      Path directory,
      int imageSize,
      Map<String, Long> positions,
      List<MappedByteBuffer> shards,
      Map<String, String> skipped) {
    this.directory = directory;
    this.imageSize = imageSize;
    this.positions = positions;
    this.shards = shards;
    this.skipped = skipped;
  }

  /** {@code cacheRoot/<16 hex digits of sha-256(digest, size, decoder version)>}. */
  public static Path directory(Path cacheRoot, String datasetDigest, int imageSize) {
    String settings =
        "dataset=" + datasetDigest + "\nsize=" + imageSize + "\ndecoder=" + DECODER_VERSION + "\n";
    return cacheRoot.resolve(
        Hashes.sha256Hex(settings.getBytes(StandardCharsets.UTF_8)).substring(0, 16));
  }

  /**
   * Builds the cache for these settings unless it exists, decoding on {@code workers} threads (one
   * slice each at a time) reporting progress (rate and time left) to {@code reporter}. Resumes what
   * an earlier, interrupted call left in {@code <key>.partial/}.
   *
   * @param datasetDigest what the images are, e.g. {@link Manifest#digest()}
   * @throws ChexnetException (a failed check) naming the image that cannot be decoded, with {@link
   *     OnBadImage#FAIL}; what was decoded stays for the next call to resume
   */
  public static PreparedCache prepare(
      Dataset data,
      List<String> imageIndexes,
      Path cacheRoot,
      String datasetDigest,
      int imageSize,
      OnBadImage onBadImage,
      int workers,
      Reporter reporter)
      throws IOException {
    return prepare(
        data::imagePath,
        imageIndexes,
        cacheRoot,
        datasetDigest,
        imageSize,
        onBadImage,
        workers,
        SHARD_IMAGES,
        reporter);
  }

  /** Where an image's file is, by name. */
  interface ImagePaths {
    Path of(String imageIndex);
  }

  static PreparedCache prepare(
      ImagePaths paths,
      List<String> imageIndexes,
      Path cacheRoot,
      String datasetDigest,
      int imageSize,
      OnBadImage onBadImage,
      int workers,
      int shardImages,
      Reporter reporter)
      throws IOException {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be positive, got " + workers);
    }
    Path target = directory(cacheRoot, datasetDigest, imageSize);
    if (Files.isRegularFile(target.resolve("meta.json"))) {
      return open(cacheRoot, datasetDigest, imageSize);
    }
    Path staging = target.resolveSibling(target.getFileName() + ".partial");
    startOrResume(staging, imageIndexes, shardImages);
    int shardCount = (imageIndexes.size() + shardImages - 1) / shardImages;
    List<Integer> pending = new ArrayList<>();
    int done = 0;
    for (int shard = 0; shard < shardCount; shard++) {
      if (ShardList.read(staging, shard, imageSize) != null) {
        done += sliceSize(imageIndexes.size(), shardImages, shard);
      } else {
        pending.add(shard);
      }
    }
    ImageDecoder decoder = new ImageDecoder(imageSize);
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try (Reporter.Task bar =
        reporter.task("Preparing " + imageSize + "px", imageIndexes.size(), Reporter.Unit.IMAGES)) {
      bar.stepTo(done);
      List<Future<?>> futures = new ArrayList<>();
      for (int shard : pending) {
        List<String> slice =
            imageIndexes.subList(
                shard * shardImages, Math.min(imageIndexes.size(), (shard + 1) * shardImages));
        futures.add(
            pool.submit(
                () -> {
                  writeShard(staging, shard, slice, paths, decoder, onBadImage, bar);
                  return null;
                }));
      }
      for (Future<?> future : futures) {
        future.get();
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ChexnetException failedCheck) {
        throw failedCheck;
      }
      if (e.getCause() instanceof IOException io) {
        throw new IOException(io.getMessage(), io);
      }
      throw new IllegalStateException(e.getCause().toString(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while preparing " + target, e);
    } finally {
      pool.shutdownNow();
    }
    finish(staging, datasetDigest, imageSize, shardCount);
    AtomicFiles.moveInto(staging, target);
    return open(cacheRoot, datasetDigest, imageSize);
  }

  private static int sliceSize(int images, int shardImages, int shard) {
    return Math.min(images, (shard + 1) * shardImages) - shard * shardImages;
  }

  /**
   * Keeps a staging directory made for the same image list and slicing (removing files a kill left
   * half-written), or starts a new one.
   */
  private static void startOrResume(Path staging, List<String> imageIndexes, int shardImages)
      throws IOException {
    String plan =
        "format="
            + FORMAT
            + "\nimages="
            + imageIndexes.size()
            + "\nshard_images="
            + shardImages
            + "\nnames_sha256="
            + Hashes.sha256Hex(String.join("\n", imageIndexes).getBytes(StandardCharsets.UTF_8))
            + "\n";
    Path planFile = staging.resolve("plan.txt");
    if (Files.isRegularFile(planFile) && Files.readString(planFile).equals(plan)) {
      try (Stream<Path> files = Files.list(staging)) {
        for (Path file : files.filter(f -> f.toString().endsWith(".tmp")).toList()) {
          Files.delete(file);
        }
      }
      return;
    }
    FileTrees.delete(staging);
    Files.createDirectories(staging);
    AtomicFiles.write(planFile, plan.getBytes(StandardCharsets.UTF_8));
  }

  /** Decodes one slice into its shard and list, each written atomically, the list last. */
  private static void writeShard(
      Path staging,
      int shard,
      List<String> slice,
      ImagePaths paths,
      ImageDecoder decoder,
      OnBadImage onBadImage,
      Reporter.Task bar)
      throws IOException {
    int bytes = decoder.size() * decoder.size();
    byte[] pixels = new byte[slice.size() * bytes];
    List<String> written = new ArrayList<>(slice.size());
    Map<String, String> skipped = new LinkedHashMap<>();
    for (String name : slice) {
      if (Thread.currentThread().isInterrupted()) {
        return; // another slice failed
      }
      try {
        byte[] gray = decoder.decodeGray(paths.of(name));
        System.arraycopy(gray, 0, pixels, written.size() * bytes, bytes);
        written.add(name);
      } catch (IOException e) {
        if (onBadImage == OnBadImage.FAIL) {
          throw new ChexnetException(
              ChexnetException.Kind.CHECK_FAILED,
              e.getMessage() + " (prepare with skip to leave it out)",
              e);
        }
        skipped.put(name, e.getMessage().replace('\t', ' ').replace('\n', ' '));
      }
      bar.step();
    }
    AtomicFiles.write(
        staging.resolve(shardName(shard)), Arrays.copyOf(pixels, written.size() * bytes));
    new ShardList(written, skipped).write(staging, shard);
  }

  /** Writes index.txt, skipped.tsv and meta.json (last) from the finished shards' lists. */
  private static void finish(Path staging, String datasetDigest, int imageSize, int shardCount)
      throws IOException {
    StringBuilder index = new StringBuilder();
    StringBuilder skippedText = new StringBuilder();
    ArrayNode counts = JSON.createArrayNode();
    int images = 0;
    for (int shard = 0; shard < shardCount; shard++) {
      ShardList list = ShardList.read(staging, shard, imageSize);
      if (list == null) {
        throw new IOException(staging + ": shard " + shard + " is missing after preparing");
      }
      list.written().forEach(name -> index.append(name).append('\n'));
      list.skipped()
          .forEach(
              (name, reason) -> skippedText.append(name).append('\t').append(reason).append('\n'));
      counts.add(list.written().size());
      images += list.written().size();
    }
    Files.writeString(staging.resolve("index.txt"), index);
    Files.writeString(staging.resolve("skipped.tsv"), skippedText);
    for (int shard = 0; shard < shardCount; shard++) {
      Files.delete(staging.resolve(ShardList.name(shard)));
    }
    Files.delete(staging.resolve("plan.txt"));
    ObjectNode meta = JSON.createObjectNode();
    meta.put("format", FORMAT)
        .put("dataset_digest", datasetDigest)
        .put("image_size", imageSize)
        .put("decoder_version", DECODER_VERSION)
        .put("images", images);
    meta.set("shard_images", counts);
    // meta.json last: its presence marks a complete cache.
    Files.writeString(staging.resolve("meta.json"), JSON.writeValueAsString(meta) + "\n");
  }

  /**
   * A finished shard's images (in shard order) and the slice's skipped images, in {@code
   * shard-NNNNN.tsv} beside the shard: "+ name" or "- name TAB reason" per line, in slice order.
   * Its presence, with a shard file of the right size, marks the slice done.
   */
  private record ShardList(List<String> written, Map<String, String> skipped) {
    static String name(int shard) {
      return String.format("shard-%05d.tsv", shard);
    }

    void write(Path staging, int shard) throws IOException {
      StringBuilder text = new StringBuilder();
      written.forEach(n -> text.append("+ ").append(n).append('\n'));
      skipped.forEach(
          (n, why) -> text.append("- ").append(n).append('\t').append(why).append('\n'));
      AtomicFiles.write(
          staging.resolve(name(shard)), text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The list of a finished shard, or null when the slice still has to be decoded. */
    static ShardList read(Path staging, int shard, int imageSize) throws IOException {
      Path list = staging.resolve(name(shard));
      Path pixels = staging.resolve(shardName(shard));
      if (!Files.isRegularFile(list) || !Files.isRegularFile(pixels)) {
        return null;
      }
      List<String> written = new ArrayList<>();
      Map<String, String> skipped = new LinkedHashMap<>();
      for (String line : Files.readAllLines(list, StandardCharsets.UTF_8)) {
        if (line.startsWith("+ ")) {
          written.add(line.substring(2));
        } else if (line.startsWith("- ")) {
          String[] f = line.substring(2).split("\t", 2);
          skipped.put(f[0], f.length > 1 ? f[1] : "");
        }
      }
      long expected = (long) written.size() * imageSize * imageSize;
      return Files.size(pixels) == expected ? new ShardList(written, skipped) : null;
    }
  }

  /**
   * Opens the cache for exactly these settings.
   *
   * @throws NoSuchFileException when it was not prepared, saying which command prepares it
   */
  public static PreparedCache open(Path cacheRoot, String datasetDigest, int imageSize)
      throws IOException {
    Path dir = directory(cacheRoot, datasetDigest, imageSize);
    Path metaFile = dir.resolve("meta.json");
    if (!Files.isRegularFile(metaFile)) {
      throw new NoSuchFileException(
          dir.toString(),
          null,
          "no prepared cache for dataset "
              + datasetDigest
              + " at "
              + imageSize
              + "px; run `chexnet data prepare DATA_DIR --image-size "
              + imageSize
              + "`");
    }
    JsonNode meta = JSON.readTree(metaFile.toFile());
    if (!FORMAT.equals(meta.path("format").asText())
        || !datasetDigest.equals(meta.path("dataset_digest").asText())
        || meta.path("image_size").asInt() != imageSize
        || meta.path("decoder_version").asInt() != DECODER_VERSION) {
      throw new IOException(metaFile + ": settings do not match its key; delete " + dir);
    }
    List<String> names = Files.readAllLines(dir.resolve("index.txt"), StandardCharsets.UTF_8);
    if (names.size() != meta.path("images").asInt()) {
      throw new IOException(
          dir.resolve("index.txt")
              + ": "
              + names.size()
              + " names, meta.json says "
              + meta.path("images"));
    }
    Map<String, Long> positions = new HashMap<>(names.size() * 2);
    long bytes = (long) imageSize * imageSize;
    List<MappedByteBuffer> shards = new ArrayList<>();
    int next = 0;
    for (JsonNode count : meta.path("shard_images")) {
      int shard = shards.size();
      Path file = dir.resolve(shardName(shard));
      long expected = count.asInt() * bytes;
      try (FileChannel channel = FileChannel.open(file)) {
        if (channel.size() != expected) {
          throw new IOException(file + ": " + channel.size() + " bytes, expected " + expected);
        }
        shards.add(channel.map(FileChannel.MapMode.READ_ONLY, 0, expected));
      }
      if (next + count.asInt() > names.size()) {
        throw new IOException(dir + ": shards hold more images than index.txt lists");
      }
      for (int i = 0; i < count.asInt(); i++) {
        positions.put(names.get(next++), (long) shard << 32 | i);
      }
    }
    if (next != names.size()) {
      throw new IOException(
          dir + ": shards hold " + next + " images, index.txt lists " + names.size());
    }
    Map<String, String> skipped = new LinkedHashMap<>();
    for (String line : Files.readAllLines(dir.resolve("skipped.tsv"), StandardCharsets.UTF_8)) {
      String[] f = line.split("\t", 2);
      skipped.put(f[0], f.length > 1 ? f[1] : "");
    }
    return new PreparedCache(dir, imageSize, positions, shards, skipped);
  }

  private static String shardName(int shard) {
    return String.format("shard-%05d.bin", shard);
  }

  public Path directory() {
    return directory;
  }

  @Override
  public int size() {
    return imageSize;
  }

  public int imageCount() {
    return positions.size();
  }

  /** Images left out when preparing with {@link OnBadImage#SKIP}: name to reason. */
  public Map<String, String> skipped() {
    return skipped;
  }

  public boolean contains(String imageIndex) {
    return positions.containsKey(imageIndex);
  }

  @Override
  public byte[] gray(String imageIndex) throws IOException {
    Long position = positions.get(imageIndex);
    if (position == null) {
      throw new NoSuchFileException(imageIndex, null, missing(imageIndex));
    }
    int bytes = imageSize * imageSize;
    byte[] gray = new byte[bytes];
    shards.get((int) (position >>> 32)).get((int) (position & 0xffffffffL) * bytes, gray);
    return gray;
  }

  @Override
  public void check(List<LabeledImage> images) {
    for (LabeledImage image : images) {
      if (!positions.containsKey(image.imageIndex())) {
        throw new IllegalArgumentException(missing(image.imageIndex()));
      }
    }
  }

  private String missing(String imageIndex) {
    String reason = skipped.get(imageIndex);
    return "image "
        + imageIndex
        + " is not in the prepared cache "
        + directory
        + (reason != null
            ? " (skipped when preparing: " + reason + "; drop skipped images from the splits)"
            : " (prepared from another image list?)");
  }
}
