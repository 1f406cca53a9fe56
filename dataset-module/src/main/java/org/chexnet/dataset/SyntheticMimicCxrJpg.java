package org.chexnet.dataset;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.commons.csv.CSVPrinter;

/**
 * A synthetic MIMIC-CXR-JPG 2.0.0 in its exact layout: {@code mimic-cxr-2.0.0-chexpert.csv} (one
 * row per study, the labeler's codes), {@code -metadata.csv} (one row per image) and {@code
 * -split.csv} (by patient), plain or gzipped, with MIMIC's headers; several studies per patient and
 * one to three images per study. With an image size, tiny JPEGs at {@code files/pXX/pSUBJECT/
 * sSTUDY/DICOM.jpg}. No real rows: the values are drawn from a seeded generator.
 */
public final class SyntheticMimicCxrJpg {
  static final List<String> METADATA_HEADER =
      List.of(
          "dicom_id",
          "subject_id",
          "study_id",
          "PerformedProcedureStepDescription",
          "ViewPosition",
          "Rows",
          "Columns",
          "StudyDate",
          "StudyTime",
          "ProcedureCodeSequence_CodeMeaning",
          "ViewCodeSequence_CodeMeaning",
          "PatientOrientationCodeSequence_CodeMeaning");
  static final List<String> SPLIT_HEADER = List.of("dicom_id", "study_id", "subject_id", "split");

  private SyntheticMimicCxrJpg() {}

  /**
   * @param images rows of the metadata and split files
   * @param imageSize side of the JPEGs to write; 0 writes the CSVs only
   * @param gzip write the three files as {@code .csv.gz}
   * @throws IOException if outDir exists and is not empty, or on a write failure
   */
  public static void write(Path outDir, int images, int imageSize, boolean gzip, long seed)
      throws IOException {
    SyntheticFiles.write(outDir, staging -> fill(staging, images, imageSize, gzip, seed));
  }

  private static void fill(Path staging, int images, int imageSize, boolean gzip, long seed)
      throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    String suffix = gzip ? ".gz" : "";
    List<String> labelsHeader = new ArrayList<>(List.of("subject_id", "study_id"));
    labelsHeader.addAll(MimicCxrJpg.FINDINGS);
    try (CSVPrinter labels =
            SyntheticFiles.csv(staging.resolve(MimicCxrJpg.CHEXPERT_CSV + suffix), labelsHeader);
        CSVPrinter metadata =
            SyntheticFiles.csv(
                staging.resolve(MimicCxrJpg.METADATA_CSV + suffix), METADATA_HEADER);
        CSVPrinter split =
            SyntheticFiles.csv(staging.resolve(MimicCxrJpg.SPLIT_CSV + suffix), SPLIT_HEADER)) {
      int written = 0;
      int subject = 10000032;
      int study = 50000000;
      while (written < images) {
        subject += 1 + random.nextInt(200);
        double r = random.nextDouble();
        String part = r < 0.01 ? "validate" : r < 0.025 ? "test" : "train";
        int studies = 1 + random.nextInt(6);
        for (int s = 0; s < studies && written < images; s++) {
          study += 1 + random.nextInt(100);
          byte[] states = SyntheticCheXpert.states(MimicCxrJpg.FINDINGS, random, false);
          List<Object> labelRow = new ArrayList<>(List.of(subject, study));
          labelRow.addAll(SyntheticCheXpert.codes(states));
          labels.printRecord(labelRow);
          // 1.65 images per study and 3.5 studies per patient, as in MIMIC-CXR-JPG.
          double draw = random.nextDouble();
          int views = draw < 0.5 ? 1 : draw < 0.85 ? 2 : 3;
          String date =
              String.format(
                  Locale.ROOT,
                  "21%02d%02d%02d",
                  10 + random.nextInt(80),
                  1 + random.nextInt(12),
                  1 + random.nextInt(28));
          for (int v = 0; v < views && written < images; v++) {
            String dicom = dicomId(random);
            String view =
                v == 1
                    ? "LATERAL"
                    : random.nextInt(10) < 5 ? "PA" : random.nextInt(20) == 0 ? "AP AXIAL" : "AP";
            metadata.printRecord(
                dicom,
                subject,
                study,
                "CHEST (PA AND LAT)",
                view,
                3056,
                2544,
                date,
                String.format(
                    Locale.ROOT, "%06d.%03d", random.nextInt(235959), random.nextInt(1000)),
                "CHEST (PA AND LAT)",
                view.equals("LATERAL") ? "lateral" : "postero-anterior",
                "Erect");
            split.printRecord(dicom, study, subject, part);
            if (imageSize > 0) {
              String subjectText = Integer.toString(subject);
              SyntheticFiles.writeJpeg(
                  staging.resolve(
                      "files/p"
                          + subjectText.substring(0, 2)
                          + "/p"
                          + subjectText
                          + "/s"
                          + study
                          + "/"
                          + dicom
                          + ".jpg"),
                  SyntheticFiles.render(
                      MimicCxrJpg.NAME, MimicCxrJpg.FINDINGS, states, imageSize, random.nextLong()),
                  imageSize);
            }
            written++;
          }
        }
      }
    }
  }

  /** Five groups of eight hex digits, as MIMIC's dicom_ids. */
  private static String dicomId(SplittableRandom random) {
    StringBuilder id = new StringBuilder(44);
    for (int g = 0; g < 5; g++) {
      id.append(g == 0 ? "" : "-").append(String.format(Locale.ROOT, "%08x", random.nextInt()));
    }
    return id.toString();
  }
}
