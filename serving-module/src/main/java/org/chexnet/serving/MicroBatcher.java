package org.chexnet.serving;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * Groups single-image requests that arrive together into one model run: a batch closes when it
 * holds {@code maxBatch} images or {@code window} after its first image arrived, whichever comes
 * first. While a batch runs, later requests queue and go together into the next one, so under load
 * batches fill up without waiting. One thread runs the model.
 */
public final class MicroBatcher implements AutoCloseable {
  /** A model run over a batch. */
  public interface BatchModel {
    /**
     * @param images row-major [count, size, size, 3]
     */
    Outputs run(float[] images, int count);

    int imageValues();

    int featureValuesPerImage();
  }

  /**
   * A batch's outputs, row-major: probabilities [count, classes], feature maps [count, h, w, c].
   */
  public record Outputs(float[] probabilities, float[] featureMaps) {}

  /** One image's share of a batch's outputs, and how many images that batch held. */
  public record Prediction(float[] probabilities, float[] featureMaps, int batchSize) {}

  /** Thrown (through the future) when the queue is full: the caller should answer 503. */
  public static final class OverloadedException extends RuntimeException {
    OverloadedException(int capacity) {
      super("the server is busy (" + capacity + " images queued); retry later");
    }
  }

  private record Request(float[] image, CompletableFuture<Prediction> result) {}

  private final BatchModel model;
  private final int maxBatch;
  private final long windowNanos;
  private final BlockingQueue<Request> queue;
  private final Thread worker;
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong images = new AtomicLong();
  private final LongAccumulator largestBatch = new LongAccumulator(Math::max, 0);
  private volatile boolean closed;

  /**
   * @param queueCapacity images waiting beyond which requests are refused
   */
  public MicroBatcher(BatchModel model, int maxBatch, Duration window, int queueCapacity) {
    if (maxBatch < 1 || window.isNegative() || queueCapacity < 1) {
      throw new IllegalArgumentException(
          "max batch and queue capacity must be positive and the window not negative, got "
              + maxBatch
              + ", "
              + queueCapacity
              + ", "
              + window);
    }
    this.model = model;
    this.maxBatch = maxBatch;
    this.windowNanos = window.toNanos();
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    this.worker = new Thread(this::loop, "chexnet-batcher");
    worker.setDaemon(true);
    worker.start();
  }

  /** Queues one normalised image; the future completes with its prediction. */
  public CompletableFuture<Prediction> submit(float[] image) {
    if (image.length != model.imageValues()) {
      throw new IllegalArgumentException(
          "an image must have " + model.imageValues() + " values, got " + image.length);
    }
    CompletableFuture<Prediction> result = new CompletableFuture<>();
    if (closed) {
      result.completeExceptionally(new IllegalStateException("the server is shutting down"));
    } else if (!queue.offer(new Request(image, result))) {
      result.completeExceptionally(new OverloadedException(queue.size()));
    }
    return result;
  }

  public int maxBatch() {
    return maxBatch;
  }

  public Duration window() {
    return Duration.ofNanos(windowNanos);
  }

  /** Model runs so far. */
  public long batches() {
    return batches.get();
  }

  /** Images predicted so far. */
  public long images() {
    return images.get();
  }

  /** The most images one model run has held so far. */
  public long largestBatch() {
    return largestBatch.get();
  }

  private void loop() {
    List<Request> batch = new ArrayList<>(maxBatch);
    while (!closed) {
      try {
        batch.add(queue.take());
        long deadline = System.nanoTime() + windowNanos;
        queue.drainTo(batch, maxBatch - batch.size());
        while (batch.size() < maxBatch) {
          long left = deadline - System.nanoTime();
          Request next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
          if (next == null) {
            break;
          }
          batch.add(next);
          queue.drainTo(batch, maxBatch - batch.size());
        }
      } catch (InterruptedException e) {
        break;
      }
      runBatch(batch);
      batch.clear();
    }
    for (Request left : batch) {
      left.result.completeExceptionally(new IllegalStateException("the server is shutting down"));
    }
    Request pending;
    while ((pending = queue.poll()) != null) {
      pending.result.completeExceptionally(
          new IllegalStateException("the server is shutting down"));
    }
  }

  private void runBatch(List<Request> batch) {
    int count = batch.size();
    int imageValues = model.imageValues();
    float[] input = new float[count * imageValues];
    for (int i = 0; i < count; i++) {
      System.arraycopy(batch.get(i).image, 0, input, i * imageValues, imageValues);
    }
    Outputs outputs;
    try {
      outputs = model.run(input, count);
    } catch (RuntimeException | Error e) {
      // A failed run fails its requests only; the loop (and the server) go on.
      batch.forEach(r -> r.result.completeExceptionally(e));
      return;
    }
    batches.incrementAndGet();
    images.addAndGet(count);
    largestBatch.accumulate(count);
    int classes = outputs.probabilities().length / count;
    int features = model.featureValuesPerImage();
    for (int i = 0; i < count; i++) {
      batch
          .get(i)
          .result
          .complete(
              new Prediction(
                  Arrays.copyOfRange(outputs.probabilities(), i * classes, (i + 1) * classes),
                  Arrays.copyOfRange(outputs.featureMaps(), i * features, (i + 1) * features),
                  count));
    }
  }

  /** Stops the worker; queued requests fail. */
  @Override
  public void close() {
    closed = true;
    worker.interrupt();
    try {
      worker.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
