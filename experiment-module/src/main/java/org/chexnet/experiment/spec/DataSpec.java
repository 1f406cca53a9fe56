package org.chexnet.experiment.spec;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Where the images are, how they are split, filtered and shaped, and how the run checks that they
 * are the data the spec names. Paths are relative to the working directory.
 *
 * @param root a directory in NIH's ChestX-ray14 layout
 * @param split {@code official}: NIH's test list, validation carved by patient from train_val
 *     ({@code validation_fraction}); {@code lists}: three list files ({@code lists}); {@code
 *     patient_random}: patients shuffled with the seed and cut by {@code fractions}
 * @param validationFraction with {@code official}: the share of train_val's patients held out
 * @param viewPositions keep only images of these views (PA, AP); null keeps all
 * @param subsample keep about this share of each split's images, whole patients, every finding kept
 *     present; 1 keeps all
 * @param onBadImage a missing, truncated or undecodable image stops the run before training ({@code
 *     fail}) or is left out and listed in the run's {@code skipped-images.tsv} ({@code skip})
 * @param preparedCache {@code auto}: read batches from the cache {@code chexnet data prepare} built
 *     for this data and image size when there is one, else decode PNGs; {@code build}: build it
 *     first if missing; {@code none}: always decode PNGs
 * @param preparedCacheDir the cache root; null is {@code root/.chexnet-cache}
 * @param manifest the data manifest ({@code chexnet data snapshot}) the data must match; null uses
 *     {@code root/chexnet-manifest.json} when it exists
 * @param onDataMismatch when the data no longer matches the manifest: {@code fail} (refuse to
 *     start) or {@code warn} (run, recording the data's actual digest and the mismatch)
 * @param synthetic when set and {@code root} does not exist yet, a synthetic dataset is written
 *     there first
 */
public record DataSpec(
    String root,
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

  /** NIH's view positions, as Data_Entry spells them. */
  public static final Set<String> VIEW_POSITIONS = Set.of("PA", "AP");

  public DataSpec {
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
        throw new InvalidValue("view_positions", "must list at least one of PA, AP (or be null)");
      }
      Set<String> seen = new HashSet<>();
      for (String view : viewPositions) {
        if (!VIEW_POSITIONS.contains(view) || !seen.add(view)) {
          throw new InvalidValue(
              "view_positions",
              "must list distinct view positions from PA, AP, got " + viewPositions);
        }
      }
      viewPositions = List.copyOf(viewPositions);
    }
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

  /** A generated dataset in the ChestX-ray14 layout whose labels are learnable. */
  public record SyntheticSpec(
      @Default("1000") @Min(10) int images,
      @Default("128") @Min(32) int imageSize,
      @Default("7") long seed) {}
}
