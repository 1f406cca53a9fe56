package org.chexnet.dataset;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Train, validation and test images; no patient may appear in two of them (that would leak into the
 * scores), and every image has the same number of labels (its dataset's findings).
 */
public record DataSplits(
    List<LabeledImage> train, List<LabeledImage> validation, List<LabeledImage> test) {

  public DataSplits {
    train = List.copyOf(train);
    validation = List.copyOf(validation);
    test = List.copyOf(test);
    Map<Integer, String> splitOfPatient = new HashMap<>();
    LabeledImage first = null;
    for (Map.Entry<String, List<LabeledImage>> split : byName(train, validation, test).entrySet()) {
      for (LabeledImage image : split.getValue()) {
        if (first == null) {
          first = image;
        } else if (image.labels().length != first.labels().length) {
          throw new IllegalArgumentException(
              "image "
                  + image.imageIndex()
                  + " has "
                  + image.labels().length
                  + " labels but "
                  + first.imageIndex()
                  + " has "
                  + first.labels().length);
        }
        String other = splitOfPatient.putIfAbsent(image.patientId(), split.getKey());
        if (other != null && !other.equals(split.getKey())) {
          throw new IllegalArgumentException(
              "patient "
                  + image.patientId()
                  + " is in both "
                  + other
                  + " and "
                  + split.getKey()
                  + " (image "
                  + image.imageIndex()
                  + ")");
        }
      }
    }
  }

  /** "train", "validation", "test", in that order. */
  public Map<String, List<LabeledImage>> byName() {
    return byName(train, validation, test);
  }

  /** Every image of the three splits, train first. */
  public List<String> imageIndexes() {
    List<String> indexes = new ArrayList<>(train.size() + validation.size() + test.size());
    byName().values().forEach(split -> split.forEach(image -> indexes.add(image.imageIndex())));
    return indexes;
  }

  /** Labels per image: the number of findings (0 when every split is empty). */
  public int classes() {
    for (List<LabeledImage> images : byName().values()) {
      if (!images.isEmpty()) {
        return images.get(0).labels().length;
      }
    }
    return 0;
  }

  /**
   * Per split name: for each finding, in label order, the share of positives among the images whose
   * label of it is known (not masked); 0 where none is.
   */
  public Map<String, double[]> prevalence() {
    int classes = classes();
    Map<String, double[]> prevalence = new LinkedHashMap<>();
    byName()
        .forEach(
            (name, images) -> {
              double[] share = new double[classes];
              int[] known = new int[classes];
              for (LabeledImage image : images) {
                for (int f = 0; f < classes; f++) {
                  if (image.known(f)) {
                    share[f] += image.labels()[f];
                    known[f]++;
                  }
                }
              }
              for (int f = 0; f < classes; f++) {
                share[f] = known[f] == 0 ? 0 : share[f] / known[f];
              }
              prevalence.put(name, share);
            });
    return prevalence;
  }

  /**
   * The same splits without the named images (e.g. those skipped as unreadable when preparing the
   * cache).
   */
  public DataSplits without(Set<String> imageIndexes) {
    Function<List<LabeledImage>, List<LabeledImage>> keep =
        images -> images.stream().filter(i -> !imageIndexes.contains(i.imageIndex())).toList();
    return new DataSplits(keep.apply(train), keep.apply(validation), keep.apply(test));
  }

  /**
   * A seeded subsample of about {@code fraction} of each split's images that keeps patients whole
   * and keeps every finding present in a split present in its subsample: first, for each finding
   * the chosen patients lack, the first patient (in seeded order) who has it; then patients in
   * seeded order until the split has round(fraction * images) images. Images keep their order.
   */
  public DataSplits subsample(double fraction, long seed) {
    if (!(fraction > 0 && fraction <= 1)) {
      throw new IllegalArgumentException("subsample fraction must be in (0, 1], got " + fraction);
    }
    return new DataSplits(
        subsample(train, fraction, seed),
        subsample(validation, fraction, seed + 1),
        subsample(test, fraction, seed + 2));
  }

  private static List<LabeledImage> subsample(
      List<LabeledImage> images, double fraction, long seed) {
    Map<Integer, List<LabeledImage>> byPatient = new TreeMap<>();
    images.forEach(i -> byPatient.computeIfAbsent(i.patientId(), p -> new ArrayList<>()).add(i));
    List<Integer> patients = new ArrayList<>(byPatient.keySet());
    Collections.shuffle(patients, new Random(seed));

    Set<Integer> chosen = new HashSet<>();
    int classes = images.isEmpty() ? 0 : images.get(0).labels().length;
    boolean[] present = new boolean[classes];
    int chosenImages = 0;
    for (int f = 0; f < classes; f++) {
      for (int p = 0; p < patients.size() && !present[f]; p++) {
        List<LabeledImage> patientImages = byPatient.get(patients.get(p));
        int finding = f;
        if (patientImages.stream().anyMatch(i -> i.labels()[finding] != 0f)) {
          chosen.add(patients.get(p));
          chosenImages += patientImages.size();
          patientImages.forEach(i -> markPresent(i, present));
        }
      }
    }
    long target = Math.round(fraction * images.size());
    for (int p = 0; p < patients.size() && chosenImages < target; p++) {
      if (chosen.add(patients.get(p))) {
        chosenImages += byPatient.get(patients.get(p)).size();
      }
    }
    return images.stream().filter(i -> chosen.contains(i.patientId())).toList();
  }

  private static void markPresent(LabeledImage image, boolean[] present) {
    for (int f = 0; f < present.length; f++) {
      present[f] |= image.labels()[f] != 0f;
    }
  }

  /**
   * Per split: images, patients and, for each finding, positives and their share among the known
   * labels; one row a finding, so a subsample or filter that lost a label is visible at a glance.
   *
   * @param findings the names of the labels, in label order
   */
  public String prevalenceTable(List<String> findings) {
    int width = Math.max(20, 2 + findings.stream().mapToInt(String::length).max().orElse(0));
    String nameColumn = "%-" + width + "s";
    StringBuilder table = new StringBuilder(String.format(nameColumn, "finding"));
    byName().keySet().forEach(name -> table.append(String.format("%18s", name)));
    table.append('\n');
    for (int f = 0; f < findings.size(); f++) {
      int finding = f;
      table.append(String.format(nameColumn, findings.get(f)));
      byName()
          .forEach(
              (name, images) -> {
                long positives = 0;
                long known = 0;
                for (LabeledImage image : images) {
                  if (image.known(finding)) {
                    known++;
                    positives += image.labels()[finding] != 0f ? 1 : 0;
                  }
                }
                double share = known == 0 ? 0 : (double) positives / known;
                table.append(String.format("%10d %6.2f%%", positives, 100 * share));
              });
      table.append('\n');
    }
    table.append(String.format(nameColumn, "images"));
    byName().values().forEach(images -> table.append(String.format("%18d", images.size())));
    table.append('\n').append(String.format(nameColumn, "patients"));
    byName()
        .values()
        .forEach(
            images ->
                table.append(
                    String.format(
                        "%18d",
                        images.stream().mapToInt(LabeledImage::patientId).distinct().count())));
    return table.append('\n').toString();
  }

  private static Map<String, List<LabeledImage>> byName(
      List<LabeledImage> train, List<LabeledImage> validation, List<LabeledImage> test) {
    Map<String, List<LabeledImage>> splits = new LinkedHashMap<>();
    splits.put("train", train);
    splits.put("validation", validation);
    splits.put("test", test);
    return Collections.unmodifiableMap(splits);
  }
}
