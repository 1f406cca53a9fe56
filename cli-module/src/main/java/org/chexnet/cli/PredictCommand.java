package org.chexnet.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.Reporter;
import org.chexnet.dataset.Finding;
import org.chexnet.dataset.ImageDecoder;
import org.chexnet.dataset.ImageNetNormalization;
import org.chexnet.dataset.TenCrop;
import org.chexnet.evaluation.PredictionsCsv;
import org.chexnet.experiment.models.PredictionModel;
import org.chexnet.experiment.predict.ImageInputs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    description = {
      "Predict the 14 findings' probabilities of a batch of images.",
      "Writes"
          + " 'Image Index,prob_Atelectasis,...' (the layout `chexnet evaluate` and the CheXNet"
          + " reproductions read).",
      "MODEL is a run directory or id, a checkpoint directory, or a SavedModel directory;"
          + " or give --spec and --weights for a Keras .h5 file."
    })
final class PredictCommand implements Callable<Integer> {
  enum Tta {
    none,
    tencrop
  }

  @Spec CommandSpec command;

  @Mixin ModelOptions modelOptions;

  @Option(
      names = "--images",
      required = true,
      paramLabel = "DIR|LIST",
      description =
          "a directory (every .png/.jpg below it) or a list with one image path first on each line")
  Path images;

  @Option(
      names = "--image-root",
      paramLabel = "DIR",
      description = "where a list's relative paths start (default: the list's directory)")
  Path imageRoot;

  @Option(
      names = "--tta",
      defaultValue = "none",
      paramLabel = "MODE",
      description =
          "test-time augmentation: none, or tencrop (resize to 256/224 of the input, the four"
              + " corner and the centre crops and their mirrors, predictions averaged)")
  Tta tta;

  @Option(names = "--out", required = true, paramLabel = "CSV", description = "predictions file")
  Path out;

  @Option(
      names = "--batch-size",
      defaultValue = "16",
      paramLabel = "N",
      description =
          "images per inference batch (ten inputs each with tencrop); default ${DEFAULT-VALUE}")
  int batchSize;

  @Option(
      names = "--threads",
      defaultValue = "2",
      paramLabel = "N",
      description = "image decoding threads (default ${DEFAULT-VALUE})")
  int threads;

  @Override
  public Integer call() throws Exception {
    if (batchSize < 1 || threads < 1) {
      throw ChexnetException.invalidInput("--batch-size and --threads must be positive");
    }
    ImageInputs inputs = ImageInputs.of(images, imageRoot);
    PrintWriter console = command.commandLine().getOut();
    float[] probabilities;
    try (PredictionModel network = modelOptions.open(false)) {
      if (network.classes() != Finding.COUNT) {
        throw ChexnetException.invalidInput(
            network.source()
                + " predicts "
                + network.classes()
                + " classes, expected the "
                + Finding.COUNT
                + " ChestX-ray14 findings");
      }
      console.printf(
          "Model: %s (%dx%d input)%s%n",
          network.source(),
          network.imageSize(),
          network.imageSize(),
          tta == Tta.tencrop ? ", ten-crop" : "");
      console.flush();
      probabilities =
          predict(
              network,
              inputs,
              tta == Tta.tencrop,
              batchSize,
              threads,
              new ConsoleReporter(System.out));
    }
    PredictionsCsv.write(out, Finding.labels(), inputs.names(), probabilities);
    console.printf("Wrote %d predictions to %s%n", inputs.size(), out);
    console.flush();
    return 0;
  }

  /**
   * Probabilities of every image in order, row-major [images x classes]; images are decoded on
   * background threads a few batches ahead of the network.
   */
  static float[] predict(
      PredictionModel network,
      ImageInputs inputs,
      boolean tenCrop,
      int batchSize,
      int threads,
      Reporter reporter)
      throws IOException {
    int size = network.imageSize();
    int classes = network.classes();
    TenCrop crops = tenCrop ? new TenCrop(size) : null;
    ImageDecoder decoder = new ImageDecoder(tenCrop ? crops.resizeSize() : size);
    int inputsPerImage = tenCrop ? TenCrop.CROPS : 1;
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
                      int offset = (i - start) * valuesPerImage;
                      if (tenCrop) {
                        crops.write(gray, x, offset);
                      } else {
                        System.arraycopy(
                            ImageNetNormalization.toHwc(gray, size, false),
                            0,
                            x,
                            offset,
                            valuesPerImage);
                      }
                    }
                    return x;
                  }));
        }
        int start = batch * batchSize;
        int count = Math.min(images, start + batchSize) - start;
        float[] p = network.predict(next(ahead), count * inputsPerImage);
        if (tenCrop) {
          p = TenCrop.average(p, classes);
        }
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
