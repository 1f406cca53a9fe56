package org.chexnet.evaluation;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * A radiologist's box around one finding, in the pixels of the original 1024 x 1024 image: NIH's
 * BBox_List_2017.csv ({@code Image Index,Finding Label,Bbox [x,y,w,h],,,}).
 *
 * @param finding the finding in CheXNet's spelling (NIH's "Infiltrate" is read as Infiltration)
 * @param x left edge
 * @param y top edge
 */
public record BoundingBox(
    String imageIndex, String finding, double x, double y, double width, double height) {

  private static final CSVFormat FORMAT =
      CSVFormat.DEFAULT.builder().setIgnoreEmptyLines(false).build();

  public BoundingBox {
    if (!(width > 0 && height > 0)) {
      throw new IllegalArgumentException(
          imageIndex + ": box width and height must be positive, got " + width + " x " + height);
    }
  }

  /**
   * Reads NIH's BBox_List_2017.csv: the header's third column name spans four columns and each line
   * may end with empty fields.
   *
   * @throws IllegalArgumentException "file:line: ..." on a wrong header, a short row or a value
   *     that is not a number
   */
  public static List<BoundingBox> readNih(Path csv) throws IOException {
    List<BoundingBox> boxes = new ArrayList<>();
    try (Reader reader = Files.newBufferedReader(csv, StandardCharsets.UTF_8);
        CSVParser parser = FORMAT.parse(reader)) {
      for (CSVRecord record : parser) {
        String where = csv + ":" + record.getRecordNumber() + ": ";
        List<String> fields = record.toList();
        if (record.getRecordNumber() == 1) {
          if (fields.size() < 3
              || !fields.get(0).equals("Image Index")
              || !fields.get(1).equals("Finding Label")
              || !fields.get(2).startsWith("Bbox")) {
            throw new IllegalArgumentException(
                where
                    + "expected the header 'Image Index,Finding Label,Bbox [x,y,w,h],,,', got '"
                    + String.join(",", fields)
                    + "'");
          }
        } else if (!(fields.size() == 1 && fields.get(0).isBlank())) {
          boxes.add(parse(where, fields));
        }
      }
    } catch (UncheckedIOException e) {
      // commons-csv reports malformed CSV (e.g. an unclosed quote) this way.
      throw new IOException(csv + ": not valid CSV: " + e.getCause().getMessage(), e.getCause());
    }
    return boxes;
  }

  private static BoundingBox parse(String where, List<String> fields) {
    if (fields.size() < 6
        || fields.subList(6, fields.size()).stream().anyMatch(f -> !f.isBlank())) {
      throw new IllegalArgumentException(
          where
              + "expected 6 fields (image, finding, x, y, w, h), got '"
              + String.join(",", fields)
              + "'");
    }
    double[] values = new double[4];
    String[] names = {"x", "y", "w", "h"};
    for (int i = 0; i < 4; i++) {
      try {
        values[i] = Double.parseDouble(fields.get(i + 2).trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            where + "expected a number for " + names[i] + ", got '" + fields.get(i + 2) + "'");
      }
    }
    // The box list spells the finding "Infiltrate"; the labels and CheXNet say "Infiltration".
    String finding = fields.get(1).equals("Infiltrate") ? "Infiltration" : fields.get(1);
    try {
      return new BoundingBox(fields.get(0), finding, values[0], values[1], values[2], values[3]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + e.getMessage(), e);
    }
  }
}
