package org.chexnet.dataset;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.commons.csv.CSVPrinter;

/**
 * A synthetic CheXpert v1.0 in its exact layout: {@code train.csv} and {@code valid.csv} (or their
 * {@code .gz}) with CheXpert's header, codes ({@code 1.0}, {@code 0.0}, {@code -1.0}, blank; No
 * Finding set as the labeler sets it) and {@code Path}s starting with the folder's name; several
 * studies per patient, a frontal and sometimes a lateral view per study, labels per study. With an
 * image size, tiny JPEGs at those paths ({@link SyntheticFiles#render}). No real rows: the values
 * are drawn from a seeded generator.
 */
public final class SyntheticCheXpert {
  /** The {@code -small} release's folder name, which its paths start with. */
  public static final String SMALL_FOLDER = "CheXpert-v1.0-small";

  private SyntheticCheXpert() {}

  /**
   * @param trainImages rows of train.csv
   * @param validImages rows of valid.csv (its patients are not in train.csv, as in CheXpert)
   * @param imageSize side of the JPEGs to write; 0 writes the CSVs only
   * @param gzip write {@code train.csv.gz} and {@code valid.csv.gz}
   * @throws IOException if outDir exists and is not empty, or on a write failure
   */
  public static void write(
      Path outDir, int trainImages, int validImages, int imageSize, boolean gzip, long seed)
      throws IOException {
    SyntheticFiles.write(
        outDir, staging -> fill(staging, trainImages, validImages, imageSize, gzip, seed));
  }

  private static void fill(
      Path staging, int trainImages, int validImages, int imageSize, boolean gzip, long seed)
      throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    String suffix = gzip ? ".gz" : "";
    int nextPatient =
        writeCsv(
            staging,
            CheXpert.TRAIN_CSV + suffix,
            "train",
            1,
            trainImages,
            false,
            imageSize,
            random);
    writeCsv(
        staging,
        CheXpert.VALID_CSV + suffix,
        "valid",
        nextPatient,
        validImages,
        true,
        imageSize,
        random);
  }

  /** Returns the next unused patient number. */
  private static int writeCsv(
      Path dir,
      String name,
      String part,
      int firstPatient,
      int images,
      boolean certain,
      int imageSize,
      SplittableRandom random)
      throws IOException {
    List<String> header = new ArrayList<>(CheXpert.LEADING_COLUMNS);
    header.addAll(CheXpert.FINDINGS);
    int patient = firstPatient;
    try (CSVPrinter csv = SyntheticFiles.csv(dir.resolve(name), header)) {
      int written = 0;
      for (; written < images; patient++) {
        String sex = random.nextBoolean() ? "Male" : "Female";
        int age = random.nextInt(20) == 0 ? 0 : 18 + random.nextInt(72);
        int studies = 1 + random.nextInt(4);
        for (int study = 1; study <= studies && written < images; study++) {
          byte[] states = states(CheXpert.FINDINGS, random, certain);
          List<String> codes = codes(states);
          boolean lateral = random.nextInt(10) < 4;
          for (int view = 1; view <= (lateral ? 2 : 1) && written < images; view++) {
            String file =
                String.format(
                    Locale.ROOT,
                    "%s/patient%05d/study%d/view%d_%s.jpg",
                    part,
                    patient,
                    study,
                    view,
                    view == 1 ? "frontal" : "lateral");
            List<String> row = new ArrayList<>(header.size());
            row.add(SyntheticCheXpert.SMALL_FOLDER + "/" + file);
            row.add(sex);
            row.add(Integer.toString(age));
            row.add(view == 1 ? "Frontal" : "Lateral");
            row.add(view == 1 ? (random.nextInt(10) < 3 ? "PA" : "AP") : "");
            row.addAll(codes);
            csv.printRecord(row);
            if (imageSize > 0) {
              SyntheticFiles.writeJpeg(
                  dir.resolve(file),
                  SyntheticFiles.render(
                      CheXpert.NAME, CheXpert.FINDINGS, states, imageSize, random.nextLong()),
                  imageSize);
            }
            written++;
          }
        }
      }
    }
    return patient;
  }

  /**
   * One study's states of the CheXpert labeler's findings; No Finding positive when no other
   * finding but Support Devices is positive or uncertain. {@code certain}: only positive and
   * negative (CheXpert's valid.csv).
   */
  static byte[] states(List<String> findings, SplittableRandom random, boolean certain) {
    byte[] states = new byte[findings.size()];
    boolean any = false;
    for (int f = 0; f < states.length; f++) {
      double r = random.nextDouble();
      LabelState state =
          r < 0.12
              ? LabelState.POSITIVE
              : r < 0.17
                  ? LabelState.UNCERTAIN
                  : r < 0.35 ? LabelState.NEGATIVE : LabelState.MISSING;
      if (certain && state != LabelState.POSITIVE) {
        state = LabelState.NEGATIVE;
      }
      states[f] = state.code();
      String finding = findings.get(f);
      if (!finding.equals(LabelPolicy.NO_FINDING)
          && !finding.equals(LabelPolicy.SUPPORT_DEVICES)
          && (state == LabelState.POSITIVE || state == LabelState.UNCERTAIN)) {
        any = true;
      }
    }
    int noFinding = findings.indexOf(LabelPolicy.NO_FINDING);
    states[noFinding] =
        (any ? (certain ? LabelState.NEGATIVE : LabelState.MISSING) : LabelState.POSITIVE).code();
    return states;
  }

  /** The CheXpert labeler's spelling of each state. */
  static List<String> codes(byte[] states) {
    List<String> codes = new ArrayList<>(states.length);
    for (byte state : states) {
      codes.add(
          switch (LabelState.of(state)) {
            case POSITIVE -> "1.0";
            case NEGATIVE -> "0.0";
            case UNCERTAIN -> "-1.0";
            case MISSING -> "";
          });
    }
    return codes;
  }
}
