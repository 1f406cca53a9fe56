package org.chexnet.dataset;

import java.nio.file.Path;

/** How {@link ChestXray14#split(SplitPlan, long)} divides the images into train/validation/test. */
public sealed interface SplitPlan {

  /**
   * NIH's {@code test_list.txt} as test; validation is a seeded {@code validationFraction} of the
   * patients of {@code train_val_list.txt}.
   */
  record Official(double validationFraction) implements SplitPlan {}

  /**
   * Three list files, plain names or {@code name l1 ... l14} (e.g. the CheXNet reproductions'
   * 70/10/20 lists); {@code labels} says whose labels win when a list carries them.
   */
  record Lists(Path train, Path validation, Path test, LabelSource labels) implements SplitPlan {}

  /** Patients shuffled with the seed and cut by these fractions (they must sum to 1). */
  record PatientRandom(double train, double validation, double test) implements SplitPlan {}

  /** Whose labels a 14-column list file's images get. */
  enum LabelSource {
    /**
     * The dataset's Data_Entry file, so every split type scores against the same labels; list
     * labels that disagree are counted in {@link ImageLists.LabelCheck}.
     */
    DATA_ENTRY,
    /**
     * The list's own columns: to reproduce a paper's numbers on exactly its labels (the CheXNet
     * reproductions' lists come from the 2017 Data_Entry; v2020 added some labels).
     */
    LIST
  }
}
