package org.chexnet.dataset;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * PadChest: {@code PADCHEST_chest_x_ray_images_labels_160K_01.02.19.csv}, plain or gzipped, one row
 * per image; 16-bit PNGs at {@code <ImageDir>/<ImageID>}. {@code Labels} is a Python list string
 * ({@code ['pneumonia', 'infiltrates']}), read with stray spaces and empty entries dropped; its
 * report-derived terms map onto the findings below by {@link #TERMS}, torchxrayvision's mapping
 * (see docs/datasets.md). A finding none of an image's terms maps to is negative: PadChest labels
 * everything its reports mention. Rows without labels are left out.
 */
public final class PadChest implements DatasetFormat {
  public static final String NAME = "padchest";
  public static final String CSV = "PADCHEST_chest_x_ray_images_labels_160K_01.02.19.csv";

  /**
   * What PadChest terms make a finding positive: a term containing any of {@code contains} or
   * ending with any of {@code endsWith}, unless it is one of {@code except}.
   */
  public record Terms(
      String finding, List<String> contains, List<String> endsWith, List<String> except) {
    boolean matches(String term) {
      if (except.contains(term)) {
        return false;
      }
      for (String part : contains) {
        if (term.contains(part)) {
          return true;
        }
      }
      for (String suffix : endsWith) {
        if (term.endsWith(suffix)) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * torchxrayvision's PadChest findings and synonyms (its {@code PC_Dataset}: each finding's own
   * name lower-cased, plus its mapping), with three exceptions of ours, documented in
   * docs/datasets.md: pericardial effusion is not a pleural effusion, subcutaneous emphysema is not
   * the lung disease, a pseudonodule is not a nodule.
   */
  public static final List<Terms> TERMS =
      List.of(
          terms("Atelectasis"),
          terms("Consolidation", "consolidation", "air bronchogram"),
          terms(
              "Infiltration",
              "infiltration",
              "infiltrates",
              "interstitial pattern",
              "ground glass pattern",
              "reticular interstitial pattern",
              "reticulonodular interstitial pattern",
              "alveolar pattern",
              "consolidation",
              "air bronchogram"),
          terms("Pneumothorax"),
          terms("Edema"),
          new Terms(
              "Emphysema", List.of("emphysema"), List.of(), List.of("subcutaneous emphysema")),
          terms("Fibrosis"),
          new Terms("Effusion", List.of("effusion"), List.of(), List.of("pericardial effusion")),
          terms("Pneumonia"),
          terms("Pleural_Thickening", "pleural thickening"),
          terms("Cardiomegaly"),
          new Terms("Nodule", List.of("nodule"), List.of(), List.of("pseudonodule")),
          terms("Mass"),
          terms("Hernia"),
          terms("Fracture"),
          terms("Granuloma"),
          terms("Flattened Diaphragm"),
          terms("Bronchiectasis"),
          terms("Aortic Elongation"),
          terms("Scoliosis"),
          terms(
              "Hilar Enlargement",
              "hilar enlargement",
              "adenopathy",
              "pulmonary artery enlargement"),
          terms("Tuberculosis"),
          terms("Air Trapping"),
          terms("Costophrenic Angle Blunting"),
          terms("Aortic Atheromatosis"),
          terms("Hemidiaphragm Elevation"),
          terms("Support Devices", "support devices", "device", "pacemaker"),
          new Terms("Tube", List.of(), List.of("tube", "stent"), List.of()));

  public static final List<String> FINDINGS = TERMS.stream().map(Terms::finding).toList();

  private static final List<MetadataFile> FILES =
      List.of(MetadataFile.csv(CSV, true, "PadChest's images and labels"));
  private static final int UNMAPPED_LISTED = 10;

  /** The finding's own name, lower-cased, and any synonyms. */
  private static Terms terms(String finding, String... contains) {
    List<String> parts =
        contains.length == 0 ? List.of(finding.toLowerCase(Locale.ROOT)) : List.of(contains);
    return new Terms(finding, parts, List.of(), List.of());
  }

  @Override
  public void writeSynthetic(Path out, int images, int imageSize, long seed) throws IOException {
    SyntheticPadChest.write(out, images, imageSize, false, seed);
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

  @Override
  public DatasetMetadata readMetadata(Path root) throws IOException {
    Path dir = root.toAbsolutePath().normalize();
    Path file = DatasetMetadata.locate(this, dir).get(0);
    List<ImageRecord> rows = new ArrayList<>(1 << 18);
    Map<String, byte[]> statesOfTerms = new HashMap<>();
    Map<String, Integer> unmapped = new HashMap<>();
    int unlabelled = 0;
    try (MetadataCsv csv = MetadataCsv.open(file)) {
      int imageId = csv.column("ImageID");
      int imageDir = csv.column("ImageDir");
      int patientId = csv.column("PatientID");
      int projection = csv.column("Projection");
      int labels = csv.column("Labels");
      int studyId = csv.optionalColumn("StudyID");
      int sex = csv.optionalColumn("PatientSex_DICOM");
      int birth = csv.optionalColumn("PatientBirth");
      int studyDate = csv.optionalColumn("StudyDate_DICOM");
      while (csv.next()) {
        List<String> terms = terms(csv, labels);
        if (terms.isEmpty()) {
          unlabelled++;
          continue;
        }
        byte[] states = new byte[FINDINGS.size()];
        java.util.Arrays.fill(states, LabelState.NEGATIVE.code());
        for (String term : terms) {
          byte[] mapped = statesOfTerms.computeIfAbsent(term, PadChest::map);
          boolean any = false;
          for (int f = 0; f < states.length; f++) {
            if (mapped[f] == LabelState.POSITIVE.code()) {
              states[f] = mapped[f];
              any = true;
            }
          }
          if (!any) {
            unmapped.merge(term, 1, Integer::sum);
          }
        }
        String image = csv.get(imageDir) + "/" + csv.get(imageId);
        if (!ImagePaths.isInside(image) || csv.get(imageId).indexOf('/') >= 0) {
          throw csv.error(
              imageId, "image '" + image + "' (ImageDir/ImageID) is outside the dataset directory");
        }
        String patient = csv.get(patientId);
        if (patient.isBlank()) {
          throw csv.error(patientId, "empty patient ID");
        }
        String study = csv.get(studyId);
        rows.add(
            new ImageRecord(
                image,
                0, // numbered below, once every patient is known
                patient,
                study.isEmpty() ? null : study,
                view(csv.get(projection)),
                switch (csv.get(sex)) {
                  case "M" -> Sex.MALE;
                  case "F" -> Sex.FEMALE;
                  default -> Sex.UNKNOWN;
                },
                age(csv.get(birth), csv.get(studyDate)),
                states,
                null,
                file,
                csv.line()));
      }
    }
    List<ImageRecord> images = numberPatients(rows);
    List<String> notes = new ArrayList<>();
    if (unlabelled > 0) {
      notes.add(unlabelled + " rows without labels left out");
    }
    if (!unmapped.isEmpty()) {
      notes.add(unmappedNote(unmapped));
    }
    return new DatasetMetadata(this, dir, images, List.of(file), List.of(), notes);
  }

  /**
   * The entries of a {@code Labels} cell, trimmed, lower-cased, without empty ones; empty for a
   * blank cell.
   *
   * @throws IllegalArgumentException naming the cell when it is not a Python list of strings
   */
  static List<String> terms(MetadataCsv csv, int column) {
    String cell = csv.get(column).strip();
    if (cell.isEmpty()) {
      return List.of();
    }
    if (cell.length() < 2 || cell.charAt(0) != '[' || cell.charAt(cell.length() - 1) != ']') {
      throw csv.error(column, "expected a list such as ['pneumonia', 'infiltrates'], got " + cell);
    }
    List<String> terms = new ArrayList<>(4);
    int i = 1;
    int end = cell.length() - 1;
    while (i < end) {
      char c = cell.charAt(i);
      if (c == ',' || Character.isWhitespace(c)) {
        i++;
      } else if (c == '\'' || c == '"') {
        int close = cell.indexOf(c, i + 1);
        if (close < 0 || close > end) {
          throw csv.error(column, "unclosed quote at character " + (i + 1) + " of " + cell);
        }
        addTerm(terms, cell.substring(i + 1, close));
        i = close + 1;
      } else {
        int comma = cell.indexOf(',', i);
        int stop = comma < 0 || comma > end ? end : comma;
        addTerm(terms, cell.substring(i, stop));
        i = stop;
      }
    }
    return terms;
  }

  private static void addTerm(List<String> terms, String raw) {
    String term = raw.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    if (!term.isEmpty()) {
      terms.add(term);
    }
  }

  /** A term's states: positive for each finding it maps to, negative elsewhere. */
  private static byte[] map(String term) {
    byte[] states = new byte[TERMS.size()];
    for (int f = 0; f < states.length; f++) {
      states[f] = (TERMS.get(f).matches(term) ? LabelState.POSITIVE : LabelState.NEGATIVE).code();
    }
    return states;
  }

  /** Patient numbers 1.. in the sorted order of PadChest's ID strings. */
  private static List<ImageRecord> numberPatients(List<ImageRecord> rows) {
    Map<String, Integer> numbers = new HashMap<>();
    for (String patient : new TreeSet<>(rows.stream().map(ImageRecord::patient).toList())) {
      numbers.put(patient, numbers.size() + 1);
    }
    List<ImageRecord> images = new ArrayList<>(rows.size());
    for (ImageRecord r : rows) {
      images.add(
          new ImageRecord(
              r.image(),
              numbers.get(r.patient()),
              r.patient(),
              r.study(),
              r.view(),
              r.sex(),
              r.age(),
              r.states(),
              null,
              r.file(),
              r.line()));
    }
    return images;
  }

  private static String unmappedNote(Map<String, Integer> unmapped) {
    List<Map.Entry<String, Integer>> byCount = new ArrayList<>(unmapped.entrySet());
    byCount.sort(
        Map.Entry.<String, Integer>comparingByValue()
            .reversed()
            .thenComparing(Map.Entry.comparingByKey()));
    StringBuilder note = new StringBuilder("PadChest terms no finding maps (images): ");
    for (int i = 0; i < Math.min(UNMAPPED_LISTED, byCount.size()); i++) {
      note.append(i == 0 ? "" : ", ")
          .append(byCount.get(i).getKey())
          .append(" (")
          .append(byCount.get(i).getValue())
          .append(')');
    }
    if (byCount.size() > UNMAPPED_LISTED) {
      note.append(" and ").append(byCount.size() - UNMAPPED_LISTED).append(" more terms");
    }
    return note.toString();
  }

  private static View view(String projection) {
    return switch (projection) {
      case "PA" -> View.PA;
      case "AP", "AP_horizontal" -> View.AP;
      case "L" -> View.LATERAL;
      case "", "UNK" -> View.UNKNOWN;
      default -> View.OTHER; // COSTAL (rib views), EXCLUDE
    };
  }

  /** Study year minus birth year; -1 when either is unreadable. */
  private static int age(String birth, String studyDate) {
    try {
      int born = (int) Double.parseDouble(birth);
      int year = Integer.parseInt(studyDate.substring(0, 4));
      int age = year - born;
      return age >= 0 && age < 130 ? age : -1;
    } catch (NumberFormatException | IndexOutOfBoundsException e) {
      return -1;
    }
  }
}
