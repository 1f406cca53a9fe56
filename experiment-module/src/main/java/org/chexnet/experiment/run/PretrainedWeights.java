package org.chexnet.experiment.run;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.Hashes;
import org.chexnet.common.Reporter;
import org.chexnet.experiment.spec.ModelSpec;
import org.chexnet.model.ImageNetWeights;
import org.chexnet.training.TrainableModel;

/**
 * {@code model.weights: imagenet}: finds the Keras weight file before any work starts, loads it
 * into the network before training, and says which file it was (path, MD5, SHA-256) as run tags.
 */
final class PretrainedWeights {
  static final String TAG_FILE = "chexnet.weights.file";
  static final String TAG_MD5 = "chexnet.weights.md5";
  static final String TAG_SHA256 = "chexnet.weights.sha256";

  private PretrainedWeights() {}

  /**
   * The weight file the spec asks for, checked to exist.
   *
   * @return {@code null} for {@code weights: none}
   * @throws ChexnetException naming the missing file and how to get it
   */
  static Path locate(ModelSpec model, Path workDir) {
    if (model.weights() == ModelSpec.Weights.NONE) {
      return null;
    }
    if (model.weightsPath() == null) {
      if (model.architecture() != ModelSpec.Architecture.DENSENET121) {
        throw ChexnetException.invalidInput(
            "model.weights: imagenet: the cached ImageNet file ("
                + ImageNetWeights.FILE_NAME
                + ") is DenseNet-121's; for architecture "
                + model.architecture().name().toLowerCase(Locale.ROOT)
                + " set model.weights_path to a Keras HDF5 weight file of that network");
      }
      return cached(ImageNetWeights.defaultCacheDirectory(), "");
    }
    Path path = workDir.resolve(model.weightsPath());
    if (Files.isDirectory(path)) {
      return cached(path, " --out " + path);
    }
    if (!Files.isRegularFile(path)) {
      throw ChexnetException.invalidInput(
          "model.weights_path: "
              + path
              + " does not exist; give a Keras HDF5 weight file or a directory holding "
              + ImageNetWeights.FILE_NAME
              + " (`chexnet models download-weights --out DIR` downloads it)");
    }
    return path;
  }

  private static Path cached(Path directory, String outOption) {
    Path file = directory.resolve(ImageNetWeights.FILE_NAME);
    if (!Files.isRegularFile(file)) {
      throw ChexnetException.invalidInput(
          "model.weights: imagenet: "
              + file
              + " does not exist; run `chexnet models download-weights"
              + outOption
              + "` to download it (or set model.weights_path, or model.weights: none to train"
              + " from random weights)");
    }
    return file;
  }

  /**
   * Sets the network's weights from {@code file}; a {@code notop} file leaves the classifier at its
   * seeded initial values.
   *
   * @return the provenance tags of the loaded file
   * @throws IOException naming every missing, extra or mis-shaped tensor
   */
  static Map<String, String> load(TrainableModel model, Path file, Reporter reporter)
      throws IOException {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(TAG_FILE, file.toAbsolutePath().toString());
    tags.putAll(digests(file));
    List<String> initial = model.loadKerasWeights(file);
    reporter.info(
        String.format(
            "Weights: %s (MD5 %s)%s",
            file,
            tags.get(TAG_MD5),
            initial.isEmpty() ? "" : "; initialised randomly: " + String.join(", ", initial)));
    return tags;
  }

  private static Map<String, String> digests(Path file) throws IOException {
    MessageDigest md5 = Hashes.md5();
    MessageDigest sha256 = Hashes.sha256();
    try (InputStream in =
        new DigestInputStream(new DigestInputStream(Files.newInputStream(file), md5), sha256)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    Map<String, String> hashes = new LinkedHashMap<>();
    hashes.put(TAG_MD5, Hashes.hex(md5.digest()));
    hashes.put(TAG_SHA256, Hashes.hex(sha256.digest()));
    return hashes;
  }
}
