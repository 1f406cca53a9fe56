package org.chexnet.model.imports;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.Hashes;
import org.chexnet.common.Reporter;
import org.chexnet.dataset.Finding;
import org.chexnet.model.DenseNetConfig;
import org.chexnet.model.DenseNetGraph;
import org.chexnet.model.KerasWeights;
import org.chexnet.model.ModelCard;
import org.chexnet.model.Preprocessing;
import org.chexnet.model.SavedModels;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Imports a published CheXNet checkpoint (PyTorch or Keras, see {@link ImportFormat}) into a model
 * directory: our SavedModel of the same network with the same weights, plus its model card ({@link
 * ModelCard}). Pure Java: PyTorch's pickles are read by {@link TorchCheckpoint}, which resolves
 * only the globals a checkpoint needs.
 *
 * <p>Every tensor is accounted for: one the network does not have, one it lacks, one of the wrong
 * shape or type is an error naming it, and nothing is written. What the file holds besides weights
 * (epoch, optimizer state, batch counters) is listed in the card.
 *
 * <p>A file that cannot be imported (no checkpoint, a refused pickle global, a truncated file, a
 * tensor that does not fit, class names that do not match) is a {@link ChexnetException} of kind
 * {@code INVALID_INPUT} in one line naming the file, with the reader's exception as its cause (an
 * {@link UnsafeCheckpointException} for a refused global); failing to write {@code out} is an
 * {@link IOException}.
 */
public final class ModelImporter {
  private static final int LISTED_PROBLEMS = 10;
  private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

  /**
   * @param format the layout, or AUTO to recognise it
   * @param classes output names, null for the NIH 14 in CheXNet's order
   * @param name the model's name, null for one made from the file and the project
   * @param preprocessing null for the source project's
   */
  public record Options(
      ImportFormat format, List<String> classes, String name, Preprocessing preprocessing) {
    public static Options defaults() {
      return new Options(ImportFormat.AUTO, null, null, null);
    }

    public Options withFormat(ImportFormat newFormat) {
      return new Options(newFormat, classes, name, preprocessing);
    }

    public Options withPreprocessing(Preprocessing newPreprocessing) {
      return new Options(format, classes, name, newPreprocessing);
    }

    public Options withClasses(List<String> newClasses) {
      return new Options(format, newClasses, name, preprocessing);
    }
  }

  private ModelImporter() {}

  /**
   * Reads {@code file} and writes the model directory {@code out} (replaced atomically).
   *
   * @param reporter what is read, checked and written, as it happens
   * @return the card written into {@code out}
   * @throws ChexnetException naming the file and what does not fit, every mismatched tensor by
   *     name, or the global its pickle names that a checkpoint does not need (nothing of it runs)
   * @throws IOException when {@code out} cannot be written
   */
  public static ModelCard importModel(Path file, Path out, Options options, Reporter reporter)
      throws IOException {
    if (!Files.isRegularFile(file)) {
      throw ChexnetException.invalidInput(file + ": no such file");
    }
    reporter.info("Reading " + file + " (" + Files.size(file) + " bytes)");
    ImportedNetwork network;
    try {
      network = read(file, options.format());
    } catch (IOException e) {
      throw refused(e);
    }
    return write(file, network, out, options, reporter);
  }

  /** Checks {@code network} (read from {@code file}) against our graph and writes {@code out}. */
  static ModelCard write(
      Path file, ImportedNetwork network, Path out, Options options, Reporter reporter)
      throws IOException {
    Preprocessing preprocessing =
        options.preprocessing() != null
            ? options.preprocessing()
            : network.format().preprocessing();
    DenseNetConfig read = network.config();
    DenseNetConfig config =
        new DenseNetConfig(
            read.blocks(),
            read.growthRate(),
            read.initialFilters(),
            read.bottleneckWidth(),
            read.compression(),
            preprocessing.inputSize(),
            read.numClasses(),
            read.batchNormEpsilon());
    List<String> classes = classes(file, options.classes(), config.numClasses());
    reporter.info(
        "Read "
            + network.format().cliName()
            + " layout ("
            + network.container()
            + "): "
            + ModelCard.Architecture.of(config, network.head()).name()
            + ", "
            + network.tensors().size()
            + " tensors, "
            + config.numClasses()
            + " outputs");
    ModelCard card =
        new ModelCard(
            options.name() != null ? options.name() : defaultName(file, network.format()),
            new ModelCard.Source(
                file.getFileName().toString(),
                Hashes.sha256Hex(file),
                Files.size(file),
                network.format().cliName(),
                network.format().project(),
                network.container(),
                network.ignored()),
            ModelCard.Architecture.of(config, network.head()),
            classes,
            preprocessing,
            PublishedResults.of(network.format(), network.torchContainer()),
            Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    // The export builds the network once; the check runs against that graph's variables.
    reporter.info("Checking every tensor and writing the SavedModel and its card to " + out);
    try {
      SavedModels.export(
          config,
          out,
          card.files(),
          (session, net) ->
              KerasWeights.of(file, check(file, network, net)).assignTo(session, net));
    } catch (NotImported e) {
      throw refused(e);
    }
    reporter.info(
        "Imported "
            + file.getFileName()
            + " (SHA-256 "
            + card.source().sha256()
            + ") into "
            + out
            + "; preprocessing: "
            + preprocessing.describe());
    return card;
  }

  /** The file read and mapped onto our variable names, unchecked. */
  static ImportedNetwork read(Path file, ImportFormat format) throws IOException {
    byte[] head;
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(HDF5_SIGNATURE.length);
    }
    boolean hdf5 = Arrays.equals(head, HDF5_SIGNATURE);
    if (hdf5 != (format == ImportFormat.KERAS) && format != ImportFormat.AUTO) {
      throw new IOException(
          file
              + ": --format "
              + format.cliName()
              + " does not fit: the file is "
              + (hdf5 ? "HDF5 (use keras)" : "not HDF5"));
    }
    if (hdf5) {
      return KerasLayout.read(file);
    }
    if (!TorchCheckpoint.looksLikeTorch(head)) {
      throw new IOException(
          file + ": neither a PyTorch checkpoint (zip or legacy) nor Keras HDF5 weights");
    }
    return TorchLayouts.read(file, TorchCheckpoint.read(file), format);
  }

  /**
   * Every variable of the graph has a tensor of its shape, every tensor a variable.
   *
   * @return the values by variable name, in Keras' layout
   */
  private static Map<String, KerasWeights.Tensor> check(
      Path file, ImportedNetwork network, DenseNetGraph net) throws IOException {
    List<String> misShaped = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, Variable<TFloat32>> entry : net.variables().entrySet()) {
      String variable = entry.getKey();
      long[] expected = entry.getValue().shape().asArray();
      SourceTensor tensor = network.tensors().get(variable);
      if (tensor == null) {
        SourceTensor.Layout layout = TorchvisionDenseNet.layout(variable);
        missing.add(
            "missing "
                + network.sourceNames().get(variable)
                + " "
                + Arrays.toString(
                    network.format() == ImportFormat.KERAS
                        ? expected
                        : layout.sourceShape(expected)));
      } else if (tensor.problem() != null) {
        misShaped.add(tensor.name() + " " + tensor.problem());
      } else if (!Arrays.equals(tensor.kerasShape(), expected)) {
        misShaped.add(
            tensor.name()
                + " has shape "
                + Arrays.toString(tensor.shape())
                + ", the network expects "
                + Arrays.toString(tensor.layout().sourceShape(expected)));
      }
    }
    List<String> problems = new ArrayList<>(misShaped);
    problems.addAll(missing);
    problems.addAll(network.problems());
    if (!problems.isEmpty()) {
      StringBuilder message =
          new StringBuilder(file.toString())
              .append(": the ")
              .append(network.format().cliName())
              .append(" checkpoint does not fit ")
              .append(ModelCard.Architecture.of(network.config(), "").name())
              .append(" (")
              .append(problems.size())
              .append(problems.size() == 1 ? " problem" : " problems")
              .append("):");
      message
          .append(' ')
          .append(String.join("; ", problems.stream().limit(LISTED_PROBLEMS).toList()));
      if (problems.size() > LISTED_PROBLEMS) {
        message.append("; ... and ").append(problems.size() - LISTED_PROBLEMS).append(" more");
      }
      throw new NotImported(message.toString());
    }
    Map<String, KerasWeights.Tensor> weights = new LinkedHashMap<>();
    for (Map.Entry<String, SourceTensor> entry : network.tensors().entrySet()) {
      SourceTensor tensor = entry.getValue();
      weights.put(
          entry.getKey(), new KerasWeights.Tensor(tensor.kerasShape(), tensor.kerasValues()));
    }
    return weights;
  }

  /** What does not fit, raised inside the export so that nothing is written. */
  private static final class NotImported extends IOException {
    private static final long serialVersionUID = 1L;

    NotImported(String message) {
      super(message);
    }
  }

  /** The reader's or checker's complaint as one line of input to fix, the cause kept. */
  private static ChexnetException refused(IOException e) {
    return new ChexnetException(
        ChexnetException.Kind.INVALID_INPUT, e.getMessage().replaceAll("\\s*\\n\\s*", " "), e);
  }

  private static List<String> classes(Path file, List<String> given, int outputs) {
    if (given == null) {
      if (outputs != Finding.COUNT) {
        throw ChexnetException.invalidInput(
            file
                + ": the classifier has "
                + outputs
                + " outputs, not the NIH "
                + Finding.COUNT
                + ": give their "
                + outputs
                + " class names");
      }
      return Finding.labels();
    }
    if (given.size() != outputs) {
      throw ChexnetException.invalidInput(
          file
              + ": "
              + given.size()
              + " class names given, the classifier has "
              + outputs
              + " outputs");
    }
    return List.copyOf(given);
  }

  private static String defaultName(Path file, ImportFormat format) {
    String name = file.getFileName().toString();
    return format.project() != null ? format.project() + " " + name : name;
  }
}
