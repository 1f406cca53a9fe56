package org.chexnet.model;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.lang.reflect.Array;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import org.tensorflow.Graph;
import org.tensorflow.op.Ops;

/**
 * Writes weight files in Keras' legacy HDF5 layout (root attribute {@code layer_names}, one group
 * per layer with {@code weight_names}), the layout of Keras' official ImageNet files. Shared with
 * the CLI's tests through this module's test jar.
 */
public final class KerasWeightFiles {
  private KerasWeightFiles() {}

  /**
   * A file with a tensor for every variable of the network {@code config} builds.
   *
   * @param values the flat values of a variable, given its name ({@code conv1/conv/kernel}) and
   *     shape
   */
  public static void write(
      DenseNetConfig config, Path file, BiFunction<String, long[], float[]> values) {
    Map<String, KerasWeights.Tensor> tensors = new LinkedHashMap<>();
    try (Graph g = new Graph()) {
      DenseNetGraph net = DenseNet.build(Ops.create(g), config, 0);
      net.variables()
          .forEach(
              (name, variable) -> {
                long[] shape = variable.shape().asArray();
                tensors.put(name, new KerasWeights.Tensor(shape, values.apply(name, shape)));
              });
    }
    write(tensors, file);
  }

  /**
   * A file holding {@code tensors} by Keras name ({@code conv1/conv/kernel}), in order, one group
   * per layer with bare weight names ({@code kernel:0}), as Keras 3's legacy writer does.
   */
  public static void write(Map<String, KerasWeights.Tensor> tensors, Path file) {
    Map<String, List<String>> layers = new LinkedHashMap<>();
    for (String name : tensors.keySet()) {
      layers
          .computeIfAbsent(name.substring(0, name.lastIndexOf('/')), l -> new ArrayList<>())
          .add(name);
    }
    try (WritableHdfFile out = HdfFile.write(file)) {
      out.putAttribute("layer_names", layers.keySet().toArray(String[]::new));
      for (Map.Entry<String, List<String>> layer : layers.entrySet()) {
        WritableGroup group = out;
        for (String part : layer.getKey().split("/")) {
          group =
              group.getChild(part) instanceof WritableGroup existing
                  ? existing
                  : group.putGroup(part);
        }
        List<String> weightNames = new ArrayList<>();
        for (String name : layer.getValue()) {
          String weightName = name.substring(name.lastIndexOf('/') + 1) + ":0";
          weightNames.add(weightName);
          KerasWeights.Tensor tensor = tensors.get(name);
          group.putDataset(weightName, nested(tensor.values(), tensor.shape()));
        }
        group.putAttribute("weight_names", weightNames.toArray(String[]::new));
      }
    }
  }

  /** Keras-like values: He-normal kernels, unit-variance batch norm, a given head. */
  public static BiFunction<String, long[], float[]> plausible(
      long seed, float headKernel, float headBias) {
    SplittableRandom random = new SplittableRandom(seed);
    return (name, shape) -> {
      int size = 1;
      for (long d : shape) {
        size *= (int) d;
      }
      float[] v = new float[size];
      String leaf = name.substring(name.lastIndexOf('/') + 1);
      float constant =
          switch (leaf) {
            case "gamma", "moving_variance" -> 1f;
            case "beta", "moving_mean" -> 0f;
            case "bias" -> headBias;
            default -> name.startsWith("predictions/") ? headKernel : Float.NaN;
          };
      double fanIn = size / (double) shape[shape.length - 1];
      for (int i = 0; i < size; i++) {
        v[i] =
            Float.isNaN(constant)
                ? (float) (random.nextGaussian() * Math.sqrt(2 / fanIn))
                : constant;
      }
      return v;
    };
  }

  private static Object nested(float[] flat, long[] shape) {
    int[] dims = new int[shape.length];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = (int) shape[i];
    }
    Object array = Array.newInstance(float.class, dims);
    fill(array, flat, new int[] {0});
    return array;
  }

  private static void fill(Object array, float[] flat, int[] next) {
    if (array instanceof float[] row) {
      System.arraycopy(flat, next[0], row, 0, row.length);
      next[0] += row.length;
    } else {
      for (int i = 0; i < Array.getLength(array); i++) {
        fill(Array.get(array, i), flat, next);
      }
    }
  }
}
