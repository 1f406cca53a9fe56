package org.chexnet.dataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Feeds batches of one image list, decoding on background threads ahead of the consumer. At most
 * {@code threads + 1} batches are decoded ahead, so memory stays bounded however slow the consumer
 * is. Not thread-safe: one consumer, one epoch at a time (starting an epoch abandons the previous
 * one).
 */
public final class BatchLoader implements AutoCloseable {
  private final List<LabeledImage> images;
  private final int classes;
  private final GraySource source;
  private final int imageSize;
  private final int batchSize;
  private final boolean shuffle;
  private final boolean flip;
  private final long seed;
  private final int aheadLimit;
  private final ExecutorService workers;
  private EpochIterator current;
  private boolean closed;

  /**
   * Decodes images from {@code data} (see {@link Builder} for the other sources and options).
   *
   * @param shuffle a seeded permutation per epoch: the same seed and epoch give the same order
   * @param flip seeded random horizontal flips (training augmentation)
   * @param cacheInMemory keep each decoded imageSize x imageSize gray image so later epochs skip
   *     PNG decoding
   * @param threads background decoding threads
   */
  public BatchLoader(
      Dataset data,
      List<LabeledImage> images,
      int imageSize,
      int batchSize,
      boolean shuffle,
      boolean flip,
      boolean cacheInMemory,
      long seed,
      int threads) {
    this(
        builder(images)
            .decode(data, imageSize)
            .batchSize(batchSize)
            .shuffle(shuffle)
            .flip(flip)
            .cacheInMemory(cacheInMemory)
            .seed(seed)
            .threads(threads));
  }

  private BatchLoader(Builder b) {
    if (b.batchSize < 1 || b.threads < 1) {
      throw new IllegalArgumentException(
          "batch size and threads must be positive, got " + b.batchSize + " and " + b.threads);
    }
    if (b.source == null) {
      throw new IllegalArgumentException("no image source: call decode(...) or prepared(...)");
    }
    this.images = List.copyOf(b.images);
    this.classes = images.isEmpty() ? 0 : images.get(0).labels().length;
    for (LabeledImage image : images) {
      if (image.labels().length != classes) {
        throw new IllegalArgumentException(
            "image "
                + image.imageIndex()
                + " has "
                + image.labels().length
                + " labels, the first image "
                + classes);
      }
    }
    this.source = b.cacheInMemory ? new MemoryCache(b.source, images.size()) : b.source;
    b.source.check(this.images);
    this.imageSize = b.source.size();
    this.batchSize = b.batchSize;
    this.shuffle = b.shuffle;
    this.flip = b.flip;
    this.seed = b.seed;
    this.aheadLimit = b.threads + 1;
    AtomicInteger threadNumber = new AtomicInteger();
    this.workers =
        Executors.newFixedThreadPool(
            b.threads,
            task -> {
              Thread thread = new Thread(task, "batch-loader-" + threadNumber.incrementAndGet());
              // A loader the caller forgot to close must not keep the JVM alive.
              thread.setDaemon(true);
              return thread;
            });
  }

  /** Options for a loader over {@code images}; defaults: batch 16, no shuffle/flip, 2 threads. */
  public static Builder builder(List<LabeledImage> images) {
    return new Builder(images);
  }

  /** Where images come from and how batches are cut. */
  public static final class Builder {
    private final List<LabeledImage> images;
    private GraySource source;
    private int batchSize = 16;
    private boolean shuffle;
    private boolean flip;
    private boolean cacheInMemory;
    private long seed;
    private int threads = 2;

    private Builder(List<LabeledImage> images) {
      this.images = images;
    }

    /** Decode each image of {@code data} and resize it to {@code imageSize}. */
    public Builder decode(Dataset data, int imageSize) {
      this.source = GraySource.decoding(data, imageSize);
      return this;
    }

    /**
     * Read images from {@code source}: e.g. {@link MultiSource#graySource}, each source's images
     * decoded or prepared.
     */
    public Builder source(GraySource source) {
      this.source = source;
      return this;
    }

    /**
     * Read images already decoded and resized by {@code chexnet data prepare}: no PNG decoding.
     * Building fails naming the first image the cache lacks (see {@link PreparedCache#skipped()}).
     */
    public Builder prepared(PreparedCache cache) {
      this.source = cache;
      return this;
    }

    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /** A seeded permutation per epoch: the same seed and epoch give the same order. */
    public Builder shuffle(boolean shuffle) {
      this.shuffle = shuffle;
      return this;
    }

    /** Seeded random horizontal flips (training augmentation). */
    public Builder flip(boolean flip) {
      this.flip = flip;
      return this;
    }

    /** Keep each gray image after its first use, so later epochs skip decoding. */
    public Builder cacheInMemory(boolean cacheInMemory) {
      this.cacheInMemory = cacheInMemory;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Background threads that fill batches ahead of the consumer. */
    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    public BatchLoader build() {
      return new BatchLoader(this);
    }
  }

  /**
   * Gray size x size images by name: decoded ({@link #decoding}) or prepared ({@link
   * PreparedCache}).
   */
  public interface GraySource {
    byte[] gray(String imageIndex) throws IOException;

    int size();

    /** Fails early, naming an image the source cannot provide. */
    default void check(List<LabeledImage> images) {}

    /** Each image of {@code data} decoded and resized to {@code imageSize}. */
    static GraySource decoding(Dataset data, int imageSize) {
      ImageDecoder decoder = new ImageDecoder(imageSize);
      return new GraySource() {
        @Override
        public byte[] gray(String imageIndex) throws IOException {
          return decoder.decodeGray(data.imagePath(imageIndex));
        }

        @Override
        public int size() {
          return imageSize;
        }
      };
    }
  }

  /** Keeps what another source produced, by image name. */
  private static final class MemoryCache implements GraySource {
    private final GraySource source;
    private final ConcurrentHashMap<String, byte[]> kept;

    MemoryCache(GraySource source, int images) {
      this.source = source;
      this.kept = new ConcurrentHashMap<>(images);
    }

    @Override
    public byte[] gray(String imageIndex) throws IOException {
      byte[] gray = kept.get(imageIndex);
      if (gray == null) {
        gray = source.gray(imageIndex);
        kept.put(imageIndex, gray);
      }
      return gray;
    }

    @Override
    public int size() {
      return source.size();
    }

    @Override
    public void check(List<LabeledImage> images) {
      source.check(images);
    }
  }

  /** ceil(images / batchSize); the last batch may be smaller. */
  public int batchCount() {
    return (images.size() + batchSize - 1) / batchSize;
  }

  public int imageCount() {
    return images.size();
  }

  /**
   * The batches of one epoch. {@code next()} rethrows a background failure as an unchecked
   * exception whose message names the file (an {@link UncheckedIOException} for I/O and decoding
   * errors).
   */
  public Iterator<Batch> epoch(int epoch) {
    return epoch(epoch, 0);
  }

  /**
   * The batches of one epoch from {@code firstBatch} on, in the same order and with the same flips
   * as a whole epoch: a resumed epoch skips what was trained without decoding it.
   */
  public Iterator<Batch> epoch(int epoch, int firstBatch) {
    if (firstBatch < 0 || firstBatch > batchCount()) {
      throw new IllegalArgumentException(
          "firstBatch must be in [0, " + batchCount() + "], got " + firstBatch);
    }
    if (closed) {
      throw new IllegalStateException("batch loader is closed");
    }
    if (current != null) {
      current.abandon();
    }
    int n = images.size();
    SplittableRandom random = new SplittableRandom(seed + 0x9E3779B97F4A7C15L * epoch);
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    if (shuffle) {
      for (int i = n - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int swap = order[i];
        order[i] = order[j];
        order[j] = swap;
      }
    }
    boolean[] flips = new boolean[n];
    if (flip) {
      for (int i = 0; i < n; i++) {
        flips[i] = random.nextBoolean();
      }
    }
    current = new EpochIterator(epoch, order, flips, firstBatch);
    return current;
  }

  @Override
  public void close() {
    closed = true;
    if (current != null) {
      current.abandon();
    }
    workers.shutdownNow();
  }

  private Batch load(int batch, int[] order, boolean[] flips) throws IOException {
    int start = batch * batchSize;
    int count = Math.min(images.size(), start + batchSize) - start;
    int pixels = imageSize * imageSize * ImageNetNormalization.CHANNELS;
    float[] batchImages = new float[count * pixels];
    float[] batchLabels = new float[count * classes];
    float[] batchMask = new float[count * classes];
    List<String> names = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      LabeledImage image = images.get(order[start + i]);
      byte[] gray = source.gray(image.imageIndex());
      ImageNetNormalization.writeHwc(gray, imageSize, flips[start + i], batchImages, i * pixels);
      System.arraycopy(image.labels(), 0, batchLabels, i * classes, classes);
      if (image.mask() == null) {
        Arrays.fill(batchMask, i * classes, (i + 1) * classes, 1f);
      } else {
        System.arraycopy(image.mask(), 0, batchMask, i * classes, classes);
      }
      names.add(image.imageIndex());
    }
    return new Batch(batchImages, batchLabels, batchMask, count, List.copyOf(names));
  }

  private final class EpochIterator implements Iterator<Batch> {
    private final int epoch;
    private final int[] order;
    private final boolean[] flips;
    private final ArrayDeque<Future<Batch>> ahead = new ArrayDeque<>();
    private int submitted;
    private int returned;

    EpochIterator(int epoch, int[] order, boolean[] flips, int firstBatch) {
      this.epoch = epoch;
      this.order = order;
      this.flips = flips;
      this.submitted = firstBatch;
      this.returned = firstBatch;
      submitAhead();
    }

    @Override
    public boolean hasNext() {
      return returned < batchCount();
    }

    @Override
    public Batch next() {
      if (!hasNext()) {
        throw new NoSuchElementException("epoch " + epoch + " has " + batchCount() + " batches");
      }
      Future<Batch> next = ahead.poll();
      int batch = returned++;
      try {
        Batch result = next.get();
        submitAhead();
        return result;
      } catch (ExecutionException e) {
        abandon();
        Throwable cause = e.getCause();
        String message = "batch " + batch + " of epoch " + epoch + ": " + cause.getMessage();
        if (cause instanceof IOException io) {
          throw new UncheckedIOException(message, io);
        }
        throw new IllegalStateException(message, cause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        abandon();
        throw new IllegalStateException(
            "interrupted while waiting for batch " + batch + " of epoch " + epoch, e);
      }
    }

    private void submitAhead() {
      while (ahead.size() < aheadLimit && submitted < batchCount()) {
        int batch = submitted++;
        ahead.add(workers.submit(() -> load(batch, order, flips)));
      }
    }

    /** Drops the batches decoded ahead; the iterator then ends. */
    void abandon() {
      ahead.forEach(future -> future.cancel(false));
      ahead.clear();
      submitted = batchCount();
      returned = batchCount();
    }
  }
}
