package org.chexnet.experiment.predict;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.Reporter;
import org.chexnet.model.InferenceModel;

/**
 * Models' predictions of the same images as predictions files, for {@code chexnet evaluate --model}
 * and a model as {@code --baseline}: each model predicts with its own preprocessing (its card's for
 * an imported model) and the file is named after the model.
 */
public final class ModelPredictions {
  /** Images per batch and decoding threads, as {@code chexnet predict}'s defaults. */
  private static final int BATCH_SIZE = 16;

  private static final int THREADS = 2;

  /** Opens a model reference for prediction (the caller's resolver: run store, registry, spec). */
  public interface Opener {
    InferenceModel open(String reference) throws IOException;
  }

  /**
   * The predictions files an evaluation scores.
   *
   * @param baseline null when there is none
   */
  public record ForEvaluation(Path predictions, Path baseline) {}

  private ModelPredictions() {}

  /**
   * What {@code chexnet evaluate} scores: a predictions file or a model predicted on {@code images}
   * first, and a baseline that is either too; predicted files go to {@code out}.
   *
   * @param predictions a predictions file, or null when {@code model} is given
   * @param model a model reference, or null when {@code predictions} is given
   * @param baseline a predictions file or a model reference; may be null
   * @param images what the models predict; may be null when no model is given
   * @param out where predicted files go; may be null when no model is given
   */
  public static ForEvaluation forEvaluation(
      Path predictions,
      String model,
      String baseline,
      ImageInputs images,
      Path out,
      Opener opener,
      Reporter reporter)
      throws IOException {
    if (predictions != null && model != null) {
      throw ChexnetException.invalidInput(
          "--predictions "
              + predictions
              + " and --model "
              + model
              + ": give one, the predictions to score or the model to predict --images with");
    }
    if (predictions == null && model == null) {
      throw ChexnetException.invalidInput(
          "give either --predictions CSV or --model MODEL with --images DIR|LIST");
    }
    if (model != null && (out == null || images == null)) {
      throw ChexnetException.invalidInput(
          "--model "
              + model
              + " needs --images DIR|LIST to predict and --out DIR for its predictions and the"
              + " report");
    }
    Path scored =
        model == null
            ? predictions
            : predicted(model, opener, images, out.resolve(fileName(model)), reporter);
    Path baselinePredictions =
        baseline == null
            ? null
            : fileOrPredicted(
                baseline,
                opener,
                images,
                out != null ? out : scored.toAbsolutePath().getParent(),
                "baseline-",
                "--baseline",
                reporter);
    return new ForEvaluation(scored, baselinePredictions);
  }

  /**
   * {@code reference} itself when it is a file (a predictions CSV), else the predictions of the
   * model it names on {@code images}, written as {@code directory/PREFIXNAME-predictions.csv}.
   *
   * @param images the images to predict; null when {@code reference} must be a file
   * @param prefix put before the file name (e.g. "baseline-"), so two models of the same name keep
   *     their files apart
   * @param option the flag that named {@code reference}, for the message
   * @throws ChexnetException when {@code reference} is no file and no images are given, or it names
   *     no model
   */
  public static Path fileOrPredicted(
      String reference,
      Opener opener,
      ImageInputs images,
      Path directory,
      String prefix,
      String option,
      Reporter reporter)
      throws IOException {
    Path file = Path.of(reference);
    if (Files.isRegularFile(file)) {
      return file;
    }
    if (images == null) {
      throw ChexnetException.invalidInput(
          option
              + " "
              + reference
              + ": not a predictions file; a model is predicted on the images of --images, give"
              + " them");
    }
    return predicted(
        reference, opener, images, directory.resolve(prefix + fileName(reference)), reporter);
  }

  /** The predictions of the model {@code reference} names, written to {@code out}. */
  public static Path predicted(
      String reference, Opener opener, ImageInputs images, Path out, Reporter reporter)
      throws IOException {
    try (InferenceModel model = opener.open(reference)) {
      reporter.info(
          "Predicting "
              + images.size()
              + " images with "
              + model.source()
              + " ("
              + model.preprocessing().describe()
              + ")");
      ImagePredictions.writeCsv(
          model,
          images,
          model.preprocessing(),
          BATCH_SIZE,
          THREADS,
          Optional.empty(),
          out,
          reporter);
    }
    reporter.info("Wrote " + out);
    return out;
  }

  /** "zoogzog-predictions.csv" for models/zoogzog, "chexnet_champion-predictions.csv" for a URI. */
  public static String fileName(String reference) {
    String trimmed = reference.replaceAll("[/\\\\]+$", "");
    String last =
        trimmed.substring(Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\')) + 1);
    if (trimmed.startsWith("models:/")) {
      last = trimmed.substring("models:/".length());
    }
    String name = last.replaceAll("[^A-Za-z0-9._-]+", "_").replaceAll("^[._]+", "");
    return (name.isEmpty() ? "model" : name) + "-predictions.csv";
  }
}
