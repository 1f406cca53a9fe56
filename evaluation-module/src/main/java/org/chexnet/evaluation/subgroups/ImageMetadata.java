package org.chexnet.evaluation.subgroups;

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
import java.util.OptionalInt;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Per-image metadata: a CSV with a header, one row per image, any columns (NIH's
 * Data_Entry_2017_v2020.csv, CheXpert's train.csv, MIMIC-CXR's metadata joined with MIMIC-IV's
 * patients table, PadChest's CSV, or a file of one's own).
 *
 * <p>Images are matched by the id column ({@link #ID_COLUMNS} unless named): exactly, else by file
 * name ({@code images/00000003_000.png} is {@code 00000003_000.png}, as predictions files are
 * read), else by file name without its extension (MIMIC's {@code dicom_id} names {@code
 * <dicom_id>.jpg}). A key that two rows share is ambiguous and matches neither.
 */
public final class ImageMetadata {

  /** The id column of each known dataset, looked for in this order. */
  public static final List<String> ID_COLUMNS =
      List.of("Image Index", "Path", "dicom_id", "ImageID");

  private static final CSVFormat FORMAT =
      CSVFormat.DEFAULT.builder().setIgnoreEmptyLines(false).build();
  private static final int AMBIGUOUS = -1;

  private final Path source;
  private final String idColumn;
  private final List<String> columns;
  private final Map<String, Integer> columnIndex;
  private final List<String[]> rows;
  private final int[] lines;
  private final Map<String, Integer> rowOfKey;

  private ImageMetadata(
      Path source, String idColumn, List<String> columns, List<String[]> rows, int[] lines) {
    this.source = source;
    this.idColumn = idColumn;
    this.columns = List.copyOf(columns);
    this.columnIndex = new HashMap<>();
    for (int k = columns.size() - 1; k >= 0; k--) {
      columnIndex.put(columns.get(k), k);
    }
    this.rows = rows;
    this.lines = lines;
    this.rowOfKey = new HashMap<>();
    int id = columnIndex.get(idColumn);
    for (int row = 0; row < rows.size(); row++) {
      for (String key : keys(rows.get(row)[id])) {
        Integer other = rowOfKey.putIfAbsent(key, row);
        if (other != null && other != row) {
          rowOfKey.put(key, AMBIGUOUS);
        }
      }
    }
  }

  /**
   * Reads {@code csv}, its id column the first of {@link #ID_COLUMNS} it has.
   *
   * @throws IllegalArgumentException "file:line: ..." on a header without a known id column, a row
   *     of another width than the header, an empty or repeated id
   */
  public static ImageMetadata read(Path csv) throws IOException {
    return read(csv, null);
  }

  /**
   * @param idColumn the column naming the image; null for the first of {@link #ID_COLUMNS}
   */
  public static ImageMetadata read(Path csv, String idColumn) throws IOException {
    List<String> header = null;
    List<String[]> rows = new ArrayList<>();
    List<Integer> lines = new ArrayList<>();
    Map<String, Integer> lineOfId = new HashMap<>();
    int id = -1;
    try (Reader reader = Files.newBufferedReader(csv, StandardCharsets.UTF_8);
        CSVParser parser = FORMAT.parse(reader)) {
      for (CSVRecord record : parser) {
        int line = (int) record.getRecordNumber();
        List<String> fields = record.toList();
        if (fields.size() == 1 && fields.get(0).isBlank()) {
          continue;
        }
        if (header == null) {
          header = fields.stream().map(String::strip).toList();
          id = idColumn(csv, header, idColumn);
          continue;
        }
        if (fields.size() != header.size()) {
          throw new IllegalArgumentException(
              csv
                  + ":"
                  + line
                  + ": expected "
                  + header.size()
                  + " fields as in the header, got "
                  + fields.size());
        }
        String[] cells = fields.stream().map(String::strip).toArray(String[]::new);
        if (cells[id].isEmpty()) {
          throw new IllegalArgumentException(
              csv + ":" + line + ": empty " + header.get(id) + " (the image id)");
        }
        Integer first = lineOfId.putIfAbsent(cells[id], line);
        if (first != null) {
          throw new IllegalArgumentException(
              csv + ":" + line + ": image " + cells[id] + " already listed on line " + first);
        }
        rows.add(cells);
        lines.add(line);
      }
    } catch (UncheckedIOException e) {
      throw new IOException(csv + ": not valid CSV: " + e.getCause().getMessage(), e.getCause());
    }
    if (header == null || rows.isEmpty()) {
      throw new IllegalArgumentException(csv + ": no header and rows");
    }
    return new ImageMetadata(
        csv, header.get(id), header, rows, lines.stream().mapToInt(Integer::intValue).toArray());
  }

  private static int idColumn(Path csv, List<String> header, String requested) {
    List<String> candidates = requested == null ? ID_COLUMNS : List.of(requested);
    for (String candidate : candidates) {
      int index = header.indexOf(candidate);
      if (index >= 0) {
        return index;
      }
    }
    throw new IllegalArgumentException(
        csv
            + ":1: no image id column: expected "
            + (requested == null ? "one of " + ID_COLUMNS : "'" + requested + "'")
            + ", the header has "
            + header);
  }

  /** The id itself, its file name, and its file name without the extension. */
  private static List<String> keys(String id) {
    String fileName = id.substring(id.lastIndexOf('/') + 1);
    int dot = fileName.lastIndexOf('.');
    String stem = dot > 0 ? fileName.substring(0, dot) : fileName;
    return List.of(id, fileName, stem).stream().distinct().toList();
  }

  public Path source() {
    return source;
  }

  public String idColumn() {
    return idColumn;
  }

  /** The header's column names, in file order. */
  public List<String> columns() {
    return columns;
  }

  public boolean hasColumn(String column) {
    return columnIndex.containsKey(column);
  }

  public int rows() {
    return rows.size();
  }

  /** The row describing {@code image}, matched as the class comment says; empty when none. */
  public OptionalInt rowOf(String image) {
    for (String key : keys(image.strip())) {
      Integer row = rowOfKey.get(key);
      if (row != null && row != AMBIGUOUS) {
        return OptionalInt.of(row);
      }
    }
    return OptionalInt.empty();
  }

  /**
   * The cell of {@code row} in {@code column}, stripped; "" when blank.
   *
   * @throws IllegalArgumentException when there is no such column
   */
  public String cell(int row, String column) {
    Integer index = columnIndex.get(column);
    if (index == null) {
      throw new IllegalArgumentException(source + ": no column '" + column + "'");
    }
    return rows.get(row)[index];
  }

  /** "file:line" of {@code row}, for messages. */
  public String where(int row) {
    return source + ":" + lines[row];
  }
}
