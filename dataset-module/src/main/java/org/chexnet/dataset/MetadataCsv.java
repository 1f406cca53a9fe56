package org.chexnet.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * A dataset's CSV metadata file, plain or gzipped ({@code .gz}), read row by row with its header:
 * columns are found by name, and every problem is reported as "file:line: column 'X': what was
 * expected".
 */
final class MetadataCsv implements AutoCloseable {
  // Empty lines stay records, so that a row's first line is the previous row's last line + 1.
  private static final CSVFormat FORMAT =
      CSVFormat.DEFAULT.builder().setIgnoreEmptyLines(false).build();

  private final Path file;
  private final CSVParser parser;
  private final Iterator<CSVRecord> rows;
  private final List<String> header;
  private final Map<String, Integer> columns = new HashMap<>();
  private CSVRecord row;
  private int line = 1;

  private MetadataCsv(Path file, CSVParser parser) throws IOException {
    this.file = file;
    this.parser = parser;
    this.rows = parser.iterator();
    if (!hasNext()) {
      throw new IllegalArgumentException(file + ":1: empty file, expected a header line");
    }
    List<String> names = new java.util.ArrayList<>(rows.next().toList());
    // A byte order mark (spreadsheet exports) is not part of the first column's name.
    if (!names.isEmpty() && names.get(0).startsWith("\uFEFF")) {
      names.set(0, names.get(0).substring(1));
    }
    this.header = List.copyOf(names);
    for (int c = 0; c < header.size(); c++) {
      columns.putIfAbsent(header.get(c), c);
    }
  }

  /**
   * Opens {@code file}, gunzipping when its name ends with {@code .gz}, and reads its header.
   *
   * @throws IllegalArgumentException for an empty file
   */
  static MetadataCsv open(Path file) throws IOException {
    InputStream in = Files.newInputStream(file);
    try {
      if (file.getFileName().toString().endsWith(".gz")) {
        in = new GZIPInputStream(in, 1 << 16);
      }
      CSVParser parser = FORMAT.parse(new InputStreamReader(in, StandardCharsets.UTF_8));
      return new MetadataCsv(file, parser);
    } catch (UncheckedIOException e) {
      in.close();
      throw notCsv(file, 1, e);
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  Path file() {
    return file;
  }

  /** The header's column names. */
  List<String> header() {
    return header;
  }

  /**
   * @throws IllegalArgumentException "file:1: missing column 'name'" with the header it has
   */
  int column(String name) {
    Integer column = columns.get(name);
    if (column == null) {
      throw new IllegalArgumentException(
          file + ":1: missing column '" + name + "'; the header has " + header);
    }
    return column;
  }

  /** The column's index, or -1 when the header lacks it. */
  int optionalColumn(String name) {
    return columns.getOrDefault(name, -1);
  }

  /**
   * Advances to the next non-blank row.
   *
   * @return false at the end of the file
   * @throws IllegalArgumentException "file:line: expected N fields, got M"
   * @throws IOException naming the file and line when it is not valid CSV or cannot be read
   */
  boolean next() throws IOException {
    while (true) {
      line = (int) parser.getCurrentLineNumber() + 1;
      if (!hasNext()) {
        row = null;
        return false;
      }
      row = rows.next();
      if (row.size() == 1 && row.get(0).isBlank()) {
        continue;
      }
      if (row.size() != header.size()) {
        throw new IllegalArgumentException(
            file + ":" + line + ": expected " + header.size() + " fields, got " + row.size());
      }
      return true;
    }
  }

  private boolean hasNext() throws IOException {
    try {
      return rows.hasNext();
    } catch (UncheckedIOException e) {
      throw notCsv(file, (int) parser.getCurrentLineNumber() + 1, e);
    }
  }

  private static IOException notCsv(Path file, int line, UncheckedIOException e) {
    return new IOException(
        file + ":" + line + ": not valid CSV: " + e.getCause().getMessage(), e.getCause());
  }

  /** The current row's value in {@code column}; "" for an optional column the file lacks. */
  String get(int column) {
    return column < 0 ? "" : row.get(column);
  }

  /** The current row's first line (1 is the header). */
  int line() {
    return line;
  }

  /** "file:line: column 'name': message", for the current row. */
  IllegalArgumentException error(int column, String message) {
    return new IllegalArgumentException(
        file + ":" + line + ": column '" + header.get(column) + "': " + message);
  }

  /** The current row's value in {@code column} as an integer. */
  int integer(int column) {
    String value = row.get(column);
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw error(column, "expected an integer, got '" + value + "'");
    }
  }

  @Override
  public void close() throws IOException {
    parser.close();
  }
}
