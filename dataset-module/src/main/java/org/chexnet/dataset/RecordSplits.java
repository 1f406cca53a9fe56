package org.chexnet.dataset;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Patient-disjoint splits of {@link ImageRecord}s, the same rules for every dataset. */
final class RecordSplits {
  private RecordSplits() {}

  /**
   * {@link SplitPlan.Official}: the dataset's own split; where it has no validation (NIH) or no
   * test (CheXpert, whose test set is not public) split, a seeded {@code validationFraction} of the
   * official train patients becomes it (validation first, then test). {@link
   * SplitPlan.PatientRandom}: all images, patients shuffled with the seed and cut test first, then
   * validation. Images keep metadata order; the view filter comes after the cut.
   *
   * @throws IllegalArgumentException naming both rows for a patient in two official splits, or for
   *     a plan the dataset cannot follow
   */
  static DataSplits split(
      String dataset,
      List<ImageRecord> records,
      SplitPlan plan,
      long seed,
      LabelPolicy.Labeler labeler,
      Set<View> views) {
    Split[] assigned;
    if (plan instanceof SplitPlan.Official official) {
      assigned = official(dataset, records, official.validationFraction(), seed);
    } else if (plan instanceof SplitPlan.PatientRandom random) {
      assigned = patientRandom(records, random, seed);
    } else {
      throw new IllegalArgumentException(
          "split lists name ChestX-ray14 image files; the "
              + dataset
              + " dataset splits by official or patient_random");
    }
    Map<Split, List<LabeledImage>> parts = new EnumMap<>(Split.class);
    for (Split split : Split.values()) {
      parts.put(split, new ArrayList<>());
    }
    for (int i = 0; i < records.size(); i++) {
      ImageRecord record = records.get(i);
      Split split = assigned[i];
      if (split != null && (views.isEmpty() || views.contains(record.view()))) {
        parts.get(split).add(labeler.label(record));
      }
    }
    return new DataSplits(
        parts.get(Split.TRAIN), parts.get(Split.VALIDATION), parts.get(Split.TEST));
  }

  /** Each record's split, by index; null leaves it out. */
  private static Split[] official(
      String dataset, List<ImageRecord> records, double validationFraction, long seed) {
    PatientShuffle.requireValidationFraction(validationFraction);
    requireOfficialPatientDisjoint(dataset, records);
    Set<Split> present = new HashSet<>();
    List<Integer> trainPatients = new ArrayList<>();
    for (ImageRecord record : records) {
      if (record.split() != null) {
        present.add(record.split());
        if (record.split() == Split.TRAIN) {
          trainPatients.add(record.patientId());
        }
      }
    }
    if (present.isEmpty()) {
      throw new IllegalArgumentException(
          "the " + dataset + " dataset has no official split here; split it with patient_random");
    }
    List<Integer> shuffled = PatientShuffle.shuffled(trainPatients, seed);
    Set<Integer> toValidation = new HashSet<>();
    Set<Integer> toTest = new HashSet<>();
    if (!present.contains(Split.VALIDATION)) {
      toValidation.addAll(PatientShuffle.first(shuffled, validationFraction, 0));
    }
    if (!present.contains(Split.TEST)) {
      toTest.addAll(PatientShuffle.first(shuffled, validationFraction, toValidation.size()));
    }
    Split[] assigned = new Split[records.size()];
    for (int i = 0; i < assigned.length; i++) {
      ImageRecord record = records.get(i);
      Split split = record.split();
      if (split == Split.TRAIN && toValidation.contains(record.patientId())) {
        split = Split.VALIDATION;
      } else if (split == Split.TRAIN && toTest.contains(record.patientId())) {
        split = Split.TEST;
      }
      assigned[i] = split;
    }
    return assigned;
  }

  private static Split[] patientRandom(
      List<ImageRecord> records, SplitPlan.PatientRandom plan, long seed) {
    PatientShuffle.requireFractions(plan.train(), plan.validation(), plan.test());
    List<Integer> patients =
        PatientShuffle.shuffled(records.stream().map(ImageRecord::patientId).toList(), seed);
    Set<Integer> test = new HashSet<>(PatientShuffle.first(patients, plan.test(), 0));
    Set<Integer> validation =
        new HashSet<>(PatientShuffle.first(patients, plan.validation(), test.size()));
    Split[] assigned = new Split[records.size()];
    for (int i = 0; i < assigned.length; i++) {
      int patient = records.get(i).patientId();
      assigned[i] =
          test.contains(patient)
              ? Split.TEST
              : validation.contains(patient) ? Split.VALIDATION : Split.TRAIN;
    }
    return assigned;
  }

  /**
   * @throws IllegalArgumentException "patient P is in both train (file:line) and test (file:line)"
   */
  static void requireOfficialPatientDisjoint(String dataset, List<ImageRecord> records) {
    Map<Integer, ImageRecord> firstOfPatient = new HashMap<>();
    for (ImageRecord record : records) {
      if (record.split() == null) {
        continue;
      }
      ImageRecord first = firstOfPatient.putIfAbsent(record.patientId(), record);
      if (first != null && first.split() != record.split()) {
        throw new IllegalArgumentException(
            record.where()
                + ": patient "
                + record.patient()
                + " is in both the official "
                + first.split().key()
                + " split ("
                + first.where()
                + ": "
                + first.image()
                + ") and the "
                + record.split().key()
                + " split ("
                + record.image()
                + ") of the "
                + dataset
                + " dataset; a patient in two splits leaks into the scores");
      }
    }
  }
}
