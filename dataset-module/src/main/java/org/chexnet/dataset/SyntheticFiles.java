package org.chexnet.dataset;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.chexnet.common.AtomicFiles;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.InputFiles;

/** What the synthetic dataset writers share: publishing, CSVs, images. */
final class SyntheticFiles {
  private static final CSVFormat CSV = CSVFormat.DEFAULT.builder().setRecordSeparator("\n").build();

  private SyntheticFiles() {}

  /**
   * Writes a dataset to {@code outDir}: {@code filler} fills a staging directory that appears as
   * outDir only when complete ({@link AtomicFiles#publishDirectory}), so an interrupted write never
   * leaves a half dataset that later looks complete.
   *
   * @throws ChexnetException if outDir is a file, or a directory that is not empty
   */
  static void write(Path outDir, AtomicFiles.DirectoryFiller filler) throws IOException {
    InputFiles.outputDirectory(outDir, null);
    if (!isEmptyOrAbsent(outDir) || !AtomicFiles.publishDirectory(outDir, filler)) {
      throw ChexnetException.invalidInput(
          outDir + ": exists and is not empty; refusing to mix synthetic data into it");
    }
  }

  private static boolean isEmptyOrAbsent(Path directory) throws IOException {
    if (!Files.exists(directory)) {
      return true;
    }
    try (Stream<Path> children = Files.list(directory)) {
      return children.findAny().isEmpty();
    }
  }

  /** A CSV printer writing {@code file}, gzipped when its name ends with {@code .gz}. */
  static CSVPrinter csv(Path file, List<String> header) throws IOException {
    OutputStream out = Files.newOutputStream(file);
    if (file.getFileName().toString().endsWith(".gz")) {
      out = new GZIPOutputStream(out, 1 << 16);
    }
    CSVPrinter printer =
        CSV.print(
            new java.io.BufferedWriter(
                new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16));
    printer.printRecord(header);
    return printer;
  }

  /**
   * A synthetic X-ray ({@link Renderer}) showing the ChestX-ray14 findings a dataset's positive
   * labels mean ({@link HarmonisedFindings}), so shared findings look alike across datasets.
   */
  static byte[] render(String dataset, List<String> findings, byte[] states, int size, long seed) {
    float[] nih = new float[Finding.COUNT];
    for (int f = 0; f < findings.size(); f++) {
      if (states[f] != LabelState.POSITIVE.code()) {
        continue;
      }
      String nihName =
          HarmonisedFindings.rowOf(dataset, findings.get(f))
              .map(row -> row.names().get(ChestXray14.NAME))
              .orElse(null);
      if (nihName != null) {
        nih[Finding.fromLabel(nihName).ordinal()] = 1f;
      }
    }
    return Renderer.render(nih, size, new SplittableRandom(seed));
  }

  /** 8-bit gray JPEG. */
  static void writeJpeg(Path file, byte[] gray, int size) throws IOException {
    BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
    image.getRaster().setDataElements(0, 0, size, size, gray);
    write(file, image, "jpeg");
  }

  /** 16-bit gray PNG using {@code bits} of the 16 (PadChest's scanners store 12 or so). */
  static void writePng16(Path file, byte[] gray, int size, int bits) throws IOException {
    BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_USHORT_GRAY);
    short[] pixels = new short[gray.length];
    int max = (1 << bits) - 1;
    for (int i = 0; i < gray.length; i++) {
      pixels[i] = (short) Math.round((gray[i] & 0xff) * max / 255.0);
    }
    image.getRaster().setDataElements(0, 0, size, size, pixels);
    write(file, image, "png");
  }

  private static void write(Path file, BufferedImage image, String format) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    // An in-memory stream: ImageIO's default for OutputStreams caches through temp files.
    try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      if (!ImageIO.write(image, format, out)) {
        throw new IOException("no " + format + " writer in this Java runtime");
      }
    }
    Files.createDirectories(file.getParent());
    Files.write(file, bytes.toByteArray());
  }
}
