package org.chexnet.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs recorded in MLflow's file-store layout, so {@code mlflow ui --backend-store-uri ./mlruns}
 * and MLflow's Python client read them without a tracking server:
 *
 * <pre>
 * root/&lt;experiment_id&gt;/meta.yaml
 * root/&lt;experiment_id&gt;/&lt;run_id&gt;/{meta.yaml, params/, metrics/, tags/, artifacts/}
 * </pre>
 */
public final class LocalRunStore {
  static final String META_FILE = "meta.yaml";
  // MLflow moves deleted experiments here; their ids stay taken.
  private static final String TRASH_DIR = ".trash";
  private static final String DEFAULT_EXPERIMENT_ID = "0";
  private static final String DEFAULT_EXPERIMENT_NAME = "Default";
  private static final Pattern NUMERIC = Pattern.compile("[0-9]+");
  private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9_-]+");

  private final Path root;

  /**
   * @param root the store directory, e.g. {@code ./mlruns}; created on the first write
   */
  public LocalRunStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  /**
   * Starts a RUNNING run in the experiment with that name, creating the experiment if no experiment
   * of the store has that name yet.
   */
  public Run startRun(String experimentName, String runName) throws IOException {
    requireNonBlank(experimentName, "experimentName");
    requireNonBlank(runName, "runName");
    ensureDefaultExperiment();
    Optional<String> existing = findExperimentId(experimentName);
    String experimentId = existing.isPresent() ? existing.get() : createExperiment(experimentName);
    String runId = UUID.randomUUID().toString().replace("-", "");
    return Run.create(root.resolve(experimentId).resolve(runId), experimentId, runId, runName);
  }

  /** The directory of the run with that id, in whichever experiment it is. */
  public Optional<Path> findRun(String runId) throws IOException {
    if (runId == null || !RUN_ID.matcher(runId).matches() || !Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> experiments = Files.list(root)) {
      return experiments
          .map(experiment -> experiment.resolve(runId))
          .filter(run -> Files.isRegularFile(run.resolve(META_FILE)))
          .findFirst();
    }
  }

  // MLflow expects experiment 0 ("Default") in every file store.
  private void ensureDefaultExperiment() throws IOException {
    Files.createDirectories(root);
    Path directory = root.resolve(DEFAULT_EXPERIMENT_ID);
    if (!Files.isRegularFile(directory.resolve(META_FILE))) {
      Files.createDirectories(directory);
      writeExperimentMeta(directory, DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME);
    }
  }

  private Optional<String> findExperimentId(String name) throws IOException {
    List<Path> directories;
    try (Stream<Path> children = Files.list(root)) {
      directories = children.toList();
    }
    for (Path directory : directories) {
      Path meta = directory.resolve(META_FILE);
      if (Files.isRegularFile(meta)) {
        JsonNode experiment = MlflowYaml.read(meta);
        if (name.equals(experiment.path("name").asText(null))) {
          return Optional.of(directory.getFileName().toString());
        }
      }
    }
    return Optional.empty();
  }

  private String createExperiment(String name) throws IOException {
    while (true) {
      String id = nextExperimentId();
      Path directory = root.resolve(id);
      try {
        // Claims the id; another process creating an experiment at once gets the next one.
        Files.createDirectory(directory);
      } catch (FileAlreadyExistsException taken) {
        continue;
      }
      writeExperimentMeta(directory, id, name);
      return id;
    }
  }

  private String nextExperimentId() throws IOException {
    BigInteger largest = BigInteger.ZERO;
    for (Path parent : List.of(root, root.resolve(TRASH_DIR))) {
      if (!Files.isDirectory(parent)) {
        continue;
      }
      try (Stream<Path> children = Files.list(parent)) {
        largest =
            children
                .map(child -> child.getFileName().toString())
                .filter(name -> NUMERIC.matcher(name).matches())
                .map(BigInteger::new)
                .reduce(largest, BigInteger::max);
      }
    }
    return largest.add(BigInteger.ONE).toString();
  }

  private static void writeExperimentMeta(Path directory, String id, String name)
      throws IOException {
    long now = System.currentTimeMillis();
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("artifact_location", fileUri(directory));
    meta.put("creation_time", now);
    meta.put("experiment_id", id);
    meta.put("last_update_time", now);
    meta.put("lifecycle_stage", "active");
    meta.put("name", name);
    AtomicFiles.write(
        directory.resolve(META_FILE), MlflowYaml.render(meta).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * {@code file:///abs/path} without the trailing '/' that {@link Path#toUri()} adds to
   * directories.
   */
  static String fileUri(Path path) {
    String uri = path.toAbsolutePath().toUri().toString();
    return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
  }

  private static void requireNonBlank(String value, String what) {
    if (Objects.requireNonNull(value, what).isBlank()) {
      throw new IllegalArgumentException(what + " is blank");
    }
  }
}
