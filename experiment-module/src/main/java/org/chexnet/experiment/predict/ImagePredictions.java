package org.chexnet.experiment.predict;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.Reporter;
import org.chexnet.dataset.ImageDecoder;
import org.chexnet.dataset.ImageNetNormalization;
import org.chexnet.evaluation.PredictionsCsv;
import org.chexnet.evaluation.calibration.ModelCalibration;
import org.chexnet.model.InferenceModel;
import org.chexnet.model.Preprocessing;

/**
 * A model's probabilities for a batch of image files, each image turned into the network's inputs
 * by a {@link Preprocessing} (the model's own unless overridden): resized, cropped (one crop or
 * ten), and the crops' predictions averaged.
 */
public final class ImagePredictions {
  private ImagePredictions() {}

  /** Which preprocessing a prediction uses ({@code predict --tta}). */
  public enum Tta {
    /** The model's own: its card's for an imported model, the whole image for a run's. */
    MODEL,
    /** The whole image resized to the input size, no crops. */
    NONE,
    /** Ten crops of the input size from the image resized to 256/224 of it, averaged. */
    TENCROP;

    /** The preprocessing this choice gives a model whose own is {@code model}. */
    public Preprocessing of(Preprocessing model) {
      return switch (this) {
        case MODEL -> model;
        case NONE -> model.wholeImage();
        case TENCROP -> model.tenCrops();
      };
    }
  }

  /**
   * Predicts every image and writes {@code Image Index,prob_CLASS,...} to {@code out} (atomically),
   * the classes in the model's order.
   *
   * @param calibration applied to the probabilities before they are written ({@code predict
   *     --calibrated}); its classes are the model's
   */
  public static void writeCsv(
      InferenceModel network,
      ImageInputs inputs,
      Preprocessing preprocessing,
      int batchSize,
      int threads,
      Optional<ModelCalibration> calibration,
      Path out,
      Reporter reporter)
      throws IOException {
    float[] probabilities = predict(network, inputs, preprocessing, batchSize, threads, reporter);
    if (calibration.isPresent()) {
      probabilities = calibration.get().apply(probabilities);
    }
    PredictionsCsv.write(out, network.classNames(), inputs.names(), probabilities);
  }

  /**
   * Probabilities of every image in order, row-major [images x classes]; images are decoded on
   * background threads a few batches ahead of the network.
   *
   * @param preprocessing how an image becomes inputs; its input size must be the network's
   * @param batchSize images per batch (a ten-crop image is ten network inputs)
   */
  public static float[] predict(
      InferenceModel network,
      ImageInputs inputs,
      Preprocessing preprocessing,
      int batchSize,
      int threads,
      Reporter reporter)
      throws IOException {
    if (preprocessing.inputSize() != network.imageSize()) {
      throw ChexnetException.invalidInput(
          "the preprocessing gives "
              + preprocessing.inputSize()
              + " pixel inputs, "
              + network.source()
              + " takes "
              + network.imageSize());
    }
    int size = network.imageSize();
    int classes = network.classes();
    ImageDecoder decoder = preprocessing.decoder();
    int inputsPerImage = preprocessing.inputsPerImage();
    int valuesPerImage = inputsPerImage * size * size * ImageNetNormalization.CHANNELS;
    int images = inputs.size();
    int batches = (images + batchSize - 1) / batchSize;
    float[] probabilities = new float[images * classes];
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            task -> {
              Thread thread = new Thread(task, "predict-decoder");
              thread.setDaemon(true);
              return thread;
            });
    ArrayDeque<Future<float[]>> ahead = new ArrayDeque<>();
    try (Reporter.Task bar = reporter.task("Predicting", images, Reporter.Unit.IMAGES)) {
      int submitted = 0;
      for (int batch = 0; batch < batches; batch++) {
        while (submitted < batches && ahead.size() <= threads) {
          int start = submitted++ * batchSize;
          int end = Math.min(images, start + batchSize);
          ahead.add(
              pool.submit(
                  () -> {
                    float[] x = new float[(end - start) * valuesPerImage];
                    for (int i = start; i < end; i++) {
                      byte[] gray = decoder.decodeGray(inputs.files().get(i));
                      System.arraycopy(
                          preprocessing.inputs(gray),
                          0,
                          x,
                          (i - start) * valuesPerImage,
                          valuesPerImage);
                    }
                    return x;
                  }));
        }
        int start = batch * batchSize;
        int count = Math.min(images, start + batchSize) - start;
        float[] p =
            preprocessing.combine(network.predict(next(ahead), count * inputsPerImage), classes);
        System.arraycopy(p, 0, probabilities, start * classes, count * classes);
        bar.step(count);
      }
    } finally {
      pool.shutdownNow();
    }
    return probabilities;
  }

  private static float[] next(ArrayDeque<Future<float[]>> ahead) throws IOException {
    try {
      return ahead.poll().get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        // The decoder's message names the file: a corrupt or unreadable image.
        throw ChexnetException.invalidInput(io.getMessage());
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while decoding images", e);
    }
  }
}
