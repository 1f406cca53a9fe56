package org.chexnet.experiment.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.FileTrees;
import org.chexnet.common.Reporter;
import org.chexnet.dataset.BatchLoader;
import org.chexnet.dataset.ChestXray14;
import org.chexnet.dataset.DataEntry;
import org.chexnet.dataset.DataSplits;
import org.chexnet.dataset.DatasetDigest;
import org.chexnet.dataset.Finding;
import org.chexnet.dataset.ImageDecoder;
import org.chexnet.dataset.LabeledImage;
import org.chexnet.dataset.Manifest;
import org.chexnet.dataset.PreparedCache;
import org.chexnet.dataset.SplitPlan;
import org.chexnet.dataset.SyntheticChestXray14;
import org.chexnet.evaluation.card.ModelCard;
import org.chexnet.experiment.data.Datasets;
import org.chexnet.experiment.spec.DataSpec;
import org.chexnet.tracking.Run;

/**
 * Makes a spec's data section ready for a run, before anything is recorded: writes the synthetic
 * dataset when asked, checks the data against its manifest (refusing a mismatch unless {@code
 * data.on_data_mismatch: warn}), splits, filters and subsamples, finds bad images (failing or
 * leaving them out), and opens or builds the prepared cache. {@link Prepared} then records all of
 * it in the run and builds the batch loaders.
 */
final class DataPreparation {
  static final String SPLITS_ARTIFACT = "splits.md";
  static final String SKIPPED_ARTIFACT = "skipped-images.tsv";

  private final Reporter reporter;
  private final Path workDir;

  DataPreparation(Reporter reporter, Path workDir) {
    this.reporter = reporter;
    this.workDir = workDir;
  }

  /**
   * @throws ChexnetException for anything the user must fix (a missing root, manifest or list, a
   *     list naming an unknown image or sharing a patient), or, as a failed check, data that no
   *     longer matches its manifest or a bad image under {@code on_bad_image: fail}
   */
  Prepared prepare(DataSpec d, long seed) throws IOException {
    Path root = workDir.resolve(d.root()).toAbsolutePath().normalize();
    writeSyntheticIfAsked(d, root);
    if (!Files.isDirectory(root)) {
      throw ChexnetException.invalidInput(
          "data.root: "
              + root
              + " does not exist; put ChestX-ray14 there (images/, "
              + "Data_Entry_2017_v2020.csv, train_val_list.txt, test_list.txt) or add data.synthetic to generate one");
    }
    Map<String, String> tags = new LinkedHashMap<>();
    ManifestCheck manifest = checkManifest(d, root, tags);
    ChestXray14 data = ChestXray14.open(root);

    DataSplits splits =
        Datasets.split(data, plan(d), d.viewPositions(), d.subsample(), seed, "data.split: ");

    PreparedCache cache = openCache(d, root, data, manifest);
    Map<String, String> bad = badImages(splits, data, cache);
    if (!bad.isEmpty()) {
      if (d.onBadImage() == DataSpec.OnBadImage.FAIL) {
        StringBuilder message =
            new StringBuilder(bad.size() + " image(s) of the splits cannot be used: ");
        bad.entrySet().stream()
            .limit(5)
            .forEach(
                e ->
                    message
                        .append(data.imagePath(e.getKey()))
                        .append(": ")
                        .append(e.getValue())
                        .append("; "));
        throw ChexnetException.checkFailed(
            message
                + (bad.size() > 5 ? "... ; " : "")
                + "fix or restore them, or set data.on_bad_image: skip to leave them out");
      }
      splits = splits.without(bad.keySet());
      reporter.info(
          String.format(
              "Skipping %d unusable image(s) (data.on_bad_image: skip), listed in %s",
              bad.size(), SKIPPED_ARTIFACT));
    }

    String digest = manifest.digest();
    if (digest == null) {
      reporter.info(
          "Note: no data manifest; recording a digest of the files this run reads. Run `chexnet data snapshot "
              + root
              + "` to version the data and have runs check it.");
      digest = DatasetDigest.of(data, splits.imageIndexes());
    }
    tags.put("chexnet.data.split", d.split().name().toLowerCase(java.util.Locale.ROOT));
    tags.put(
        "chexnet.data.source", cache != null ? "prepared " + cache.directory() : "png decoding");
    tags.put("chexnet.data.skipped_images", String.valueOf(bad.size()));
    Prepared prepared =
        new Prepared(d, data, splits, digest, cache, Map.copyOf(bad), tags, manifest.describe());
    reporter.info((prepared.summary()).stripTrailing());
    reporter.info((splits.prevalenceTable()).stripTrailing());
    return prepared;
  }

  private void writeSyntheticIfAsked(DataSpec d, Path root) throws IOException {
    if (!Files.exists(root) && d.synthetic() != null) {
      DataSpec.SyntheticSpec s = d.synthetic();
      reporter.info(
          String.format(
              "Writing a synthetic ChestX-ray14 dataset (%d images, %dx%d) to %s",
              s.images(), s.imageSize(), s.imageSize(), root));
      // Written aside and renamed into place: trials of a sweep starting together may race here,
      // and none may read a half-written dataset.
      Path parent = root.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path partial = Files.createTempDirectory(parent, ".synthetic-");
      SyntheticChestXray14.write(partial, s.images(), s.imageSize(), s.seed());
      try {
        Files.move(partial, root, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        FileTrees.delete(partial);
        if (!Files.isDirectory(root)) {
          throw e;
        } // else another process wrote the same dataset first
      }
    }
  }

  /** What the manifest said about the data; digest is null without a manifest. */
  private record ManifestCheck(Path file, String digest, boolean matches) {
    String describe() {
      if (file == null) {
        return "no manifest";
      }
      return "manifest " + file + (matches ? " (matches)" : " (DOES NOT MATCH; recorded anyway)");
    }
  }

  private ManifestCheck checkManifest(DataSpec d, Path root, Map<String, String> tags)
      throws IOException {
    Path file;
    if (d.manifest() != null) {
      file = workDir.resolve(d.manifest()).toAbsolutePath().normalize();
      if (Files.isDirectory(file)) {
        file = file.resolve(Manifest.FILE_NAME);
      }
      if (!Files.isRegularFile(file)) {
        throw ChexnetException.invalidInput(
            "data.manifest: "
                + file
                + " does not exist; write one with `chexnet data snapshot "
                + root
                + "`");
      }
    } else {
      file = root.resolve(Manifest.FILE_NAME);
      if (!Files.isRegularFile(file)) {
        return new ManifestCheck(null, null, false);
      }
    }
    Manifest manifest = Manifest.readFile(file);
    Manifest.Report report = manifest.verify(root, false);
    tags.put("chexnet.data.manifest", file.toString());
    if (report.matches()) {
      return new ManifestCheck(file, manifest.digest(), true);
    }
    String problems = report.describe(5).strip().replace("\n", "; ");
    if (d.onDataMismatch() == DataSpec.OnDataMismatch.FAIL) {
      throw ChexnetException.checkFailed(
          "data.root: "
              + root
              + " no longer matches its manifest "
              + file
              + " ("
              + manifest.digest()
              + "): "
              + problems
              + ". Run `chexnet data verify "
              + root
              + "` for the full list; if the change is intended, run `chexnet data snapshot "
              + root
              + "` and commit the manifest; to run on the changed data anyway, set"
              + " data.on_data_mismatch: warn (or --set data.on_data_mismatch=warn)");
    }
    reporter.warn(
        String.format(
            "%s no longer matches its manifest %s (%s): %s; running on it anyway"
                + " (data.on_data_mismatch: warn) and recording its actual digest %s",
            root, file, manifest.digest(), problems, report.actualDigest()));
    tags.put("chexnet.data.manifest_digest", manifest.digest());
    tags.put("chexnet.data.manifest_mismatch", problems);
    return new ManifestCheck(file, report.actualDigest(), false);
  }

  private SplitPlan plan(DataSpec d) {
    return switch (d.split()) {
      case OFFICIAL -> new SplitPlan.Official(d.validationFraction());
      case LISTS ->
          new SplitPlan.Lists(
              existingList(d.lists().train(), "train"),
              existingList(d.lists().validation(), "validation"),
              existingList(d.lists().test(), "test"),
              d.lists().labels() == DataSpec.ListsSpec.LabelSource.LIST
                  ? SplitPlan.LabelSource.LIST
                  : SplitPlan.LabelSource.DATA_ENTRY);
      case PATIENT_RANDOM ->
          new SplitPlan.PatientRandom(
              d.fractions().train(), d.fractions().validation(), d.fractions().test());
    };
  }

  private Path existingList(String list, String key) {
    Path path = workDir.resolve(list).toAbsolutePath().normalize();
    if (!Files.isRegularFile(path)) {
      throw ChexnetException.invalidInput("data.lists." + key + ": " + path + " does not exist");
    }
    return path;
  }

  /**
   * The prepared cache for exactly this data and image size, or null to decode PNGs. Only data that
   * matches its manifest has one: the cache is keyed by the manifest digest.
   */
  private PreparedCache openCache(DataSpec d, Path root, ChestXray14 data, ManifestCheck manifest)
      throws IOException {
    if (d.preparedCache() == DataSpec.PreparedCacheUse.NONE) {
      return null;
    }
    Path cacheRoot =
        d.preparedCacheDir() != null
            ? workDir.resolve(d.preparedCacheDir())
            : root.resolve(PreparedCache.DEFAULT_DIR);
    if (!manifest.matches()) {
      if (d.preparedCache() == DataSpec.PreparedCacheUse.BUILD) {
        throw ChexnetException.invalidInput(
            "data.prepared_cache: build needs data that matches a manifest (the cache is keyed by"
                + " its digest): run `chexnet data snapshot "
                + root
                + "` first");
      }
      return null;
    }
    Path dir = PreparedCache.directory(cacheRoot, manifest.digest(), d.imageSize());
    if (Files.isRegularFile(dir.resolve("meta.json"))) {
      return PreparedCache.open(cacheRoot, manifest.digest(), d.imageSize());
    }
    if (d.preparedCache() == DataSpec.PreparedCacheUse.AUTO) {
      return null;
    }
    reporter.info(
        String.format("Preparing the image cache (every Data_Entry image, once) in %s", dir));
    return PreparedCache.prepare(
        data,
        data.entries().stream().map(DataEntry::imageIndex).toList(),
        cacheRoot,
        manifest.digest(),
        d.imageSize(),
        d.onBadImage() == DataSpec.OnBadImage.SKIP
            ? PreparedCache.OnBadImage.SKIP
            : PreparedCache.OnBadImage.FAIL,
        Runtime.getRuntime().availableProcessors(),
        reporter);
  }

  /**
   * Split images that cannot be used, name to reason: from the cache, those it skipped when it was
   * prepared (it decoded every image); without one, those failing {@link
   * ImageDecoder#structuralProblem} (missing, empty, truncated, not PNG), checked on all cores.
   */
  private Map<String, String> badImages(DataSplits splits, ChestXray14 data, PreparedCache cache) {
    List<String> names = splits.imageIndexes();
    Map<String, String> bad = new TreeMap<>();
    if (cache != null) {
      for (String name : names) {
        String reason = cache.skipped().get(name);
        if (reason != null) {
          bad.put(name, reason + " (skipped when the cache was prepared)");
        } else if (!cache.contains(name)) {
          throw ChexnetException.invalidInput(
              "image "
                  + name
                  + " is not in the prepared cache "
                  + cache.directory()
                  + "; delete that directory to rebuild it, or set data.prepared_cache: none");
        }
      }
      return bad;
    }
    Map<String, String> found = new ConcurrentSkipListMap<>();
    try (Reporter.Task bar = reporter.task("Checking images", names.size(), Reporter.Unit.IMAGES)) {
      names.parallelStream()
          .forEach(
              name -> {
                String problem = ImageDecoder.structuralProblem(data.imagePath(name));
                if (problem != null) {
                  found.put(name, problem);
                }
                bar.step();
              });
    }
    return found;
  }

  /** The data of one run: its splits, digest and image source. */
  static final class Prepared {
    private final DataSpec spec;
    private final ChestXray14 data;
    private final DataSplits splits;
    private final String digest;
    private final PreparedCache cache;
    private final Map<String, String> skipped;
    private final Map<String, String> tags;
    private final String manifest;

    private Prepared(
        DataSpec spec,
        ChestXray14 data,
        DataSplits splits,
        String digest,
        PreparedCache cache,
        Map<String, String> skipped,
        Map<String, String> tags,
        String manifest) {
      this.spec = spec;
      this.data = data;
      this.splits = splits;
      this.digest = digest;
      this.cache = cache;
      this.skipped = skipped;
      this.tags = tags;
      this.manifest = manifest;
    }

    DataSplits splits() {
      return splits;
    }

    /** The manifest's digest when the data matches it, else a digest of the data as it is. */
    String digest() {
      return digest;
    }

    /** The per-image metadata subgroups are read from: the Data_Entry file. */
    Path imageMetadataFile() {
      return data.metadataFiles().get(0); // ChestXray14 lists Data_Entry first, then its lists
    }

    /** {@code images} of one split, as the model card describes them. */
    ModelCard.Data cardData(String splitName, List<LabeledImage> images) {
      return new ModelCard.Data(
          (spec.synthetic() != null
                  ? "Synthetic images in ChestX-ray14's layout (data.synthetic)"
                  : "NIH ChestX-ray14")
              + " at "
              + data.root()
              + ", "
              + splitName
              + " split",
          images.size(),
          OptionalInt.of(
              (int) images.stream().mapToInt(LabeledImage::patientId).distinct().count()),
          digest,
          describeSplit());
    }

    /**
     * Batches of {@code images} from the prepared cache when there is one (then {@code
     * cacheInMemory} is moot: the cache is memory-mapped), else decoded from the PNGs.
     */
    BatchLoader loader(
        List<LabeledImage> images,
        int batchSize,
        boolean shuffle,
        boolean flip,
        boolean cacheInMemory,
        long seed) {
      BatchLoader.Builder builder =
          BatchLoader.builder(images)
              .batchSize(batchSize)
              .shuffle(shuffle)
              .flip(flip)
              .seed(seed)
              .threads(spec.loaderThreads());
      if (cache != null) {
        builder.prepared(cache);
      } else {
        builder.decode(data, spec.imageSize()).cacheInMemory(cacheInMemory);
      }
      return builder.build();
    }

    /** Tags, {@value #SPLITS_ARTIFACT} and (with skip) {@value #SKIPPED_ARTIFACT}. */
    void record(Run run) throws IOException {
      run.setTags(tags);
      run.writeArtifact(SPLITS_ARTIFACT, markdown().getBytes(StandardCharsets.UTF_8));
      if (spec.onBadImage() == DataSpec.OnBadImage.SKIP) {
        StringBuilder tsv = new StringBuilder("image\treason\n");
        skipped.forEach(
            (name, reason) ->
                tsv.append(name)
                    .append('\t')
                    .append(reason.replace('\t', ' ').replace('\n', ' '))
                    .append('\n'));
        run.writeArtifact(SKIPPED_ARTIFACT, tsv.toString().getBytes(StandardCharsets.UTF_8));
      }
    }

    String summary() {
      StringBuilder s = new StringBuilder();
      s.append(String.format("Data: %s, %s, digest %s%n", data.root(), manifest, digest));
      s.append("Split: ").append(describeSplit());
      s.append(
          String.format(
              "; train %d, validation %d, test %d images%n",
              splits.train().size(), splits.validation().size(), splits.test().size()));
      s.append(
          String.format(
              "Images: %s at %dpx; %d skipped%n",
              cache != null ? "prepared cache " + cache.directory() : "decoded from PNG",
              spec.imageSize(),
              skipped.size()));
      return s.toString();
    }

    String describeSplit() {
      String split =
          switch (spec.split()) {
            case OFFICIAL ->
                "official (NIH's test list; validation "
                    + spec.validationFraction()
                    + " of train_val's patients)";
            case LISTS ->
                "lists (train "
                    + spec.lists().train()
                    + ", validation "
                    + spec.lists().validation()
                    + ", test "
                    + spec.lists().test()
                    + "; "
                    + spec.lists().labels().name().toLowerCase(java.util.Locale.ROOT)
                    + " labels)";
            case PATIENT_RANDOM ->
                "patient_random (train "
                    + spec.fractions().train()
                    + ", validation "
                    + spec.fractions().validation()
                    + ", test "
                    + spec.fractions().test()
                    + " of the patients)";
          };
      if (spec.viewPositions() != null) {
        split += ", views " + String.join("/", spec.viewPositions());
      }
      if (spec.subsample() < 1) {
        split += ", subsample " + spec.subsample();
      }
      return split;
    }

    /** Per split: images, patients and each finding's positives and share. */
    String markdown() {
      Map<String, List<LabeledImage>> byName = splits.byName();
      Map<String, double[]> shares = splits.prevalence();
      StringBuilder md = new StringBuilder("# Data splits\n\n");
      md.append(summary().replace("\n", "  \n")).append('\n');
      md.append("| | ").append(String.join(" | ", byName.keySet())).append(" |\n");
      md.append("| --- |").append(" ---: |".repeat(byName.size())).append('\n');
      md.append("| images |");
      byName.values().forEach(images -> md.append(' ').append(images.size()).append(" |"));
      md.append("\n| patients |");
      byName
          .values()
          .forEach(
              images ->
                  md.append(' ')
                      .append(images.stream().mapToInt(LabeledImage::patientId).distinct().count())
                      .append(" |"));
      md.append('\n');
      for (Finding finding : Finding.values()) {
        md.append("| ").append(finding.label()).append(" |");
        byName.forEach(
            (name, images) -> {
              double share = shares.get(name)[finding.ordinal()];
              md.append(
                  String.format(" %d (%.2f%%) |", Math.round(share * images.size()), 100 * share));
            });
        md.append('\n');
      }
      return md.toString();
    }
  }
}
