package org.chexnet.model;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.chexnet.common.AtomicFiles;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Class activation maps (Zhou et al. 2016, as in the CheXNet paper): for class c, CAM_c = sum_k
 * w[k, c] * f_k over the last feature maps f_k (after the final BN+ReLU) and the head's weights w,
 * upsampled bilinearly to the input image and scaled to [0, 1].
 */
public final class ClassActivationMaps {
  /** Weight of the heat colours over the X-ray in an overlay. */
  static final double OVERLAY_ALPHA = 0.45;

  private final Session session;
  private final DenseNetGraph net;

  /** Maps of {@code net}, whose variables live in {@code session}. */
  public ClassActivationMaps(Session session, DenseNetGraph net) {
    this.session = session;
    this.net = net;
  }

  /**
   * Maps of one class for a batch of images.
   *
   * @param images row-major [count, size, size, 3], normalised as for training
   * @return [count][size][size], each in [0, 1] (all zero where the map is flat)
   */
  public float[][][] compute(float[] images, int count, int classIndex) {
    DenseNetConfig config = net.config();
    int size = config.imageSize();
    if (images.length != count * size * size * 3) {
      throw new IllegalArgumentException(
          "images must have "
              + count
              + " x "
              + size
              + " x "
              + size
              + " x 3 values, got "
              + images.length);
    }
    if (classIndex < 0 || classIndex >= config.numClasses()) {
      throw new IllegalArgumentException(
          "class index must be in [0, " + config.numClasses() + "), got " + classIndex);
    }
    try (TFloat32 x =
            TFloat32.tensorOf(Shape.of(count, size, size, 3), DataBuffers.of(images, true, false));
        Result result =
            session
                .runner()
                .feed(net.images(), x)
                .fetch(net.featureMaps())
                .fetch(net.classifierKernel())
                .run()) {
      TFloat32 features = (TFloat32) result.get(0);
      TFloat32 kernel = (TFloat32) result.get(1);
      int height = (int) features.shape().get(1);
      int width = (int) features.shape().get(2);
      int channels = (int) features.shape().get(3);
      float[] featureValues = new float[(int) features.size()];
      features.copyTo(DataBuffers.of(featureValues, false, false));
      float[] kernelValues = new float[(int) kernel.size()];
      kernel.copyTo(DataBuffers.of(kernelValues, false, false));
      float[][][] maps = new float[count][][];
      int perImage = height * width * channels;
      for (int i = 0; i < count; i++) {
        float[][] cam =
            weightedSum(
                featureValues,
                i * perImage,
                height,
                width,
                channels,
                kernelValues,
                config.numClasses(),
                classIndex);
        maps[i] = normalise(upsample(cam, size));
      }
      return maps;
    }
  }

  /**
   * The map of one class for one image from values already fetched (a served SavedModel's {@code
   * feature_maps} output and its head kernel), upsampled to size x size and scaled to [0, 1].
   *
   * @param features one image's feature maps, row-major [height, width, channels]
   * @param kernel the head's weights, row-major [channels, classes]
   */
  public static float[][] fromFeatureMaps(
      float[] features,
      int height,
      int width,
      int channels,
      float[] kernel,
      int classes,
      int classIndex,
      int size) {
    if (features.length != height * width * channels || kernel.length != channels * classes) {
      throw new IllegalArgumentException(
          "feature maps ["
              + height
              + ", "
              + width
              + ", "
              + channels
              + "] and kernel ["
              + channels
              + ", "
              + classes
              + "] do not match "
              + features.length
              + " and "
              + kernel.length
              + " values");
    }
    if (classIndex < 0 || classIndex >= classes) {
      throw new IllegalArgumentException(
          "class index must be in [0, " + classes + "), got " + classIndex);
    }
    return normalise(
        upsample(
            weightedSum(features, 0, height, width, channels, kernel, classes, classIndex), size));
  }

  /** sum_k kernel[k, c] * f[y, x, k] for one image's feature maps starting at {@code offset}. */
  static float[][] weightedSum(
      float[] features,
      int offset,
      int height,
      int width,
      int channels,
      float[] kernel,
      int classes,
      int classIndex) {
    float[][] cam = new float[height][width];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int base = offset + (y * width + x) * channels;
        double sum = 0;
        for (int k = 0; k < channels; k++) {
          sum += (double) kernel[k * classes + classIndex] * features[base + k];
        }
        cam[y][x] = (float) sum;
      }
    }
    return cam;
  }

  /**
   * Bilinear resize to size x size with half-pixel centres (TensorFlow's {@code resize_bilinear}
   * default), so a feature-map cell maps onto the image pixels it covers without a shift.
   */
  static float[][] upsample(float[][] map, int size) {
    int height = map.length;
    int width = map[0].length;
    float[][] out = new float[size][size];
    for (int y = 0; y < size; y++) {
      double sy = clamp((y + 0.5) * height / size - 0.5, height - 1);
      int y0 = (int) Math.floor(sy);
      int y1 = Math.min(y0 + 1, height - 1);
      double fy = sy - y0;
      for (int x = 0; x < size; x++) {
        double sx = clamp((x + 0.5) * width / size - 0.5, width - 1);
        int x0 = (int) Math.floor(sx);
        int x1 = Math.min(x0 + 1, width - 1);
        double fx = sx - x0;
        double top = map[y0][x0] * (1 - fx) + map[y0][x1] * fx;
        double bottom = map[y1][x0] * (1 - fx) + map[y1][x1] * fx;
        out[y][x] = (float) (top * (1 - fy) + bottom * fy);
      }
    }
    return out;
  }

  /** Min-max scaling to [0, 1]; a flat map becomes all zeros rather than NaN. */
  static float[][] normalise(float[][] map) {
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float[] row : map) {
      for (float v : row) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
    float range = max - min;
    for (float[] row : map) {
      for (int x = 0; x < row.length; x++) {
        row[x] = range > 0 ? (row[x] - min) / range : 0f;
      }
    }
    return map;
  }

  /**
   * The map in heat colours (blue cold, red hot) blended over the gray X-ray.
   *
   * @param gray the X-ray at the map's size, row-major unsigned bytes (as {@code ImageDecoder}
   *     gives)
   */
  public static BufferedImage overlay(float[][] cam, byte[] gray) {
    int height = cam.length;
    int width = cam[0].length;
    if (gray.length != height * width) {
      throw new IllegalArgumentException(
          "gray image must have " + height + " x " + width + " pixels, got " + gray.length);
    }
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double g = (gray[y * width + x] & 0xff) / 255.0;
        double v = cam[y][x];
        int r = blend(g, clamp(1.5 - Math.abs(4 * v - 3), 1));
        int gr = blend(g, clamp(1.5 - Math.abs(4 * v - 2), 1));
        int b = blend(g, clamp(1.5 - Math.abs(4 * v - 1), 1));
        image.setRGB(x, y, (r << 16) | (gr << 8) | b);
      }
    }
    return image;
  }

  /** Writes {@link #overlay} as a PNG, atomically. */
  public static void writeOverlayPng(float[][] cam, byte[] gray, Path png) throws IOException {
    BufferedImage image = overlay(cam, gray);
    AtomicFiles.write(
        png,
        out -> {
          if (!ImageIO.write(image, "png", out)) {
            throw new IOException("no PNG writer in this Java runtime");
          }
        });
  }

  private static int blend(double gray, double heat) {
    return (int) Math.round(255 * ((1 - OVERLAY_ALPHA) * gray + OVERLAY_ALPHA * heat));
  }

  private static double clamp(double v, double max) {
    return Math.max(0, Math.min(max, v));
  }
}
