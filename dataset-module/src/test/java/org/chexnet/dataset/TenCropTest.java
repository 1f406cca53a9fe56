package org.chexnet.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TenCropTest {

  @Test
  void resizesLikeTheReproductions() {
    assertEquals(256, new TenCrop(224).resizeSize());
    assertEquals(37, new TenCrop(32).resizeSize());
  }

  /** A 5 x 5 image whose pixel (x, y) has gray 10 * y + x, cut into 4 x 4 crops. */
  @Test
  void cropsAreTheCornersTheCentreAndTheirMirrors() {
    TenCrop tenCrop = new TenCrop(4);
    assertEquals(5, tenCrop.resizeSize()); // round(4 * 256 / 224) = 5
    int size = tenCrop.resizeSize();
    byte[] gray = new byte[size * size];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        gray[y * size + x] = (byte) (10 * y + x);
      }
    }
    float[] out = new float[2 + TenCrop.CROPS * tenCrop.cropValues()];
    tenCrop.write(gray, out, 2);
    // (x0, y0) of each crop. The centre offset is round(0.5) = 0, Python's half-to-even rounding
    // as in torchvision. The last five are torchvision's five crops of the mirrored image: each
    // is the mirror of the original's window reflected, x0 -> 1 - x0 (the centre too: 1).
    int[][] origins = {{0, 0}, {1, 0}, {0, 1}, {1, 1}, {0, 0}};
    for (int c = 0; c < TenCrop.CROPS; c++) {
      int x0 = c < 5 ? origins[c][0] : 1 - origins[c - 5][0];
      int y0 = origins[c % 5][1];
      for (int y = 0; y < 4; y++) {
        for (int x = 0; x < 4; x++) {
          int sourceX = c >= 5 ? x0 + 3 - x : x0 + x;
          int expected = 10 * (y0 + y) + sourceX;
          int at = 2 + c * tenCrop.cropValues() + (y * 4 + x) * 3;
          for (int channel = 0; channel < 3; channel++) {
            assertEquals(
                ImageNetNormalization.value(expected, channel),
                out[at + channel],
                "crop " + c + " pixel (" + x + ", " + y + ") channel " + channel);
          }
        }
      }
    }
  }

  @Test
  void averagesTheTenRowsOfEachImage() {
    float[] predictions = new float[2 * TenCrop.CROPS * 2];
    for (int crop = 0; crop < TenCrop.CROPS; crop++) {
      predictions[crop * 2] = crop; // image 0, class 0: 0..9
      predictions[crop * 2 + 1] = 1; // image 0, class 1
      predictions[(TenCrop.CROPS + crop) * 2] = crop < 5 ? 0 : 1; // image 1
    }
    assertArrayEquals(new float[] {4.5f, 1f, 0.5f, 0f}, TenCrop.average(predictions, 2), 1e-6f);
    assertThrows(IllegalArgumentException.class, () -> TenCrop.average(new float[14], 14));
  }
}
