import java.util.Arrays;
import java.util.SplittableRandom;
import org.chexnet.model.DenseNetConfig;
import org.chexnet.model.Precision;
import org.chexnet.model.TrainingPass;
import org.chexnet.training.TrainableModel;

/**
 * Images/s of a full DenseNet-121 (224x224, 14 sigmoid outputs, Adam, binary cross-entropy)
 * training step and inference pass, batch 16, through the project's own TrainableModel, its
 * training pass in float32 or mixed_bfloat16. Run by bench/train-step.sh; prints one JSON line per
 * measurement.
 */
public final class TrainStepBench {
  public static void main(String[] args) {
    int batch = Integer.parseInt(args.length > 0 ? args[0] : "16");
    int size = Integer.parseInt(args.length > 1 ? args[1] : "224");
    int warmup = 2;
    int steps = Integer.parseInt(args.length > 2 ? args[2] : "7");
    Precision precision =
        Precision.valueOf((args.length > 3 ? args[3] : "float32").toUpperCase(java.util.Locale.ROOT));
    // args[4] true: train.memory_efficient (float32 only).
    boolean memoryEfficient =
        precision == Precision.FLOAT32 && args.length > 4 && Boolean.parseBoolean(args[4]);
    String impl =
        "chexnet-java "
            + precision.name().toLowerCase(java.util.Locale.ROOT)
            + (memoryEfficient ? " memory-efficient" : "");
    SplittableRandom random = new SplittableRandom(1);
    float[] images = new float[batch * size * size * 3];
    for (int i = 0; i < images.length; i++) {
      images[i] = (float) random.nextGaussian();
    }
    float[] labels = new float[batch * 14];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = random.nextDouble() < 0.1 ? 1 : 0;
    }
    try (TrainableModel model =
        TrainableModel.create(
            DenseNetConfig.densenet121(size, 14),
            new TrainableModel.AdamSettings(1e-3f, 0.9f, 0.999f, 1e-7f),
            null,
            new TrainingPass(precision, memoryEfficient),
            1)) {
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
      report(impl, "train", batch, size, train);
      report(impl, "inference", batch, size, infer);
      // DenseNet-121 forward is about 2.87 GMAC per 224x224 image (scaling with the area); a
      // training step is the forward and a backward of about twice that: 3 x 2 FLOP per MAC.
      double trainFlops = 2.87e9 * (size * size) / (224.0 * 224.0) * 3 * 2;
      double roof = matMulRoof(org.tensorflow.types.TFloat32.class);
      double median = median(train);
      System.out.printf(
          "{\"impl\": \"%s\", \"work\": \"roof\", \"float32_matmul_gflops\": %.1f,"
              + " \"bfloat16_matmul_gflops\": %.1f, \"train_gflops\": %.1f,"
              + " \"share_of_float32_roof\": %.3f}%n",
          impl,
          roof / 1e9,
          matMulRoof(org.tensorflow.types.TBfloat16.class) / 1e9,
          batch * trainFlops / median / 1e9,
          batch * trainFlops / median / roof);
    }
  }

  /**
   * This machine's MatMul rate through TensorFlow in {@code type}: 4096x4096 products of a constant
   * already in memory (only the product is timed), best of 10.
   */
  private static <T extends org.tensorflow.types.family.TNumber> double matMulRoof(Class<T> type) {
    int n = 4096;
    try (org.tensorflow.Graph g = new org.tensorflow.Graph();
        org.tensorflow.Session s = new org.tensorflow.Session(g)) {
      org.tensorflow.op.Ops tf = org.tensorflow.op.Ops.create(g);
      var init =
          tf.dtypes.cast(
              tf.random.statelessRandomUniform(
                  tf.constant(new int[] {n, n}), tf.constant(new long[] {1, 2}),
                  org.tensorflow.types.TFloat32.class),
              type);
      var a = tf.variable(init);
      var product = tf.linalg.matMul(a, a);
      // Fetch one element: the product is computed in full, only 1 value is copied out.
      var corner = tf.slice(product, tf.constant(new int[] {0, 0}), tf.constant(new int[] {1, 1}));
      s.initialize();
      double best = Double.MAX_VALUE;
      for (int i = 0; i < 10; i++) {
        long t0 = System.nanoTime();
        s.runner().fetch(corner).run().close();
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

  private static void report(String impl, String work, int batch, int size, double[] seconds) {
    double[] sorted = seconds.clone();
    Arrays.sort(sorted);
    double median = sorted[sorted.length / 2];
    System.out.printf("{\"impl\": \"%s\", \"work\": \"%s\", \"batch\": %d, \"size\": %d, \"median_s\": %.4f, "
        + "\"images_per_s\": %.2f, \"steps\": %d}%n", impl, work, batch, size, median, batch / median, seconds.length);
  }
}
