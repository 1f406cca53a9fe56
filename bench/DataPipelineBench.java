import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.chexnet.dataset.Batch;
import org.chexnet.dataset.BatchLoader;
import org.chexnet.dataset.ChestXray14;
import org.chexnet.dataset.DataEntry;
import org.chexnet.dataset.ImageDecoder;
import org.chexnet.dataset.LabeledImage;
import org.chexnet.dataset.PreparedCache;

/**
 * Input pipeline throughput, run by bench/data-pipeline.sh; prints one JSON line per measurement.
 *
 * <ol>
 *   <li>decode+resize: real 1024x1024 NIH PNGs to 224x224 gray with ImageDecoder, on 1 and on
 *       {@code threads} threads (files read once before timing, so the page cache holds them);
 *   <li>prepared batches: ready float batches (ImageNet normalisation, 3 channels, seeded flips,
 *       shuffled) from a PreparedCache through BatchLoader with 1 and {@code threads} background
 *       threads, the consumer only touching each batch.
 * </ol>
 *
 * Args: DATASET_DIR (ChestX-ray14 layout, made by the script) ROUNDS THREADS BATCH_IMAGES.
 */
public final class DataPipelineBench {
  private static final int SIZE = 224;

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]);
    int rounds = Integer.parseInt(args[1]);
    int threads = Integer.parseInt(args[2]);
    int batchImages = Integer.parseInt(args[3]);
    ChestXray14 data = ChestXray14.open(root);
    List<DataEntry> entries = data.entries();
    List<Path> pngs = entries.stream().map(e -> data.imagePath(e.imageIndex())).toList();
    for (Path png : pngs) {
      Files.readAllBytes(png); // warm the page cache: we time decoding, not the disk
    }
    for (int workers : distinct(1, threads)) {
      decode(pngs, 1, workers); // JIT warm-up
      double[] rates = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        rates[r] = decode(pngs, 1, workers);
      }
      report("decode_resize_224", workers, pngs.size(), rates);
    }

    PreparedCache cache =
        PreparedCache.prepare(
            data,
            entries.stream().map(DataEntry::imageIndex).toList(),
            root.resolve(PreparedCache.DEFAULT_DIR),
            "sha256:bench-" + entries.size(),
            SIZE,
            PreparedCache.OnBadImage.FAIL,
            threads,
            org.chexnet.common.Reporter.silent());
    // An epoch-sized list cycling over the prepared images (each read from the memory map).
    List<LabeledImage> epoch = new ArrayList<>(batchImages);
    for (int i = 0; i < batchImages; i++) {
      epoch.add(entries.get(i % entries.size()).toLabeledImage());
    }
    for (int workers : distinct(1, threads)) {
      try (BatchLoader loader =
          BatchLoader.builder(epoch)
              .prepared(cache)
              .batchSize(16)
              .shuffle(true)
              .flip(true)
              .seed(1)
              .threads(workers)
              .build()) {
        batches(loader, 0); // warm-up epoch
        double[] rates = new double[rounds];
        for (int r = 0; r < rounds; r++) {
          rates[r] = batches(loader, r + 1);
        }
        report("prepared_float_batches_224", workers, epoch.size(), rates);
      }
    }
  }

  private static int[] distinct(int a, int b) {
    return a == b ? new int[] {a} : new int[] {a, b};
  }

  /** Images/s decoding every file {@code passes} times on {@code workers} threads. */
  private static double decode(List<Path> pngs, int passes, int workers) throws Exception {
    ImageDecoder decoder = new ImageDecoder(SIZE);
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try {
      long t0 = System.nanoTime();
      List<Future<byte[]>> results = new ArrayList<>();
      for (int p = 0; p < passes; p++) {
        for (Path png : pngs) {
          results.add(pool.submit(() -> decoder.decodeGray(png)));
        }
      }
      long checksum = 0;
      for (Future<byte[]> result : results) {
        checksum += result.get()[SIZE * SIZE / 2];
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (checksum == Long.MIN_VALUE) {
        System.out.println(checksum); // keeps the results live
      }
      return results.size() / seconds;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Images/s of one epoch of ready batches. */
  private static double batches(BatchLoader loader, int epoch) {
    long t0 = System.nanoTime();
    int images = 0;
    float sink = 0;
    for (Iterator<Batch> it = loader.epoch(epoch); it.hasNext(); ) {
      Batch batch = it.next();
      images += batch.size();
      sink += batch.images()[batch.images().length - 1];
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (sink == Float.MIN_VALUE) {
      System.out.println(sink);
    }
    return images / seconds;
  }

  private static void report(String work, int threads, int images, double[] rates) {
    double[] sorted = rates.clone();
    Arrays.sort(sorted);
    System.out.printf(
        "{\"impl\": \"chexnet-java\", \"work\": \"%s\", \"threads\": %d, \"images\": %d,"
            + " \"rounds\": %d, \"median_images_per_s\": %.1f}%n",
        work, threads, images, rates.length, sorted[sorted.length / 2]);
  }
}
