package org.chexnet.experiment.models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.chexnet.common.ChexnetException;
import org.chexnet.experiment.spec.ExperimentSpec;
import org.chexnet.experiment.spec.SpecLoader;
import org.chexnet.model.ClassActivationMaps;
import org.chexnet.model.DenseNetConfig;
import org.chexnet.model.SavedModels;
import org.chexnet.training.TrainableModel;
import org.chexnet.training.optimizers.Adam;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * A trained DenseNet ready for inference, opened from whatever a user holds: a run (its directory,
 * its artifacts directory or its id), a checkpoint directory, a SavedModel directory, or a spec
 * plus a Keras .h5 weight file.
 */
public sealed interface PredictionModel extends AutoCloseable {

  /** The side of the square input images. */
  int imageSize();

  int classes();

  /** Where the weights came from, for the console. */
  String source();

  /**
   * @param images row-major [count, size, size, 3], ImageNet-normalised
   * @return row-major [count, classes] probabilities
   */
  float[] predict(float[] images, int count);

  @Override
  void close();

  /**
   * Resolves {@code model}: a SavedModel ({@code saved_model.pb}) is served as is; a checkpoint
   * ({@code variables.index}) is rebuilt from {@code spec}, or else from the spec.yaml of the run
   * it belongs to; a run directory or id gives its {@code saved_model/} when there is one, else its
   * best checkpoint.
   *
   * @param runs the run store searched for a run id (e.g. mlruns)
   * @throws ChexnetException naming what was looked for when {@code model} is none of these
   */
  public static PredictionModel open(String model, Path spec, Path runs) throws IOException {
    return open(model, spec, runs, false);
  }

  /**
   * @param needWeights a run gives its best checkpoint even when it has a SavedModel, and a
   *     SavedModel is refused: class activation maps need the classifier's weights
   */
  public static PredictionModel open(String model, Path spec, Path runs, boolean needWeights)
      throws IOException {
    Path path = Path.of(model);
    if (!Files.exists(path)) {
      path = findRun(model, runs);
    }
    if (Files.isDirectory(path.resolve("artifacts"))) {
      path = path.resolve("artifacts");
    }
    boolean checkpoint = Files.isRegularFile(path.resolve("checkpoints/best/variables.index"));
    if (Files.isRegularFile(path.resolve("saved_model/saved_model.pb"))
        && !(needWeights && checkpoint)) {
      path = path.resolve("saved_model");
    } else if (checkpoint) {
      path = path.resolve("checkpoints/best");
    }
    if (Files.isRegularFile(path.resolve("saved_model.pb"))) {
      if (needWeights) {
        throw ChexnetException.invalidInput(
            path
                + ": class activation maps need a checkpoint (the run's checkpoints/best) or"
                + " --spec with --weights, not a SavedModel");
      }
      return Serving.load(path);
    }
    if (Files.isRegularFile(path.resolve("variables.index"))) {
      Path specFile = spec != null ? spec : runSpec(path);
      Trained trained = Trained.create(specFile);
      try {
        trained.model().restoreCheckpoint(path);
      } catch (IOException | RuntimeException e) {
        trained.close();
        throw ChexnetException.invalidInput(
            path + ": cannot restore into the network of " + specFile + ": " + e.getMessage());
      }
      return trained.from("checkpoint " + path);
    }
    throw ChexnetException.invalidInput(
        "--model "
            + model
            + ": not a run directory or id, a checkpoint (variables.index) or a SavedModel"
            + " (saved_model.pb)");
  }

  /** The network {@code spec} describes, with the weights of a Keras HDF5 file. */
  public static PredictionModel fromKeras(Path spec, Path weights) throws IOException {
    Trained trained = Trained.create(spec);
    try {
      List<String> untouched = trained.model().loadKerasWeights(weights);
      if (!untouched.isEmpty()) {
        throw ChexnetException.invalidInput(
            weights
                + " has no values for "
                + untouched.size()
                + " variable(s), e.g. "
                + untouched.get(0)
                + " (an ImageNet 'notop' file has no classifier head: train on it first)");
      }
    } catch (IOException | RuntimeException e) {
      trained.close();
      throw e instanceof ChexnetException u
          ? u
          : ChexnetException.invalidInput(weights + ": " + e.getMessage());
    }
    return trained.from(weights.toString());
  }

  private static Path findRun(String id, Path runs) throws IOException {
    if (Files.isDirectory(runs)) {
      try (Stream<Path> experiments = Files.list(runs)) {
        for (Path experiment : experiments.toList()) {
          if (Files.isRegularFile(experiment.resolve(id).resolve("meta.yaml"))) {
            return experiment.resolve(id);
          }
        }
      }
    }
    throw ChexnetException.invalidInput(
        "--model " + id + ": no such file or directory, and no run with that id in " + runs);
  }

  /** A checkpoint in a run's artifacts/checkpoints/NAME has the run's spec two levels up. */
  private static Path runSpec(Path checkpoint) {
    for (Path dir = checkpoint.toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("spec.yaml"))) {
        return dir.resolve("spec.yaml");
      }
    }
    throw ChexnetException.invalidInput(
        checkpoint + ": a checkpoint needs the spec of its network: pass --spec SPEC");
  }

  /** A network built from a spec in a training graph (the optimizer is left idle). */
  public record Trained(TrainableModel model, String source) implements PredictionModel {

    static Trained create(Path specFile) throws IOException {
      ExperimentSpec spec = SpecLoader.load(specFile, List.of()).spec();
      DenseNetConfig config = spec.model().networkConfig(spec.data().imageSize());
      return new Trained(
          TrainableModel.create(
              config, new TrainableModel.AdamSettings(0f, 0.9f, 0.999f, Adam.KERAS_EPSILON), 0),
          specFile.toString());
    }

    Trained from(String weights) {
      return new Trained(model, weights);
    }

    @Override
    public int imageSize() {
      return model.config().imageSize();
    }

    @Override
    public int classes() {
      return model.config().numClasses();
    }

    @Override
    public float[] predict(float[] images, int count) {
      return model.predict(images, count);
    }

    public ClassActivationMaps classActivationMaps() {
      return model.classActivationMaps();
    }

    @Override
    public void close() {
      model.close();
    }
  }

  /** A SavedModel's serving signature: images to probabilities. */
  public record Serving(SavedModelBundle bundle, int imageSize, int classes, String source)
      implements PredictionModel {

    static Serving load(Path dir) {
      SavedModelBundle bundle = SavedModelBundle.load(dir.toString(), SavedModels.TAG);
      Signature signature =
          bundle.signatures().stream()
              .filter(s -> s.key().equals(SavedModels.SIGNATURE))
              .findFirst()
              .orElse(null);
      Shape input =
          signature == null || !signature.getInputs().containsKey(SavedModels.IMAGES)
              ? null
              : signature.getInputs().get(SavedModels.IMAGES).shape;
      Shape output =
          signature == null || !signature.getOutputs().containsKey(SavedModels.PROBABILITIES)
              ? null
              : signature.getOutputs().get(SavedModels.PROBABILITIES).shape;
      if (input == null
          || output == null
          || input.numDimensions() != 4
          || input.get(1) != input.get(2)
          || input.get(1) < 1) {
        bundle.close();
        throw ChexnetException.invalidInput(
            dir
                + ": expected a signature "
                + SavedModels.SIGNATURE
                + " from "
                + SavedModels.IMAGES
                + " [-1, size, size, 3] to "
                + SavedModels.PROBABILITIES
                + " (see chexnet run's saved_model/)");
      }
      return new Serving(bundle, (int) input.get(1), (int) output.get(1), "SavedModel " + dir);
    }

    @Override
    public float[] predict(float[] images, int count) {
      try (TFloat32 x =
              TFloat32.tensorOf(
                  Shape.of(count, imageSize, imageSize, 3), DataBuffers.of(images, true, false));
          Result result = bundle.call(Map.of(SavedModels.IMAGES, x))) {
        TFloat32 probabilities = (TFloat32) result.get(SavedModels.PROBABILITIES).orElseThrow();
        float[] out = new float[count * classes];
        probabilities.copyTo(DataBuffers.of(out, false, false));
        return out;
      }
    }

    @Override
    public void close() {
      bundle.close();
    }
  }
}
