package org.chexnet.experiment.models;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.chexnet.common.ChexnetException;
import org.chexnet.dataset.ModelFindings;
import org.chexnet.experiment.spec.ExperimentSpec;
import org.chexnet.experiment.spec.SpecLoader;
import org.chexnet.model.DenseNetConfig;
import org.chexnet.model.InferenceModel;
import org.chexnet.model.Preprocessing;
import org.chexnet.training.TrainableModel;
import org.chexnet.training.optimizers.Adam;

/**
 * A network rebuilt from its experiment spec in a training graph (the optimizer left idle), with
 * the weights of a checkpoint or a Keras HDF5 file: what class activation maps need, since they
 * read the classifier's weights in this process.
 */
public final class CheckpointModel implements InferenceModel {
  private final TrainableModel model;
  private final ModelFindings findings;
  private final String source;

  private CheckpointModel(TrainableModel model, ModelFindings findings, String source) {
    this.model = model;
    this.findings = findings;
    this.source = source;
  }

  /**
   * The network of {@code specFile} with the weights of the checkpoint in {@code checkpoint}.
   *
   * @throws ChexnetException when the checkpoint does not fit that network
   */
  public static CheckpointModel restore(Path specFile, Path checkpoint) throws IOException {
    ModelFindings findings = findings(specFile);
    TrainableModel model = create(specFile, findings);
    try {
      model.restoreCheckpoint(checkpoint);
    } catch (IOException | RuntimeException e) {
      model.close();
      throw ChexnetException.invalidInput(
          checkpoint + ": cannot restore into the network of " + specFile + ": " + e.getMessage());
    }
    return new CheckpointModel(model, findings, "checkpoint " + checkpoint);
  }

  /** The network {@code specFile} describes, with the weights of a Keras HDF5 file. */
  public static CheckpointModel fromKeras(Path specFile, Path weights) throws IOException {
    ModelFindings findings = findings(specFile);
    TrainableModel model = create(specFile, findings);
    try {
      List<String> untouched = model.loadKerasWeights(weights);
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
      model.close();
      throw e instanceof ChexnetException c
          ? c
          : ChexnetException.invalidInput(weights + ": " + e.getMessage());
    }
    return new CheckpointModel(model, findings, weights.toString());
  }

  /**
   * What the network of {@code specFile} predicts: the run's {@value ModelFindings#FILE_NAME}
   * beside the spec (a run's artifacts) when there is one, else what the spec's data section trains
   * on.
   */
  public static ModelFindings findings(Path specFile) throws IOException {
    Path dir = specFile.toAbsolutePath().getParent();
    try {
      java.util.Optional<ModelFindings> recorded = ModelFindings.read(dir);
      if (recorded.isPresent()) {
        return recorded.get();
      }
    } catch (IOException e) {
      throw ChexnetException.invalidInput(e.getMessage());
    }
    return SpecLoader.load(specFile, List.of()).spec().data().findings();
  }

  private static TrainableModel create(Path specFile, ModelFindings findings) throws IOException {
    ExperimentSpec spec = SpecLoader.load(specFile, List.of()).spec();
    DenseNetConfig config =
        spec.model().networkConfig(spec.data().imageSize(), findings.findings().size());
    return TrainableModel.create(
        config, new TrainableModel.AdamSettings(0f, 0.9f, 0.999f, Adam.KERAS_EPSILON), 0);
  }

  @Override
  public List<String> classNames() {
    return findings.findings();
  }

  /** The findings its outputs are, with the dataset that names them. */
  public ModelFindings findings() {
    return findings;
  }

  @Override
  public Preprocessing preprocessing() {
    return Preprocessing.resize(model.config().imageSize());
  }

  @Override
  public String source() {
    return source;
  }

  @Override
  public float[] predict(float[] images, int count) {
    return model.predict(images, count);
  }

  @Override
  public boolean hasClassActivationMaps() {
    return true;
  }

  @Override
  public float[][][] classActivationMaps(float[] images, int count, int classIndex) {
    return model.classActivationMaps().compute(images, count, classIndex);
  }

  @Override
  public void close() {
    model.close();
  }
}
