package org.chexnet.experiment.data;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.InputFiles;
import org.chexnet.common.Reporter;
import org.chexnet.dataset.ChestXray14;
import org.chexnet.dataset.DataEntry;
import org.chexnet.dataset.DataSplits;
import org.chexnet.dataset.Manifest;
import org.chexnet.dataset.NihDownload;
import org.chexnet.dataset.PreparedCache;
import org.chexnet.dataset.SplitPlan;

/**
 * The dataset tasks of {@code chexnet data} and of a run: splitting as a spec asks, building the
 * prepared cache of data that matches its manifest, fetching NIH's files.
 */
public final class Datasets {
  private Datasets() {}

  /**
   * Splits by patient, then keeps only {@code views} (null: all) and a {@code subsample} share of
   * patients (1: all).
   *
   * @param key what a refusal names first, e.g. "data.split: "
   * @throws ChexnetException when a list names an unknown image, shares a patient, or a filter
   *     leaves a split without a class
   */
  public static DataSplits split(
      ChestXray14 data,
      SplitPlan plan,
      Collection<String> views,
      double subsample,
      long seed,
      String key)
      throws IOException {
    try {
      DataSplits splits = data.split(plan, seed);
      if (views != null) {
        splits = data.filterViewPositions(splits, new LinkedHashSet<>(views));
      }
      if (subsample < 1) {
        splits = splits.subsample(subsample, seed);
      }
      return splits;
    } catch (IllegalArgumentException e) {
      throw ChexnetException.invalidInput(key + e.getMessage());
    }
  }

  /**
   * Builds (or opens) the prepared cache of every Data_Entry image of {@code dir}, keyed by its
   * manifest's digest: the data must match its manifest.
   *
   * @param cacheRoot null: {@code dir/}{@value PreparedCache#DEFAULT_DIR}
   */
  public static PreparedCache prepareCache(
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
    ChestXray14 data = ChestXray14.open(dir);
    return PreparedCache.prepare(
        data,
        data.entries().stream().map(DataEntry::imageIndex).toList(),
        cacheRoot != null ? cacheRoot : data.root().resolve(PreparedCache.DEFAULT_DIR),
        manifest.digest(),
        imageSize,
        onBadImage,
        threads,
        reporter);
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
