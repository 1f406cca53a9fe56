package org.chexnet.dataset;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.Reporter;

/**
 * A learnable synthetic dataset in the exact ChestX-ray14 layout, so the pipeline can be run end to
 * end without the 45 GB download. Each finding draws its own shape or texture inside its own fixed
 * {@link #region} (a cell of a 4x4 grid), with jittered position, size and contrast, over a vaguely
 * chest-like background (dark lung fields, bright mediastinum, gradient, soft blobs, noise).
 * Findings are present independently, 15% to 28% of images each.
 */
public final class SyntheticChestXray14 {
  public static final int MIN_IMAGES = 10;
  public static final int MIN_IMAGE_SIZE = 32;

  private static final int GRID = 4;

  /**
   * Grid cells (row-major) of the 14 findings; the top corners, above the shoulders, stay empty.
   */
  private static final int[] CELLS = {1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

  private static final double TEST_PATIENT_SHARE = 0.2;
  private static final Comparator<Planned> BY_POSITIVE_COUNT =
      Comparator.comparingInt(SyntheticChestXray14::positiveCount);

  /** Plausible NIH scanner outputs: width, height, pixel spacing (mm). */
  private static final double[][] SCANNERS = {
    {2500, 2048, 0.171},
    {2048, 2500, 0.171},
    {2992, 2991, 0.143},
    {2682, 2749, 0.143},
    {3056, 2544, 0.139},
    {2500, 2048, 0.168},
  };

  private SyntheticChestXray14() {}

  /**
   * The pixels where {@code finding}'s signal is drawn: its grid cell; nothing of it is drawn
   * outside.
   */
  public static Rectangle region(Finding finding, int imageSize) {
    int cell = CELLS[finding.ordinal()];
    int x0 = (cell % GRID) * imageSize / GRID;
    int y0 = (cell / GRID) * imageSize / GRID;
    int x1 = (cell % GRID + 1) * imageSize / GRID;
    int y1 = (cell / GRID + 1) * imageSize / GRID;
    return new Rectangle(x0, y0, x1 - x0, y1 - y0);
  }

  /** The chance that an image shows {@code finding}. */
  public static double prevalence(Finding finding) {
    return 0.15 + 0.01 * finding.ordinal();
  }

  /**
   * Writes {@code images} grayscale PNGs of imageSize x imageSize, Data_Entry_2017_v2020.csv,
   * train_val_list.txt and test_list.txt (about 20% of patients, patient-disjoint). Every finding
   * has positives and negatives in both lists. The same (images, imageSize, seed) give
   * byte-identical files.
   *
   * @throws ChexnetException for too few or too small images, or an outDir that is a file or a
   *     directory that is not empty
   * @throws IOException on a write failure
   */
  public static void write(Path outDir, int images, int imageSize, long seed) throws IOException {
    write(outDir, images, imageSize, seed, Reporter.silent());
  }

  /** As {@link #write(Path, int, int, long)}, showing the rendering's progress. */
  public static void write(Path outDir, int images, int imageSize, long seed, Reporter reporter)
      throws IOException {
    if (images < MIN_IMAGES || imageSize < MIN_IMAGE_SIZE) {
      throw ChexnetException.invalidInput(
          "a synthetic dataset needs at least "
              + MIN_IMAGES
              + " images of at least "
              + MIN_IMAGE_SIZE
              + " pixels, got "
              + images
              + " of "
              + imageSize);
    }
    SyntheticFiles.write(outDir, staging -> fill(staging, images, imageSize, seed, reporter));
  }

  private static void fill(Path staging, int images, int imageSize, long seed, Reporter reporter)
      throws IOException {
    Path imagesDir = Files.createDirectories(staging.resolve(ChestXray14.IMAGES_DIR));

    SplittableRandom random = new SplittableRandom(seed);
    List<Planned> plan = plan(images, random);
    boolean[] testPatient = chooseTestPatients(plan.get(plan.size() - 1).patientId, random);
    List<Planned> trainVal = plan.stream().filter(p -> !testPatient[p.patientId]).toList();
    List<Planned> test = plan.stream().filter(p -> testPatient[p.patientId]).toList();
    ensureEveryFindingVaries(trainVal);
    ensureEveryFindingVaries(test);

    writeImages(imagesDir, plan, imageSize, reporter);
    // Plain writes: the staging directory appears as the dataset only when complete.
    Files.write(staging.resolve(ChestXray14.DATA_ENTRY_CSV), dataEntryCsv(plan));
    Files.write(staging.resolve(ChestXray14.TRAIN_VAL_LIST), imageList(trainVal));
    Files.write(staging.resolve(ChestXray14.TEST_LIST), imageList(test));
  }

  /** One image to generate: its Data_Entry row and the seed of its pixels. */
  private record Planned(
      String imageIndex,
      int patientId,
      int followUp,
      int age,
      String sex,
      String view,
      double[] scanner,
      float[] labels,
      long pixelSeed) {}

  private static List<Planned> plan(int images, SplittableRandom random) {
    List<Planned> plan = new ArrayList<>(images);
    for (int patient = 1; plan.size() < images; patient++) {
      int followUps = 1 + random.nextInt(3);
      int firstAge = 18 + random.nextInt(70);
      String sex = random.nextBoolean() ? "M" : "F";
      for (int followUp = 0; followUp < followUps && plan.size() < images; followUp++) {
        String view = random.nextDouble() < 0.6 ? "PA" : "AP";
        double[] scanner = SCANNERS[random.nextInt(SCANNERS.length)];
        float[] labels = new float[Finding.COUNT];
        for (Finding finding : Finding.values()) {
          labels[finding.ordinal()] = random.nextDouble() < prevalence(finding) ? 1f : 0f;
        }
        String imageIndex = String.format(Locale.ROOT, "%08d_%03d.png", patient, followUp);
        plan.add(
            new Planned(
                imageIndex,
                patient,
                followUp,
                firstAge + followUp,
                sex,
                view,
                scanner,
                labels,
                random.nextLong()));
      }
    }
    return plan;
  }

  /** Indexed by patient id (1..patients). */
  private static boolean[] chooseTestPatients(int patients, SplittableRandom random) {
    int[] ids = IntStream.rangeClosed(1, patients).toArray();
    for (int i = ids.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = ids[i];
      ids[i] = ids[j];
      ids[j] = swap;
    }
    boolean[] test = new boolean[patients + 1];
    int testCount = Math.max(1, (int) Math.round(TEST_PATIENT_SHARE * patients));
    for (int i = 0; i < testCount; i++) {
      test[ids[i]] = true;
    }
    return test;
  }

  /**
   * A finding that is always absent (or always present) in a list has no AUROC there; small
   * datasets can draw that by chance, so flip one label on the image that changes the least.
   */
  private static void ensureEveryFindingVaries(List<Planned> list) {
    for (int f = 0; f < Finding.COUNT; f++) {
      int positives = 0;
      for (Planned image : list) {
        positives += (int) image.labels[f];
      }
      if (positives == 0) {
        Collections.min(list, BY_POSITIVE_COUNT).labels[f] = 1f;
      } else if (positives == list.size()) {
        Collections.max(list, BY_POSITIVE_COUNT).labels[f] = 0f;
      }
    }
  }

  private static int positiveCount(Planned image) {
    int count = 0;
    for (float label : image.labels) {
      count += (int) label;
    }
    return count;
  }

  private static void writeImages(
      Path imagesDir, List<Planned> plan, int imageSize, Reporter reporter) throws IOException {
    // Each image depends only on its own seed, so parallel rendering stays deterministic.
    try (Reporter.Task progress =
        reporter.task("Synthetic X-rays", plan.size(), Reporter.Unit.IMAGES)) {
      plan.parallelStream()
          .forEach(
              image -> {
                try {
                  byte[] pixels =
                      Renderer.render(
                          image.labels, imageSize, new SplittableRandom(image.pixelSeed));
                  Files.write(imagesDir.resolve(image.imageIndex), png(pixels, imageSize));
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
                progress.step();
              });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static byte[] png(byte[] pixels, int size) throws IOException {
    BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
    image.getRaster().setDataElements(0, 0, size, size, pixels);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    // An in-memory stream: ImageIO's default for OutputStreams caches through temp files.
    try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      if (!ImageIO.write(image, "png", out)) {
        throw new IOException("no PNG writer in this Java runtime");
      }
    }
    return bytes.toByteArray();
  }

  /** NIH's file ends lines with CRLF; so does this one. */
  private static byte[] dataEntryCsv(List<Planned> plan) {
    StringBuilder csv = new StringBuilder(DataEntryCsv.HEADER).append("\r\n");
    for (Planned image : plan) {
      csv.append(image.imageIndex)
          .append(',')
          .append(Labels.describe(image.labels))
          .append(',')
          .append(image.followUp)
          .append(',')
          .append(image.patientId)
          .append(',')
          .append(image.age)
          .append(',')
          .append(image.sex)
          .append(',')
          .append(image.view)
          .append(',')
          .append((int) image.scanner[0])
          .append(',')
          .append((int) image.scanner[1])
          .append(',')
          .append(String.format(Locale.ROOT, "%.3f,%.3f", image.scanner[2], image.scanner[2]))
          .append("\r\n");
    }
    return csv.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Sorted names, one per line, the last without a newline, as NIH's lists are. */
  private static byte[] imageList(List<Planned> images) {
    List<String> names = images.stream().map(Planned::imageIndex).sorted().toList();
    return String.join("\n", names).getBytes(StandardCharsets.UTF_8);
  }
}
