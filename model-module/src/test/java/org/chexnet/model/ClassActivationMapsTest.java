package org.chexnet.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;

class ClassActivationMapsTest {
  @TempDir Path dir;

  @Test
  void weightedSumUsesTheClassColumnOfTheHeadKernel() {
    // One 1x2 map of 2 channels; kernel [2 channels x 3 classes], row-major.
    float[] features = {1, 2, 3, 4};
    float[] kernel = {10, 20, 30, 1, 2, 3};
    float[][] cam = ClassActivationMaps.weightedSum(features, 0, 1, 2, 2, kernel, 3, 1);
    assertArrayEquals(new float[] {1 * 20 + 2 * 2, 3 * 20 + 4 * 2}, cam[0]);
  }

  @Test
  void upsamplingKeepsAHotCellOverThePixelsItCovers() {
    float[][] map = new float[4][4];
    map[1][2] = 1;
    float[][] up = ClassActivationMaps.normalise(ClassActivationMaps.upsample(map, 32));
    int[] peak = peak(up);
    // Cell (row 1, column 2) covers rows 8..15 and columns 16..23: half-pixel centres put the
    // peak in that block, not shifted to its top-left corner.
    assertTrue(
        peak[0] >= 8 && peak[0] < 16 && peak[1] >= 16 && peak[1] < 24, peak[0] + "," + peak[1]);
    assertEquals(1f, up[peak[0]][peak[1]], 1e-6f);
    assertEquals(0f, up[31][0], 1e-6f);
  }

  @Test
  void aFlatMapNormalisesToZerosNotNaN() {
    float[][] flat = ClassActivationMaps.normalise(new float[][] {{3, 3}, {3, 3}});
    assertArrayEquals(new float[] {0, 0}, flat[1]);
  }

  @Test
  void mapsOfANetworkAreImageSizedAndNormalised() throws IOException {
    DenseNetConfig config = DenseNetConfig.custom(List.of(1, 1), 4, 32, 14);
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      DenseNetGraph net = DenseNet.build(Ops.create(g), config, 5);
      s.initialize();
      float[] images = new float[2 * 32 * 32 * 3];
      for (int i = 0; i < images.length; i++) {
        images[i] = (float) Math.sin(i * 0.37);
      }
      float[][][] maps = new ClassActivationMaps(s, net).compute(images, 2, 13);
      assertEquals(2, maps.length);
      assertEquals(32, maps[0].length);
      assertEquals(32, maps[0][0].length);
      float min = 1;
      float max = 0;
      for (float[] row : maps[1]) {
        for (float v : row) {
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
      }
      assertEquals(0f, min, 1e-6f);
      assertEquals(1f, max, 1e-6f);

      byte[] gray = new byte[32 * 32];
      Path png = dir.resolve("cams/overlay.png");
      ClassActivationMaps.writeOverlayPng(maps[1], gray, png);
      BufferedImage read = ImageIO.read(png.toFile());
      assertEquals(32, read.getWidth());
      int[] hot = peak(maps[1]);
      int rgb = read.getRGB(hot[1], hot[0]);
      // On a black X-ray the hottest pixel is red and the coldest blue.
      assertTrue(((rgb >> 16) & 0xff) > (rgb & 0xff), Integer.toHexString(rgb));
      try (var files = Files.list(png.getParent())) {
        assertEquals(1, files.count(), "no temporary file left behind");
      }
    }
  }

  static int[] peak(float[][] map) {
    int[] best = {0, 0};
    for (int y = 0; y < map.length; y++) {
      for (int x = 0; x < map[y].length; x++) {
        if (map[y][x] > map[best[0]][best[1]]) {
          best = new int[] {y, x};
        }
      }
    }
    return best;
  }
}
