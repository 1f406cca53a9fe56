package org.chexnet.model;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The weights of a Keras model in Keras' legacy HDF5 layout, the layout of the official ImageNet
 * files ({@code densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5}): a root attribute {@code
 * layer_names}, and per layer a group with an attribute {@code weight_names} ({@code
 * conv1/conv/kernel:0}, ...) naming its datasets. A full-model file ({@code model.save("x.h5")})
 * keeps the same layout under {@code model_weights}.
 *
 * <p>Weights map to graph variables by name ({@code conv1/conv/kernel:0} is the variable {@code
 * conv1/conv/kernel}), never by position.
 */
public final class KerasWeights {
  private static final Logger LOG = LoggerFactory.getLogger(KerasWeights.class);

  /** Layer of the classifier head, absent from Keras' {@code notop} files. */
  static final String HEAD_LAYER = "predictions";

  /** How many problems an error message lists before "and N more". */
  private static final int LISTED_PROBLEMS = 10;

  /** One weight tensor: row-major values (Keras' layout: HWIO kernels, [in, out] dense). */
  public record Tensor(long[] shape, float[] values) {}

  private final Path file;
  private final Map<String, Tensor> tensors;

  private KerasWeights(Path file, Map<String, Tensor> tensors) {
    this.file = file;
    this.tensors = Collections.unmodifiableMap(tensors);
  }

  /**
   * Reads every weight tensor of a Keras HDF5 weight file.
   *
   * @throws IOException if the file is missing, not HDF5, not in Keras' layout, or holds a
   *     non-float tensor; the message names the file and the tensor
   */
  public static KerasWeights read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + ": no such Keras weight file");
    }
    try (HdfFile hdf = new HdfFile(file)) {
      Group root = hdf;
      if (stringsAttribute(root, "layer_names") == null
          && root.getChild("model_weights") instanceof Group modelWeights) {
        root = modelWeights;
      }
      String[] layerNames = stringsAttribute(root, "layer_names");
      if (layerNames == null) {
        throw new IOException(
            file + ": not a Keras HDF5 weight file (no layer_names attribute at its root)");
      }
      Map<String, Tensor> tensors = new LinkedHashMap<>();
      for (String layerName : layerNames) {
        Group layer = group(file, root, layerName);
        String[] weightNames = stringsAttribute(layer, "weight_names");
        if (weightNames == null) {
          throw new IOException(file + ": layer " + layerName + " has no weight_names attribute");
        }
        for (String weightName : weightNames) {
          String name = variableName(layerName, weightName);
          if (tensors.put(name, tensor(file, layer, layerName, weightName)) != null) {
            throw new IOException(file + ": weight " + name + " appears twice");
          }
        }
      }
      return new KerasWeights(file, tensors);
    } catch (HdfException e) {
      throw new IOException(file + ": unreadable HDF5 (" + e.getMessage() + ")", e);
    }
  }

  /**
   * Weights already in memory, by graph variable name, in Keras' layout (an imported checkpoint
   * converted to it).
   *
   * @param file the file they came from, for messages
   */
  public static KerasWeights of(Path file, Map<String, Tensor> tensors) {
    return new KerasWeights(file, new LinkedHashMap<>(tensors));
  }

  /** The file these weights came from. */
  public Path file() {
    return file;
  }

  /** Tensors by graph variable name ({@code conv1/conv/kernel}), in the file's order. */
  public Map<String, Tensor> tensors() {
    return tensors;
  }

  /**
   * Sets the network's variables in {@code session} to these weights, all at once.
   *
   * <p>Every variable of the network must be in the file with the same shape, and every tensor of
   * the file must be a variable of the network. The one exception is a file without the head
   * (Keras' {@code notop} files): the head's variables ({@code predictions/*}) then keep the values
   * they have. Nothing is assigned unless everything matches.
   *
   * @return names of the variables left as they were (the head for a {@code notop} file)
   * @throws IOException listing every missing, extra or mis-shaped tensor by name
   */
  public List<String> assignTo(Session session, DenseNetGraph net) throws IOException {
    boolean notop = tensors.keySet().stream().noneMatch(KerasWeights::isHead);
    // Mis-shaped tensors first: they say most about what went wrong.
    List<String> misShaped = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    List<String> extra = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    for (Map.Entry<String, Variable<TFloat32>> entry : net.variables().entrySet()) {
      String name = entry.getKey();
      Tensor tensor = tensors.get(name);
      long[] expected = entry.getValue().shape().asArray();
      if (tensor == null && notop && isHead(name)) {
        kept.add(name);
      } else if (tensor == null) {
        missing.add("missing " + name + " " + Arrays.toString(expected));
      } else if (!Arrays.equals(tensor.shape(), expected)) {
        misShaped.add(
            name
                + " has shape "
                + Arrays.toString(tensor.shape())
                + ", the network expects "
                + Arrays.toString(expected));
      }
    }
    for (String name : tensors.keySet()) {
      if (!net.variables().containsKey(name)) {
        extra.add(
            "extra "
                + name
                + " "
                + Arrays.toString(tensors.get(name).shape())
                + " (no such variable)");
      }
    }
    List<String> problems = new ArrayList<>(misShaped);
    problems.addAll(missing);
    problems.addAll(extra);
    if (!problems.isEmpty()) {
      throw new IOException(mismatchMessage(problems));
    }

    Map<Variable<TFloat32>, TFloat32> values = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Tensor> entry : tensors.entrySet()) {
        Tensor tensor = entry.getValue();
        values.put(
            net.variables().get(entry.getKey()),
            TFloat32.tensorOf(
                Shape.of(tensor.shape()), DataBuffers.of(tensor.values(), true, false)));
      }
      VariableValues.assign(session, values);
    } finally {
      values.values().forEach(TFloat32::close);
    }
    LOG.info("Loaded {} Keras weight tensors from {}", tensors.size(), file);
    if (!kept.isEmpty()) {
      LOG.info(
          "{} has no classifier head (a notop file): {} keep their initial values",
          file.getFileName(),
          kept);
    }
    return List.copyOf(kept);
  }

  private String mismatchMessage(List<String> problems) {
    StringBuilder message =
        new StringBuilder(file + ": the Keras weights do not fit the network (")
            .append(problems.size())
            .append(problems.size() == 1 ? " problem" : " problems")
            .append("):");
    problems.stream()
        .limit(LISTED_PROBLEMS)
        .forEach(problem -> message.append("\n  ").append(problem));
    if (problems.size() > LISTED_PROBLEMS) {
      message.append("\n  ... and ").append(problems.size() - LISTED_PROBLEMS).append(" more");
    }
    return message.toString();
  }

  private static boolean isHead(String variableName) {
    return variableName.startsWith(HEAD_LAYER + "/");
  }

  /**
   * {@code conv1/conv/kernel:0} becomes {@code conv1/conv/kernel}. A bare weight name ({@code
   * kernel:0}, as some Keras versions write) is qualified with its layer's name.
   */
  static String variableName(String layerName, String weightName) {
    int colon = weightName.lastIndexOf(':');
    String name = colon < 0 ? weightName : weightName.substring(0, colon);
    return name.contains("/") ? name : layerName + "/" + name;
  }

  private static Group group(Path file, Group root, String path) throws IOException {
    Node node;
    try {
      node = root.getByPath(path);
    } catch (HdfException e) {
      node = null;
    }
    if (!(node instanceof Group group)) {
      throw new IOException(file + ": layer " + path + " is listed in layer_names but missing");
    }
    return group;
  }

  private static Tensor tensor(Path file, Group layer, String layerName, String weightName)
      throws IOException {
    Node node;
    try {
      node = layer.getByPath(weightName);
    } catch (HdfException e) {
      node = null;
    }
    if (!(node instanceof Dataset dataset)) {
      throw new IOException(
          file + ": weight " + weightName + " of layer " + layerName + " has no dataset");
    }
    Object data = dataset.getDataFlat();
    float[] values;
    if (data instanceof float[] floats) {
      values = floats;
    } else if (data instanceof double[] doubles) {
      values = new float[doubles.length];
      for (int i = 0; i < doubles.length; i++) {
        values[i] = (float) doubles[i];
      }
    } else {
      throw new IOException(
          file
              + ": weight "
              + weightName
              + " holds "
              + dataset.getJavaType().getSimpleName()
              + " values, expected float32");
    }
    return new Tensor(dataset.getDimensionsAsLong(), values);
  }

  /**
   * A string-array attribute; Keras splits one over 64 KB into {@code name0}, {@code name1}, ...
   *
   * @return null when the node has no such attribute
   */
  private static String[] stringsAttribute(Node node, String name) {
    Map<String, Attribute> attributes = node.getAttributes();
    if (attributes.containsKey(name)) {
      return strings(attributes.get(name));
    }
    List<String> chunks = new ArrayList<>();
    for (int i = 0; attributes.containsKey(name + i); i++) {
      chunks.addAll(Arrays.asList(strings(attributes.get(name + i))));
    }
    return chunks.isEmpty() ? null : chunks.toArray(String[]::new);
  }

  private static String[] strings(Attribute attribute) {
    Object data = attribute.getData();
    if (data instanceof String[] strings) {
      return strings;
    }
    if (data instanceof String single) {
      return new String[] {single};
    }
    // An empty list (a layer without weights) is stored as an empty float array by h5py.
    return new String[0];
  }
}
