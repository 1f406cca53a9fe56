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
import java.util.stream.Stream;
import javax.imageio.ImageIO;
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
 *   <li>decode+resize: each image set the script wrote (NIH PNGs, as 16-bit, as JPEGs at 1024 and
 *       at 2500x3000) to 224x224 gray with ImageDecoder, on 1 and on {@code threads} threads
 *       (files read once before timing, so the page cache holds them); the outputs go to
 *       OUT/ours/SET/NAME.gray, and for JPEGs a full decode (ImageIO) averaged by area to
 *       OUT/full/SET, with the mean and max abs difference between the two;
 *   <li>prepared batches: ready float batches (ImageNet normalisation, 3 channels, seeded flips,
 *       shuffled) from a PreparedCache through BatchLoader with 1 and {@code threads} background
 *       threads, the consumer only touching each batch.
 * </ol>
 *
 * Args: DATASET_DIR (ChestX-ray14 layout over the PNGs, made by the script) WORK_DIR (holding
 * sets/SET/) ROUNDS THREADS BATCH_IMAGES.
 */
public final class DataPipelineBench {
  private static final int SIZE = 224;

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]);
    Path work = Path.of(args[1]);
    int rounds = Integer.parseInt(args[2]);
    int threads = Integer.parseInt(args[3]);
    int batchImages = Integer.parseInt(args[4]);
    ChestXray14 data = ChestXray14.open(root);
    List<DataEntry> entries = data.entries();
    List<Path> sets;
    try (Stream<Path> list = Files.list(work.resolve("sets"))) {
      sets = list.sorted().toList();
    }
    ImageDecoder decoder = new ImageDecoder(SIZE);
    for (Path set : sets) {
      List<Path> files;
      try (Stream<Path> list = Files.list(set)) {
        files = list.sorted().toList();
      }
      for (Path file : files) {
        Files.readAllBytes(file); // warm the page cache: we time decoding, not the disk
      }
      String name = set.getFileName().toString();
      for (int workers : distinct(1, threads)) {
        for (int warmUp = 0; warmUp < 3; warmUp++) {
          decode(files, workers); // JIT: a prepare of thousands of images runs compiled code
        }
        double[] rates = new double[rounds];
        for (int r = 0; r < rounds; r++) {
          rates[r] = decode(files, workers);
        }
        report("decode_resize_224_" + name, workers, files.size(), rates);
      }
      Path ours = Files.createDirectories(work.resolve("ours").resolve(name));
      Path full = work.resolve("full").resolve(name);
      long sum = 0;
      int max = 0;
      for (Path file : files) {
        byte[] gray = decoder.decodeGray(file);
        Files.write(ours.resolve(file.getFileName() + ".gray"), gray);
        if (name.startsWith("jpeg")) {
          Files.createDirectories(full);
          byte[] reference = decoder.toGraySquare(ImageIO.read(file.toFile()));
          Files.write(full.resolve(file.getFileName() + ".gray"), reference);
          for (int i = 0; i < gray.length; i++) {
            int d = Math.abs((gray[i] & 0xff) - (reference[i] & 0xff));
            sum += d;
            max = Math.max(max, d);
          }
        }
      }
      if (name.startsWith("jpeg")) {
        System.out.printf(
            "{\"compare\": \"ours vs full decode + area\", \"set\": \"%s\", \"mean_abs\": %.4f,"
                + " \"max_abs\": %d}%n",
            name, (double) sum / files.size() / (SIZE * SIZE), max);
      }
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

  /** Images/s decoding every file once on {@code workers} threads. */
  private static double decode(List<Path> files, int workers) throws Exception {
    ImageDecoder decoder = new ImageDecoder(SIZE);
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try {
      long t0 = System.nanoTime();
      List<Future<byte[]>> results = new ArrayList<>();
      for (Path file : files) {
        results.add(pool.submit(() -> decoder.decodeGray(file)));
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
