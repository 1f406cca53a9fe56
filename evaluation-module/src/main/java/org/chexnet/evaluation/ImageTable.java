package org.chexnet.evaluation;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Per-image values read from a file, one row per image, columns in class order: any model's
 * predictions (the common CSV layout) or ground truth (the reproductions' label lists). Image names
 * are reduced to their file name ({@code images/00000003_000.png} is {@code 00000003_000.png}),
 * since lists differ in the directory they prefix, unless two images share a file name (CheXpert's
 * {@code train/patient00001/study1/view1_frontal.jpg}): then every name stays as written.
 *
 * @param values row-major [images x classes]
 * @param lines the line of each image in {@code source}, for messages
 */
public record ImageTable(Path source, List<String> images, float[] values, int[] lines) {

  private static final CSVFormat FORMAT =
      CSVFormat.DEFAULT.builder().setIgnoreEmptyLines(false).build();
  private static final int AMBIGUOUS = -1;

  public ImageTable {
    images = List.copyOf(images);
    if (lines.length != images.size()
        || images.isEmpty() && values.length != 0
        || !images.isEmpty() && values.length % images.size() != 0) {
      throw new IllegalArgumentException("rows, values and lines do not agree");
    }
  }

  /**
   * Predictions in the common CSV layout: a header {@code Image Index,prob_Atelectasis,...} (or the
   * bare class names), columns in any order, or no header and the classes in {@code classNames}
   * order after the image name.
   *
   * @throws IllegalArgumentException "file:line[:column]: ..." on an unknown or missing class
   *     column, a row of the wrong width, a repeated image, or a probability that is NaN, not a
   *     number or outside [0, 1]
   */
  public static ImageTable readPredictions(Path csv, List<String> classNames) throws IOException {
    int classes = classNames.size();
    Builder table = new Builder(csv, classes);
    int[] columnOfClass = null;
    try (Reader reader = Files.newBufferedReader(csv, StandardCharsets.UTF_8);
        CSVParser parser = FORMAT.parse(reader)) {
      for (CSVRecord record : parser) {
        int line = (int) record.getRecordNumber();
        List<String> fields = record.toList();
        if (fields.size() == 1 && fields.get(0).isBlank()) {
          continue;
        }
        if (fields.size() != classes + 1) {
          throw new IllegalArgumentException(
              csv
                  + ":"
                  + line
                  + ": expected "
                  + (classes + 1)
                  + " columns (the image and "
                  + classes
                  + " probabilities), got "
                  + fields.size());
        }
        if (columnOfClass == null) {
          columnOfClass = header(csv, fields, classNames);
          if (columnOfClass.length > 0) {
            continue; // the line was a header
          }
        }
        float[] row = new float[classes];
        for (int c = 0; c < classes; c++) {
          int column = columnOfClass.length > 0 ? columnOfClass[c] : c + 1;
          row[c] = probability(csv, line, column, fields.get(column));
        }
        table.add(fields.get(0), row, line);
      }
    } catch (UncheckedIOException e) {
      // commons-csv reports malformed CSV (e.g. an unclosed quote) this way.
      throw new IOException(csv + ": not valid CSV: " + e.getCause().getMessage(), e.getCause());
    }
    return table.build();
  }

  /**
   * A label list as the CheXNet reproductions ship it: {@code name l1 ... l14} per line, separated
   * by spaces or tabs, labels 0 or 1 in CheXNet order.
   *
   * @throws IllegalArgumentException "file:line: ..." on a wrong field count, a label other than 0
   *     or 1, or a repeated image
   */
  public static ImageTable readLabelList(Path file, int classes) throws IOException {
    Builder table = new Builder(file, classes);
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String text = lines.get(i).strip();
      if (text.isEmpty()) {
        continue;
      }
      String where = file + ":" + (i + 1) + ": ";
      String[] fields = text.split("\\s+");
      if (fields.length != classes + 1) {
        throw new IllegalArgumentException(
            where
                + "expected an image name and "
                + classes
                + " labels, got "
                + fields.length
                + " fields");
      }
      float[] row = new float[classes];
      for (int c = 0; c < classes; c++) {
        String label = fields[c + 1];
        if (!label.equals("0") && !label.equals("1")) {
          throw new IllegalArgumentException(
              where + "label " + (c + 1) + " must be 0 or 1, got '" + label + "'");
        }
        row[c] = label.equals("1") ? 1f : 0f;
      }
      table.add(fields[0], row, i + 1);
    }
    return table.build();
  }

  public int columns() {
    return images.isEmpty() ? 0 : values.length / images.size();
  }

  /**
   * These predictions with their labels, in this table's image order.
   *
   * @param everyLabelPredicted true for a label list meant to match the predictions exactly (a test
   *     list); false for a superset such as NIH's Data_Entry of all 112,120 images
   * @throws IllegalArgumentException naming the file and line of an image predicted but not
   *     labelled, or labelled but not predicted
   */
  public PredictionSet withLabels(ImageTable labels, boolean everyLabelPredicted) {
    if (labels.columns() != columns()) {
      throw new IllegalArgumentException(
          labels.source + " has " + labels.columns() + " classes, " + source + " " + columns());
    }
    Map<String, Integer> labelRow = new HashMap<>();
    Map<String, Integer> labelRowByFileName = new HashMap<>(); // AMBIGUOUS when shared
    for (int row = 0; row < labels.images.size(); row++) {
      String image = labels.images.get(row);
      labelRow.put(image, row);
      labelRowByFileName.merge(fileName(image), row, (a, b) -> AMBIGUOUS);
    }
    int classes = columns();
    float[] truth = new float[values.length];
    List<String> unlabelled = new ArrayList<>();
    int firstUnlabelled = -1;
    for (int row = 0; row < images.size(); row++) {
      Integer other = labelRow.remove(images.get(row));
      if (other == null) {
        // One side may name images by path, the other by file name only; each label once.
        int byName = labelRowByFileName.getOrDefault(fileName(images.get(row)), AMBIGUOUS);
        if (byName != AMBIGUOUS && labelRow.remove(labels.images.get(byName)) != null) {
          other = byName;
        }
      }
      if (other == null) {
        firstUnlabelled = firstUnlabelled < 0 ? row : firstUnlabelled;
        unlabelled.add(images.get(row));
      } else {
        System.arraycopy(labels.values, other * classes, truth, row * classes, classes);
      }
    }
    if (!unlabelled.isEmpty()) {
      throw new IllegalArgumentException(
          source
              + ":"
              + lines[firstUnlabelled]
              + ": "
              + unlabelled.size()
              + " predicted image(s) have no labels in "
              + labels.source
              + ", first "
              + unlabelled.get(0));
    }
    if (everyLabelPredicted && !labelRow.isEmpty()) {
      int first = labelRow.values().stream().mapToInt(Integer::intValue).min().orElseThrow();
      throw new IllegalArgumentException(
          labels.source
              + ":"
              + labels.lines[first]
              + ": "
              + labelRow.size()
              + " labelled image(s) have no prediction in "
              + source
              + ", first "
              + labels.images.get(first));
    }
    return new PredictionSet(images, values, truth);
  }

  /**
   * @return the column of each class, or an empty array when the line is data, not a header
   */
  private static int[] header(Path csv, List<String> fields, List<String> classNames) {
    if (isNumber(fields.get(1))) {
      return new int[0];
    }
    int[] columnOfClass = new int[classNames.size()];
    Arrays.fill(columnOfClass, -1);
    for (int column = 1; column < fields.size(); column++) {
      String name = fields.get(column).strip();
      String bare = name.startsWith("prob_") ? name.substring("prob_".length()) : name;
      int c = classNames.indexOf(bare);
      if (c < 0 || columnOfClass[c] >= 0) {
        throw new IllegalArgumentException(
            csv
                + ":1:"
                + (column + 1)
                + ": "
                + (c < 0 ? "unknown class column '" : "repeated class column '")
                + name
                + "', expected prob_<class> for each of "
                + classNames);
      }
      columnOfClass[c] = column;
    }
    return columnOfClass;
  }

  private static String fileName(String image) {
    return image.substring(image.lastIndexOf('/') + 1);
  }

  private static boolean isNumber(String text) {
    try {
      Double.parseDouble(text.strip());
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static float probability(Path csv, int line, int column, String text) {
    String where = csv + ":" + line + ":" + (column + 1) + ": ";
    float value;
    try {
      value = Float.parseFloat(text.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(where + "expected a probability, got '" + text + "'");
    }
    if (!(value >= 0f && value <= 1f)) {
      throw new IllegalArgumentException(
          where
              + String.format(
                  Locale.ROOT,
                  "probability %s is %s",
                  text.strip(),
                  Float.isNaN(value) ? "NaN" : "outside [0, 1]"));
    }
    return value;
  }

  private static final class Builder {
    private final Path source;
    private final int classes;
    private final List<String> images = new ArrayList<>();
    private final List<float[]> rows = new ArrayList<>();
    private final List<Integer> lines = new ArrayList<>();
    private final Map<String, Integer> lineOfImage = new HashMap<>();

    Builder(Path source, int classes) {
      this.source = source;
      this.classes = classes;
    }

    void add(String image, float[] row, int line) {
      String name = image.strip();
      if (fileName(name).isEmpty()) {
        throw new IllegalArgumentException(source + ":" + line + ": empty image name");
      }
      Integer first = lineOfImage.putIfAbsent(name, line);
      if (first != null) {
        throw new IllegalArgumentException(
            source + ":" + line + ": image " + name + " already listed on line " + first);
      }
      images.add(name);
      rows.add(row);
      lines.add(line);
    }

    ImageTable build() {
      if (images.isEmpty()) {
        throw new IllegalArgumentException(source + ": no images");
      }
      float[] values = new float[images.size() * classes];
      for (int row = 0; row < rows.size(); row++) {
        System.arraycopy(rows.get(row), 0, values, row * classes, classes);
      }
      List<String> fileNames = images.stream().map(ImageTable::fileName).toList();
      boolean fileNamesUnique = fileNames.stream().distinct().count() == fileNames.size();
      return new ImageTable(
          source,
          fileNamesUnique ? fileNames : images,
          values,
          lines.stream().mapToInt(Integer::intValue).toArray());
    }
  }
}
