package org.chexnet.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
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
 * <p>Preparing is resumable image by image: shard i holds the images of slice i of the image list
 * ({@value #SHARD_IMAGES} per slice, less those skipped), built in {@code <key>.partial/} by
 * appending each image as it is decoded; a later call after a kill, at any point, keeps the
 * finished shards and the whole images of the unfinished ones, and decodes only the rest. A
 * finished shard is forced to disk and renamed into place; the complete directory is renamed into
 * place last. One prepare of a cache runs at a time, holding a lock on {@code <key>.lock}.
 */
public final class PreparedCache implements BatchLoader.GraySource {
  /** The default cache root inside a dataset directory; dot-named, so not part of the manifest. */
  public static final String DEFAULT_DIR = ".chexnet-cache";

  /** Bump when ImageDecoder's output changes, so old caches are not reused. */
  public static final int DECODER_VERSION = 2;

  static final String FORMAT = "chexnet-prepared/2";

  /** Images per slice of the image list, so per shard; a worker's unit of work. */
  static final int SHARD_IMAGES = 256;

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final Object PREPARING = new Object();

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
    // Two prepares of one cache (parallel sweep trials) would append to the same files: one at a
    // time, the next opening what the first built. File locks are per process, hence the monitor.
    Files.createDirectories(cacheRoot);
    synchronized (PREPARING) {
      try (FileChannel lockFile =
          FileChannel.open(
              target.resolveSibling(target.getFileName() + ".lock"),
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE)) {
        lockFile.lock(); // released when the channel closes
        if (Files.isRegularFile(target.resolve("meta.json"))) {
          return open(cacheRoot, datasetDigest, imageSize);
        }
        return build(
            paths,
            imageIndexes,
            cacheRoot,
            datasetDigest,
            imageSize,
            onBadImage,
            workers,
            shardImages,
            reporter);
      }
    }
  }

  /** Builds the cache, resuming what an interrupted call left. */
  private static PreparedCache build(
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
    Path target = directory(cacheRoot, datasetDigest, imageSize);
    Path staging = target.resolveSibling(target.getFileName() + ".partial");
    startOrResume(staging, imageIndexes, shardImages);
    int shardCount = (imageIndexes.size() + shardImages - 1) / shardImages;
    // Unfinished shard to the number of its slice's images already listed.
    Map<Integer, Integer> pending = new LinkedHashMap<>();
    int done = 0;
    for (int shard = 0; shard < shardCount; shard++) {
      List<String> slice = slice(imageIndexes, shardImages, shard);
      if (ShardList.read(staging, shard, imageSize) != null) {
        done += slice.size();
      } else {
        int listed = ShardWriter.recover(staging, shard, slice, imageSize * imageSize);
        done += listed;
        pending.put(shard, listed);
      }
    }
    ImageDecoder decoder = new ImageDecoder(imageSize);
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try (Reporter.Task bar =
        reporter.task("Preparing " + imageSize + "px", imageIndexes.size(), Reporter.Unit.IMAGES)) {
      bar.stepTo(done);
      List<Future<?>> futures = new ArrayList<>();
      for (Map.Entry<Integer, Integer> shard : pending.entrySet()) {
        List<String> slice = slice(imageIndexes, shardImages, shard.getKey());
        futures.add(
            pool.submit(
                () -> {
                  writeShard(
                      staging,
                      shard.getKey(),
                      slice,
                      shard.getValue(),
                      paths,
                      decoder,
                      onBadImage,
                      bar);
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

  private static List<String> slice(List<String> imageIndexes, int shardImages, int shard) {
    return imageIndexes.subList(
        shard * shardImages, Math.min(imageIndexes.size(), (shard + 1) * shardImages));
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

  /**
   * Decodes a slice's images from {@code listed} on, appending each to the shard being written, and
   * publishes the shard when the slice is done.
   */
  private static void writeShard(
      Path staging,
      int shard,
      List<String> slice,
      int listed,
      ImagePaths paths,
      ImageDecoder decoder,
      OnBadImage onBadImage,
      Reporter.Task bar)
      throws IOException {
    try (ShardWriter writer = new ShardWriter(staging, shard)) {
      for (String name : slice.subList(listed, slice.size())) {
        if (Thread.currentThread().isInterrupted()) {
          return; // another slice failed
        }
        byte[] gray;
        try {
          gray = decoder.decodeGray(paths.of(name));
        } catch (IOException e) {
          if (onBadImage == OnBadImage.FAIL) {
            throw new ChexnetException(
                ChexnetException.Kind.CHECK_FAILED,
                e.getMessage() + " (prepare with skip to leave it out)",
                e);
          }
          writer.skip(name, e.getMessage());
          bar.step();
          continue;
        }
        writer.append(name, gray);
        bar.step();
      }
      writer.publish();
    }
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
   * An unfinished shard: each image's pixels are appended to {@code shard-NNNNN.bin.partial}, and
   * then its line of the list ("+ name", or "- name TAB reason" for a skipped image) to {@code
   * shard-NNNNN.tsv.partial}, in slice order. After a kill the whole lines whose images are whole
   * say how far the slice got; a torn image or line, or an image whose line was not written, is cut
   * off and decoded again. {@link #publish} forces both and renames them to the shard and its list
   * (the list last, marking the slice done).
   */
  private static final class ShardWriter implements Closeable {
    private final Path pixelsFile;
    private final Path listFile;
    private final Path shardFile;
    private final Path shardList;
    private final FileChannel pixels;
    private final FileChannel list;

    /** Appends to what {@link #recover} kept of the shard's partial files. */
    ShardWriter(Path staging, int shard) throws IOException {
      shardFile = staging.resolve(shardName(shard));
      shardList = staging.resolve(ShardList.name(shard));
      pixelsFile = partial(shardFile);
      listFile = partial(shardList);
      pixels = openAtEnd(pixelsFile);
      FileChannel opened;
      try {
        opened = openAtEnd(listFile);
      } catch (IOException e) {
        pixels.close();
        throw e;
      }
      list = opened;
    }

    private static Path partial(Path file) {
      return file.resolveSibling(file.getFileName() + ".partial");
    }

    private static FileChannel openAtEnd(Path file) throws IOException {
      FileChannel channel =
          FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      channel.position(channel.size());
      return channel;
    }

    void append(String name, byte[] gray) throws IOException {
      writeFully(pixels, ByteBuffer.wrap(gray));
      writeFully(list, ByteBuffer.wrap(("+ " + name + "\n").getBytes(StandardCharsets.UTF_8)));
    }

    void skip(String name, String reason) throws IOException {
      String line = "- " + name + "\t" + reason.replace('\t', ' ').replace('\n', ' ') + "\n";
      writeFully(list, ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    }

    void publish() throws IOException {
      // moveInto forces each file to disk before its rename; the list last: a shard is finished
      // when its list is in place.
      AtomicFiles.moveInto(pixelsFile, shardFile);
      AtomicFiles.moveInto(listFile, shardList);
    }

    @Override
    public void close() throws IOException {
      try {
        pixels.close();
      } finally {
        list.close();
      }
    }

    /**
     * Cuts an unfinished shard's partial files back to the images whose pixels and line are both
     * whole and in slice order (taking back a shard or list a kill left between the two renames of
     * {@link #publish}).
     *
     * @return how many of the slice's images are listed, so done
     */
    static int recover(Path staging, int shard, List<String> slice, int imageBytes)
        throws IOException {
      Path shardFile = staging.resolve(shardName(shard));
      Path shardList = staging.resolve(ShardList.name(shard));
      takeBack(shardFile);
      takeBack(shardList);
      Path pixelsFile = partial(shardFile);
      Path listFile = partial(shardList);
      if (!Files.exists(listFile)) {
        Files.deleteIfExists(pixelsFile);
        return 0;
      }
      long wholeImages = Files.exists(pixelsFile) ? Files.size(pixelsFile) / imageBytes : 0;
      byte[] text = Files.readAllBytes(listFile);
      int listed = 0;
      int written = 0;
      int kept = 0;
      for (int end = 0; end < text.length && listed < slice.size(); end++) {
        if (text[end] != '\n') {
          continue;
        }
        String line = new String(text, kept, end - kept, StandardCharsets.UTF_8);
        String name = slice.get(listed);
        if (line.equals("+ " + name) && written < wholeImages) {
          written++;
        } else if (!line.startsWith("- " + name + "\t")) {
          break;
        }
        listed++;
        kept = end + 1;
      }
      try (FileChannel channel = FileChannel.open(listFile, StandardOpenOption.WRITE)) {
        channel.truncate(kept);
      }
      try (FileChannel channel =
          FileChannel.open(pixelsFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        channel.truncate((long) written * imageBytes);
      }
      return listed;
    }

    /** Renames a shard file of an unfinished slice back to its partial file, if there is none. */
    private static void takeBack(Path published) throws IOException {
      if (Files.exists(published)) {
        Path partial = partial(published);
        if (Files.exists(partial)) {
          Files.delete(published);
        } else {
          AtomicFiles.moveInto(published, partial);
        }
      }
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
