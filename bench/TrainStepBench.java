import java.util.Arrays;
import java.util.SplittableRandom;
import org.chexnet.model.DenseNetConfig;
import org.chexnet.training.TrainableModel;

/**
 * Images/s of a full DenseNet-121 (224x224, 14 sigmoid outputs, Adam, binary cross-entropy)
 * training step and inference pass, batch 16, through the project's own TrainableModel.
 * Run by bench/train-step.sh; prints one JSON line per measurement.
 */
public final class TrainStepBench {
  public static void main(String[] args) {
    int batch = Integer.parseInt(args.length > 0 ? args[0] : "16");
    int size = Integer.parseInt(args.length > 1 ? args[1] : "224");
    int warmup = 2;
    int steps = Integer.parseInt(args.length > 2 ? args[2] : "7");
    SplittableRandom random = new SplittableRandom(1);
    float[] images = new float[batch * size * size * 3];
    for (int i = 0; i < images.length; i++) {
      images[i] = (float) random.nextGaussian();
    }
    float[] labels = new float[batch * 14];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = random.nextDouble() < 0.1 ? 1 : 0;
    }
    try (TrainableModel model = TrainableModel.create(DenseNetConfig.densenet121(size, 14),
        new TrainableModel.AdamSettings(1e-3f, 0.9f, 0.999f, 1e-7f), 1)) {
      double[] train = new double[steps];
      for (int i = -warmup; i < steps; i++) {
        long t0 = System.nanoTime();
        model.trainStep(images, labels, batch);
        if (i >= 0) {
          train[i] = (System.nanoTime() - t0) / 1e9;
        }
      }
      double[] infer = new double[steps];
      for (int i = -warmup; i < steps; i++) {
        long t0 = System.nanoTime();
        model.predict(images, batch);
        if (i >= 0) {
          infer[i] = (System.nanoTime() - t0) / 1e9;
        }
      }
      report("train", batch, size, train);
      report("inference", batch, size, infer);
    }
  }

  private static void report(String work, int batch, int size, double[] seconds) {
    double[] sorted = seconds.clone();
    Arrays.sort(sorted);
    double median = sorted[sorted.length / 2];
    System.out.printf("{\"impl\": \"chexnet-java\", \"work\": \"%s\", \"batch\": %d, \"size\": %d, \"median_s\": %.4f, "
        + "\"images_per_s\": %.2f, \"steps\": %d}%n", work, batch, size, median, batch / median, seconds.length);
  }
}
