package org.chexnet.model.imports;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.chexnet.model.DenseNetConfig;
import org.chexnet.model.KerasWeights;

/**
 * Keras HDF5 weights of a DenseNet with a Dense head named {@code predictions}
 * (brucechou1983/CheXNet-Keras): the names are already our graph's; the network is inferred from
 * the shapes.
 */
final class KerasLayout {
  private KerasLayout() {}

  static ImportedNetwork read(Path file) throws IOException {
    Map<String, KerasWeights.Tensor> tensors = KerasWeights.read(file).tensors();
    KerasWeights.Tensor stem = tensors.get("conv1/conv/kernel");
    KerasWeights.Tensor bottleneck = tensors.get("conv2_block1_1_conv/kernel");
    KerasWeights.Tensor growth = tensors.get("conv2_block1_2_conv/kernel");
    if (stem == null || bottleneck == null || growth == null) {
      throw new IOException(
          file
              + ": not a Keras DenseNet (no conv1/conv/kernel or conv2_block1_*_conv/kernel; its"
              + " first weights: "
              + tensors.keySet().stream().limit(5).toList()
              + ")");
    }
    KerasWeights.Tensor head = tensors.get("predictions/kernel");
    if (head == null) {
      throw new IOException(
          file
              + ": no classifier layer 'predictions' (a notop file, such as Keras' ImageNet"
              + " weights, has none): nothing to predict with");
    }
    List<Integer> blocks = new ArrayList<>();
    for (int stage = 2; tensors.containsKey(layerKey(stage, 1)); stage++) {
      int layers = 0;
      while (tensors.containsKey(layerKey(stage, layers + 1))) {
        layers++;
      }
      blocks.add(layers);
    }
    int growthRate = (int) last(growth.shape());
    DenseNetConfig config;
    try {
      config =
          new DenseNetConfig(
              blocks,
              growthRate,
              (int) last(stem.shape()),
              (int) last(bottleneck.shape()) / growthRate,
              0.5,
              224,
              (int) last(head.shape()),
              DenseNetConfig.KERAS_BN_EPSILON);
    } catch (IllegalArgumentException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
    Map<String, String> sourceNames = new LinkedHashMap<>();
    Map<String, SourceTensor> mapped = new LinkedHashMap<>();
    for (String variable : TorchvisionDenseNet.names(config, "classifier").keySet()) {
      sourceNames.put(variable, variable);
      KerasWeights.Tensor tensor = tensors.get(variable);
      if (tensor != null) {
        mapped.put(
            variable,
            new SourceTensor(variable, tensor.shape(), SourceTensor.Layout.SAME, tensor::values));
      }
    }
    List<String> problems = new ArrayList<>();
    tensors.forEach(
        (name, tensor) -> {
          if (!sourceNames.containsKey(name)) {
            problems.add(
                "unexpected " + name + " " + Arrays.toString(tensor.shape()) + " (no such weight)");
          }
        });
    return new ImportedNetwork(
        ImportFormat.KERAS,
        "Keras HDF5 weights",
        null,
        config,
        sourceNames,
        mapped,
        problems,
        List.of(),
        "Dense 'predictions' (brucechou1983/CheXNet-Keras uses a sigmoid activation; the weights"
            + " file does not record it)");
  }

  private static String layerKey(int stage, int layer) {
    return "conv" + stage + "_block" + layer + "_1_conv/kernel";
  }

  private static long last(long[] shape) {
    return shape[shape.length - 1];
  }
}
