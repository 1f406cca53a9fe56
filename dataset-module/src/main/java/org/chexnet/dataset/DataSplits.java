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
 * scores).
 */
public record DataSplits(
    List<LabeledImage> train, List<LabeledImage> validation, List<LabeledImage> test) {

  public DataSplits {
    train = List.copyOf(train);
    validation = List.copyOf(validation);
    test = List.copyOf(test);
    Map<Integer, String> splitOfPatient = new HashMap<>();
    for (Map.Entry<String, List<LabeledImage>> split : byName(train, validation, test).entrySet()) {
      for (LabeledImage image : split.getValue()) {
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

  /**
   * Per split name: the share of images positive for each finding, in {@link Finding} order (all 0
   * if empty).
   */
  public Map<String, double[]> prevalence() {
    Map<String, double[]> prevalence = new LinkedHashMap<>();
    byName()
        .forEach(
            (name, images) -> {
              double[] share = new double[Finding.COUNT];
              for (LabeledImage image : images) {
                for (int f = 0; f < Finding.COUNT; f++) {
                  share[f] += image.labels()[f];
                }
              }
              for (int f = 0; f < Finding.COUNT; f++) {
                share[f] = images.isEmpty() ? 0 : share[f] / images.size();
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
    boolean[] present = new boolean[Finding.COUNT];
    int chosenImages = 0;
    for (int f = 0; f < Finding.COUNT; f++) {
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
    for (int f = 0; f < Finding.COUNT; f++) {
      present[f] |= image.labels()[f] != 0f;
    }
  }

  /**
   * Per split: images, patients and, for each finding, positives and their share; one row a
   * finding, so a subsample or filter that lost a label is visible at a glance.
   */
  public String prevalenceTable() {
    StringBuilder table = new StringBuilder(String.format("%-20s", "finding"));
    byName().keySet().forEach(name -> table.append(String.format("%18s", name)));
    table.append('\n');
    Map<String, double[]> shares = prevalence();
    for (Finding finding : Finding.values()) {
      table.append(String.format("%-20s", finding.label()));
      byName()
          .forEach(
              (name, images) -> {
                double share = shares.get(name)[finding.ordinal()];
                table.append(
                    String.format("%10d %6.2f%%", Math.round(share * images.size()), 100 * share));
              });
      table.append('\n');
    }
    table.append(String.format("%-20s", "images"));
    byName().values().forEach(images -> table.append(String.format("%18d", images.size())));
    table.append('\n').append(String.format("%-20s", "patients"));
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
