package org.chexnet.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchLoaderTest {
  private static final int IMAGES = 50;
  private static final int SIZE = 32;
  private static final int PIXELS = SIZE * SIZE * 3;

  @TempDir static Path shared;
  static ChestXray14 data;
  static List<LabeledImage> images;

  @TempDir Path dir;

  @BeforeAll
  static void writeSynthetic() throws IOException {
    SyntheticChestXray14.write(shared.resolve("synthetic"), IMAGES, SIZE, 3);
    data = ChestXray14.open(shared.resolve("synthetic"));
    images = data.entries().stream().map(DataEntry::toLabeledImage).toList();
  }

  @Test
  void batchesHaveTheRightShapesAndLabels() {
    try (BatchLoader loader = new BatchLoader(data, images, SIZE, 8, false, false, false, 1, 2)) {
      assertEquals(7, loader.batchCount());
      assertEquals(IMAGES, loader.imageCount());
      List<Batch> batches = all(loader.epoch(0));
      assertEquals(7, batches.size());
      for (int b = 0; b < batches.size(); b++) {
        Batch batch = batches.get(b);
        int expectedSize = b < 6 ? 8 : 2;
        assertEquals(expectedSize, batch.size());
        assertEquals(expectedSize * PIXELS, batch.images().length);
        assertEquals(expectedSize * Finding.COUNT, batch.labels().length);
        for (int i = 0; i < batch.size(); i++) {
          LabeledImage image = images.get(b * 8 + i);
          assertEquals(image.imageIndex(), batch.imageIndexes().get(i));
          assertArrayEquals(
              image.labels(),
              Arrays.copyOfRange(batch.labels(), i * Finding.COUNT, (i + 1) * Finding.COUNT));
        }
      }
    }
  }

  @Test
  void labelMasksTravelWithTheBatchAndAreOnesWhereEveryLabelIsKnown() {
    float[] mask = new float[Finding.COUNT];
    java.util.Arrays.fill(mask, 1f);
    mask[3] = 0f;
    LabeledImage masked =
        new LabeledImage(
            images.get(1).imageIndex(), images.get(1).patientId(), images.get(1).labels(), mask);
    try (BatchLoader loader =
        new BatchLoader(data, List.of(images.get(0), masked), SIZE, 2, false, false, false, 1, 1)) {
      Batch batch = loader.epoch(0).next();
      float[] expected = new float[2 * Finding.COUNT];
      java.util.Arrays.fill(expected, 1f);
      expected[Finding.COUNT + 3] = 0f;
      assertArrayEquals(expected, batch.labelMask());
    }
  }

  @Test
  void pixelsAreImageNetNormalisedGrayInThreeChannels() throws IOException {
    assertEquals((128 / 255f - 0.485f) / 0.229f, ImageNetNormalization.value(128, 0), 1e-6);
    assertEquals((128 / 255f - 0.456f) / 0.224f, ImageNetNormalization.value(128, 1), 1e-6);
    assertEquals((128 / 255f - 0.406f) / 0.225f, ImageNetNormalization.value(128, 2), 1e-6);

    byte[] gray = new ImageDecoder(SIZE).decodeGray(data.imagePath(images.get(0).imageIndex()));
    try (BatchLoader loader = new BatchLoader(data, images, SIZE, 4, false, false, false, 1, 1)) {
      float[] first = loader.epoch(0).next().images();
      for (int p : new int[] {0, 17, SIZE * SIZE / 2 + 5, SIZE * SIZE - 1}) {
        float g = (gray[p] & 0xff) / 255f;
        assertEquals((g - 0.485f) / 0.229f, first[3 * p], 1e-5);
        assertEquals((g - 0.456f) / 0.224f, first[3 * p + 1], 1e-5);
        assertEquals((g - 0.406f) / 0.225f, first[3 * p + 2], 1e-5);
      }
      assertArrayEquals(
          ImageNetNormalization.toHwc(gray, SIZE, false), Arrays.copyOf(first, PIXELS));
    }
  }

  @Test
  void shuffleIsSeededPerEpochAndCoversEveryImageOnce() {
    try (BatchLoader loader = new BatchLoader(data, images, SIZE, 8, true, false, false, 42, 3);
        BatchLoader same = new BatchLoader(data, images, SIZE, 8, true, false, false, 42, 1);
        BatchLoader other = new BatchLoader(data, images, SIZE, 8, true, false, false, 43, 2)) {
      List<String> epoch0 = order(loader.epoch(0));
      List<String> epoch1 = order(loader.epoch(1));
      assertEquals(epoch0, order(same.epoch(0)));
      assertEquals(epoch1, order(same.epoch(1)));
      assertNotEquals(epoch0, epoch1);
      assertNotEquals(epoch0, order(other.epoch(0)));

      List<String> expected = images.stream().map(LabeledImage::imageIndex).sorted().toList();
      assertEquals(expected, epoch0.stream().sorted().toList());
      assertEquals(expected, epoch1.stream().sorted().toList());
    }
  }

  @Test
  void flipMirrorsSomeImagesLeftRight() {
    Map<String, float[]> plain = new HashMap<>();
    try (BatchLoader loader = new BatchLoader(data, images, SIZE, 8, false, false, false, 1, 2)) {
      loader.epoch(0).forEachRemaining(batch -> plain.putAll(byImage(batch)));
    }
    int flipped = 0;
    int kept = 0;
    try (BatchLoader loader = new BatchLoader(data, images, SIZE, 8, true, true, false, 1, 2)) {
      for (Iterator<Batch> it = loader.epoch(0); it.hasNext(); ) {
        for (Map.Entry<String, float[]> image : byImage(it.next()).entrySet()) {
          float[] original = plain.get(image.getKey());
          if (Arrays.equals(original, image.getValue())) {
            kept++;
          } else {
            assertArrayEquals(mirror(original), image.getValue(), image.getKey());
            flipped++;
          }
        }
      }
    }
    assertTrue(flipped > 10 && kept > 10, flipped + " flipped, " + kept + " kept");
  }

  @Test
  void cachedImagesAreNotDecodedAgain() throws IOException {
    Path root = copy(dir.resolve("cached"));
    ChestXray14 copy = ChestXray14.open(root);
    try (BatchLoader loader = new BatchLoader(copy, images, SIZE, 8, true, false, true, 1, 2)) {
      List<Batch> first = all(loader.epoch(0));
      try (Stream<Path> files = Files.list(root.resolve("images"))) {
        for (Path image : files.toList()) {
          Files.delete(image);
        }
      }
      List<Batch> again = all(loader.epoch(0));
      for (int b = 0; b < first.size(); b++) {
        assertArrayEquals(first.get(b).images(), again.get(b).images());
      }
    }
  }

  @Test
  void missingImageIsNamedByNext() throws IOException {
    Path root = copy(dir.resolve("broken"));
    String lost = images.get(20).imageIndex();
    Files.delete(root.resolve("images").resolve(lost));
    ChestXray14 broken = ChestXray14.open(root);
    try (BatchLoader loader = new BatchLoader(broken, images, SIZE, 8, false, false, false, 1, 2)) {
      Iterator<Batch> epoch = loader.epoch(0);
      epoch.next();
      epoch.next();
      UncheckedIOException e = assertThrows(UncheckedIOException.class, epoch::next);
      assertTrue(e.getMessage().contains(lost), e.getMessage());
      assertFalse(epoch.hasNext());
    }
  }

  @Test
  void closedLoaderRefusesNewEpochs() {
    BatchLoader loader = new BatchLoader(data, images, SIZE, 8, false, false, false, 1, 1);
    Iterator<Batch> epoch = loader.epoch(0);
    loader.close();
    assertFalse(epoch.hasNext());
    assertThrows(IllegalStateException.class, () -> loader.epoch(1));
  }

  private static List<Batch> all(Iterator<Batch> epoch) {
    List<Batch> batches = new ArrayList<>();
    epoch.forEachRemaining(batches::add);
    return batches;
  }

  private static List<String> order(Iterator<Batch> epoch) {
    List<String> names = new ArrayList<>();
    epoch.forEachRemaining(batch -> names.addAll(batch.imageIndexes()));
    return names;
  }

  private static Map<String, float[]> byImage(Batch batch) {
    Map<String, float[]> images = new HashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      images.put(
          batch.imageIndexes().get(i),
          Arrays.copyOfRange(batch.images(), i * PIXELS, (i + 1) * PIXELS));
    }
    return images;
  }

  private static float[] mirror(float[] hwc) {
    float[] mirrored = new float[hwc.length];
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        System.arraycopy(hwc, (y * SIZE + x) * 3, mirrored, (y * SIZE + SIZE - 1 - x) * 3, 3);
      }
    }
    return mirrored;
  }

  private static Path copy(Path root) throws IOException {
    Files.createDirectories(root.resolve("images"));
    try (Stream<Path> files = Files.walk(data.root())) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        Files.copy(file, root.resolve(data.root().relativize(file)));
      }
    }
    return root;
  }
}
