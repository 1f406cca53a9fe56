package org.chexnet.model.imports;

import java.util.Arrays;
import java.util.Locale;
import org.chexnet.model.Preprocessing;

/**
 * The published checkpoint layouts the importer reads, named after the project that publishes each.
 * Each brings the preprocessing its project evaluates with.
 */
public enum ImportFormat {
  /** Recognise the layout from the file. */
  AUTO(null, null),
  /**
   * arnoweng/CheXNet's model.pth.tar: {@code {"state_dict": {"module.densenet121.features...",
   * "module.densenet121.classifier.0.weight", ...}}}, torchvision's old layer names, legacy
   * serialisation.
   */
  ARNOWENG("arnoweng/CheXNet", Preprocessing.tenCrop(256, 224)),
  /** zoogzog/chexnet's checkpoints: arnoweng's layout plus epoch, best_loss and optimizer. */
  ZOOGZOG("zoogzog/chexnet", Preprocessing.tenCrop(256, 224)),
  /**
   * jrzech/reproduce-chexnet's checkpoint: {@code {"model": <a pickled torchvision DenseNet>,
   * "best_loss", "epoch", "rng_state", "LR"}}.
   */
  JRZECH("jrzech/reproduce-chexnet", Preprocessing.centerCrop(224, 224)),
  /**
   * A torchvision DenseNet state dict ({@code features.*}, {@code classifier.weight} or {@code
   * classifier.0.weight}), optionally DataParallel's {@code module.} and a {@code state_dict}
   * wrapper. The CheXNet paper's preprocessing (224, no crop) unless told otherwise.
   */
  TORCHVISION(null, Preprocessing.resize(224)),
  /**
   * Keras HDF5 weights of a DenseNet with a sigmoid Dense head named {@code predictions} (the last
   * batch norm named {@code bn}): brucechou1983/CheXNet-Keras.
   */
  KERAS("brucechou1983/CheXNet-Keras", Preprocessing.resize(224));

  private final String project;
  private final Preprocessing preprocessing;

  ImportFormat(String project, Preprocessing preprocessing) {
    this.project = project;
    this.preprocessing = preprocessing;
  }

  /** The repository whose layout this is; null for plain torchvision. */
  public String project() {
    return project;
  }

  /** The preprocessing the project evaluates its model with. */
  public Preprocessing preprocessing() {
    return preprocessing;
  }

  /** The name users write: {@code auto}, {@code arnoweng}, ... */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * @throws IllegalArgumentException naming the valid formats
   */
  public static ImportFormat fromCliName(String name) {
    return Arrays.stream(values())
        .filter(f -> f.cliName().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown format '"
                        + name
                        + "', expected one of "
                        + Arrays.stream(values()).map(ImportFormat::cliName).toList()));
  }
}
