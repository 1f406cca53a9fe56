package org.chexnet.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Batching without timing: requests queued while a batch runs go together into the next one. */
class MicroBatcherTest {
  /**
   * Two values per image; each image's "probability" is its first value, its "feature map" its
   * first value doubled. The first run blocks until released.
   */
  private static final class GatedModel implements MicroBatcher.BatchModel {
    final CountDownLatch firstRunStarted = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final List<Integer> batchSizes = new ArrayList<>();
    volatile boolean failNext;

    @Override
    public MicroBatcher.Outputs run(float[] images, int count) {
      firstRunStarted.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      synchronized (batchSizes) {
        batchSizes.add(count);
      }
      if (failNext) {
        failNext = false;
        throw new IllegalStateException("model run failed");
      }
      float[] probabilities = new float[count];
      float[] features = new float[count];
      for (int i = 0; i < count; i++) {
        probabilities[i] = images[2 * i];
        features[i] = 2 * images[2 * i];
      }
      return new MicroBatcher.Outputs(probabilities, features);
    }

    @Override
    public int imageValues() {
      return 2;
    }

    @Override
    public int featureValuesPerImage() {
      return 1;
    }
  }

  @Test
  void requestsQueuedDuringARunShareTheNextUpToMaxBatch() throws Exception {
    GatedModel model = new GatedModel();
    try (MicroBatcher batcher = new MicroBatcher(model, 4, Duration.ZERO, 100)) {
      List<CompletableFuture<MicroBatcher.Prediction>> results = new ArrayList<>();
      results.add(batcher.submit(new float[] {0, 0}));
      assertTrue(model.firstRunStarted.await(30, TimeUnit.SECONDS));
      for (int i = 1; i <= 6; i++) {
        results.add(batcher.submit(new float[] {i, 0}));
      }
      model.release.countDown();
      for (int i = 0; i < results.size(); i++) {
        MicroBatcher.Prediction prediction = results.get(i).get(30, TimeUnit.SECONDS);
        // Each request gets its own image's outputs back.
        assertEquals(i, prediction.probabilities()[0]);
        assertEquals(2 * i, prediction.featureMaps()[0]);
      }
      assertEquals(List.of(1, 4, 2), model.batchSizes);
      assertEquals(4, results.get(1).get().batchSize());
      assertEquals(2, results.get(6).get().batchSize());
      assertEquals(3, batcher.batches());
      assertEquals(7, batcher.images());
      assertEquals(4, batcher.largestBatch());
    }
  }

  @Test
  void aFailedRunFailsItsRequestsOnlyAndAFullQueueRefuses() throws Exception {
    GatedModel model = new GatedModel();
    model.failNext = true;
    try (MicroBatcher batcher = new MicroBatcher(model, 8, Duration.ZERO, 2)) {
      CompletableFuture<MicroBatcher.Prediction> failing = batcher.submit(new float[] {1, 0});
      assertTrue(model.firstRunStarted.await(30, TimeUnit.SECONDS));
      CompletableFuture<MicroBatcher.Prediction> second = batcher.submit(new float[] {2, 0});
      CompletableFuture<MicroBatcher.Prediction> third = batcher.submit(new float[] {3, 0});
      CompletableFuture<MicroBatcher.Prediction> refused = batcher.submit(new float[] {4, 0});
      ExecutionException busy = assertThrows(ExecutionException.class, refused::get);
      assertInstanceOf(MicroBatcher.OverloadedException.class, busy.getCause());
      model.release.countDown();
      ExecutionException failed = assertThrows(ExecutionException.class, failing::get);
      assertEquals("model run failed", failed.getCause().getMessage());
      assertEquals(2f, second.get(30, TimeUnit.SECONDS).probabilities()[0]);
      assertEquals(3f, third.get(30, TimeUnit.SECONDS).probabilities()[0]);
    }
    assertThrows(
        IllegalArgumentException.class, () -> new MicroBatcher(model, 0, Duration.ZERO, 1));
  }

  @Test
  void anImageOfTheWrongSizeIsRefusedAtOnce() {
    try (MicroBatcher batcher = new MicroBatcher(new GatedModel(), 2, Duration.ZERO, 4)) {
      assertThrows(IllegalArgumentException.class, () -> batcher.submit(new float[3]));
    }
  }
}
