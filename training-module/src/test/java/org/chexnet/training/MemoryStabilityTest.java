package org.chexnet.training;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Memory stays flat over many steps: every tensor a step creates is released (native memory) and
 * nothing accumulates per step on the Java heap.
 */
class MemoryStabilityTest {
  @Test
  void manyStepsDoNotGrowNativeOrHeapMemory() throws IOException {
    SplittableRandom random = new SplittableRandom(2);
    float[] images = TinyNets.images(random, 16);
    float[] labels = new float[16 * TinyNets.CLASSES];
    try (TrainableModel model = TinyNets.model(1)) {
      for (int i = 0; i < 100; i++) { // warm-up: allocator pools and JIT settle
        step(model, images, labels);
      }
      long rssBefore = residentKilobytes();
      long heapBefore = usedHeapAfterGc();
      for (int i = 0; i < 600; i++) {
        step(model, images, labels);
      }
      long rssGrowthKb = residentKilobytes() - rssBefore;
      long heapGrowth = usedHeapAfterGc() - heapBefore;
      // A leak of one batch tensor per step would be 600 x 196 KB = 115 MB.
      assertTrue(rssGrowthKb < 20_000, "resident memory grew by " + rssGrowthKb + " KB");
      assertTrue(heapGrowth < 8_000_000, "heap grew by " + heapGrowth + " bytes");
    }
  }

  private static void step(TrainableModel model, float[] images, float[] labels) {
    model.trainStep(images, labels, 16);
    model.predict(images, 16);
  }

  private static long residentKilobytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }

  private static long usedHeapAfterGc() {
    Runtime runtime = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return runtime.totalMemory() - runtime.freeMemory();
  }
}
