package org.chexnet.dataset;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.commons.csv.CSVPrinter;

/**
 * A synthetic PadChest in its exact layout: {@code PADCHEST_chest_x_ray_images_labels_160K_01.02.19
 * .csv} (or {@code .csv.gz}) with PadChest's columns, {@code Labels} as Python list strings
 * (sometimes with stray spaces, an empty entry, or blank), quoted free-text reports; several
 * studies per patient. With an image size, 12-bit-in-16 gray PNGs at {@code ImageDir/ImageID}. No
 * real rows: the values are drawn from a seeded generator over a made-up term list.
 */
public final class SyntheticPadChest {
  static final List<String> HEADER =
      List.of(
          "ImageID",
          "ImageDir",
          "StudyDate_DICOM",
          "StudyID",
          "PatientID",
          "PatientBirth",
          "PatientSex_DICOM",
          "ViewPosition_DICOM",
          "Projection",
          "MethodProjection",
          "Pediatric",
          "Modality_DICOM",
          "Manufacturer_DICOM",
          "PhotometricInterpretation_DICOM",
          "PixelRepresentation_DICOM",
          "PixelAspectRatio_DICOM",
          "SpatialResolution_DICOM",
          "BitsStored_DICOM",
          "WindowCenter_DICOM",
          "WindowWidth_DICOM",
          "Rows_DICOM",
          "Columns_DICOM",
          "XRayTubeCurrent_DICOM",
          "Exposure_DICOM",
          "ExposureInuAs_DICOM",
          "ExposureTime",
          "RelativeXRayExposure_DICOM",
          "ReportID",
          "Report",
          "MethodLabel",
          "Labels",
          "Localizations",
          "LabelsLocalizationsBySentence",
          "labelCUIS",
          "LocalizationsCUIS");

  /** Terms to draw labels from: most map to a finding, some map to none (as in PadChest). */
  static final List<String> TERMS =
      List.of(
          "pleural effusion",
          "cardiomegaly",
          "laminar atelectasis",
          "pneumonia",
          "infiltrates",
          "interstitial pattern",
          "alveolar pattern",
          "consolidation",
          "pneumothorax",
          "nodule",
          "pseudonodule",
          "mass",
          "emphysema",
          "subcutaneous emphysema",
          "pulmonary fibrosis",
          "apical pleural thickening",
          "hiatal hernia",
          "rib fracture",
          "calcified granuloma",
          "scoliosis",
          "aortic elongation",
          "aortic atheromatosis",
          "costophrenic angle blunting",
          "hemidiaphragm elevation",
          "pacemaker",
          "nsg tube",
          "pericardial effusion",
          "chronic changes",
          "kyphosis",
          "copd signs");

  private static final String[] WORDS = {
    "senos",
    "costofrenicos",
    "libres",
    "silueta",
    "cardiaca",
    "normal",
    "no",
    "se",
    "observan",
    "condensaciones",
    "derrame",
    "pleural",
    "cambios",
    "cronicos",
    "hilios",
    "aumento",
    "densidad"
  };

  private SyntheticPadChest() {}

  /**
   * @param images rows of the CSV
   * @param imageSize side of the PNGs to write; 0 writes the CSV only
   * @param gzip write {@code .csv.gz}
   * @throws IOException if outDir exists and is not empty, or on a write failure
   */
  public static void write(Path outDir, int images, int imageSize, boolean gzip, long seed)
      throws IOException {
    SyntheticFiles.write(outDir, staging -> fill(staging, images, imageSize, gzip, seed));
  }

  private static void fill(Path staging, int images, int imageSize, boolean gzip, long seed)
      throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    try (CSVPrinter csv =
        SyntheticFiles.csv(staging.resolve(PadChest.CSV + (gzip ? ".gz" : "")), HEADER)) {
      int written = 0;
      while (written < images) {
        String patient = digits(random, 38);
        int birth = 1920 + random.nextInt(90);
        String sex = random.nextBoolean() ? "M" : "F";
        int studies = 1 + random.nextInt(3);
        for (int s = 0; s < studies && written < images; s++) {
          String study = digits(random, 32);
          int year = 2009 + random.nextInt(9);
          String date =
              String.format(
                  Locale.ROOT, "%d%02d%02d", year, 1 + random.nextInt(12), 1 + random.nextInt(28));
          List<String> terms = terms(random);
          String labels = labelsCell(terms, random);
          String report = report(random);
          int views = 1 + random.nextInt(2);
          for (int v = 0; v < views && written < images; v++) {
            String imageId =
                study
                    + String.format(
                        Locale.ROOT,
                        "_%02d-%03d-%03d.png",
                        random.nextInt(5),
                        random.nextInt(200),
                        random.nextInt(200));
            int dir = random.nextInt(55);
            String projection =
                v == 1
                    ? "L"
                    : random.nextInt(10) < 7
                        ? "PA"
                        : random.nextInt(4) == 0 ? "AP_horizontal" : "AP";
            csv.printRecord(
                imageId,
                dir,
                date,
                study,
                patient,
                birth + ".0",
                sex,
                v == 1 ? "LATERAL" : "POSTEROANTERIOR",
                projection,
                "Manual review of DICOM fields",
                "No",
                "CR",
                "PhilipsMedicalSystems",
                "MONOCHROME2",
                0,
                "1\\1",
                0.139,
                12,
                2048,
                4096,
                2000 + random.nextInt(1000),
                2000 + random.nextInt(1000),
                250,
                2,
                2000,
                10,
                "None",
                random.nextInt(1_000_000),
                report,
                random.nextInt(100) < 27 ? "Physician" : "RNN_model",
                labels,
                "['loc right', 'loc basal']",
                "[['pleural effusion', 'loc right'], ['normal']]",
                "['C2073625', 'C0018800']",
                "['C0225706']");
            if (imageSize > 0) {
              byte[] states = new byte[PadChest.FINDINGS.size()];
              for (int f = 0; f < states.length; f++) {
                PadChest.Terms finding = PadChest.TERMS.get(f);
                states[f] =
                    (terms.stream().anyMatch(finding::matches)
                            ? LabelState.POSITIVE
                            : LabelState.NEGATIVE)
                        .code();
              }
              SyntheticFiles.writePng16(
                  staging.resolve(dir + "/" + imageId),
                  SyntheticFiles.render(
                      PadChest.NAME, PadChest.FINDINGS, states, imageSize, random.nextLong()),
                  imageSize,
                  12);
            }
            written++;
          }
        }
      }
    }
  }

  private static String digits(SplittableRandom random, int length) {
    StringBuilder digits = new StringBuilder(length);
    digits.append((char) ('1' + random.nextInt(9)));
    for (int i = 1; i < length; i++) {
      digits.append((char) ('0' + random.nextInt(10)));
    }
    return digits.toString();
  }

  /** "normal" a third of the time, otherwise one to three terms. */
  private static List<String> terms(SplittableRandom random) {
    if (random.nextInt(3) == 0) {
      return List.of("normal");
    }
    List<String> terms = new ArrayList<>();
    int count = 1 + random.nextInt(3);
    while (terms.size() < count) {
      String term = TERMS.get(random.nextInt(TERMS.size()));
      if (!terms.contains(term)) {
        terms.add(term);
      }
    }
    return terms;
  }

  /** The Python list string, with PadChest's occasional stray space, empty entry or blank cell. */
  private static String labelsCell(List<String> terms, SplittableRandom random) {
    int oddity = random.nextInt(200);
    if (oddity == 0) {
      return "";
    }
    List<String> quoted = new ArrayList<>();
    for (int i = 0; i < terms.size(); i++) {
      quoted.add("'" + (oddity == 1 && i == 0 ? " " : "") + terms.get(i) + "'");
    }
    if (oddity == 2) {
      quoted.add("''");
    }
    return "[" + String.join(", ", quoted) + "]";
  }

  private static String report(SplittableRandom random) {
    StringBuilder report = new StringBuilder();
    int words = 20 + random.nextInt(30);
    for (int w = 0; w < words; w++) {
      report
          .append(w == 0 ? "" : random.nextInt(8) == 0 ? ", " : " ")
          .append(WORDS[random.nextInt(WORDS.length)]);
    }
    return report.append('.').toString();
  }
}
