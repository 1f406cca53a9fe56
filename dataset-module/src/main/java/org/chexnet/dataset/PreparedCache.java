package org.chexnet.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.chexnet.common.FileTrees;
import org.chexnet.common.Hashes;
import org.chexnet.common.Reporter;

/**
 * Images decoded and resized once ({@link ImageDecoder}) into uint8 shards that {@link BatchLoader}
 * reads through memory maps, so epochs do no PNG decoding. A cache lives in {@code
 * CACHE_ROOT/<key>/}, where the key hashes the dataset digest, the image size and {@link
 * #DECODER_VERSION}: changing any of them selects (and {@link #prepare} builds) another directory.
 * Layout: {@code meta.json}, {@code index.txt} (image names in shard order), {@code shard-NNN.bin}
 * (size*size bytes per image, row-major gray), {@code skipped.tsv} (name TAB reason).
 */
public final class PreparedCache implements BatchLoader.GraySource {
  /** The default cache root inside a dataset directory; dot-named, so not part of the manifest. */
  public static final String DEFAULT_DIR = ".chexnet-cache";

  /** Bump when ImageDecoder's output changes, so old caches are not reused. */
  public static final int DECODER_VERSION = 2;

  static final String FORMAT = "chexnet-prepared/1";
  private static final int MAX_SHARD_IMAGES = 4096;
  private static final int BLOCK = 256;
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
  private final int shardImages;
  private final Map<String, Integer> positions;
  private final List<MappedByteBuffer> shards;
  private final Map<String, String> skipped;

  private PreparedCache(
      Path directory,
      int imageSize,
      int shardImages,
      Map<String, Integer> positions,
      List<MappedByteBuffer> shards,
      Map<String, String> skipped) {
    this.directory = directory;
    this.imageSize = imageSize;
    this.shardImages = shardImages;
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
   * Builds the cache for these settings unless it exists: decodes {@code imageIndexes} on {@code
   * threads} threads into a staging directory, renamed into place only when complete.
   *
   * @param datasetDigest what the images are, e.g. {@link Manifest#digest()}
   * @throws IOException naming the image that failed (with {@link OnBadImage#FAIL})
   */
  public static PreparedCache prepare(
      Dataset data,
      List<String> imageIndexes,
      Path cacheRoot,
      String datasetDigest,
      int imageSize,
      OnBadImage onBadImage,
      int threads,
      Reporter reporter)
      throws IOException {
    Path target = directory(cacheRoot, datasetDigest, imageSize);
    if (Files.isRegularFile(target.resolve("meta.json"))) {
      return open(cacheRoot, datasetDigest, imageSize);
    }
    Path staging = target.resolveSibling(target.getFileName() + ".partial");
    FileTrees.delete(staging);
    Files.createDirectories(staging);
    int bytes = imageSize * imageSize;
    int shardImages = Math.min(MAX_SHARD_IMAGES, Integer.MAX_VALUE / bytes);
    ImageDecoder decoder = new ImageDecoder(imageSize);
    List<String> written = new ArrayList<>(imageIndexes.size());
    Map<String, String> skipped = new LinkedHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    Reporter.Task bar =
        reporter.task("Preparing " + imageSize + "px", imageIndexes.size(), Reporter.Unit.IMAGES);
    OutputStream shard = null;
    try {
      for (int start = 0; start < imageIndexes.size(); start += BLOCK) {
        List<Future<byte[]>> block = new ArrayList<>(BLOCK);
        for (String name :
            imageIndexes.subList(start, Math.min(imageIndexes.size(), start + BLOCK))) {
          block.add(pool.submit(() -> decoder.decodeGray(data.imagePath(name))));
        }
        for (int i = 0; i < block.size(); i++) {
          String name = imageIndexes.get(start + i);
          byte[] gray;
          try {
            gray = block.get(i).get();
          } catch (ExecutionException e) {
            if (!(e.getCause() instanceof IOException io)) {
              throw new IllegalStateException(name + ": " + e.getCause(), e.getCause());
            }
            if (onBadImage == OnBadImage.FAIL) {
              throw new IOException(io.getMessage() + " (prepare with skip to leave it out)", io);
            }
            skipped.put(name, e.getCause().getMessage().replace('\t', ' ').replace('\n', ' '));
            bar.step();
            continue;
          }
          if (written.size() % shardImages == 0) {
            if (shard != null) {
              shard.close();
            }
            shard =
                new BufferedOutputStream(
                    Files.newOutputStream(staging.resolve(shardName(written.size() / shardImages))),
                    1 << 20);
          }
          shard.write(gray);
          written.add(name);
          bar.step();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while preparing " + target, e);
    } finally {
      pool.shutdownNow();
      bar.close();
      if (shard != null) {
        shard.close();
      }
    }
    Files.writeString(staging.resolve("index.txt"), String.join("\n", written) + "\n");
    StringBuilder skippedText = new StringBuilder();
    skipped.forEach(
        (name, reason) -> skippedText.append(name).append('\t').append(reason).append('\n'));
    Files.writeString(staging.resolve("skipped.tsv"), skippedText);
    ObjectNode meta = JSON.createObjectNode();
    meta.put("format", FORMAT)
        .put("dataset_digest", datasetDigest)
        .put("image_size", imageSize)
        .put("decoder_version", DECODER_VERSION)
        .put("images", written.size())
        .put("shard_images", shardImages);
    // meta.json last: its presence marks a complete cache.
    Files.writeString(staging.resolve("meta.json"), JSON.writeValueAsString(meta) + "\n");
    Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    return open(cacheRoot, datasetDigest, imageSize);
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
    int shardImages = meta.path("shard_images").asInt();
    List<String> names = Files.readAllLines(dir.resolve("index.txt"), StandardCharsets.UTF_8);
    if (names.size() != meta.path("images").asInt()) {
      throw new IOException(
          dir.resolve("index.txt")
              + ": "
              + names.size()
              + " names, meta.json says "
              + meta.path("images"));
    }
    Map<String, Integer> positions = new HashMap<>(names.size() * 2);
    for (int i = 0; i < names.size(); i++) {
      positions.put(names.get(i), i);
    }
    long bytes = (long) imageSize * imageSize;
    List<MappedByteBuffer> shards = new ArrayList<>();
    for (int s = 0; s * (long) shardImages < names.size(); s++) {
      Path file = dir.resolve(shardName(s));
      long expected = Math.min(shardImages, names.size() - (long) s * shardImages) * bytes;
      try (FileChannel channel = FileChannel.open(file)) {
        if (channel.size() != expected) {
          throw new IOException(file + ": " + channel.size() + " bytes, expected " + expected);
        }
        shards.add(channel.map(FileChannel.MapMode.READ_ONLY, 0, expected));
      }
    }
    Map<String, String> skipped = new LinkedHashMap<>();
    for (String line : Files.readAllLines(dir.resolve("skipped.tsv"), StandardCharsets.UTF_8)) {
      String[] f = line.split("\t", 2);
      skipped.put(f[0], f.length > 1 ? f[1] : "");
    }
    return new PreparedCache(dir, imageSize, shardImages, positions, shards, skipped);
  }

  private static String shardName(int shard) {
    return String.format("shard-%03d.bin", shard);
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
    Integer position = positions.get(imageIndex);
    if (position == null) {
      throw new NoSuchFileException(imageIndex, null, missing(imageIndex));
    }
    int bytes = imageSize * imageSize;
    byte[] gray = new byte[bytes];
    shards.get(position / shardImages).get((position % shardImages) * bytes, gray);
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
