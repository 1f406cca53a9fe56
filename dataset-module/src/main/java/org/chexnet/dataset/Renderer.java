package org.chexnet.dataset;

import java.awt.Rectangle;
import java.util.SplittableRandom;

/**
 * Draws one synthetic chest X-ray; intensities are in [0, 1] until the final conversion to bytes.
 */
final class Renderer {
  private static final int BLOBS = 3;
  private static final double NOISE = 0.025;
  private static final double[] LUNG_CENTRES_X = {0.29, 0.71};

  private Renderer() {}

  static byte[] render(float[] labels, int size, SplittableRandom random) {
    double[] pixels = new double[size * size];
    drawChest(pixels, size, random);
    drawBlobs(pixels, size, random);
    for (Finding finding : Finding.values()) {
      if (labels[finding.ordinal()] != 0f) {
        drawFinding(pixels, size, finding, random);
      }
    }
    byte[] out = new byte[pixels.length];
    for (int i = 0; i < pixels.length; i++) {
      double value = pixels[i] + NOISE * random.nextGaussian();
      out[i] = (byte) Math.max(0, Math.min(255, Math.round(255 * value)));
    }
    return out;
  }

  /** Vertical gradient, two dark lung fields and a bright mediastinum, each slightly jittered. */
  private static void drawChest(double[] pixels, int size, SplittableRandom random) {
    double brightness = 0.05 * (2 * random.nextDouble() - 1);
    double shiftX = 0.02 * size * (2 * random.nextDouble() - 1);
    double shiftY = 0.02 * size * (2 * random.nextDouble() - 1);
    double lungRadiusX = size * (0.17 + 0.02 * random.nextDouble());
    double lungRadiusY = size * (0.31 + 0.04 * random.nextDouble());
    double mediastinumWidth = size * (0.06 + 0.02 * random.nextDouble());
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        double px = x + 0.5;
        double py = y + 0.5;
        double value = 0.55 + 0.15 * py / size + brightness;
        for (double lungCentre : LUNG_CENTRES_X) {
          double dx = (px - lungCentre * size - shiftX) / lungRadiusX;
          double dy = (py - 0.5 * size - shiftY) / lungRadiusY;
          value -= 0.25 * smoothstep(1.0, 0.6, dx * dx + dy * dy);
        }
        double dm = (px - 0.5 * size - shiftX) / mediastinumWidth;
        value += 0.12 * Math.exp(-dm * dm);
        pixels[y * size + x] = value;
      }
    }
  }

  /** Soft bright or dark blobs anywhere, so intensity alone does not give a finding away. */
  private static void drawBlobs(double[] pixels, int size, SplittableRandom random) {
    for (int b = 0; b < BLOBS; b++) {
      double cx = size * random.nextDouble();
      double cy = size * random.nextDouble();
      double sigma = size * (0.04 + 0.06 * random.nextDouble());
      double amplitude = 0.07 * (2 * random.nextDouble() - 1);
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          double dx = (x + 0.5 - cx) / sigma;
          double dy = (y + 0.5 - cy) / sigma;
          pixels[y * size + x] += amplitude * Math.exp(-0.5 * (dx * dx + dy * dy));
        }
      }
    }
  }

  /**
   * The finding's shape, jittered in position, size and contrast, kept one pixel inside its region.
   */
  private static void drawFinding(
      double[] pixels, int size, Finding finding, SplittableRandom random) {
    Rectangle region = SyntheticChestXray14.region(finding, size);
    double extent = Math.min(region.width, region.height) * (0.5 + 0.3 * random.nextDouble());
    double left = region.x + 1 + (region.width - 2 - extent) * random.nextDouble();
    double top = region.y + 1 + (region.height - 2 - extent) * random.nextDouble();
    double contrast = 0.16 + 0.16 * random.nextDouble();
    for (int y = (int) Math.floor(top); y < Math.ceil(top + extent); y++) {
      for (int x = (int) Math.floor(left); x < Math.ceil(left + extent); x++) {
        double u = 2 * (x + 0.5 - left) / extent - 1;
        double v = 2 * (y + 0.5 - top) / extent - 1;
        if (Math.abs(u) <= 1 && Math.abs(v) <= 1 && inside(finding, u, v)) {
          pixels[y * size + x] += contrast;
        }
      }
    }
  }

  /**
   * The shape of each finding in coordinates u, v in [-1, 1]; each is different so CAMs can be
   * read.
   */
  private static boolean inside(Finding finding, double u, double v) {
    double r2 = u * u + v * v;
    return switch (finding) {
      case ATELECTASIS -> r2 <= 1; // disk
      case CARDIOMEGALY -> r2 <= 1 && r2 >= 0.45 * 0.45; // ring
      case EFFUSION -> Math.floorMod((int) Math.floor((v + 1) * 2.5), 2) == 0; // horizontal stripes
      case INFILTRATION -> dots(u, v); // 3x3 dots
      case MASS -> Math.max(Math.abs(u), Math.abs(v)) <= 0.85; // square
      case NODULE -> r2 <= 0.6 * 0.6; // small disk
      case PNEUMONIA ->
          Math.floorMod((int) Math.floor((u + 1) * 2) + (int) Math.floor((v + 1) * 2), 2)
              == 0; // checker
      case PNEUMOTHORAX ->
          Math.floorMod((int) Math.floor((u + 1) * 2.5), 2) == 0; // vertical stripes
      case CONSOLIDATION -> Math.abs(u) <= (v + 1) / 2; // triangle
      case EDEMA -> Math.min(Math.abs(u - v), Math.abs(u + v)) <= 0.3; // X
      case EMPHYSEMA -> Math.min(Math.abs(u), Math.abs(v)) <= 0.25; // plus
      case FIBROSIS ->
          Math.floorMod((int) Math.floor((u + v + 2) * 1.5), 2) == 0; // diagonal stripes
      case PLEURAL_THICKENING -> Math.max(Math.abs(u), Math.abs(v)) >= 0.6; // frame
      case HERNIA -> Math.abs(u) + Math.abs(v) <= 1; // diamond
    };
  }

  private static boolean dots(double u, double v) {
    double du = (u + 1) * 1.5 % 1 - 0.5;
    double dv = (v + 1) * 1.5 % 1 - 0.5;
    return du * du + dv * dv <= 0.42 * 0.42;
  }

  /** 0 at edge0, 1 at edge1, smooth in between (edges may be in either order). */
  private static double smoothstep(double edge0, double edge1, double x) {
    double t = Math.max(0, Math.min(1, (x - edge0) / (edge1 - edge0)));
    return t * t * (3 - 2 * t);
  }
}
