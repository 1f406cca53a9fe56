package org.chexnet.dataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * MIMIC-CXR-JPG 2.0.0: labels per study in {@code mimic-cxr-2.0.0-chexpert.csv} (or, without it,
 * {@code -negbio.csv}), images in {@code mimic-cxr-2.0.0-metadata.csv}, the official split in
 * {@code mimic-cxr-2.0.0-split.csv}, each plain or gzipped. Labels join the images on (subject_id,
 * study_id), the split on dicom_id; an image is at {@code files/p<first two digits of
 * subject_id>/p<subject_id>/s<study_id>/<dicom_id>.jpg}. The three files are read in parallel.
 */
public final class MimicCxrJpg implements DatasetFormat {
  public static final String NAME = "mimic_cxr_jpg";
  public static final String CHEXPERT_CSV = "mimic-cxr-2.0.0-chexpert.csv";
  public static final String NEGBIO_CSV = "mimic-cxr-2.0.0-negbio.csv";
  public static final String METADATA_CSV = "mimic-cxr-2.0.0-metadata.csv";
  public static final String SPLIT_CSV = "mimic-cxr-2.0.0-split.csv";

  /** The 14 CheXpert observations in the labels files' header order. */
  public static final List<String> FINDINGS =
      List.of(
          "Atelectasis",
          "Cardiomegaly",
          "Consolidation",
          "Edema",
          "Enlarged Cardiomediastinum",
          "Fracture",
          "Lung Lesion",
          "Lung Opacity",
          "No Finding",
          "Pleural Effusion",
          "Pleural Other",
          "Pneumonia",
          "Pneumothorax",
          "Support Devices");

  private static final List<MetadataFile> FILES =
      List.of(
          new MetadataFile(
              List.of(CHEXPERT_CSV, CHEXPERT_CSV + ".gz", NEGBIO_CSV, NEGBIO_CSV + ".gz"),
              true,
              "labels per study, CheXpert labeler (or NegBio)"),
          MetadataFile.csv(METADATA_CSV, true, "one row per image"),
          MetadataFile.csv(SPLIT_CSV, false, "the official train/validate/test split"));

  @Override
  public void writeSynthetic(Path out, int images, int imageSize, long seed) throws IOException {
    SyntheticMimicCxrJpg.write(out, images, imageSize, false, seed);
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

  /** One labels row: the study as text, its states and where it was. */
  private record Study(String id, byte[] states, int line) {}

  /** One split row. */
  private record SplitRow(Split split, int subject, int study, int line) {}

  /** One metadata row, before the joins. */
  private record Image(String dicom, int subject, int study, View view, int line) {}

  @Override
  public DatasetMetadata readMetadata(Path root) throws IOException {
    Path dir = root.toAbsolutePath().normalize();
    List<Path> located = DatasetMetadata.locate(this, dir);
    Path labelsFile = located.get(0);
    Path metadataFile = located.get(1);
    Path splitFile = located.get(2);
    CompletableFuture<Map<Long, Study>> labels =
        CompletableFuture.supplyAsync(() -> unchecked(() -> labels(labelsFile)));
    CompletableFuture<Map<String, SplitRow>> splits =
        splitFile == null
            ? CompletableFuture.completedFuture(null)
            : CompletableFuture.supplyAsync(() -> unchecked(() -> splits(splitFile)));
    List<Image> rows = images(metadataFile);
    Map<Long, Study> studies = join(labels);
    Map<String, SplitRow> splitOf = join(splits);

    List<ImageRecord> images = new ArrayList<>(rows.size());
    int unlabelled = 0;
    String subject = "";
    int subjectId = -1;
    for (Image row : rows) {
      Study study = studies.get(key(row.subject, row.study));
      if (study == null) {
        unlabelled++;
        continue;
      }
      Split split = null;
      if (splitOf != null) {
        SplitRow splitRow = splitOf.get(row.dicom);
        if (splitRow == null || splitRow.subject != row.subject || splitRow.study != row.study) {
          throw splitMismatch(metadataFile, row, splitFile, splitRow);
        }
        split = splitRow.split;
      }
      if (row.subject != subjectId) {
        subjectId = row.subject;
        subject = Integer.toString(subjectId);
      }
      images.add(
          new ImageRecord(
              "files/p"
                  + subject.substring(0, 2)
                  + "/p"
                  + subject
                  + "/s"
                  + study.id
                  + "/"
                  + row.dicom
                  + ".jpg",
              row.subject,
              subject,
              study.id,
              row.view,
              Sex.UNKNOWN,
              -1,
              study.states,
              split,
              metadataFile,
              row.line));
    }
    RecordSplits.requireOfficialPatientDisjoint(NAME, images);
    List<String> notes = new ArrayList<>();
    if (unlabelled > 0) {
      notes.add(
          unlabelled
              + " images of "
              + metadataFile.getFileName()
              + " left out: their study has no row in "
              + labelsFile.getFileName());
    }
    return DatasetMetadata.of(this, dir, located, images, notes);
  }

  private static IllegalArgumentException splitMismatch(
      Path metadataFile, Image row, Path splitFile, SplitRow splitRow) {
    String where = metadataFile + ":" + row.line + ": dicom_id " + row.dicom;
    if (splitRow == null) {
      return new IllegalArgumentException(where + " has no row in " + splitFile.getFileName());
    }
    return new IllegalArgumentException(
        where
            + " is subject "
            + row.subject
            + ", study "
            + row.study
            + " but "
            + splitFile
            + ":"
            + splitRow.line
            + " says subject "
            + splitRow.subject
            + ", study "
            + splitRow.study);
  }

  private static long key(int subject, int study) {
    return ((long) subject << 32) | (study & 0xffffffffL);
  }

  private static Map<Long, Study> labels(Path file) throws IOException {
    Map<Long, Study> studies = new HashMap<>(1 << 18);
    try (MetadataCsv csv = MetadataCsv.open(file)) {
      int subject = csv.column("subject_id");
      int study = csv.column("study_id");
      int[] findings = CheXpertCodes.columns(csv, FINDINGS);
      while (csv.next()) {
        byte[] states = CheXpertCodes.states(csv, findings);
        Study previous =
            studies.putIfAbsent(
                key(positive(csv, subject), positive(csv, study)),
                new Study(csv.get(study), states, csv.line()));
        if (previous != null) {
          throw csv.error(
              study,
              "study "
                  + csv.get(study)
                  + " of subject "
                  + csv.get(subject)
                  + " already has labels on line "
                  + previous.line);
        }
      }
    }
    return studies;
  }

  private static Map<String, SplitRow> splits(Path file) throws IOException {
    Map<String, SplitRow> splits = new HashMap<>(1 << 20);
    try (MetadataCsv csv = MetadataCsv.open(file)) {
      int dicom = csv.column("dicom_id");
      int study = csv.column("study_id");
      int subject = csv.column("subject_id");
      int split = csv.column("split");
      while (csv.next()) {
        Split value =
            switch (csv.get(split)) {
              case "train" -> Split.TRAIN;
              case "validate" -> Split.VALIDATION;
              case "test" -> Split.TEST;
              default ->
                  throw csv.error(
                      split, "expected train, validate or test, got '" + csv.get(split) + "'");
            };
        SplitRow previous =
            splits.putIfAbsent(
                csv.get(dicom),
                new SplitRow(value, positive(csv, subject), positive(csv, study), csv.line()));
        if (previous != null) {
          throw csv.error(dicom, csv.get(dicom) + " already listed on line " + previous.line);
        }
      }
    }
    return splits;
  }

  private static List<Image> images(Path file) throws IOException {
    List<Image> images = new ArrayList<>(1 << 19);
    try (MetadataCsv csv = MetadataCsv.open(file)) {
      int dicom = csv.column("dicom_id");
      int subject = csv.column("subject_id");
      int study = csv.column("study_id");
      int view = csv.column("ViewPosition");
      while (csv.next()) {
        String id = csv.get(dicom);
        if (!ImagePaths.isInside(id) || id.indexOf('/') >= 0) {
          throw csv.error(dicom, "expected a DICOM id, got '" + id + "'");
        }
        int subjectId = positive(csv, subject);
        if (subjectId < 10) {
          throw csv.error(subject, "expected at least two digits, got '" + subjectId + "'");
        }
        images.add(new Image(id, subjectId, positive(csv, study), view(csv.get(view)), csv.line()));
      }
    }
    return images;
  }

  private static int positive(MetadataCsv csv, int column) {
    int value = csv.integer(column);
    if (value <= 0) {
      throw csv.error(column, "expected a positive integer, got '" + csv.get(column) + "'");
    }
    return value;
  }

  private static View view(String viewPosition) {
    return switch (viewPosition) {
      case "PA" -> View.PA;
      case "AP" -> View.AP;
      case "LATERAL", "LL", "XTABLE LATERAL" -> View.LATERAL;
      case "" -> View.UNKNOWN;
      default -> View.OTHER; // AP AXIAL, AP LLD, PA RLD, LAO, RAO, SWIMMERS, ...
    };
  }

  private interface IoSupplier<T> {
    T get() throws IOException;
  }

  private static <T> T unchecked(IoSupplier<T> read) {
    try {
      return read.get();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The future's value, rethrowing what the reading threw as it was. */
  private static <T> T join(CompletableFuture<T> future) throws IOException {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof UncheckedIOException io) {
        throw io.getCause();
      }
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw e;
    }
  }
}
