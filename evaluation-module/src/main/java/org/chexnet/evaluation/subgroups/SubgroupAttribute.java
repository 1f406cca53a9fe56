package org.chexnet.evaluation.subgroups;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * How an attribute's value is read from a metadata row. {@code sex}, {@code age} and {@code view}
 * are found in the known datasets' columns (the first that the metadata has, in this order); any
 * other name is a column of the metadata, its cells taken as written.
 *
 * <table>
 * <caption>Columns per dataset</caption>
 * <tr><th>attribute</th><th>NIH ChestX-ray14 (Data_Entry_2017)</th><th>CheXpert</th>
 *     <th>MIMIC-CXR</th><th>PadChest</th></tr>
 * <tr><td>sex</td><td>Patient Gender</td><td>Sex</td>
 *     <td>gender (MIMIC-IV patients.csv)</td><td>PatientSex_DICOM</td></tr>
 * <tr><td>age</td><td>Patient Age</td><td>Age</td>
 *     <td>anchor_age (MIMIC-IV patients.csv)</td><td>StudyDate_DICOM year - PatientBirth</td></tr>
 * <tr><td>view</td><td>View Position</td><td>Frontal/Lateral and AP/PA</td>
 *     <td>ViewPosition</td><td>Projection</td></tr>
 * </table>
 *
 * <p>MIMIC-CXR's metadata has no sex or age: they are in MIMIC-IV's patients table, to be joined on
 * {@code subject_id} into the metadata file first; {@code anchor_age} is the age in the patient's
 * anchor year, not at the study. PadChest's age is the study year minus the birth year, so it may
 * be a year high. CheXpert's view is "Lateral" for a lateral image, else its AP/PA value (AP, PA,
 * LL, RL), else "Frontal". Age is given as its band: 0-19, 20-39, 40-59, 60-79, 80+; an age over
 * 120 (NIH lists a few, e.g. 414) is taken as missing. A blank cell is a missing value: the image
 * is left out of that attribute's subgroups and counted.
 *
 * @param name "sex", "age", "view" or a column name
 * @param source the column(s) the values come from, for the report
 */
public record SubgroupAttribute(
    String name,
    String source,
    IntFunction<Optional<String>> valueOfRow,
    Comparator<String> order) {

  public static final String SEX = "sex";
  public static final String AGE = "age";
  public static final String VIEW = "view";

  /** Sex columns: NIH, CheXpert, PadChest, MIMIC-IV patients. */
  public static final List<String> SEX_COLUMNS =
      List.of("Patient Gender", "Sex", "PatientSex_DICOM", "gender");

  /** Age-in-years columns: NIH, CheXpert, MIMIC-IV patients. */
  public static final List<String> AGE_COLUMNS = List.of("Patient Age", "Age", "anchor_age");

  /** View columns taken as written: NIH, MIMIC-CXR, PadChest. */
  public static final List<String> VIEW_COLUMNS =
      List.of("View Position", "ViewPosition", "Projection");

  static final String PADCHEST_BIRTH = "PatientBirth";
  static final String PADCHEST_STUDY_DATE = "StudyDate_DICOM";
  static final String CHEXPERT_FRONTAL_LATERAL = "Frontal/Lateral";
  static final String CHEXPERT_AP_PA = "AP/PA";

  public static final List<String> AGE_BANDS = List.of("0-19", "20-39", "40-59", "60-79", "80+");
  private static final double OLDEST_PLAUSIBLE_AGE = 120;

  /**
   * The attribute {@code name} on {@code metadata}.
   *
   * @throws IllegalArgumentException naming the columns looked for and those the metadata has
   */
  public static SubgroupAttribute resolve(String name, ImageMetadata metadata) {
    switch (name) {
      case SEX -> {
        return asWritten(SEX, first(metadata, SEX_COLUMNS, SEX), metadata);
      }
      case AGE -> {
        if (firstPresent(metadata, AGE_COLUMNS).isEmpty()
            && metadata.hasColumn(PADCHEST_BIRTH)
            && metadata.hasColumn(PADCHEST_STUDY_DATE)) {
          return new SubgroupAttribute(
              AGE,
              PADCHEST_STUDY_DATE + " year - " + PADCHEST_BIRTH,
              row -> padChestAge(metadata, row).map(SubgroupAttribute::band),
              bandOrder());
        }
        String column = first(metadata, AGE_COLUMNS, AGE);
        return new SubgroupAttribute(
            AGE,
            column,
            row -> age(metadata, row, column).map(SubgroupAttribute::band),
            bandOrder());
      }
      case VIEW -> {
        Optional<String> column = firstPresent(metadata, VIEW_COLUMNS);
        if (column.isEmpty()
            && metadata.hasColumn(CHEXPERT_FRONTAL_LATERAL)
            && metadata.hasColumn(CHEXPERT_AP_PA)) {
          return new SubgroupAttribute(
              VIEW,
              CHEXPERT_FRONTAL_LATERAL + " and " + CHEXPERT_AP_PA,
              row -> cheXpertView(metadata, row),
              Comparator.naturalOrder());
        }
        return asWritten(VIEW, first(metadata, VIEW_COLUMNS, VIEW), metadata);
      }
      default -> {
        if (!metadata.hasColumn(name)) {
          throw new IllegalArgumentException(
              metadata.source()
                  + ": no column '"
                  + name
                  + "' (sex, age and view are found in the known datasets' columns; any other"
                  + " attribute is a column name); the columns are "
                  + metadata.columns());
        }
        return asWritten(name, name, metadata);
      }
    }
  }

  /** The value of metadata row {@code row}; empty when missing. */
  public Optional<String> valueOf(int row) {
    return valueOfRow.apply(row);
  }

  /** The band of an age in years: "0-19", "20-39", "40-59", "60-79" or "80+". */
  public static String band(double years) {
    int band = Math.min(AGE_BANDS.size() - 1, (int) Math.floor(years / 20));
    return AGE_BANDS.get(band);
  }

  private static SubgroupAttribute asWritten(String name, String column, ImageMetadata metadata) {
    return new SubgroupAttribute(
        name,
        column,
        row -> {
          String cell = metadata.cell(row, column);
          return cell.isEmpty() ? Optional.empty() : Optional.of(cell);
        },
        Comparator.naturalOrder());
  }

  private static Comparator<String> bandOrder() {
    return Comparator.comparingInt(AGE_BANDS::indexOf);
  }

  /** Years from "58", "058Y" (NIH's older file), "58.0"; empty when blank or over 120. */
  private static Optional<Double> age(ImageMetadata metadata, int row, String column) {
    String cell = metadata.cell(row, column);
    if (cell.isEmpty()) {
      return Optional.empty();
    }
    String digits =
        cell.toUpperCase(Locale.ROOT).endsWith("Y") ? cell.substring(0, cell.length() - 1) : cell;
    double years;
    try {
      years = Double.parseDouble(digits);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          metadata.where(row) + ": " + column + ": '" + cell + "' is not an age in years");
    }
    if (!(years >= 0)) {
      throw new IllegalArgumentException(
          metadata.where(row) + ": " + column + ": '" + cell + "' is not an age in years");
    }
    return years > OLDEST_PLAUSIBLE_AGE ? Optional.empty() : Optional.of(years);
  }

  private static Optional<Double> padChestAge(ImageMetadata metadata, int row) {
    String birth = metadata.cell(row, PADCHEST_BIRTH);
    String date = metadata.cell(row, PADCHEST_STUDY_DATE);
    if (birth.isEmpty() || date.isEmpty()) {
      return Optional.empty();
    }
    double birthYear;
    try {
      birthYear = Math.floor(Double.parseDouble(birth)); // written 1956.0
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          metadata.where(row) + ": " + PADCHEST_BIRTH + ": '" + birth + "' is not a year");
    }
    if (!date.matches("\\d{8}")) {
      throw new IllegalArgumentException(
          metadata.where(row)
              + ": "
              + PADCHEST_STUDY_DATE
              + ": '"
              + date
              + "' is not a date written yyyymmdd");
    }
    double years = Integer.parseInt(date.substring(0, 4)) - birthYear;
    return years < 0 || years > OLDEST_PLAUSIBLE_AGE ? Optional.empty() : Optional.of(years);
  }

  private static Optional<String> cheXpertView(ImageMetadata metadata, int row) {
    String frontalLateral = metadata.cell(row, CHEXPERT_FRONTAL_LATERAL);
    String apPa = metadata.cell(row, CHEXPERT_AP_PA);
    if (frontalLateral.equals("Lateral")) {
      return Optional.of("Lateral");
    }
    if (!apPa.isEmpty()) {
      return Optional.of(apPa);
    }
    return frontalLateral.isEmpty() ? Optional.empty() : Optional.of(frontalLateral);
  }

  private static Optional<String> firstPresent(ImageMetadata metadata, List<String> columns) {
    return columns.stream().filter(metadata::hasColumn).findFirst();
  }

  private static String first(ImageMetadata metadata, List<String> columns, String attribute) {
    return firstPresent(metadata, columns)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    metadata.source()
                        + ": no "
                        + attribute
                        + " column: expected one of "
                        + columns
                        + (attribute.equals(AGE)
                            ? " (or PadChest's "
                                + PADCHEST_BIRTH
                                + " and "
                                + PADCHEST_STUDY_DATE
                                + ")"
                            : attribute.equals(VIEW)
                                ? " (or CheXpert's "
                                    + CHEXPERT_FRONTAL_LATERAL
                                    + " and "
                                    + CHEXPERT_AP_PA
                                    + ")"
                                : "")
                        + "; the columns are "
                        + metadata.columns()));
  }
}
