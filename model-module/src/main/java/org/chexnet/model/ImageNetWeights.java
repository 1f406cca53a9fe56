package org.chexnet.model;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Keras' official ImageNet weights for DenseNet-121 without the classifier ({@code notop}), and the
 * local cache directory they are downloaded into.
 */
public final class ImageNetWeights {
  public static final String FILE_NAME = "densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5";

  public static final URI URL =
      URI.create(
          "https://storage.googleapis.com/tensorflow/keras-applications/densenet/" + FILE_NAME);

  /** The hash Keras checks ({@code file_hash} in {@code keras.applications.densenet}). */
  public static final String MD5 = "4912a53fbd2a69346e7f2c0b5ec8c6d3";

  /** Environment variable that moves the cache directory. */
  public static final String CACHE_ENV = "CHEXNET_WEIGHTS_DIR";

  private ImageNetWeights() {}

  /** {@code $CHEXNET_WEIGHTS_DIR}, else {@code ~/.cache/chexnet/weights}. */
  public static Path defaultCacheDirectory() {
    String override = System.getenv(CACHE_ENV);
    if (override != null && !override.isBlank()) {
      return Path.of(override);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "chexnet", "weights");
  }

  /**
   * The weight file in {@code cacheDirectory}.
   *
   * @throws IOException saying how to download it when it is not there
   */
  public static Path locate(Path cacheDirectory) throws IOException {
    Path file = cacheDirectory.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      throw new IOException(
          "ImageNet weights not found at "
              + file
              + ": run `chexnet models download-weights --out "
              + cacheDirectory
              + "` (or set "
              + CACHE_ENV
              + " to the directory holding "
              + FILE_NAME
              + ")");
    }
    return file;
  }
}
