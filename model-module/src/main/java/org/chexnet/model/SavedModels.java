package org.chexnet.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.chexnet.common.AtomicFiles;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Exports a DenseNet as a TensorFlow SavedModel for serving: tag {@code serve}, signature {@code
 * serving_default} taking {@code images} [-1, size, size, 3] (float32, ImageNet-normalised) to
 * {@code probabilities} [-1, classes] and {@code feature_maps} [-1, h, w, channels] (for class
 * activation maps).
 */
public final class SavedModels {
  public static final String TAG = SavedModelBundle.DEFAULT_TAG;
  public static final String SIGNATURE = Signature.DEFAULT_KEY;
  public static final String IMAGES = "images";
  public static final String PROBABILITIES = "probabilities";
  public static final String FEATURE_MAPS = "feature_maps";

  private SavedModels() {}

  /**
   * Writes the network whose variables live in {@code source} (weights and batch-norm statistics
   * only: optimizer slots, step and learning rate stay behind) to {@code directory}, replacing it
   * atomically: the export goes to a temporary sibling and is moved into place when complete.
   *
   * @param config the configuration {@code source}'s network was built with
   */
  public static void export(Session source, DenseNetConfig config, Path directory)
      throws IOException {
    export(source, config, directory, Map.of());
  }

  /**
   * {@link #export(Session, DenseNetConfig, Path)} with files written beside the SavedModel (what
   * its outputs are), in place when the directory appears.
   *
   * @param sideFiles contents by file name, relative to the directory
   */
  public static void export(
      Session source, DenseNetConfig config, Path directory, Map<String, byte[]> sideFiles)
      throws IOException {
    export(config, directory, sideFiles, (session, net) -> copyVariables(source, net, session));
  }

  /** Sets the variables of a network freshly built for export. */
  @FunctionalInterface
  public interface Weights {
    void assign(Session session, DenseNetGraph net) throws IOException;
  }

  /**
   * Builds the network {@code config} describes, lets {@code weights} set its variables, and writes
   * it to {@code directory} as {@link #export(Session, DenseNetConfig, Path)} does, with files
   * written beside the SavedModel (an imported model's card) before it is moved into place, so the
   * directory appears complete or not at all. Nothing is written if {@code weights} fails.
   *
   * @param sideFiles contents by file name, relative to the directory
   */
  public static void export(
      DenseNetConfig config, Path directory, Map<String, byte[]> sideFiles, Weights weights)
      throws IOException {
    try (Graph graph = new Graph();
        Session session = new Session(graph)) {
      DenseNetGraph net = DenseNet.build(Ops.create(graph), config, 0);
      session.initialize();
      weights.assign(session, net);
      Signature signature =
          Signature.builder(SIGNATURE)
              .input(IMAGES, net.images())
              .output(PROBABILITIES, net.probabilities())
              .output(FEATURE_MAPS, net.featureMaps())
              .build();
      AtomicFiles.replaceDirectory(
          directory,
          staging -> {
            // The exporter wants a directory of its own to create.
            Files.delete(staging);
            SavedModelBundle.exporter(staging.toString())
                .withTags(TAG)
                .withSession(session)
                .withSignature(signature)
                .export();
            for (Map.Entry<String, byte[]> file : sideFiles.entrySet()) {
              Files.write(staging.resolve(file.getKey()), file.getValue());
            }
          });
    }
  }

  private static void copyVariables(Session source, DenseNetGraph net, Session target)
      throws IOException {
    List<String> names = new ArrayList<>(net.variables().keySet());
    Map<String, TFloat32> values;
    try {
      values = VariableValues.read(source, names);
    } catch (IllegalArgumentException e) {
      throw new IOException("cannot export: " + e.getMessage() + " (built with another config?)");
    }
    try {
      Map<Variable<TFloat32>, TFloat32> assignments = new LinkedHashMap<>();
      for (String name : names) {
        Variable<TFloat32> variable = net.variables().get(name);
        long[] expected = variable.shape().asArray();
        long[] actual = values.get(name).shape().asArray();
        if (!Arrays.equals(expected, actual)) {
          throw new IOException(
              "cannot export: variable "
                  + name
                  + " has shape "
                  + Arrays.toString(actual)
                  + ", the configuration gives "
                  + Arrays.toString(expected));
        }
        assignments.put(variable, values.get(name));
      }
      VariableValues.assign(target, assignments);
    } finally {
      values.values().forEach(TFloat32::close);
    }
  }
}
