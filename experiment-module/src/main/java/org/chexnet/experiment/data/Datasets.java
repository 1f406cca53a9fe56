package org.chexnet.experiment.data;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.InputFiles;
import org.chexnet.common.Reporter;
import org.chexnet.dataset.ChestXray14;
import org.chexnet.dataset.DataSplits;
import org.chexnet.dataset.Dataset;
import org.chexnet.dataset.DatasetSummary;
import org.chexnet.dataset.ImageRecord;
import org.chexnet.dataset.LabelPolicy;
import org.chexnet.dataset.Manifest;
import org.chexnet.dataset.NihDownload;
import org.chexnet.dataset.PreparedCache;
import org.chexnet.dataset.SplitPlan;
import org.chexnet.dataset.SyntheticChestXray14;
import org.chexnet.dataset.View;

/**
 * The dataset tasks of {@code chexnet data} and of a run: opening any dataset (bad metadata as
 * input to fix), splitting as a spec asks, summarising labels, building the prepared cache of data
 * that matches its manifest, writing synthetic data, fetching NIH's files.
 */
public final class Datasets {
  private Datasets() {}

  /**
   * Opens {@code root} as the dataset named {@code name}.
   *
   * @throws ChexnetException naming the unknown dataset, the missing metadata file, or the file,
   *     line and column of bad metadata
   */
  public static Dataset open(String name, Path root) throws IOException {
    return asInput(() -> org.chexnet.dataset.Datasets.open(name, root));
  }

  /**
   * Counts the labels of {@code root}'s metadata (no image read): what {@code chexnet data summary}
   * prints.
   *
   * @param policy also count the training labels it makes; null to leave that out
   * @throws ChexnetException as {@link #open}
   */
  public static DatasetSummary summary(String name, Path root, Set<View> views, LabelPolicy policy)
      throws IOException {
    if (!Files.isDirectory(root)) {
      throw ChexnetException.invalidInput(root + ": no such dataset directory");
    }
    return asInput(() -> DatasetSummary.read(name, root, views, policy));
  }

  /**
   * The views named by {@code names} (PA, AP, LATERAL, OTHER, UNKNOWN; any case); empty for null.
   *
   * @param key what a refusal names first, e.g. "--views: "
   */
  public static Set<View> views(Collection<String> names, String key) {
    Set<View> views = EnumSet.noneOf(View.class);
    if (names != null) {
      for (String name : names) {
        try {
          views.add(View.parse(name));
        } catch (IllegalArgumentException e) {
          throw ChexnetException.invalidInput(key + e.getMessage());
        }
      }
    }
    return views;
  }

  /**
   * Splits by patient with {@code policy}'s labels, then keeps only {@code views} (null: all) and a
   * {@code subsample} share of patients (1: all).
   *
   * @param key what a refusal names first, e.g. "data.split: "
   * @throws ChexnetException when a list names an unknown image, shares a patient, a patient is in
   *     two official splits, or the dataset cannot follow the plan
   */
  public static DataSplits split(
      Dataset data,
      SplitPlan plan,
      Collection<String> views,
      LabelPolicy policy,
      double subsample,
      long seed,
      String key)
      throws IOException {
    Set<View> kept = views(views, key);
    try {
      DataSplits splits = data.split(plan, seed, policy, kept);
      if (subsample < 1) {
        splits = splits.subsample(subsample, seed);
      }
      return splits;
    } catch (IllegalArgumentException e) {
      throw ChexnetException.invalidInput(key + e.getMessage());
    }
  }

  /**
   * Builds (or opens) the prepared cache of every image of {@code dir}, read as the dataset named
   * {@code name}, keyed by its manifest's digest: the data must match its manifest.
   *
   * @param cacheRoot null: {@code dir/}{@value PreparedCache#DEFAULT_DIR}
   */
  public static PreparedCache prepareCache(
      String name,
      Path dir,
      int imageSize,
      PreparedCache.OnBadImage onBadImage,
      Path cacheRoot,
      int threads,
      Reporter reporter)
      throws IOException {
    if (cacheRoot != null) {
      InputFiles.outputDirectory(cacheRoot, "--cache-dir");
    }
    Manifest manifest = Manifest.read(dir);
    Manifest.Report report = manifest.verify(dir, false, reporter);
    if (!report.matches()) {
      throw ChexnetException.checkFailed(
          dir
              + " no longer matches its manifest ("
              + report.describe(5).strip().replace('\n', ';')
              + "); run `chexnet data snapshot "
              + dir
              + "` if the change is intended");
    }
    Dataset data = open(name, dir);
    return PreparedCache.prepare(
        data,
        imageKeys(data),
        cacheRoot != null ? cacheRoot : data.root().resolve(PreparedCache.DEFAULT_DIR),
        manifest.digest(),
        imageSize,
        onBadImage,
        threads,
        reporter);
  }

  /** Every image of the dataset, in metadata order: what a prepared cache holds. */
  public static List<String> imageKeys(Dataset data) throws IOException {
    return data.images().stream().map(ImageRecord::image).toList();
  }

  /**
   * Writes a synthetic dataset in {@code name}'s exact layout to {@code out} (new or empty), the
   * same seed giving the same files.
   */
  public static void writeSynthetic(
      String name, Path out, int images, int imageSize, long seed, Reporter reporter)
      throws IOException {
    asInput(
        () -> {
          if (name.equals(ChestXray14.NAME)) {
            SyntheticChestXray14.write(out, images, imageSize, seed, reporter);
          } else {
            org.chexnet.dataset.Datasets.named(name).writeSynthetic(out, images, imageSize, seed);
          }
          return null;
        });
  }

  private interface DatasetCall<T> {
    T call() throws IOException;
  }

  /** The dataset readers' refusals (a missing file, bad metadata) as input the user must fix. */
  private static <T> T asInput(DatasetCall<T> call) throws IOException {
    try {
      return call.call();
    } catch (NoSuchFileException e) {
      throw ChexnetException.invalidInput(
          e.getReason() != null ? e.getFile() + ": " + e.getReason() : e.getFile() + ": not found");
    } catch (IllegalArgumentException e) {
      throw ChexnetException.invalidInput(e.getMessage());
    }
  }

  /**
   * Fetches NIH's files (all, or the named ones) into {@code out}; an interrupted transfer resumes.
   *
   * @param baseUrl a mirror holding every file as URL/NAME; null: NIH's links
   * @param checksums a sha256sum-style file of expected hashes; may be null
   * @param only the files to fetch; null: all
   */
  public static NihDownload.Outcome download(
      Path out,
      URI baseUrl,
      Path checksums,
      List<String> only,
      boolean keepArchives,
      int attempts,
      Duration stallTimeout,
      Reporter reporter)
      throws IOException {
    if (stallTimeout.toSeconds() < 1) {
      throw ChexnetException.invalidInput("--stall-timeout must be at least 1 second");
    }
    InputFiles.outputDirectory(out, "--out");
    Map<String, String> sums = checksums == null ? Map.of() : readChecksums(checksums);
    List<NihDownload.RemoteFile> files = new ArrayList<>(NihDownload.nihFiles(baseUrl, sums));
    if (only != null) {
      Set<String> known = new TreeSet<>();
      files.forEach(f -> known.add(f.name()));
      for (String name : only) {
        if (!known.contains(name)) {
          throw ChexnetException.invalidInput(
              "--only: unknown file " + name + ", expected one of " + known);
        }
      }
      files.removeIf(f -> !only.contains(f.name()));
    }
    Files.createDirectories(out);
    return new NihDownload(attempts, stallTimeout, reporter).fetch(files, out, keepArchives);
  }

  private static Map<String, String> readChecksums(Path file) {
    InputFiles.file(file, "--checksums");
    try {
      return NihDownload.readChecksums(file);
    } catch (IllegalArgumentException e) {
      throw ChexnetException.invalidInput(e.getMessage()); // already "file:line: ..."
    } catch (IOException e) {
      throw InputFiles.unreadable(file, "--checksums", e);
    }
  }
}
