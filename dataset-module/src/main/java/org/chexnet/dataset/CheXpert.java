package org.chexnet.dataset;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CheXpert v1.0, full or {@code -small}: ROOT holds {@code train.csv} and {@code valid.csv} (the
 * official validation set; the test set is not public). Each row's {@code Path} starts with the
 * dataset folder's own name ({@code CheXpert-v1.0-small/train/patient00001/study1/
 * view1_frontal.jpg}); the image is that path under ROOT without its first segment, and the patient
 * and study come from it.
 */
public final class CheXpert implements DatasetFormat {
  public static final String NAME = "chexpert";
  public static final String TRAIN_CSV = "train.csv";
  public static final String VALID_CSV = "valid.csv";

  /** The 14 observations in header order. */
  public static final List<String> FINDINGS =
      List.of(
          "No Finding",
          "Enlarged Cardiomediastinum",
          "Cardiomegaly",
          "Lung Opacity",
          "Lung Lesion",
          "Edema",
          "Consolidation",
          "Pneumonia",
          "Atelectasis",
          "Pneumothorax",
          "Pleural Effusion",
          "Pleural Other",
          "Fracture",
          "Support Devices");

  /** The columns before the observations. */
  public static final List<String> LEADING_COLUMNS =
      List.of("Path", "Sex", "Age", "Frontal/Lateral", "AP/PA");

  private static final List<MetadataFile> FILES =
      List.of(
          MetadataFile.csv(TRAIN_CSV, false, "CheXpert's training labels"),
          MetadataFile.csv(VALID_CSV, false, "CheXpert's official validation labels"));

  /** A fifth of the images are valid.csv's. */
  @Override
  public void writeSynthetic(Path out, int images, int imageSize, long seed) throws IOException {
    int valid = Math.max(1, images / 5);
    SyntheticCheXpert.write(out, images - valid, valid, imageSize, false, seed);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<String> findings() {
    return FINDINGS;
  }

  @Override
  public List<MetadataFile> metadataFiles() {
    return FILES;
  }

  /**
   * @throws java.nio.file.NoSuchFileException when neither train.csv nor valid.csv is there
   */
  @Override
  public DatasetMetadata readMetadata(Path root) throws IOException {
    Path dir = root.toAbsolutePath().normalize();
    List<Path> located = DatasetMetadata.locate(this, dir);
    if (located.get(0) == null && located.get(1) == null) {
      throw new java.nio.file.NoSuchFileException(
          dir.resolve(TRAIN_CSV).toString(),
          null,
          "a CheXpert directory holds " + TRAIN_CSV + " and " + VALID_CSV + "; neither is here");
    }
    List<ImageRecord> images = new ArrayList<>();
    if (located.get(0) != null) {
      read(located.get(0), Split.TRAIN, images);
    }
    if (located.get(1) != null) {
      read(located.get(1), Split.VALIDATION, images);
    }
    RecordSplits.requireOfficialPatientDisjoint(NAME, images);
    return DatasetMetadata.of(this, dir, located, images, List.of());
  }

  private static void read(Path file, Split split, List<ImageRecord> images) throws IOException {
    try (MetadataCsv csv = MetadataCsv.open(file)) {
      int path = csv.column("Path");
      int sex = csv.column("Sex");
      int age = csv.column("Age");
      int frontalLateral = csv.column("Frontal/Lateral");
      int apPa = csv.column("AP/PA");
      int[] findings = CheXpertCodes.columns(csv, FINDINGS);
      while (csv.next()) {
        String value = csv.get(path);
        int slash = value.indexOf('/');
        String image = slash < 0 ? "" : value.substring(slash + 1);
        // folder/split/patientNNNNN/studyN/file: the patient and study segments.
        String[] segments = image.split("/", -1);
        if (!ImagePaths.isInside(image)
            || segments.length < 4
            || !isNumbered(segments[1], "patient")
            || !isNumbered(segments[2], "study")) {
          throw csv.error(
              path,
              "expected FOLDER/train|valid/patientNNNNN/studyN/IMAGE inside the dataset"
                  + " directory, got '"
                  + value
                  + "'");
        }
        byte[] states = CheXpertCodes.states(csv, findings);
        images.add(
            new ImageRecord(
                image,
                Integer.parseInt(segments[1].substring("patient".length())),
                segments[1],
                segments[1] + "/" + segments[2],
                view(csv.get(frontalLateral), csv.get(apPa)),
                switch (csv.get(sex)) {
                  case "Male" -> Sex.MALE;
                  case "Female" -> Sex.FEMALE;
                  default -> Sex.UNKNOWN;
                },
                age(csv.get(age)),
                states,
                split,
                file,
                csv.line()));
      }
    }
  }

  /** {@code prefix} followed by 1 to 9 digits. */
  private static boolean isNumbered(String segment, String prefix) {
    int digits = segment.length() - prefix.length();
    if (!segment.startsWith(prefix) || digits < 1 || digits > 9) {
      return false;
    }
    for (int i = prefix.length(); i < segment.length(); i++) {
      if (!Character.isDigit(segment.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static View view(String frontalLateral, String apPa) {
    if (frontalLateral.equals("Lateral")) {
      return View.LATERAL;
    }
    if (!frontalLateral.equals("Frontal")) {
      return View.UNKNOWN;
    }
    return switch (apPa) {
      case "PA" -> View.PA;
      case "AP" -> View.AP;
      case "" -> View.UNKNOWN;
      default -> View.OTHER; // LL, RL: decubitus frontals
    };
  }

  /** CheXpert writes 0 where the age is unknown. */
  private static int age(String value) {
    try {
      int age = Integer.parseInt(value);
      return age > 0 ? age : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
