import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.util.SplittableRandom;
import org.chexnet.model.DenseNetConfig;
import org.chexnet.model.Precision;
import org.chexnet.model.TrainingPass;
import org.chexnet.training.TrainableModel;

/**
 * Writes a seeded full DenseNet-121's probabilities for 16 seeded 224x224 images (big-endian
 * floats) to args[0], after args[1] training steps in precision args[2] (float32 or
 * mixed_bfloat16); bench/precision-parity.sh runs it in float32, with
 * ONEDNN_DEFAULT_FPMATH_MODE=BF16 and in mixed_bfloat16, and compares the files.
 */
public final class PrecisionParity {
  public static void main(String[] args) throws Exception {
    int steps = Integer.parseInt(args[1]);
    Precision precision = Precision.valueOf(args[2].toUpperCase(java.util.Locale.ROOT));
    SplittableRandom random = new SplittableRandom(1);
    float[] images = new float[16 * 224 * 224 * 3];
    for (int i = 0; i < images.length; i++) {
      images[i] = (float) random.nextGaussian();
    }
    float[] labels = new float[16 * 14];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = random.nextDouble() < 0.1 ? 1 : 0;
    }
    try (TrainableModel model =
            TrainableModel.create(
                DenseNetConfig.densenet121(224, 14),
                new TrainableModel.AdamSettings(1e-3f, 0.9f, 0.999f, 1e-7f),
                null,
                new TrainingPass(precision, precision == Precision.FLOAT32),
                1);
        DataOutputStream out = new DataOutputStream(new FileOutputStream(args[0]))) {
      for (int i = 0; i < steps; i++) {
        model.trainStep(images, labels, 16);
      }
      for (float p : model.predict(images, 16)) {
        out.writeFloat(p);
      }
    }
  }
}
