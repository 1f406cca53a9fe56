import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import org.chexnet.evaluation.ImageTable;
import org.chexnet.evaluation.PredictionSet;
import org.chexnet.evaluation.calibration.CalibrationEvaluation;
import org.chexnet.evaluation.subgroups.ImageMetadata;
import org.chexnet.evaluation.subgroups.SubgroupEvaluation;

/**
 * Calibration (Brier, ECE, 14 classes) and subgroups (sex, age, view: AUROC and FNR per subgroup,
 * largest gaps) with their bootstrap intervals, on the predictions, labels and metadata
 * bench/sklearn_calibration.py generated, through the evaluation module's public API. Reading the
 * files is not timed. Run by bench/calibration.sh; prints one JSON line per measurement.
 *
 * <p>java -cp "cli-module/target/lib/*" bench/CalibrationBench.java DIR REPLICATES SEED
 */
public final class CalibrationBench {
  private static final List<String> CLASSES =
      List.of(
          "Atelectasis", "Cardiomegaly", "Effusion", "Infiltration", "Mass", "Nodule", "Pneumonia",
          "Pneumothorax", "Consolidation", "Edema", "Emphysema", "Fibrosis", "Pleural_Thickening",
          "Hernia");
  private static final List<String> ATTRIBUTES = List.of("sex", "age", "view");

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int replicates = Integer.parseInt(args[1]);
    long seed = Long.parseLong(args[2]);
    PredictionSet set =
        ImageTable.readPredictions(dir.resolve("predictions.csv"), CLASSES)
            .withLabels(ImageTable.readLabelList(dir.resolve("labels.txt"), CLASSES.size()), true);
    ImageMetadata metadata = ImageMetadata.read(dir.resolve("metadata.csv"));
    double[] thresholds = new double[CLASSES.size()];
    Arrays.fill(thresholds, 0.5);
    String base =
        String.format(
            "{\"impl\": \"chexnet-java\", \"images\": %d, \"threads\": %d",
            set.images(), ForkJoinPool.getCommonPoolParallelism() + 1);

    // Warm-up: the JIT compiles the hot loops before the timed runs.
    for (int i = 0; i < 3; i++) {
      CalibrationEvaluation.compute(CLASSES, set, 50, seed);
      SubgroupEvaluation.compute(CLASSES, set, metadata, ATTRIBUTES, thresholds, 50, seed);
    }
    // The point estimates alone (one replicate), the work the peer does once.
    double[] onceCalibration = new double[5];
    double[] onceSubgroups = new double[5];
    for (int i = 0; i < 5; i++) {
      long t0 = System.nanoTime();
      CalibrationEvaluation.compute(CLASSES, set, 1, seed);
      long t1 = System.nanoTime();
      SubgroupEvaluation.compute(CLASSES, set, metadata, ATTRIBUTES, thresholds, 1, seed);
      onceCalibration[i] = (t1 - t0) / 1e9;
      onceSubgroups[i] = (System.nanoTime() - t1) / 1e9;
    }
    System.out.printf(
        "%s, \"work\": \"once: calibration 14 classes\", \"median_s\": %.4f}%n",
        base, median(onceCalibration));
    System.out.printf(
        "%s, \"work\": \"once: subgroups 3 attributes x 14 classes\", \"median_s\": %.4f}%n",
        base, median(onceSubgroups));

    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    double[] calibrationTimes = new double[3];
    double[] subgroupTimes = new double[3];
    CalibrationEvaluation calibration = null;
    SubgroupEvaluation subgroups = null;
    for (int i = 0; i < 3; i++) {
      long t0 = System.nanoTime();
      calibration = CalibrationEvaluation.compute(CLASSES, set, replicates, seed);
      long t1 = System.nanoTime();
      subgroups =
          SubgroupEvaluation.compute(CLASSES, set, metadata, ATTRIBUTES, thresholds, replicates, seed);
      long t2 = System.nanoTime();
      calibrationTimes[i] = (t1 - t0) / 1e9;
      subgroupTimes[i] = (t2 - t1) / 1e9;
    }
    // CPU seconds per run (all threads): a steadier figure than wall time on a busy machine.
    double cpuPerRun = (os.getProcessCpuTime() - cpu0) / 1e9 / 3;
    double[] totals = new double[3];
    Arrays.setAll(totals, i -> calibrationTimes[i] + subgroupTimes[i]);
    System.out.printf(
        "%s, \"work\": \"calibration, %d replicates x 14 classes\", \"median_s\": %.3f,"
            + " \"mean_ece\": %.6f}%n",
        base,
        replicates,
        median(calibrationTimes),
        calibration.perClass().stream().mapToDouble(c -> c.ece()).average().orElse(Double.NaN));
    System.out.printf(
        "%s, \"work\": \"subgroups, 3 attributes, %d replicates x 14 classes\", \"median_s\": %.3f,"
            + " \"sex_M_mean_auroc\": %.6f}%n",
        base,
        replicates,
        median(subgroupTimes),
        subgroups.attributes().get(0).subgroups().get(1).meanAuroc());
    System.out.printf(
        "%s, \"work\": \"calibration + subgroups, %d replicates\", \"median_s\": %.3f,"
            + " \"runs_s\": %s, \"cpu_s_per_run\": %.3f}%n",
        base, replicates, median(totals), Arrays.toString(totals), cpuPerRun);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
