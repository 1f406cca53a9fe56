import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import org.chexnet.dataset.DataSplits;
import org.chexnet.dataset.Dataset;
import org.chexnet.dataset.DatasetSummary;
import org.chexnet.dataset.Datasets;
import org.chexnet.dataset.LabelPolicy;
import org.chexnet.dataset.SplitPlan;
import org.chexnet.dataset.SyntheticCheXpert;
import org.chexnet.dataset.SyntheticMimicCxrJpg;
import org.chexnet.dataset.SyntheticPadChest;

/**
 * Reading the big datasets' metadata, run by bench/dataset-metadata.sh; prints one JSON line per
 * measurement. Writes synthetic metadata of the real sizes into WORK_DIR (CheXpert: train.csv of
 * 224,082 rows and valid.csv of 234, plain as Stanford ships them; MIMIC-CXR-JPG: 377,110 images
 * in the three .csv.gz files as PhysioNet ships them; PadChest: 160,868 rows, gzipped), then times
 * for each: the summary (read every metadata file, join, count) and split building (read, join,
 * then the patient-disjoint split with training labels: official where the dataset has one,
 * patient-random for PadChest). The first run of each is in a cold JVM; then ROUNDS more, median.
 * Wall time, and the process's CPU time over the same span (all threads: readers, collector,
 * compiler), which a busy machine inflates less than the wall time.
 *
 * <p>Args: WORK_DIR ROUNDS.
 */
public final class DatasetMetadataBench {
  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]);
    int rounds = Integer.parseInt(args[1]);
    long t0 = System.nanoTime();
    SyntheticCheXpert.write(work.resolve("chexpert"), 224_082, 234, 0, false, 1);
    SyntheticMimicCxrJpg.write(work.resolve("mimic_cxr_jpg"), 377_110, 0, true, 2);
    SyntheticPadChest.write(work.resolve("padchest"), 160_868, 0, true, 3);
    System.err.printf("synthetic metadata written in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    for (String name : new String[] {"chexpert", "mimic_cxr_jpg", "padchest"}) {
      Path root = work.resolve(name);
      SplitPlan plan =
          name.equals("padchest")
              ? new SplitPlan.PatientRandom(0.7, 0.1, 0.2)
              : new SplitPlan.Official(0.1);
      double[] summary = new double[rounds + 1];
      double[] summaryCpu = new double[rounds + 1];
      double[] split = new double[rounds + 1];
      double[] splitCpu = new double[rounds + 1];
      long images = 0;
      for (int r = 0; r <= rounds; r++) {
        long start = System.nanoTime();
        long cpuStart = cpu();
        DatasetSummary counted = DatasetSummary.read(name, root, Set.of(), null);
        summary[r] = (System.nanoTime() - start) / 1e9;
        summaryCpu[r] = (cpu() - cpuStart) / 1e9;
        images = counted.images();
        start = System.nanoTime();
        cpuStart = cpu();
        Dataset data = Datasets.open(name, root);
        DataSplits splits = data.split(plan, 42, LabelPolicy.DEFAULT, Set.of());
        split[r] = (System.nanoTime() - start) / 1e9;
        splitCpu[r] = (cpu() - cpuStart) / 1e9;
        if (splits.train().size() + splits.validation().size() + splits.test().size() != images) {
          throw new IllegalStateException(name + ": split lost images");
        }
      }
      report(name, "summary", images, summary, summaryCpu);
      report(name, "split", images, split, splitCpu);
    }
  }

  private static long cpu() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static void report(
      String dataset, String work, long images, double[] seconds, double[] cpu) {
    System.out.printf(
        "{\"impl\": \"chexnet-java\", \"dataset\": \"%s\", \"work\": \"%s\", \"images\": %d,"
            + " \"first_s\": %.3f, \"median_s\": %.3f, \"first_cpu_s\": %.3f,"
            + " \"median_cpu_s\": %.3f, \"rounds\": %d}%n",
        dataset, work, images, seconds[0], warmMedian(seconds), cpu[0], warmMedian(cpu),
        seconds.length - 1);
  }

  private static double warmMedian(double[] values) {
    double[] warm = Arrays.copyOfRange(values, 1, values.length);
    Arrays.sort(warm);
    return warm[warm.length / 2];
  }
}
