package org.chexnet.experiment.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.chexnet.common.AtomicFiles;
import org.chexnet.dataset.ChestXray14;
import org.chexnet.dataset.Dataset;
import org.chexnet.dataset.ImageRecord;
import org.chexnet.dataset.View;

/**
 * The per-image metadata subgroups are read from, for a dataset other than ChestX-ray14 (whose
 * Data_Entry file is one already): each image's sex, age, view and patient as the dataset readers
 * normalised them, under NIH's column names, so that one table serves every dataset.
 */
public final class ImageMetadataCsv {
  private final StringBuilder csv =
      new StringBuilder(
          "Image Index,Patient ID,Patient Gender,Patient Age,View Position,Dataset\n");

  /**
   * The metadata file of every image of {@code data}: ChestX-ray14's Data_Entry file (any of its
   * columns can be an attribute), else a temporary file written from its records.
   */
  public static Path of(Dataset data) throws IOException {
    if (data instanceof ChestXray14 nih) {
      return nih.metadataFiles().get(0); // Data_Entry first, then its lists
    }
    ImageMetadataCsv csv = new ImageMetadataCsv();
    for (ImageRecord record : data.images()) {
      csv.add(record.image(), record.patientId(), record, data.name());
    }
    return csv.writeTemporary();
  }

  /**
   * Adds one image's row.
   *
   * @param key the image as predictions and splits name it
   * @param patient the patient as the splits number it
   */
  public ImageMetadataCsv add(String key, int patient, ImageRecord record, String dataset) {
    csv.append(quoted(key))
        .append(',')
        .append(patient)
        .append(',')
        .append(
            switch (record.sex()) {
              case MALE -> "M";
              case FEMALE -> "F";
              default -> "";
            })
        .append(',')
        .append(record.age() > 0 ? Integer.toString(record.age()) : "")
        .append(',')
        .append(record.view() == View.UNKNOWN ? "" : record.view().name())
        .append(',')
        .append(dataset)
        .append('\n');
    return this;
  }

  public byte[] bytes() {
    return csv.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Written to a temporary file deleted when the JVM exits. */
  public Path writeTemporary() throws IOException {
    Path file = Files.createTempFile("chexnet-image-metadata-", ".csv");
    file.toFile().deleteOnExit();
    AtomicFiles.write(file, bytes());
    return file;
  }

  private static String quoted(String cell) {
    return cell.contains(",") || cell.contains("\"")
        ? '"' + cell.replace("\"", "\"\"") + '"'
        : cell;
  }
}
