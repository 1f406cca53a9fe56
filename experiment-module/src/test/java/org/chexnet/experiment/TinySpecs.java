package org.chexnet.experiment;

/** The parts of an experiment spec that every tiny end-to-end run test shares. */
public final class TinySpecs {
  private TinySpecs() {}

  /**
   * Eleven lines: {@code name}, {@code seed: 3}, a 120-image synthetic dataset at 32x32 written to
   * {@code data/tiny} on first use, and a DenseNet [1,1,1,1] with growth 4 from random weights. A
   * test appends its own {@code train}, {@code evaluate} and {@code tracking}.
   */
  public static String dataAndModel(String name) {
    return """
        name: %s
        seed: 3
        data:
          root: data/tiny
          synthetic: {images: 120, image_size: 32, seed: 5}
          image_size: 32
        model:
          architecture: custom
          blocks: [1, 1, 1, 1]
          growth_rate: 4
          weights: none
        """
        .formatted(name);
  }
}
