package org.chexnet.dataset;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.InputFiles;

/**
 * Image list files: NIH's plain lists ({@code train_val_list.txt}, one name a line) and the CheXNet
 * reproductions' labelled lists ({@code name l1 ... l14}, zero/one in {@link Finding} order,
 * separated by blanks).
 */
public final class ImageLists {
  private ImageLists() {}

  /**
   * @throws IllegalArgumentException "list:line: ..." for a bad name, a wrong column count, a label
   *     other than 0/1, a name listed twice, or a file mixing plain and labelled lines
   * @throws ChexnetException naming a list that is missing, a directory or not text
   */
  public static List<ListedImage> read(Path list) throws IOException {
    InputFiles.file(list, null);
    try {
      return readText(list);
    } catch (CharacterCodingException e) {
      throw InputFiles.notText(list, null);
    }
  }

  private static List<ListedImage> readText(Path list) throws IOException {
    List<ListedImage> images = new ArrayList<>();
    Map<String, Integer> lineOfImage = new HashMap<>();
    Boolean labelled = null;
    try (BufferedReader reader = Files.newBufferedReader(list, StandardCharsets.UTF_8)) {
      int lineNumber = 0;
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        lineNumber++;
        String text = line.strip();
        if (text.isEmpty()) {
          continue;
        }
        String where = list + ":" + lineNumber + ": ";
        String[] fields = text.split("\\s+");
        if (fields.length != 1 && fields.length != 1 + Finding.COUNT) {
          throw new IllegalArgumentException(
              where
                  + "expected an image name, optionally followed by "
                  + Finding.COUNT
                  + " labels, got "
                  + fields.length
                  + " fields");
        }
        boolean hasLabels = fields.length > 1;
        if (labelled != null && labelled != hasLabels) {
          throw new IllegalArgumentException(
              where + "mixes plain names and labelled lines; use one form per file");
        }
        labelled = hasLabels;
        String name = fields[0];
        float[] labels = hasLabels ? labels(where, fields) : null;
        Integer first = lineOfImage.putIfAbsent(name, lineNumber);
        if (first != null) {
          throw new IllegalArgumentException(
              where + "image " + name + " already listed on line " + first);
        }
        images.add(new ListedImage(name, patientId(where, name), labels, list, lineNumber));
      }
    }
    return images;
  }

  /**
   * NIH names are {@code PPPPPPPP_FFF.png}: patient, then follow-up.
   *
   * @throws IllegalArgumentException if the name does not start with 8 digits and '_'
   */
  public static int patientId(String imageIndex) {
    return patientId("", imageIndex);
  }

  private static int patientId(String where, String name) {
    if (name.length() < 9
        || name.charAt(8) != '_'
        || !name.substring(0, 8).chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException(
          where + "image name '" + name + "' does not start with an 8-digit patient ID and '_'");
    }
    return Integer.parseInt(name.substring(0, 8));
  }

  private static float[] labels(String where, String[] fields) {
    float[] labels = new float[Finding.COUNT];
    for (int f = 0; f < Finding.COUNT; f++) {
      String value = fields[f + 1];
      if (!value.equals("0") && !value.equals("1")) {
        throw new IllegalArgumentException(
            where
                + "label "
                + (f + 1)
                + " ("
                + Finding.values()[f].label()
                + ") must be 0 or 1, got '"
                + value
                + "'");
      }
      labels[f] = value.equals("1") ? 1f : 0f;
    }
    return labels;
  }

  /**
   * @param lists split name to its list's images
   * @throws IllegalArgumentException naming the first patient found in two lists, with both files,
   *     lines and images
   */
  public static void requirePatientDisjoint(Map<String, List<ListedImage>> lists) {
    Map<Integer, ListedImage> firstOfPatient = new HashMap<>();
    Map<Integer, String> splitOfPatient = new HashMap<>();
    for (Map.Entry<String, List<ListedImage>> split : lists.entrySet()) {
      for (ListedImage image : split.getValue()) {
        String other = splitOfPatient.putIfAbsent(image.patientId(), split.getKey());
        if (other != null && !other.equals(split.getKey())) {
          ListedImage first = firstOfPatient.get(image.patientId());
          throw new IllegalArgumentException(
              "patient "
                  + image.patientId()
                  + " is in both "
                  + other
                  + " ("
                  + first.where()
                  + ": "
                  + first.imageIndex()
                  + ") and "
                  + split.getKey()
                  + " ("
                  + image.where()
                  + ": "
                  + image.imageIndex()
                  + "); a patient in two splits leaks into the scores");
        }
        firstOfPatient.putIfAbsent(image.patientId(), image);
      }
    }
  }

  /**
   * How a labelled list agrees with Data_Entry.
   *
   * @param compared images that have both list labels and a Data_Entry row
   * @param disagreeing how many of them differ in at least one label
   * @param examples up to 5 "list:line: image: list says X, Data_Entry says Y"
   */
  public record LabelCheck(int compared, int disagreeing, List<String> examples) {}
}
