package org.chexnet.experiment.predict;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.Reporter;
import org.chexnet.dataset.ImageDecoder;
import org.chexnet.dataset.ImageNetNormalization;
import org.chexnet.dataset.TenCrop;
import org.chexnet.model.InferenceModel;

/** A model's probabilities for a batch of image files, optionally averaged over ten crops. */
public final class ImagePredictions {
  private ImagePredictions() {}

  /**
   * Probabilities of every image in order, row-major [images x classes]; images are decoded on
   * background threads a few batches ahead of the network.
   */
  public static float[] predict(
      InferenceModel network,
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
