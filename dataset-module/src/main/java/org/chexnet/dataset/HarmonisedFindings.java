package org.chexnet.dataset;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which findings of the four datasets mean the same thing. The reference is torchxrayvision: its
 * {@code default_pathologies} name the first 18 rows, and its relabelling (CheXpert's and MIMIC's
 * Pleural Effusion renamed Effusion; PadChest's terms mapped as in {@link PadChest#TERMS}) says
 * what joins. Every finding of every dataset is in exactly one row; a row with one dataset is a
 * finding no other dataset has. docs/datasets.md is this table with the reasons.
 */
public final class HarmonisedFindings {
  private static final String NIH = ChestXray14.NAME;
  private static final String CHEXPERT = CheXpert.NAME;
  private static final String MIMIC = MimicCxrJpg.NAME;
  private static final String PADCHEST = PadChest.NAME;

  /**
   * One harmonised finding.
   *
   * @param finding its name across datasets (torchxrayvision's where it has one)
   * @param names dataset name to the finding as that dataset writes it
   * @param note why some dataset's near-namesake is not the same finding, or what a mapping
   *     includes; empty when there is nothing to say
   */
  public record Row(String finding, Map<String, String> names, String note) {}

  /** One finding two datasets share. */
  public record Shared(String finding, String nameA, int indexA, String nameB, int indexB) {}

  /** A finding left out of a comparison, and why. */
  public record Skipped(String dataset, String finding, String reason) {}

  /**
   * What two datasets' findings have in common.
   *
   * @param shared in the first list's order
   * @param skipped the first list's findings the second lacks, then the second's the first lacks
   */
  public record Comparison(List<Shared> shared, List<Skipped> skipped) {
    /** The findings compared (the model's output = the dataset's label) and those skipped, why. */
    public String describe() {
      StringBuilder text =
          new StringBuilder("Findings compared (model's output = dataset's label):\n");
      shared.forEach(
          s ->
              text.append("  ")
                  .append(s.finding())
                  .append(": ")
                  .append(s.nameA())
                  .append(" = ")
                  .append(s.nameB())
                  .append('\n'));
      text.append("Findings skipped:\n");
      skipped.forEach(
          s ->
              text.append("  ")
                  .append(s.dataset())
                  .append(' ')
                  .append(s.finding())
                  .append(": ")
                  .append(s.reason())
                  .append('\n'));
      return text.toString();
    }
  }

  /** The table, in torchxrayvision's {@code default_pathologies} order, then the rest. */
  public static final List<Row> TABLE =
      List.of(
          all4("Atelectasis", "Atelectasis", "Atelectasis", ""),
          all4(
              "Consolidation",
              "Consolidation",
              "Consolidation",
              "PadChest: consolidation, air bronchogram."),
          row(
              "Infiltration",
              "Infiltration",
              null,
              null,
              "Infiltration",
              "CheXpert and MIMIC have no infiltration label; their Lung Opacity is broader (any"
                  + " opacity, edema and consolidation included), so it is not mapped here"
                  + " (torchxrayvision keeps them apart too). PadChest: infiltrates, interstitial,"
                  + " ground glass, reticular, reticulonodular and alveolar patterns,"
                  + " consolidation, air bronchogram."),
          all4("Pneumothorax", "Pneumothorax", "Pneumothorax", ""),
          all4("Edema", "Edema", "Edema", ""),
          row(
              "Emphysema",
              "Emphysema",
              null,
              null,
              "Emphysema",
              "PadChest: not subcutaneous emphysema (air in the soft tissues, not the lung"
                  + " disease; torchxrayvision counts it)."),
          row("Fibrosis", "Fibrosis", null, null, "Fibrosis", ""),
          row(
              "Effusion",
              "Effusion",
              "Pleural Effusion",
              "Pleural Effusion",
              "Effusion",
              "NIH's Effusion is pleural; torchxrayvision renames CheXpert's and MIMIC's Pleural"
                  + " Effusion to Effusion. PadChest: every effusion term but pericardial effusion"
                  + " (ours; torchxrayvision counts it)."),
          all4("Pneumonia", "Pneumonia", "Pneumonia", ""),
          row(
              "Pleural_Thickening",
              "Pleural_Thickening",
              null,
              null,
              "Pleural_Thickening",
              "CheXpert's and MIMIC's Pleural Other is broader (pleural thickening, fibrothorax,"
                  + " pleural scars and more), so it is not mapped here. PadChest: pleural"
                  + " thickening, apical included."),
          all4("Cardiomegaly", "Cardiomegaly", "Cardiomegaly", ""),
          row(
              "Nodule",
              "Nodule",
              null,
              null,
              "Nodule",
              "CheXpert's and MIMIC's Lung Lesion covers nodules and masses together, so it is"
                  + " mapped to neither. PadChest: nodule terms but pseudonodule (not a nodule;"
                  + " torchxrayvision counts it)."),
          row(
              "Mass",
              "Mass",
              null,
              null,
              "Mass",
              "Not Lung Lesion (see Nodule). PadChest: every term containing 'mass' (breast, soft"
                  + " tissue, mediastinal and pleural masses too, as torchxrayvision)."),
          row("Hernia", "Hernia", null, null, "Hernia", "PadChest: hiatal hernia and others."),
          row(
              "Lung Lesion",
              null,
              "Lung Lesion",
              "Lung Lesion",
              null,
              "Nodule or mass: mapped to neither of NIH's or PadChest's."),
          row(
              "Fracture",
              null,
              "Fracture",
              "Fracture",
              "Fracture",
              "NIH has no fracture label. PadChest: rib, clavicle, vertebral and other fractures."),
          row(
              "Lung Opacity",
              null,
              "Lung Opacity",
              "Lung Opacity",
              null,
              "Broader than NIH's and PadChest's Infiltration (see there); PadChest has no term"
                  + " for it."),
          row(
              "Enlarged Cardiomediastinum",
              null,
              "Enlarged Cardiomediastinum",
              "Enlarged Cardiomediastinum",
              null,
              "Not Cardiomegaly: a wide mediastinum counts too."),
          row(
              "No Finding",
              null,
              "No Finding",
              "No Finding",
              null,
              "The CheXpert labeler's column in both. NIH's 'No Finding' is the absence of its 14"
                  + " labels, not a label of its own; PadChest's 'normal' is not mapped."),
          row(
              "Pleural Other",
              null,
              "Pleural Other",
              "Pleural Other",
              null,
              "See Pleural_Thickening."),
          row(
              "Support Devices",
              null,
              "Support Devices",
              "Support Devices",
              null,
              "Tubes, lines, catheters, pacemakers, valves and more. PadChest's Support Devices"
                  + " (device and pacemaker terms only) is much narrower: a row of its own."),
          padChestOnly("Granuloma"),
          padChestOnly("Flattened Diaphragm"),
          padChestOnly("Bronchiectasis"),
          padChestOnly("Aortic Elongation"),
          padChestOnly("Scoliosis"),
          padChestOnly("Hilar Enlargement"),
          padChestOnly("Tuberculosis"),
          padChestOnly("Air Trapping"),
          padChestOnly("Costophrenic Angle Blunting"),
          padChestOnly("Aortic Atheromatosis"),
          padChestOnly("Hemidiaphragm Elevation"),
          new Row(
              "Support Devices (PadChest)",
              Map.of(PADCHEST, "Support Devices"),
              "PadChest terms with 'device' or 'pacemaker'; not CheXpert's Support Devices."),
          new Row(
              "Tube",
              Map.of(PADCHEST, "Tube"),
              "PadChest terms ending in 'tube' or 'stent' (torchxrayvision's Tube)."));

  private static final Map<String, Map<String, Row>> ROW_OF_NAME = index();

  private HarmonisedFindings() {}

  private static Row all4(String finding, String chexpert, String mimic, String note) {
    return row(finding, finding, chexpert, mimic, finding, note);
  }

  private static Row padChestOnly(String finding) {
    return new Row(finding, Map.of(PADCHEST, finding), "PadChest only (torchxrayvision's name).");
  }

  private static Row row(
      String finding, String nih, String chexpert, String mimic, String padchest, String note) {
    Map<String, String> names = new LinkedHashMap<>();
    if (nih != null) {
      names.put(NIH, nih);
    }
    if (chexpert != null) {
      names.put(CHEXPERT, chexpert);
    }
    if (mimic != null) {
      names.put(MIMIC, mimic);
    }
    if (padchest != null) {
      names.put(PADCHEST, padchest);
    }
    return new Row(finding, Collections.unmodifiableMap(names), note);
  }

  private static Map<String, Map<String, Row>> index() {
    Map<String, Map<String, Row>> index = new HashMap<>();
    for (Row row : TABLE) {
      row.names()
          .forEach(
              (dataset, name) -> {
                Row previous = index.computeIfAbsent(dataset, d -> new HashMap<>()).put(name, row);
                if (previous != null) {
                  throw new IllegalStateException(
                      dataset
                          + " "
                          + name
                          + " is in two rows: "
                          + previous.finding()
                          + ", "
                          + row.finding());
                }
              });
    }
    return index;
  }

  /**
   * Not a dataset: the findings of a model trained on several datasets ({@code data.sources}) are
   * the harmonised names themselves, and {@link #compare} takes them under this name.
   */
  public static final String HARMONISED = "harmonised";

  /** The row of a dataset's finding ({@link #HARMONISED}: of a harmonised name). */
  public static Optional<Row> rowOf(String dataset, String finding) {
    if (dataset.equals(HARMONISED)) {
      return TABLE.stream().filter(row -> row.finding().equals(finding)).findFirst();
    }
    return Optional.ofNullable(ROW_OF_NAME.getOrDefault(dataset, Map.of()).get(finding));
  }

  /**
   * A dataset's name of a row's finding ({@link #HARMONISED}: the harmonised name); null if none.
   */
  private static String nameOf(Row row, String dataset) {
    return dataset.equals(HARMONISED) ? row.finding() : row.names().get(dataset);
  }

  /**
   * The harmonised name of a dataset's finding.
   *
   * @throws IllegalArgumentException when the table does not have it
   */
  public static String harmonised(String dataset, String finding) {
    return rowOf(dataset, finding)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    dataset + " finding '" + finding + "' is not in the harmonised table"))
        .finding();
  }

  /**
   * The findings two datasets share, e.g. a model's (trained on {@code datasetA}, outputs {@code
   * findingsA}) and a test set's, and every finding left out with the reason.
   */
  public static Comparison compare(
      String datasetA, List<String> findingsA, String datasetB, List<String> findingsB) {
    List<Shared> shared = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>();
    for (int a = 0; a < findingsA.size(); a++) {
      String nameA = findingsA.get(a);
      String reason = missingIn(datasetA, nameA, datasetB, findingsB);
      if (reason == null) {
        String nameB = nameOf(rowOf(datasetA, nameA).orElseThrow(), datasetB);
        shared.add(
            new Shared(harmonised(datasetA, nameA), nameA, a, nameB, findingsB.indexOf(nameB)));
      } else {
        skipped.add(new Skipped(datasetA, nameA, reason));
      }
    }
    for (String nameB : findingsB) {
      String reason = missingIn(datasetB, nameB, datasetA, findingsA);
      if (reason != null) {
        skipped.add(new Skipped(datasetB, nameB, reason));
      }
    }
    return new Comparison(shared, skipped);
  }

  /**
   * Why {@code other}'s findings lack {@code dataset}'s {@code finding}; null when they have it.
   */
  private static String missingIn(
      String dataset, String finding, String other, List<String> otherFindings) {
    Optional<Row> row = rowOf(dataset, finding);
    if (row.isEmpty()) {
      return "not in the harmonised table (docs/datasets.md)";
    }
    String otherName = nameOf(row.get(), other);
    if (otherName == null) {
      String note = row.get().note();
      return other
          + " has no finding that means "
          + row.get().finding()
          + (note.isEmpty() ? "" : ". " + note);
    }
    if (!otherFindings.contains(otherName)) {
      return other + "'s " + otherName + " is not among the findings compared";
    }
    return null;
  }

  /**
   * The harmonised findings of several datasets together, in table order: what a multi-source run
   * trains on.
   */
  public static List<String> union(List<String> datasets, List<List<String>> findings) {
    List<String> union = new ArrayList<>();
    for (Row row : TABLE) {
      for (int d = 0; d < datasets.size(); d++) {
        String name = row.names().get(datasets.get(d));
        if (name != null && findings.get(d).contains(name)) {
          union.add(row.finding());
          break;
        }
      }
    }
    return union;
  }

  /** A dataset's name for a harmonised finding; null when it has none. */
  public static String nameIn(String dataset, String harmonisedFinding) {
    for (Row row : TABLE) {
      if (row.finding().equals(harmonisedFinding)) {
        return row.names().get(dataset);
      }
    }
    throw new IllegalArgumentException("'" + harmonisedFinding + "' is not a harmonised finding");
  }
}
