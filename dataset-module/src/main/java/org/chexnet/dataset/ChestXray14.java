package org.chexnet.dataset;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * A dataset directory in NIH's layout: {@code images/*.png}, {@code Data_Entry_2017_v2020.csv} (or
 * the older {@code Data_Entry_2017.csv}), {@code train_val_list.txt} and {@code test_list.txt}.
 */
public final class ChestXray14 {
  public static final String IMAGES_DIR = "images";
  public static final String DATA_ENTRY_CSV = "Data_Entry_2017_v2020.csv";
  public static final String OLD_DATA_ENTRY_CSV = "Data_Entry_2017.csv";
  public static final String TRAIN_VAL_LIST = "train_val_list.txt";
  public static final String TEST_LIST = "test_list.txt";

  private final Path root;
  private final Path csv;
  private final List<DataEntry> entries;
  private final Map<String, DataEntry> entryByImage;

  private ChestXray14(Path root, Path csv, List<DataEntry> entries) {
    this.root = root;
    this.csv = csv;
    this.entries = List.copyOf(entries);
    Map<String, DataEntry> byImage = new HashMap<>();
    entries.forEach(entry -> byImage.put(entry.imageIndex(), entry));
    this.entryByImage = byImage;
  }

  /**
   * Checks the layout and reads the Data_Entry file.
   *
   * @throws NoSuchFileException naming the first missing file or directory
   */
  public static ChestXray14 open(Path root) throws IOException {
    Path dir = root.toAbsolutePath().normalize();
    requireExists(dir, "the dataset directory");
    requireExists(dir.resolve(IMAGES_DIR), "the images directory");
    Path csv = dir.resolve(DATA_ENTRY_CSV);
    if (!Files.isRegularFile(csv) && Files.isRegularFile(dir.resolve(OLD_DATA_ENTRY_CSV))) {
      csv = dir.resolve(OLD_DATA_ENTRY_CSV);
    }
    requireExists(csv, "NIH's image labels (" + DATA_ENTRY_CSV + " or " + OLD_DATA_ENTRY_CSV + ")");
    requireExists(dir.resolve(TRAIN_VAL_LIST), "NIH's official train/validation list");
    requireExists(dir.resolve(TEST_LIST), "NIH's official test list");
    return new ChestXray14(dir, csv, DataEntryCsv.read(csv));
  }

  private static void requireExists(Path path, String what) throws NoSuchFileException {
    if (!Files.exists(path)) {
      throw new NoSuchFileException(
          path.toString(),
          null,
          "missing "
              + what
              + "; expected a ChestX-ray14 directory with "
              + IMAGES_DIR
              + "/, "
              + DATA_ENTRY_CSV
              + ", "
              + TRAIN_VAL_LIST
              + " and "
              + TEST_LIST);
    }
  }

  /** The dataset directory, absolute. */
  public Path root() {
    return root;
  }

  /** {@code root/images/<imageIndex>}; the name must be a plain file name. */
  public Path imagePath(String imageIndex) {
    if (imageIndex.isEmpty()
        || imageIndex.contains("/")
        || imageIndex.contains("\\")
        || imageIndex.startsWith(".")) {
      throw new IllegalArgumentException("not an image file name: '" + imageIndex + "'");
    }
    return root.resolve(IMAGES_DIR).resolve(imageIndex);
  }

  /** All rows of the Data_Entry file, in file order. */
  public List<DataEntry> entries() {
    return entries;
  }

  public Optional<DataEntry> entry(String imageIndex) {
    return Optional.ofNullable(entryByImage.get(imageIndex));
  }

  /**
   * NIH's official split: test is {@code test_list.txt}; validation is a seeded random {@code
   * validationFraction} of the patients of {@code train_val_list.txt} (by patient, so no patient
   * straddles train and validation); the rest is train. Each split keeps its list file's order.
   *
   * @throws IllegalArgumentException "list:line: ..." for a name without a Data_Entry row or listed
   *     twice
   */
  public DataSplits officialSplit(double validationFraction, long seed) throws IOException {
    if (!(validationFraction >= 0 && validationFraction < 1)) {
      throw new IllegalArgumentException(
          "validation fraction must be in [0, 1), got " + validationFraction);
    }
    List<LabeledImage> trainVal = readList(root.resolve(TRAIN_VAL_LIST));
    List<LabeledImage> test = readList(root.resolve(TEST_LIST));

    // Sorted before shuffling so the result depends only on the seed and the patients, not on hash
    // order.
    List<Integer> patients =
        new ArrayList<>(new TreeSet<>(trainVal.stream().map(LabeledImage::patientId).toList()));
    Collections.shuffle(patients, new Random(seed));
    Set<Integer> validationPatients =
        new HashSet<>(patients.subList(0, (int) Math.round(validationFraction * patients.size())));

    List<LabeledImage> train = new ArrayList<>();
    List<LabeledImage> validation = new ArrayList<>();
    for (LabeledImage image : trainVal) {
      (validationPatients.contains(image.patientId()) ? validation : train).add(image);
    }
    return new DataSplits(train, validation, test);
  }

  private List<LabeledImage> readList(Path list) throws IOException {
    Map<String, LabeledImage> images = new LinkedHashMap<>();
    try (BufferedReader reader = Files.newBufferedReader(list, StandardCharsets.UTF_8)) {
      int lineNumber = 0;
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        lineNumber++;
        String name = line.strip();
        if (name.isEmpty()) {
          continue;
        }
        DataEntry entry = entryByImage.get(name);
        if (entry == null) {
          throw new IllegalArgumentException(
              list + ":" + lineNumber + ": image " + name + " has no row in " + csv.getFileName());
        }
        if (images.put(name, entry.toLabeledImage()) != null) {
          throw new IllegalArgumentException(
              list + ":" + lineNumber + ": image " + name + " is listed twice");
        }
      }
    }
    return new ArrayList<>(images.values());
  }

  /** The Data_Entry CSV, train_val_list.txt and test_list.txt. */
  public List<Path> metadataFiles() {
    return List.of(csv, root.resolve(TRAIN_VAL_LIST), root.resolve(TEST_LIST));
  }
}
