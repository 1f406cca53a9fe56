package org.chexnet.experiment.spec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.chexnet.dataset.ChestXray14;
import org.chexnet.dataset.DatasetFormat;
import org.chexnet.dataset.Datasets;
import org.chexnet.dataset.HarmonisedFindings;
import org.chexnet.dataset.LabelPolicy;
import org.chexnet.dataset.ModelFindings;
import org.chexnet.dataset.View;

/**
 * Where the images are, which dataset they are, how they are split, filtered, labelled and shaped,
 * and how the run checks that they are the data the spec names. Paths are relative to the working
 * directory.
 *
 * @param root the dataset directory (required unless {@code sources} lists several)
 * @param dataset which dataset {@code root} is: {@code chestxray14} (the default), {@code
 *     chexpert}, {@code mimic_cxr_jpg} or {@code padchest} (docs/datasets.md); null with {@code
 *     sources}
 * @param uncertain what an uncertain label ({@code -1.0}) becomes: {@code ignore} (masked out of
 *     the loss and that class's AUROC), {@code zeros} or {@code ones}
 * @param missing what a missing (blank) label becomes: {@code negative} or {@code ignore} (masked)
 * @param sources several datasets trained on together, labels over their harmonised findings, a
 *     finding a source lacks masked for its images; null for one dataset ({@code root}, {@code
 *     dataset})
 * @param split {@code official}: the dataset's own split, a missing validation (NIH) or test
 *     (CheXpert) split carved by patient from train ({@code validation_fraction}); {@code lists}:
 *     three ChestX-ray14 list files ({@code lists}); {@code patient_random}: patients shuffled with
 *     the seed and cut by {@code fractions}
 * @param validationFraction with {@code official}: the share of train's patients held out
 * @param viewPositions keep only images of these views (PA, AP, LATERAL, OTHER, UNKNOWN); null
 *     keeps all
 * @param subsample keep about this share of each split's images, whole patients, every finding kept
 *     present; 1 keeps all
 * @param onBadImage a missing, truncated or undecodable image stops the run before training ({@code
 *     fail}) or is left out and listed in the run's {@code skipped-images.tsv} ({@code skip})
 * @param preparedCache {@code auto}: read batches from the cache {@code chexnet data prepare} built
 *     for this data and image size when there is one, else decode images; {@code build}: build it
 *     first if missing; {@code none}: always decode images
 * @param preparedCacheDir the cache root; null is {@code root/.chexnet-cache} (each source's own)
 * @param manifest the data manifest ({@code chexnet data snapshot}) the data must match; null uses
 *     {@code root/chexnet-manifest.json} when it exists
 * @param onDataMismatch when the data no longer matches the manifest: {@code fail} (refuse to
 *     start) or {@code warn} (run, recording the data's actual digest and the mismatch)
 * @param synthetic when set and {@code root} does not exist yet, a synthetic dataset of {@code
 *     dataset}'s layout is written there first
 */
public record DataSpec(
    @Default("null") String root,
    @Default("null") String dataset,
    @Default("ignore") LabelPolicy.Uncertain uncertain,
    @Default("negative") LabelPolicy.Missing missing,
    @Default("null") List<SourceSpec> sources,
    @Default("official") Split split,
    @Default("0.1") @Range(min = 0, max = 1) double validationFraction,
    @Default("null") ListsSpec lists,
    @Default("null") FractionsSpec fractions,
    @Default("null") List<String> viewPositions,
    @Default("1") @Range(min = 0, max = 1, maxInclusive = true) double subsample,
    @Default("fail") OnBadImage onBadImage,
    @Default("224") @Min(32) int imageSize,
    @Default("null") SyntheticSpec synthetic,
    @Default("false") boolean cacheInMemory,
    @Default("auto") PreparedCacheUse preparedCache,
    @Default("null") String preparedCacheDir,
    @Default("null") String manifest,
    @Default("fail") OnDataMismatch onDataMismatch,
    @Default("2") @Min(1) int loaderThreads) {

  /** The views a filter may keep ({@link View}'s names). */
  public static final List<String> VIEW_POSITIONS =
      Arrays.stream(View.values()).map(View::name).toList();

  public DataSpec {
    if (sources == null) {
      if (root == null) {
        throw new InvalidValue(
            "root",
            "is required: the dataset directory (or list several datasets under data.sources)");
      }
      dataset = dataset == null ? Datasets.DEFAULT : requireDataset("dataset", dataset);
    } else {
      for (String key : new String[] {"root", "dataset", "synthetic", "manifest"}) {
        Object value =
            switch (key) {
              case "root" -> root;
              case "dataset" -> dataset;
              case "synthetic" -> synthetic;
              default -> manifest;
            };
        if (value != null) {
          throw new InvalidValue(
              key, "belongs to each source when data.sources lists the datasets");
        }
      }
      if (sources.size() < 2) {
        throw new InvalidValue(
            "sources",
            "must list at least two datasets (one dataset is data.root with data.dataset)");
      }
      Set<String> seen = new HashSet<>();
      for (SourceSpec source : sources) {
        if (!seen.add(source.dataset())) {
          throw new InvalidValue("sources", "lists " + source.dataset() + " twice");
        }
      }
      sources = List.copyOf(sources);
    }
    if (split == Split.LISTS && !ChestXray14.NAME.equals(dataset)) {
      throw new InvalidValue(
          "split",
          "lists name ChestX-ray14 image files; "
              + (dataset == null ? "several datasets" : dataset)
              + " splits by official or patient_random");
    }
    requireOnlyWith(
        split, Split.LISTS, lists, "lists", "{train: FILE, validation: FILE, test: FILE}");
    requireOnlyWith(
        split,
        Split.PATIENT_RANDOM,
        fractions,
        "fractions",
        "{train: 0.7, validation: 0.1, test: 0.2}");
    if (viewPositions != null) {
      if (viewPositions.isEmpty()) {
        throw new InvalidValue(
            "view_positions",
            "must list at least one of " + String.join(", ", VIEW_POSITIONS) + " (or be null)");
      }
      Set<String> seen = new HashSet<>();
      for (String view : viewPositions) {
        if (!VIEW_POSITIONS.contains(view) || !seen.add(view)) {
          throw new InvalidValue(
              "view_positions",
              "must list distinct view positions from "
                  + String.join(", ", VIEW_POSITIONS)
                  + ", got "
                  + viewPositions);
        }
      }
      viewPositions = List.copyOf(viewPositions);
    }
  }

  /**
   * What the run's network predicts: the dataset's findings, or over several sources the union of
   * their harmonised findings (docs/datasets.md).
   */
  public ModelFindings findings() {
    if (sources == null) {
      return new ModelFindings(dataset, Datasets.named(dataset).findings());
    }
    List<String> names = new ArrayList<>();
    List<List<String>> findings = new ArrayList<>();
    for (SourceSpec source : sources) {
      DatasetFormat format = Datasets.named(source.dataset());
      names.add(format.name());
      findings.add(format.findings());
    }
    return new ModelFindings(
        HarmonisedFindings.HARMONISED, HarmonisedFindings.union(names, findings));
  }

  /** The label policy of {@code uncertain} and {@code missing}. */
  public LabelPolicy labelPolicy() {
    return new LabelPolicy(uncertain, missing);
  }

  /** One source of several: each names its dataset and directory, and may generate it. */
  public record SourceSpec(
      String dataset,
      String root,
      @Default("null") SyntheticSpec synthetic,
      @Default("null") String manifest) {
    public SourceSpec {
      requireDataset("dataset", dataset);
    }
  }

  private static String requireDataset(String key, String name) {
    if (!Datasets.names().contains(name)) {
      throw new InvalidValue(
          key, "must be one of " + String.join(", ", Datasets.names()) + ", got \"" + name + "\"");
    }
    return name;
  }

  /** {@code key} is required with split {@code owner} and meaningless (so refused) otherwise. */
  private static void requireOnlyWith(
      Split split, Split owner, Object value, String key, String example) {
    if (split == owner && value == null) {
      throw new InvalidValue(
          key, "is required when split is " + owner.specName() + " (e.g. " + example + ")");
    }
    if (split != owner && value != null) {
      throw new InvalidValue(
          key,
          "is only used when split is " + owner.specName() + ", but split is " + split.specName());
    }
  }

  public enum Split {
    OFFICIAL,
    LISTS,
    PATIENT_RANDOM;

    String specName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public enum OnBadImage {
    FAIL,
    SKIP
  }

  public enum PreparedCacheUse {
    AUTO,
    BUILD,
    /** Not "off": YAML 1.1 reads a bare off as false. */
    NONE
  }

  public enum OnDataMismatch {
    FAIL,
    WARN
  }

  /**
   * Train, validation and test list files: NIH-style plain names or the CheXNet reproductions'
   * {@code name l1 ... l14}; {@code labels} says whose labels a labelled list's images get.
   */
  public record ListsSpec(
      String train, String validation, String test, @Default("data_entry") LabelSource labels) {

    public enum LabelSource {
      /** The dataset's Data_Entry file, as every other split uses. */
      DATA_ENTRY,
      /** The list's own columns, to score exactly as the list's authors did. */
      LIST
    }
  }

  /** Shares of the patients for each split; they must sum to 1. */
  public record FractionsSpec(
      @Range(min = 0, max = 1, minInclusive = true) double train,
      @Range(min = 0, max = 1, minInclusive = true) double validation,
      @Range(min = 0, max = 1, minInclusive = true) double test) {

    public FractionsSpec {
      if (Math.abs(train + validation + test - 1) > 1e-6) {
        throw new InvalidValue(
            "test",
            "must make train + validation + test sum to 1, got "
                + train
                + " + "
                + validation
                + " + "
                + test
                + " = "
                + Math.round((train + validation + test) * 1e6) / 1e6);
      }
    }
  }

  /**
   * A generated dataset in its dataset's exact layout (docs/datasets.md) whose labels are
   * learnable: each finding draws its own shape (ChestX-ray14's shapes, by the harmonised table).
   */
  public record SyntheticSpec(
      @Default("1000") @Min(10) int images,
      @Default("128") @Min(32) int imageSize,
      @Default("7") long seed) {}
}
