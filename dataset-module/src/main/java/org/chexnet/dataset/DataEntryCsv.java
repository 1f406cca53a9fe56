package org.chexnet.dataset;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads NIH's Data_Entry_2017_v2020.csv, or the older Data_Entry_2017.csv whose lines end with a
 * comma.
 */
public final class DataEntryCsv {
  /** The v2020 header line; the brackets split two column names in half, so it has 11 fields. */
  public static final String HEADER =
      "Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,"
          + "View Position,OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y]";

  private static final int COLUMNS = 11;

  // Empty lines are kept as records so that record numbers stay equal to line numbers in messages.
  private static final CSVFormat FORMAT =
      CSVFormat.DEFAULT.builder().setIgnoreEmptyLines(false).build();

  private DataEntryCsv() {}

  /**
   * @throws IllegalArgumentException "file:line: ..." on a malformed row, an unknown label or a
   *     repeated image
   * @throws IOException if the file cannot be read or is not valid CSV
   */
  public static List<DataEntry> read(Path csv) throws IOException {
    List<DataEntry> entries = new ArrayList<>();
    Map<String, Long> lineOfImage = new HashMap<>();
    boolean sawHeader = false;
    try (Reader reader = Files.newBufferedReader(csv, StandardCharsets.UTF_8);
        CSVParser parser = FORMAT.parse(reader)) {
      for (CSVRecord record : parser) {
        long line = record.getRecordNumber();
        if (line == 1) {
          checkHeader(csv, record);
          sawHeader = true;
        } else if (!isBlank(record)) {
          DataEntry entry = parse(csv, record);
          Long first = lineOfImage.putIfAbsent(entry.imageIndex(), line);
          if (first != null) {
            throw new IllegalArgumentException(
                csv
                    + ":"
                    + line
                    + ": image "
                    + entry.imageIndex()
                    + " already listed on line "
                    + first);
          }
          entries.add(entry);
        }
      }
    } catch (UncheckedIOException e) {
      // commons-csv reports malformed CSV (e.g. an unclosed quote) this way.
      throw new IOException(csv + ": not valid CSV: " + e.getCause().getMessage(), e.getCause());
    }
    if (!sawHeader) {
      throw new IllegalArgumentException(
          csv + ":1: empty file, expected the header '" + HEADER + "'");
    }
    return entries;
  }

  private static void checkHeader(Path csv, CSVRecord record) {
    List<String> fields = withoutTrailingEmpty(record);
    if (!String.join(",", fields).equals(HEADER)) {
      throw new IllegalArgumentException(
          csv
              + ":1: expected the header '"
              + HEADER
              + "', got '"
              + String.join(",", record.toList())
              + "'");
    }
  }

  private static DataEntry parse(Path csv, CSVRecord record) {
    String where = csv + ":" + record.getRecordNumber() + ": ";
    List<String> fields = withoutTrailingEmpty(record);
    if (fields.size() != COLUMNS) {
      throw new IllegalArgumentException(
          where
              + "expected "
              + COLUMNS
              + " fields, got "
              + record.size()
              + ": '"
              + String.join(",", record.toList())
              + "'");
    }
    String imageIndex = fields.get(0);
    if (imageIndex.isEmpty()) {
      throw new IllegalArgumentException(where + "empty Image Index");
    }
    float[] labels;
    try {
      labels = Labels.parse(fields.get(1));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + e.getMessage(), e);
    }
    return new DataEntry(
        imageIndex,
        labels,
        integer(where, "Follow-up #", fields.get(2)),
        integer(where, "Patient ID", fields.get(3)),
        age(where, fields.get(4)),
        nonEmpty(where, "Patient Gender", fields.get(5)),
        nonEmpty(where, "View Position", fields.get(6)),
        integer(where, "OriginalImage Width", fields.get(7)),
        integer(where, "OriginalImage Height", fields.get(8)),
        decimal(where, "OriginalImagePixelSpacing x", fields.get(9)),
        decimal(where, "OriginalImagePixelSpacing y", fields.get(10)));
  }

  /**
   * The older Data_Entry_2017.csv ends every line, header included, with a comma: one extra empty
   * field.
   */
  private static List<String> withoutTrailingEmpty(CSVRecord record) {
    List<String> fields = record.toList();
    if (fields.size() == COLUMNS + 1 && fields.get(COLUMNS).isEmpty()) {
      return fields.subList(0, COLUMNS);
    }
    return fields;
  }

  private static boolean isBlank(CSVRecord record) {
    return record.size() == 1 && record.get(0).isBlank();
  }

  private static int integer(String where, String column, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          where + "expected an integer " + column + ", got '" + value + "'");
    }
  }

  /** v2020 writes ages as integers; some copies of the original release write "058Y". */
  private static int age(String where, String value) {
    String digits = value.endsWith("Y") ? value.substring(0, value.length() - 1) : value;
    return integer(where, "Patient Age", digits);
  }

  private static double decimal(String where, String column, String value) {
    try {
      return Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          where + "expected a number " + column + ", got '" + value + "'");
    }
  }

  private static String nonEmpty(String where, String column, String value) {
    if (value.isBlank()) {
      throw new IllegalArgumentException(where + "empty " + column);
    }
    return value;
  }
}
