import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import org.chexnet.evaluation.Bootstrap;
import org.chexnet.evaluation.BootstrapResult;
import org.chexnet.evaluation.EvaluationResult;
import org.chexnet.evaluation.ImageTable;
import org.chexnet.evaluation.PredictionSet;

/**
 * 14 exact AUROCs and a 1000-replicate percentile bootstrap of them on the predictions and labels
 * bench/sklearn_auroc.py generated, through the evaluation module's public API. Reading the files
 * is not timed. Run by bench/auroc.sh; prints one JSON line per measurement.
 *
 * <p>java -cp "cli-module/target/lib/*" bench/AurocBench.java DIR REPLICATES SEED
 */
public final class AurocBench {
  private static final List<String> CLASSES =
      List.of(
          "Atelectasis", "Cardiomegaly", "Effusion", "Infiltration", "Mass", "Nodule", "Pneumonia",
          "Pneumothorax", "Consolidation", "Edema", "Emphysema", "Fibrosis", "Pleural_Thickening",
          "Hernia");

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int replicates = Integer.parseInt(args[1]);
    long seed = Long.parseLong(args[2]);
    PredictionSet set =
        ImageTable.readPredictions(dir.resolve("predictions.csv"), CLASSES)
            .withLabels(ImageTable.readLabelList(dir.resolve("labels.txt"), CLASSES.size()), true);
    String base =
        String.format(
            "{\"impl\": \"chexnet-java\", \"images\": %d, \"threads\": %d",
            set.images(), ForkJoinPool.getCommonPoolParallelism() + 1);

    // The JIT compiles the hot loops during the warm-up runs; the timed ones are steady state.
    double[] aurocTimes = new double[21];
    EvaluationResult result = null;
    for (int i = -10; i < aurocTimes.length; i++) {
      long t0 = System.nanoTime();
      result = EvaluationResult.of(CLASSES, set.probabilities(), set.labels(), set.images());
      if (i >= 0) {
        aurocTimes[i] = (System.nanoTime() - t0) / 1e9;
      }
    }
    System.out.printf(
        "%s, \"work\": \"14 AUROCs\", \"median_s\": %.6f, \"mean_auroc\": %.12f}%n",
        base, median(aurocTimes), result.meanAuroc());

    Bootstrap.aurocs(set, 50, seed); // warm-up
    double[] bootstrapTimes = new double[3];
    BootstrapResult bootstrap = null;
    for (int i = 0; i < bootstrapTimes.length; i++) {
      long t0 = System.nanoTime();
      bootstrap = Bootstrap.aurocs(set, replicates, seed);
      bootstrapTimes[i] = (System.nanoTime() - t0) / 1e9;
    }
    System.out.printf(
        "%s, \"work\": \"bootstrap %d replicates x 14 AUROCs\", \"median_s\": %.3f,"
            + " \"runs_s\": %s, \"mean_auroc_ci\": [%.6f, %.6f]}%n",
        base,
        replicates,
        median(bootstrapTimes),
        Arrays.toString(bootstrapTimes),
        bootstrap.mean().low(),
        bootstrap.mean().high());
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
