package org.chexnet.dataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dataset directory in NIH's layout: {@code images/*.png}, {@code Data_Entry_2017_v2020.csv} (or
 * the older {@code Data_Entry_2017.csv}), {@code train_val_list.txt} and {@code test_list.txt}.
 * {@link #FORMAT} is its entry in {@link Datasets}.
 */
public final class ChestXray14 implements Dataset {
  /** The registry name. */
  public static final String NAME = "chestxray14";

  /** ChestX-ray14 as a {@link DatasetFormat}: its metadata without the images, or the whole. */
  public static final DatasetFormat FORMAT = new Format();

  private static final Logger LOG = LoggerFactory.getLogger(ChestXray14.class);

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
    if (Files.isRegularFile(dir)) {
      throw new NoSuchFileException(
          dir.toString(), null, "is a file, expected a ChestX-ray14 dataset directory");
    }
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

  @Override
  public DatasetFormat format() {
    return FORMAT;
  }

  /** The dataset directory, absolute. */
  @Override
  public Path root() {
    return root;
  }

  /** {@code root/images/<imageIndex>}; the name must be a plain file name. */
  @Override
  public Path imagePath(String imageIndex) {
    if (imageIndex.isEmpty()
        || imageIndex.contains("/")
        || imageIndex.contains("\\")
        || imageIndex.startsWith(".")) {
      throw new IllegalArgumentException("not an image file name: '" + imageIndex + "'");
    }
    return root.resolve(IMAGES_DIR).resolve(imageIndex);
  }

  /**
   * Every Data_Entry image; its official split is TRAIN for {@code train_val_list.txt} (validation
   * is carved from it by patient when splitting) and TEST for {@code test_list.txt}.
   */
  @Override
  public List<ImageRecord> images() throws IOException {
    return records(csv, entries, root.resolve(TRAIN_VAL_LIST), root.resolve(TEST_LIST));
  }

  /**
   * {@link #split(SplitPlan, long)}, then {@link #filterViewPositions} when {@code views} is not
   * empty; NIH's labels are all known, so {@code policy} changes nothing.
   */
  @Override
  public DataSplits split(SplitPlan plan, long seed, LabelPolicy policy, Set<View> views)
      throws IOException {
    DataSplits splits = split(plan, seed);
    if (views.isEmpty()) {
      return splits;
    }
    Set<String> names = new HashSet<>();
    views.forEach(view -> names.add(view.name()));
    return filterViewPositions(splits, names);
  }

  /** All rows of the Data_Entry file, in file order. */
  public List<DataEntry> entries() {
    return entries;
  }

  public Optional<DataEntry> entry(String imageIndex) {
    return Optional.ofNullable(entryByImage.get(imageIndex));
  }

  /**
   * Splits by {@code plan}; {@code seed} drives the random parts (official validation, patient
   * random). No patient is in two splits.
   *
   * @throws IllegalArgumentException naming the file, line and image for a bad list, or the patient
   *     and both lists when lists overlap
   */
  public DataSplits split(SplitPlan plan, long seed) throws IOException {
    if (plan instanceof SplitPlan.Official official) {
      return officialSplit(official.validationFraction(), seed);
    }
    if (plan instanceof SplitPlan.Lists lists) {
      return listSplit(lists.train(), lists.validation(), lists.test(), lists.labels());
    }
    SplitPlan.PatientRandom random = (SplitPlan.PatientRandom) plan;
    return patientRandomSplit(random.train(), random.validation(), random.test(), seed);
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
    PatientShuffle.requireValidationFraction(validationFraction);
    List<LabeledImage> trainVal =
        labeled(ImageLists.read(root.resolve(TRAIN_VAL_LIST)), SplitPlan.LabelSource.DATA_ENTRY);
    List<LabeledImage> test =
        labeled(ImageLists.read(root.resolve(TEST_LIST)), SplitPlan.LabelSource.DATA_ENTRY);

    Set<Integer> validationPatients =
        new HashSet<>(
            PatientShuffle.first(
                PatientShuffle.shuffled(patients(trainVal), seed), validationFraction, 0));
    List<LabeledImage> train = new ArrayList<>();
    List<LabeledImage> validation = new ArrayList<>();
    for (LabeledImage image : trainVal) {
      (validationPatients.contains(image.patientId()) ? validation : train).add(image);
    }
    return new DataSplits(train, validation, test);
  }

  /**
   * Three list files as train, validation and test, each in its file's order. Images without a
   * Data_Entry row are an error (their patient and view would be unknown).
   *
   * @throws IllegalArgumentException naming file and line for a bad line or an unknown image, and
   *     the patient and both files when the lists share a patient
   */
  public DataSplits listSplit(
      Path trainList, Path validationList, Path testList, SplitPlan.LabelSource labels)
      throws IOException {
    Map<String, List<ListedImage>> lists = new LinkedHashMap<>();
    lists.put("train", ImageLists.read(trainList));
    lists.put("validation", ImageLists.read(validationList));
    lists.put("test", ImageLists.read(testList));
    ImageLists.requirePatientDisjoint(lists);
    List<ListedImage> all = lists.values().stream().flatMap(List::stream).toList();
    ImageLists.LabelCheck check = compareLabels(all);
    if (check.disagreeing() > 0) {
      LOG.warn(
          "{} of {} labelled list images disagree with {} (using {} labels), e.g. {}",
          check.disagreeing(),
          check.compared(),
          csv.getFileName(),
          labels == SplitPlan.LabelSource.LIST ? "the lists'" : "Data_Entry's",
          check.examples());
    }
    return new DataSplits(
        labeled(lists.get("train"), labels),
        labeled(lists.get("validation"), labels),
        labeled(lists.get("test"), labels));
  }

  /**
   * Every Data_Entry image, split by patient: patients (sorted, then shuffled with {@code seed})
   * are cut into test, validation and train by the fractions, which must be non-negative and sum to
   * 1. Images keep Data_Entry order.
   */
  public DataSplits patientRandomSplit(
      double trainFraction, double validationFraction, double testFraction, long seed) {
    PatientShuffle.requireFractions(trainFraction, validationFraction, testFraction);
    List<LabeledImage> images = entries.stream().map(DataEntry::toLabeledImage).toList();
    List<Integer> patients = PatientShuffle.shuffled(patients(images), seed);
    Set<Integer> test = new HashSet<>(PatientShuffle.first(patients, testFraction, 0));
    int testCount = test.size();
    Set<Integer> validation =
        new HashSet<>(PatientShuffle.first(patients, validationFraction, testCount));
    List<LabeledImage> trainImages = new ArrayList<>();
    List<LabeledImage> validationImages = new ArrayList<>();
    List<LabeledImage> testImages = new ArrayList<>();
    for (LabeledImage image : images) {
      int patient = image.patientId();
      (test.contains(patient)
              ? testImages
              : validation.contains(patient) ? validationImages : trainImages)
          .add(image);
    }
    return new DataSplits(trainImages, validationImages, testImages);
  }

  /**
   * Keeps only images whose Data_Entry {@code View Position} is in {@code viewPositions} (e.g. PA,
   * AP; compared ignoring case).
   */
  public DataSplits filterViewPositions(DataSplits splits, Set<String> viewPositions) {
    Set<String> wanted = new HashSet<>();
    viewPositions.forEach(v -> wanted.add(v.toUpperCase(Locale.ROOT)));
    Function<List<LabeledImage>, List<LabeledImage>> keep =
        images ->
            images.stream()
                .filter(
                    image ->
                        wanted.contains(
                            entryByImage
                                .get(image.imageIndex())
                                .viewPosition()
                                .toUpperCase(Locale.ROOT)))
                .toList();
    return new DataSplits(
        keep.apply(splits.train()), keep.apply(splits.validation()), keep.apply(splits.test()));
  }

  /** How the labels of labelled list images agree with this dataset's Data_Entry file. */
  public ImageLists.LabelCheck compareLabels(List<ListedImage> images) {
    int compared = 0;
    int disagreeing = 0;
    List<String> examples = new ArrayList<>();
    for (ListedImage image : images) {
      DataEntry entry = entryByImage.get(image.imageIndex());
      if (image.labels() == null || entry == null) {
        continue;
      }
      compared++;
      if (!Arrays.equals(image.labels(), entry.labels())) {
        disagreeing++;
        if (examples.size() < 5) {
          examples.add(
              image.where()
                  + ": "
                  + image.imageIndex()
                  + ": list says "
                  + Labels.describe(image.labels())
                  + ", "
                  + csv.getFileName()
                  + " says "
                  + entry.findingLabels());
        }
      }
    }
    return new ImageLists.LabelCheck(compared, disagreeing, List.copyOf(examples));
  }

  private List<LabeledImage> labeled(List<ListedImage> listed, SplitPlan.LabelSource source) {
    List<LabeledImage> images = new ArrayList<>(listed.size());
    for (ListedImage image : listed) {
      DataEntry entry = entryByImage.get(image.imageIndex());
      if (entry == null) {
        throw noRow(image, csv);
      }
      float[] labels =
          source == SplitPlan.LabelSource.LIST && image.labels() != null
              ? image.labels()
              : entry.labels().clone();
      images.add(new LabeledImage(entry.imageIndex(), entry.patientId(), labels));
    }
    return images;
  }

  private static IllegalArgumentException noRow(ListedImage image, Path csv) {
    return new IllegalArgumentException(
        image.where() + ": image " + image.imageIndex() + " has no row in " + csv.getFileName());
  }

  private static List<Integer> patients(List<LabeledImage> images) {
    return images.stream().map(LabeledImage::patientId).toList();
  }

  /** The Data_Entry CSV, train_val_list.txt and test_list.txt. */
  @Override
  public List<Path> metadataFiles() {
    return List.of(csv, root.resolve(TRAIN_VAL_LIST), root.resolve(TEST_LIST));
  }

  /**
   * Data_Entry rows as records; lists that are null or absent leave the split out.
   *
   * @throws IllegalArgumentException "list:line: ..." for a listed image without a Data_Entry row
   */
  private static List<ImageRecord> records(
      Path csv, List<DataEntry> entries, Path trainValList, Path testList) throws IOException {
    Map<String, Split> splitOfImage = new HashMap<>();
    Set<String> known = new HashSet<>();
    entries.forEach(entry -> known.add(entry.imageIndex()));
    Map<Split, Path> lists = new EnumMap<>(Split.class);
    if (trainValList != null) {
      lists.put(Split.TRAIN, trainValList);
    }
    if (testList != null) {
      lists.put(Split.TEST, testList);
    }
    for (Map.Entry<Split, Path> list : lists.entrySet()) {
      if (!Files.isRegularFile(list.getValue())) {
        continue;
      }
      for (ListedImage image : ImageLists.read(list.getValue())) {
        if (!known.contains(image.imageIndex())) {
          throw noRow(image, csv);
        }
        splitOfImage.put(image.imageIndex(), list.getKey());
      }
    }
    List<ImageRecord> records = new ArrayList<>(entries.size());
    for (DataEntry entry : entries) {
      byte[] states = new byte[Finding.COUNT];
      for (int f = 0; f < Finding.COUNT; f++) {
        states[f] = (entry.labels()[f] != 0f ? LabelState.POSITIVE : LabelState.NEGATIVE).code();
      }
      records.add(
          new ImageRecord(
              entry.imageIndex(),
              entry.patientId(),
              Integer.toString(entry.patientId()),
              null,
              view(entry.viewPosition()),
              switch (entry.sex()) {
                case "M" -> Sex.MALE;
                case "F" -> Sex.FEMALE;
                default -> Sex.UNKNOWN;
              },
              entry.age(),
              states,
              splitOfImage.get(entry.imageIndex()),
              csv,
              0));
    }
    return records;
  }

  private static View view(String viewPosition) {
    return switch (viewPosition.toUpperCase(Locale.ROOT)) {
      case "PA" -> View.PA;
      case "AP" -> View.AP;
      default -> View.OTHER;
    };
  }

  /** ChestX-ray14's metadata: the Data_Entry file, required, and NIH's two lists. */
  private static final class Format implements DatasetFormat {
    private static final List<MetadataFile> FILES =
        List.of(
            new MetadataFile(
                List.of(DATA_ENTRY_CSV, OLD_DATA_ENTRY_CSV), true, "NIH's image labels"),
            new MetadataFile(
                List.of(TRAIN_VAL_LIST), false, "NIH's official train/validation list"),
            new MetadataFile(List.of(TEST_LIST), false, "NIH's official test list"));

    @Override
    public String name() {
      return NAME;
    }

    @Override
    public List<String> findings() {
      return Finding.labels();
    }

    @Override
    public List<MetadataFile> metadataFiles() {
      return FILES;
    }

    @Override
    public DatasetMetadata readMetadata(Path root) throws IOException {
      Path dir = root.toAbsolutePath().normalize();
      List<Path> located = DatasetMetadata.locate(this, dir);
      Path csv = located.get(0);
      return DatasetMetadata.of(
          this,
          dir,
          located,
          records(csv, DataEntryCsv.read(csv), located.get(1), located.get(2)),
          List.of());
    }

    @Override
    public void writeSynthetic(Path out, int images, int imageSize, long seed) throws IOException {
      SyntheticChestXray14.write(out, images, imageSize, seed);
    }

    /** {@link ChestXray14#open(Path)}: the images directory and both lists are required. */
    @Override
    public Dataset open(Path root) throws IOException {
      return ChestXray14.open(root);
    }
  }
}
