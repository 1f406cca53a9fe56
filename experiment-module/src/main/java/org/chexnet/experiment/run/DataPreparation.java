package org.chexnet.experiment.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Collectors;
import org.chexnet.common.AtomicFiles;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.Hashes;
import org.chexnet.common.Reporter;
import org.chexnet.dataset.BatchLoader;
import org.chexnet.dataset.ChestXray14;
import org.chexnet.dataset.DataSplits;
import org.chexnet.dataset.Dataset;
import org.chexnet.dataset.DatasetDigest;
import org.chexnet.dataset.ImageDecoder;
import org.chexnet.dataset.ImageRecord;
import org.chexnet.dataset.LabeledImage;
import org.chexnet.dataset.Manifest;
import org.chexnet.dataset.MetadataFile;
import org.chexnet.dataset.ModelFindings;
import org.chexnet.dataset.MultiSource;
import org.chexnet.dataset.PreparedCache;
import org.chexnet.dataset.SplitPlan;
import org.chexnet.evaluation.card.ModelCard;
import org.chexnet.experiment.data.Datasets;
import org.chexnet.experiment.data.ImageMetadataCsv;
import org.chexnet.experiment.spec.DataSpec;
import org.chexnet.tracking.DatasetInput;
import org.chexnet.tracking.Run;

/**
 * Makes a spec's data section ready for a run, before anything is recorded: for each dataset (one,
 * or each of {@code data.sources}) writes the synthetic dataset when asked, checks the data against
 * its manifest (refusing a mismatch unless {@code data.on_data_mismatch: warn}), splits with the
 * label policy, filters and subsamples, finds bad images (failing or leaving them out), and opens
 * or builds the prepared cache; several sources are then joined over their harmonised findings.
 * {@link Prepared} records all of it in the run and builds the batch loaders.
 */
final class DataPreparation {
  static final String SPLITS_ARTIFACT = "splits.md";
  static final String SKIPPED_ARTIFACT = "skipped-images.tsv";
  static final String IMAGE_METADATA_ARTIFACT = "image-metadata.csv";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Reporter reporter;
  private final Path workDir;

  DataPreparation(Reporter reporter, Path workDir) {
    this.reporter = reporter;
    this.workDir = workDir;
  }

  /**
   * @throws ChexnetException for anything the user must fix (a missing root, manifest or list, bad
   *     metadata, a list naming an unknown image or sharing a patient), or, as a failed check, data
   *     that no longer matches its manifest or a bad image under {@code on_bad_image: fail}
   */
  Prepared prepare(DataSpec d, long seed) throws IOException {
    boolean several = d.sources() != null;
    List<DataSpec.SourceSpec> specs =
        several
            ? d.sources()
            : List.of(new DataSpec.SourceSpec(d.dataset(), d.root(), d.synthetic(), d.manifest()));
    Map<String, String> tags = new LinkedHashMap<>();
    List<Source> sources = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      String key = several ? "data.sources[" + i + "]." : "data.";
      String tagPrefix = several ? "chexnet.data." + specs.get(i).dataset() + "." : "chexnet.data.";
      sources.add(prepareSource(d, specs.get(i), key, tagPrefix, seed, tags));
    }

    ModelFindings findings = d.findings();
    DataSplits splits;
    String digest;
    if (several) {
      splits =
          MultiSource.assemble(
              sources.stream().map(s -> new MultiSource.Source(s.data, s.splits)).toList(),
              findings.findings());
      // One digest for the run: each source's, in the spec's order.
      digest =
          Hashes.digest(
              sources.stream()
                  .map(s -> s.data.name() + " " + s.digest + "\n")
                  .collect(Collectors.joining()));
    } else {
      splits = sources.get(0).splits;
      digest = sources.get(0).digest;
    }
    tags.put(
        "chexnet.data.dataset",
        sources.stream().map(s -> s.data.name()).collect(Collectors.joining("+")));
    tags.put("chexnet.data.split", d.split().name().toLowerCase(Locale.ROOT));
    tags.put(
        "chexnet.data.skipped_images",
        String.valueOf(sources.stream().mapToInt(s -> s.skipped.size()).sum()));
    Prepared prepared = new Prepared(d, sources, splits, findings, digest, tags);
    reporter.info(prepared.summary().stripTrailing());
    reporter.info(splits.prevalenceTable(findings.findings()).stripTrailing());
    return prepared;
  }

  private Source prepareSource(
      DataSpec d,
      DataSpec.SourceSpec spec,
      String key,
      String tagPrefix,
      long seed,
      Map<String, String> tags)
      throws IOException {
    Path root = workDir.resolve(spec.root()).toAbsolutePath().normalize();
    writeSyntheticIfAsked(spec, root);
    if (!Files.isDirectory(root)) {
      throw ChexnetException.invalidInput(
          key
              + "root: "
              + root
              + " does not exist; put the "
              + spec.dataset()
              + " dataset there ("
              + expectedLayout(spec.dataset())
              + ") or add "
              + key
              + "synthetic to generate one");
    }
    ManifestCheck manifest = checkManifest(d, spec.manifest(), key, root, tagPrefix, tags);
    Dataset data = Datasets.open(spec.dataset(), root);
    DataSplits splits =
        Datasets.split(
            data,
            plan(d),
            d.viewPositions(),
            d.labelPolicy(),
            d.subsample(),
            seed,
            key + "split: ");

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
              "Skipping %d unusable image(s) of %s (data.on_bad_image: skip), listed in %s",
              bad.size(), data.name(), SKIPPED_ARTIFACT));
    }

    String digest = manifest.digest();
    if (digest == null) {
      reporter.info(
          "Note: no data manifest; recording a digest of the files this run reads. Run `chexnet data snapshot "
              + root
              + "` to version the data and have runs check it.");
      digest = DatasetDigest.of(data, splits.imageIndexes());
    }
    tags.put(tagPrefix + "source", cache != null ? "prepared " + cache.directory() : "decoding");
    return new Source(
        data, splits, digest, cache, Map.copyOf(bad), manifest, spec.synthetic() != null);
  }

  /** The metadata files (and ChestX-ray14's images/) a dataset directory holds. */
  private static String expectedLayout(String dataset) {
    List<String> names = new ArrayList<>();
    if (dataset.equals(ChestXray14.NAME)) {
      names.add(ChestXray14.IMAGES_DIR + "/");
    }
    for (MetadataFile file : org.chexnet.dataset.Datasets.named(dataset).metadataFiles()) {
      names.add(file.names().get(0));
    }
    return String.join(", ", names);
  }

  private void writeSyntheticIfAsked(DataSpec.SourceSpec spec, Path root) throws IOException {
    if (!Files.exists(root) && spec.synthetic() != null) {
      DataSpec.SyntheticSpec s = spec.synthetic();
      reporter.info(
          String.format(
              "Writing a synthetic %s dataset (%d images, %dx%d) to %s",
              spec.dataset(), s.images(), s.imageSize(), s.imageSize(), root));
      // Trials of a sweep starting together may race here: none may read a half-written dataset,
      // and the first one written is the one all use.
      AtomicFiles.publishDirectory(
          root,
          staging ->
              Datasets.writeSynthetic(
                  spec.dataset(), staging, s.images(), s.imageSize(), s.seed(), reporter));
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

  private ManifestCheck checkManifest(
      DataSpec d, String named, String key, Path root, String tagPrefix, Map<String, String> tags)
      throws IOException {
    Path file;
    if (named != null) {
      file = workDir.resolve(named).toAbsolutePath().normalize();
      if (Files.isDirectory(file)) {
        file = file.resolve(Manifest.FILE_NAME);
      }
      if (!Files.isRegularFile(file)) {
        throw ChexnetException.invalidInput(
            key
                + "manifest: "
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
    tags.put(tagPrefix + "manifest", file.toString());
    if (report.matches()) {
      return new ManifestCheck(file, manifest.digest(), true);
    }
    String problems = report.describe(5).strip().replace("\n", "; ");
    if (d.onDataMismatch() == DataSpec.OnDataMismatch.FAIL) {
      throw ChexnetException.checkFailed(
          key
              + "root: "
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
    tags.put(tagPrefix + "manifest_digest", manifest.digest());
    tags.put(tagPrefix + "manifest_mismatch", problems);
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
   * The prepared cache for exactly this data and image size, or null to decode images. Only data
   * that matches its manifest has one: the cache is keyed by the manifest digest.
   */
  private PreparedCache openCache(DataSpec d, Path root, Dataset data, ManifestCheck manifest)
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
        String.format(
            "Preparing the image cache (every image of the %s metadata, once) in %s",
            data.name(), dir));
    return PreparedCache.prepare(
        data,
        Datasets.imageKeys(data),
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
   * ImageDecoder#structuralProblem} (missing, empty, truncated, not PNG or JPEG), checked on all
   * cores.
   */
  private Map<String, String> badImages(DataSplits splits, Dataset data, PreparedCache cache) {
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

  /** One dataset of the run: its splits (its own image keys and labels), digest and images. */
  private record Source(
      Dataset data,
      DataSplits splits,
      String digest,
      PreparedCache cache,
      Map<String, String> skipped,
      ManifestCheck manifest,
      boolean synthetic) {

    /** Its images as the loader reads them: prepared, or decoded at {@code imageSize}. */
    BatchLoader.GraySource graySource(int imageSize) {
      return cache != null ? cache : BatchLoader.GraySource.decoding(data, imageSize);
    }
  }

  /** The data of one run: its splits, findings, digest and image sources. */
  static final class Prepared {
    private final DataSpec spec;
    private final List<Source> sources;
    private final DataSplits splits;
    private final ModelFindings findings;
    private final String digest;
    private final Map<String, String> tags;
    private Path imageMetadata;

    private Prepared(
        DataSpec spec,
        List<Source> sources,
        DataSplits splits,
        ModelFindings findings,
        String digest,
        Map<String, String> tags) {
      this.spec = spec;
      this.sources = List.copyOf(sources);
      this.splits = splits;
      this.findings = findings;
      this.digest = digest;
      this.tags = tags;
    }

    DataSplits splits() {
      return splits;
    }

    /** What the network predicts: the dataset's findings, or the sources' harmonised ones. */
    ModelFindings findings() {
      return findings;
    }

    /**
     * The manifest's digest when the data matches it, else a digest of the data as it is; over
     * several sources, a digest of theirs.
     */
    String digest() {
      return digest;
    }

    /**
     * The per-image metadata subgroups are read from: ChestX-ray14's Data_Entry file (any of its
     * columns can be an attribute); for another dataset, or several, the sex, age, view and patient
     * of every split image as the dataset readers normalised them, written once under NIH's column
     * names ({@value #IMAGE_METADATA_ARTIFACT}, also kept in the run's artifacts).
     */
    Path imageMetadataFile() throws IOException {
      if (sources.size() == 1 && sources.get(0).data instanceof ChestXray14 nih) {
        return ImageMetadataCsv.of(nih);
      }
      if (imageMetadata == null) {
        imageMetadata = imageMetadataCsv().writeTemporary();
      }
      return imageMetadata;
    }

    /** The split images of every source. */
    private ImageMetadataCsv imageMetadataCsv() throws IOException {
      Map<String, Integer> patientOf = new java.util.HashMap<>();
      splits
          .byName()
          .values()
          .forEach(l -> l.forEach(i -> patientOf.put(i.imageIndex(), i.patientId())));
      ImageMetadataCsv csv = new ImageMetadataCsv();
      for (Source source : sources) {
        for (ImageRecord record : source.data.images()) {
          String key =
              sources.size() == 1
                  ? record.image()
                  : MultiSource.imageKey(source.data.name(), record.image());
          Integer patient = patientOf.get(key);
          if (patient != null) { // else not in the splits (filtered, skipped, unlabelled)
            csv.add(key, patient, record, source.data.name());
          }
        }
      }
      return csv;
    }

    /** {@code images} of one split, as the model card describes them. */
    ModelCard.Data cardData(String splitName, List<LabeledImage> images) {
      return new ModelCard.Data(
          describeData() + ", " + splitName + " split",
          images.size(),
          OptionalInt.of(
              (int) images.stream().mapToInt(LabeledImage::patientId).distinct().count()),
          digest,
          describeSplit());
    }

    /** The datasets, synthetic or not, and where they are. */
    private String describeData() {
      List<String> parts = new ArrayList<>();
      for (Source source : sources) {
        String name =
            source.data.name().equals(ChestXray14.NAME)
                ? "NIH ChestX-ray14"
                : "the " + source.data.name() + " dataset";
        parts.add(
            (source.synthetic ? "Synthetic images in " + name + "'s layout (data.synthetic)" : name)
                + " at "
                + source.data.root());
      }
      return String.join(" and ", parts);
    }

    /**
     * Batches of {@code images} from the prepared cache when there is one (then {@code
     * cacheInMemory} is moot: the cache is memory-mapped), else decoded from the image files.
     */
    BatchLoader loader(
        List<LabeledImage> images,
        int batchSize,
        boolean shuffle,
        boolean flip,
        boolean cacheInMemory,
        long seed) {
      BatchLoader.GraySource source;
      if (sources.size() == 1) {
        source = sources.get(0).graySource(spec.imageSize());
      } else {
        Map<String, BatchLoader.GraySource> byDataset = new LinkedHashMap<>();
        sources.forEach(s -> byDataset.put(s.data.name(), s.graySource(spec.imageSize())));
        source = MultiSource.graySource(byDataset);
      }
      return BatchLoader.builder(images)
          .source(source)
          .cacheInMemory(cacheInMemory && sources.stream().allMatch(s -> s.cache == null))
          .batchSize(batchSize)
          .shuffle(shuffle)
          .flip(flip)
          .seed(seed)
          .threads(spec.loaderThreads())
          .build();
    }

    /**
     * Tags, {@value #SPLITS_ARTIFACT}, {@value ModelFindings#FILE_NAME}, each dataset's splits as
     * MLflow dataset inputs and (with skip) {@value #SKIPPED_ARTIFACT}.
     */
    void record(Run run) throws IOException {
      run.setTags(tags);
      run.writeArtifact(SPLITS_ARTIFACT, markdown().getBytes(StandardCharsets.UTF_8));
      run.writeArtifact(ModelFindings.FILE_NAME, findings.toJson());
      if (!(sources.size() == 1 && sources.get(0).data instanceof ChestXray14)) {
        run.writeArtifact(IMAGE_METADATA_ARTIFACT, Files.readAllBytes(imageMetadataFile()));
      }
      run.logInputs(datasetInputs());
      if (spec.onBadImage() == DataSpec.OnBadImage.SKIP) {
        StringBuilder tsv = new StringBuilder("image\treason\n");
        for (Source source : sources) {
          source.skipped.forEach(
              (name, reason) ->
                  tsv.append(
                          sources.size() == 1
                              ? name
                              : MultiSource.imageKey(source.data.name(), name))
                      .append('\t')
                      .append(reason.replace('\t', ' ').replace('\n', ' '))
                      .append('\n'));
        }
        run.writeArtifact(SKIPPED_ARTIFACT, tsv.toString().getBytes(StandardCharsets.UTF_8));
      }
    }

    /**
     * Each source's non-empty splits as MLflow dataset inputs: named by the dataset, a digest of
     * its data and that split's images (so runs on other data or splits differ at a glance), the
     * directory as a local source, the image column and findings as the schema, sizes and the full
     * digest as the profile, the split as the context.
     */
    List<DatasetInput> datasetInputs() throws IOException {
      List<DatasetInput> inputs = new ArrayList<>();
      for (Source source : sources) {
        ArrayNode columns = JSON.createArrayNode();
        columns.addObject().put("type", "string").put("name", "image");
        source
            .data
            .findings()
            .forEach(f -> columns.addObject().put("type", "double").put("name", f));
        ObjectNode schema = JSON.createObjectNode();
        schema.set("mlflow_colspec", columns);
        ObjectNode location =
            JSON.createObjectNode().put("uri", source.data.root().toUri().toString());
        for (Map.Entry<String, List<LabeledImage>> split : source.splits.byName().entrySet()) {
          List<LabeledImage> images = split.getValue();
          if (images.isEmpty()) {
            continue;
          }
          StringBuilder content =
              new StringBuilder(source.digest).append('\n').append(split.getKey()).append('\n');
          images.stream()
              .map(LabeledImage::imageIndex)
              .sorted()
              .forEach(i -> content.append(i).append('\n'));
          ObjectNode profile =
              JSON.createObjectNode()
                  .put("images", images.size())
                  .put(
                      "patients",
                      images.stream().mapToInt(LabeledImage::patientId).distinct().count())
                  .put("findings", source.data.findings().size())
                  .put("dataset_digest", source.digest);
          inputs.add(
              new DatasetInput(
                  source.data.name(),
                  Hashes.sha256Hex(content.toString().getBytes(StandardCharsets.UTF_8))
                      .substring(0, 16),
                  "local",
                  JSON.writeValueAsString(location),
                  JSON.writeValueAsString(schema),
                  JSON.writeValueAsString(profile),
                  split.getKey()));
        }
      }
      return inputs;
    }

    String summary() {
      StringBuilder s = new StringBuilder();
      for (Source source : sources) {
        s.append(
            String.format(
                "Data: %s (%s), %s, digest %s%n",
                source.data.root(), source.data.name(), source.manifest.describe(), source.digest));
      }
      if (sources.size() > 1) {
        s.append(
            String.format(
                "Findings: %d harmonised over %d datasets (a finding a dataset lacks is masked for"
                    + " its images), run digest %s%n",
                findings.findings().size(), sources.size(), digest));
      }
      s.append("Split: ").append(describeSplit());
      s.append(
          String.format(
              "; train %d, validation %d, test %d images%n",
              splits.train().size(), splits.validation().size(), splits.test().size()));
      List<String> imageSources = new ArrayList<>();
      for (Source source : sources) {
        imageSources.add(
            (sources.size() > 1 ? source.data.name() + " " : "")
                + (source.cache != null
                    ? "prepared cache " + source.cache.directory()
                    : "decoded from the image files"));
      }
      s.append(
          String.format(
              "Images: %s at %dpx; %d skipped%n",
              String.join(", ", imageSources),
              spec.imageSize(),
              sources.stream().mapToInt(source -> source.skipped.size()).sum()));
      if (spec.uncertain() != null
          && sources.stream().anyMatch(source -> !source.data.name().equals(ChestXray14.NAME))) {
        s.append(
            String.format(
                "Labels: uncertain %s, missing %s%n",
                spec.uncertain().name().toLowerCase(Locale.ROOT),
                spec.missing().name().toLowerCase(Locale.ROOT)));
      }
      return s.toString();
    }

    String describeSplit() {
      boolean nih = sources.size() == 1 && sources.get(0).data.name().equals(ChestXray14.NAME);
      String split =
          switch (spec.split()) {
            case OFFICIAL ->
                nih
                    ? "official (NIH's test list; validation "
                        + spec.validationFraction()
                        + " of train_val's patients)"
                    : "official (the dataset's own splits; a missing validation or test split is "
                        + spec.validationFraction()
                        + " of train's patients)";
            case LISTS ->
                "lists (train "
                    + spec.lists().train()
                    + ", validation "
                    + spec.lists().validation()
                    + ", test "
                    + spec.lists().test()
                    + "; "
                    + spec.lists().labels().name().toLowerCase(Locale.ROOT)
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

    /** Per split: images, patients and each finding's positives, share and masked labels. */
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
      List<String> names = findings.findings();
      boolean anyMasked = false;
      for (int f = 0; f < names.size(); f++) {
        int finding = f;
        md.append("| ").append(names.get(f)).append(" |");
        for (Map.Entry<String, List<LabeledImage>> split : byName.entrySet()) {
          long positives = 0;
          long masked = 0;
          for (LabeledImage image : split.getValue()) {
            if (!image.known(finding)) {
              masked++;
            } else if (image.labels()[finding] != 0f) {
              positives++;
            }
          }
          double share = shares.get(split.getKey())[finding];
          md.append(String.format(Locale.ROOT, " %d (%.2f%%)", positives, 100 * share));
          if (masked > 0) {
            md.append(", ").append(masked).append(" masked");
            anyMasked = true;
          }
          md.append(" |");
        }
        md.append('\n');
      }
      if (anyMasked) {
        md.append(
            "\nPositives and their share among the known labels; masked labels (an uncertain or"
                + " missing label the policy ignores, a finding an image's dataset lacks) count in"
                + " neither the loss nor that finding's AUROC.\n");
      }
      return md.toString();
    }
  }
}
