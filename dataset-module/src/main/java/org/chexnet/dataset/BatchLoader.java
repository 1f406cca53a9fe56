package org.chexnet.dataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Feeds batches of one image list, decoding on background threads ahead of the consumer. At most
 * {@code threads + 1} batches are decoded ahead, so memory stays bounded however slow the consumer
 * is. Not thread-safe: one consumer, one epoch at a time (starting an epoch abandons the previous
 * one).
 */
public final class BatchLoader implements AutoCloseable {
  private final ChestXray14 data;
  private final List<LabeledImage> images;
  private final ImageDecoder decoder;
  private final int imageSize;
  private final int batchSize;
  private final boolean shuffle;
  private final boolean flip;
  private final long seed;

  /** Decoded gray images by position in {@link #images}; null when not caching. */
  private final AtomicReferenceArray<byte[]> cache;

  private final int aheadLimit;
  private final ExecutorService workers;
  private EpochIterator current;
  private boolean closed;

  /**
   * @param shuffle a seeded permutation per epoch: the same seed and epoch give the same order
   * @param flip seeded random horizontal flips (training augmentation)
   * @param cacheInMemory keep each decoded imageSize x imageSize gray image so later epochs skip
   *     PNG decoding
   * @param threads background decoding threads
   */
  public BatchLoader(
      ChestXray14 data,
      List<LabeledImage> images,
      int imageSize,
      int batchSize,
      boolean shuffle,
      boolean flip,
      boolean cacheInMemory,
      long seed,
      int threads) {
    if (batchSize < 1 || threads < 1) {
      throw new IllegalArgumentException(
          "batch size and threads must be positive, got " + batchSize + " and " + threads);
    }
    this.data = data;
    this.images = List.copyOf(images);
    this.decoder = new ImageDecoder(imageSize);
    this.imageSize = imageSize;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.flip = flip;
    this.seed = seed;
    this.cache = cacheInMemory ? new AtomicReferenceArray<>(this.images.size()) : null;
    this.aheadLimit = threads + 1;
    AtomicInteger threadNumber = new AtomicInteger();
    this.workers =
        Executors.newFixedThreadPool(
            threads,
            task -> {
              Thread thread = new Thread(task, "batch-loader-" + threadNumber.incrementAndGet());
              // A loader the caller forgot to close must not keep the JVM alive.
              thread.setDaemon(true);
              return thread;
            });
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
    current = new EpochIterator(epoch, order, flips);
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
    float[] batchLabels = new float[count * Finding.COUNT];
    List<String> names = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int position = order[start + i];
      LabeledImage image = images.get(position);
      ImageNetNormalization.writeHwc(
          gray(position), imageSize, flips[start + i], batchImages, i * pixels);
      System.arraycopy(image.labels(), 0, batchLabels, i * Finding.COUNT, Finding.COUNT);
      names.add(image.imageIndex());
    }
    return new Batch(batchImages, batchLabels, count, List.copyOf(names));
  }

  private byte[] gray(int position) throws IOException {
    byte[] gray = cache == null ? null : cache.get(position);
    if (gray == null) {
      gray = decoder.decodeGray(data.imagePath(images.get(position).imageIndex()));
      if (cache != null) {
        cache.set(position, gray);
      }
    }
    return gray;
  }

  private final class EpochIterator implements Iterator<Batch> {
    private final int epoch;
    private final int[] order;
    private final boolean[] flips;
    private final ArrayDeque<Future<Batch>> ahead = new ArrayDeque<>();
    private int submitted;
    private int returned;

    EpochIterator(int epoch, int[] order, boolean[] flips) {
      this.epoch = epoch;
      this.order = order;
      this.flips = flips;
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
