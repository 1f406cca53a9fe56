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
      // DenseNet-121 forward is about 2.87 GMAC per 224x224 image (scaling with the area); a
      // training step is the forward and a backward of about twice that: 3 x 2 FLOP per MAC.
      double trainFlops = 2.87e9 * (size * size) / (224.0 * 224.0) * 3 * 2;
      double roof = matMulRoof();
      double median = median(train);
      System.out.printf(
          "{\"impl\": \"chexnet-java\", \"work\": \"roof\", \"matmul_gflops\": %.1f,"
              + " \"train_gflops\": %.1f, \"share_of_roof\": %.3f}%n",
          roof / 1e9, batch * trainFlops / median / 1e9, batch * trainFlops / median / roof);
    }
  }

  /** This machine's float32 MatMul rate through TensorFlow: 2048x2048 products, best of 10. */
  private static double matMulRoof() {
    int n = 2048;
    try (org.tensorflow.Graph g = new org.tensorflow.Graph();
        org.tensorflow.Session s = new org.tensorflow.Session(g)) {
      org.tensorflow.op.Ops tf = org.tensorflow.op.Ops.create(g);
      var a =
          tf.random.randomUniform(tf.constant(new int[] {n, n}), org.tensorflow.types.TFloat32.class);
      var product = tf.linalg.matMul(a, a);
      var sum = tf.sum(product, tf.constant(new int[] {0, 1}));
      double best = Double.MAX_VALUE;
      for (int i = 0; i < 10; i++) {
        long t0 = System.nanoTime();
        s.runner().fetch(sum).run().close();
        best = Math.min(best, (System.nanoTime() - t0) / 1e9);
      }
      return 2.0 * n * n * n / best;
    }
  }

  private static double median(double[] seconds) {
    double[] sorted = seconds.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static void report(String work, int batch, int size, double[] seconds) {
    double[] sorted = seconds.clone();
    Arrays.sort(sorted);
    double median = sorted[sorted.length / 2];
    System.out.printf("{\"impl\": \"chexnet-java\", \"work\": \"%s\", \"batch\": %d, \"size\": %d, \"median_s\": %.4f, "
        + "\"images_per_s\": %.2f, \"steps\": %d}%n", work, batch, size, median, batch / median, seconds.length);
  }
}
