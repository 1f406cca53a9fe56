package org.chexnet.dataset;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

  private static Map<String, List<LabeledImage>> byName(
      List<LabeledImage> train, List<LabeledImage> validation, List<LabeledImage> test) {
    Map<String, List<LabeledImage>> splits = new LinkedHashMap<>();
    splits.put("train", train);
    splits.put("validation", validation);
    splits.put("test", test);
    return Collections.unmodifiableMap(splits);
  }
}
