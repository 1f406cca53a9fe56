package org.chexnet.cli;

import org.chexnet.dataset.Datasets;
import picocli.CommandLine.Option;

/** {@code --dataset NAME}: which dataset layout a directory has, ChestX-ray14's by default. */
final class DatasetOption {
  @Option(
      names = "--dataset",
      defaultValue = Datasets.DEFAULT,
      paramLabel = "NAME",
      description = "chestxray14, chexpert, mimic_cxr_jpg or padchest")
  String name;
}
