package org.chexnet.experiment.models;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.chexnet.common.ChexnetException;
import org.chexnet.dataset.ModelFindings;
import org.chexnet.model.InferenceModel;
import org.chexnet.model.ModelCard;
import org.chexnet.model.ModelInfo;
import org.chexnet.model.SavedModelPredictor;
import org.chexnet.tracking.LocalRunStore;
import org.chexnet.tracking.Lookups;
import org.chexnet.tracking.MlflowServer;
import org.chexnet.tracking.ModelRegistry;
import org.chexnet.tracking.RunRecord;
import org.chexnet.tracking.Tracking;

/**
 * The one place a model reference becomes a model, for {@code predict}, {@code localize}, {@code
 * serve} and the registry: a {@code models:/NAME@ALIAS} or {@code models:/NAME/VERSION} URI
 * (downloaded from the registry into a cache, with the training run's test AUROC from the server),
 * a run (its id or name in the local store, its directory, its artifacts directory), a checkpoint
 * directory ({@code variables.index}, rebuilt from its run's spec), a SavedModel directory, or a
 * model directory ({@code chexnet models import}'s: a SavedModel with {@value ModelCard#FILE_NAME},
 * whose classes, preprocessing and provenance come from the card). What the run's evaluation says
 * about the model (AUROC, thresholds) comes with it.
 */
public final class ModelResolver {
  private static final String SAVED_MODEL_PB = "saved_model.pb";
  private static final String CHECKPOINT_INDEX = "variables.index";
  private static final String TEST_MEAN_AUROC = "test_mean_auroc";
  private static final String TEST_AUROC_PREFIX = "test_auroc_";

  /** What the model is opened for, which decides between a run's SavedModel and checkpoint. */
  public enum Use {
    /** Probabilities: the run's SavedModel when it has one, else its best checkpoint. */
    PREDICT,
    /**
     * Class activation maps computed here: a run's best checkpoint when it has one, else a
     * SavedModel that gives its feature maps (chexnet's and imported models do).
     */
    CLASS_ACTIVATION_MAPS,
    /** The server: a SavedModel. */
    SERVE
  }

  /** A reference resolved to files on disk, with what is known about the model. */
  public sealed interface Resolved {
    ModelInfo info();

    record SavedModel(Path directory, ModelInfo info) implements Resolved {}

    /**
     * @param spec the experiment spec that builds the checkpoint's network
     */
    record Checkpoint(Path directory, Path spec, ModelInfo info) implements Resolved {}
  }

  private final Path runStore;
  private final Optional<String> trackingUri;
  private final Path registryCache;

  /**
   * @param runStore the local run store searched for run ids and names (e.g. mlruns)
   * @param trackingUri the MLflow server for {@code models:/} URIs; empty when none is configured
   * @param registryCache where registry versions are downloaded ({@code
   *     registryCache/NAME/VERSION})
   */
  public ModelResolver(Path runStore, Optional<String> trackingUri, Path registryCache) {
    this.runStore = runStore;
    this.trackingUri = trackingUri;
    this.registryCache = registryCache;
  }

  /**
   * Resolution as the command line does it: run ids and names in {@code runStore}, {@code models:/}
   * URIs on $MLFLOW_TRACKING_URI, downloaded into models/.
   */
  public static ModelResolver fromEnvironment(Path runStore) {
    return new ModelResolver(
        runStore, Optional.ofNullable(System.getenv(Tracking.TRACKING_URI_ENV)), Path.of("models"));
  }

  /**
   * Opens the model for inference in this process: a SavedModel as it is, a checkpoint rebuilt from
   * {@code spec} or else from the spec.yaml of the run it belongs to.
   *
   * @param spec the network's spec for a checkpoint outside its run directory; may be null
   */
  public InferenceModel open(String reference, Path spec, Use use) throws IOException {
    return open(resolve(reference, spec, use));
  }

  /** Opens a resolved model for inference in this process. */
  public InferenceModel open(Resolved resolved) throws IOException {
    return resolved instanceof Resolved.Checkpoint checkpoint
        ? CheckpointModel.restore(checkpoint.spec(), checkpoint.directory())
        : loadSavedModel(((Resolved.SavedModel) resolved).directory());
  }

  /**
   * A chexnet SavedModel, its outputs named by its {@value ModelFindings#FILE_NAME} (a run's export
   * has one; without it, ChestX-ray14's 14 findings in CheXNet's order) and the whole image at its
   * input size, or a model directory with the classes and preprocessing of its card.
   */
  public static SavedModelPredictor loadSavedModel(Path directory) throws IOException {
    return ModelCard.present(directory)
        ? SavedModelPredictor.load(directory, card(directory))
        : SavedModelPredictor.load(directory, findingsOf(directory).findings());
  }

  /**
   * What a resolved model's outputs are: a model directory's card's classes, a SavedModel's {@value
   * ModelFindings#FILE_NAME} (else ChestX-ray14's), a checkpoint's run's.
   */
  public static ModelFindings findings(Resolved resolved) throws IOException {
    if (resolved instanceof Resolved.Checkpoint checkpoint) {
      return CheckpointModel.findings(checkpoint.spec());
    }
    Path directory = ((Resolved.SavedModel) resolved).directory();
    if (ModelCard.present(directory)) {
      try {
        return ModelFindings.identify(card(directory).classes());
      } catch (IllegalArgumentException e) {
        throw ChexnetException.invalidInput(directory + ": " + e.getMessage());
      }
    }
    return findingsOf(directory);
  }

  private static ModelFindings findingsOf(Path savedModel) throws IOException {
    try {
      return ModelFindings.read(savedModel).orElse(ModelFindings.CHESTXRAY14);
    } catch (IOException e) {
      throw ChexnetException.invalidInput(e.getMessage());
    }
  }

  /** The card of a model directory; a card that cannot be read is input to fix. */
  private static ModelCard card(Path directory) {
    try {
      return ModelCard.read(directory);
    } catch (IOException e) {
      throw ChexnetException.invalidInput(e.getMessage());
    }
  }

  /**
   * @param spec the network's spec for a checkpoint outside its run directory; may be null
   * @throws ChexnetException saying what the reference should be when it names nothing usable for
   *     {@code use}
   */
  public Resolved resolve(String reference, Path spec, Use use) throws IOException {
    if (reference.startsWith("models:/")) {
      return fromRegistry(reference);
    }
    Path path = Path.of(reference);
    String name = name(path);
    String runId = null;
    if (!Files.exists(path)) {
      path = runDirectory(reference);
    }
    if (LocalRunStore.isRunDirectory(path)) {
      // An MLflow-layout run directory: mlruns/<experiment>/<run id>.
      runId = name(path);
      name = runName(path);
    }
    if (Files.isDirectory(path.resolve("artifacts"))) {
      path = path.resolve("artifacts");
    }
    boolean checkpoint = Files.isRegularFile(path.resolve("checkpoints/best/" + CHECKPOINT_INDEX));
    boolean savedModel = Files.isRegularFile(path.resolve("saved_model/" + SAVED_MODEL_PB));
    if (savedModel && !(use == Use.CLASS_ACTIVATION_MAPS && checkpoint)) {
      path = path.resolve("saved_model");
    } else if (checkpoint && use != Use.SERVE) {
      path = path.resolve("checkpoints/best");
    }
    if (Files.isRegularFile(path.resolve(SAVED_MODEL_PB))) {
      if (ModelCard.present(path)) {
        // An imported model: what is known about it is its card, not an evaluation beside it.
        return new Resolved.SavedModel(path, ModelInfo.imported(card(path), reference, path));
      }
      // A run's artifacts/saved_model: its evaluation sits beside it.
      Path evaluation = path.toAbsolutePath().normalize().getParent();
      return new Resolved.SavedModel(
          path, ModelInfo.read(name, null, runId, reference, evaluation));
    }
    if (Files.isRegularFile(path.resolve(CHECKPOINT_INDEX)) && use != Use.SERVE) {
      Path specFile = spec != null ? spec : runSpec(path);
      // A run's artifacts/checkpoints/best: its evaluation is two levels up.
      Path evaluation = path.toAbsolutePath().normalize().getParent().getParent();
      return new Resolved.Checkpoint(
          path, specFile, ModelInfo.read(name, null, runId, reference, evaluation));
    }
    throw ChexnetException.invalidInput(
        "--model "
            + reference
            + ": not a run directory or id, a checkpoint (variables.index) or a SavedModel"
            + " (no saved_model.pb), nor a models:/NAME@ALIAS or models:/NAME/VERSION URI"
            + (use == Use.SERVE ? "; serving needs a SavedModel" : ""));
  }

  /** The directory of the run with this id (in any experiment) or, failing that, this name. */
  private Path runDirectory(String idOrName) throws IOException {
    if (Files.isDirectory(runStore)) {
      try (Stream<Path> experiments = Files.list(runStore)) {
        for (Path experiment : experiments.toList()) {
          if (LocalRunStore.isRunDirectory(experiment.resolve(idOrName))) {
            return experiment.resolve(idOrName);
          }
        }
      }
      try {
        LocalRunStore store = new LocalRunStore(runStore);
        return store.runDirectory(store.readRun(idOrName));
      } catch (IllegalArgumentException noSuchName) {
        // reported below, as for an id
      }
    }
    throw ChexnetException.invalidInput(
        "--model "
            + idOrName
            + ": no such file or directory, and no run with that id in "
            + runStore);
  }

  private Resolved fromRegistry(String uri) throws IOException {
    String server =
        trackingUri
            .filter(MlflowServer::isRemote)
            .orElseThrow(
                () ->
                    ChexnetException.invalidInput(
                        "--model "
                            + uri
                            + ": the model registry is on an MLflow server; set --from or"
                            + " MLFLOW_TRACKING_URI to http(s)://..."));
    try (MlflowServer remote = Lookups.asInput(() -> MlflowServer.connect(URI.create(server)))) {
      ModelRegistry registry = new ModelRegistry(remote);
      ModelRegistry.ModelVersion version = Lookups.asInput(() -> registry.resolve(uri));
      Path savedModel = Lookups.asInput(() -> registry.fetch(version.uri(), registryCache));
      Double mean = null;
      Map<String, Double> perClass = new LinkedHashMap<>();
      if (version.runId() != null && !version.runId().isEmpty()) {
        RunRecord run = Lookups.asInput(() -> remote.readRun(version.runId()));
        mean = run.metrics().get(TEST_MEAN_AUROC);
        run.metrics()
            .forEach(
                (key, value) -> {
                  if (key.startsWith(TEST_AUROC_PREFIX)) {
                    perClass.put(key.substring(TEST_AUROC_PREFIX.length()), value);
                  }
                });
      }
      // The run's evaluation (thresholds, card, calibration) sits beside the registered SavedModel
      // on the server.
      Path evaluation = savedModel.resolveSibling(version.version() + ".evaluation");
      Lookups.asInput(
          () ->
              registry.downloadRunFiles(
                  version,
                  List.of(
                      ModelInfo.OPERATING_POINTS_CSV,
                      ModelInfo.MODEL_CARD_MD,
                      ModelInfo.CALIBRATION_JSON),
                  evaluation));
      ModelInfo.Thresholds thresholds =
          ModelInfo.readThresholds(evaluation.resolve(ModelInfo.OPERATING_POINTS_CSV));
      ModelInfo info =
          new ModelInfo(
              version.name(),
              version.version(),
              version.runId(),
              uri,
              mean,
              perClass,
              thresholds.values(),
              thresholds.rule(),
              null,
              ModelInfo.existing(evaluation.resolve(ModelInfo.MODEL_CARD_MD)),
              ModelInfo.existing(evaluation.resolve(ModelInfo.CALIBRATION_JSON)));
      // A registered model directory brings its card.
      return new Resolved.SavedModel(
          savedModel,
          ModelCard.present(savedModel) ? info.withCard(card(savedModel), savedModel) : info);
    }
  }

  /** A checkpoint in a run's artifacts/checkpoints/NAME has the run's spec two levels up. */
  private static Path runSpec(Path checkpoint) {
    for (Path dir = checkpoint.toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("spec.yaml"))) {
        return dir.resolve("spec.yaml");
      }
    }
    throw ChexnetException.invalidInput(
        checkpoint + ": a checkpoint needs the spec of its network: pass --spec SPEC");
  }

  private static String name(Path path) {
    Path file = path.toAbsolutePath().normalize().getFileName();
    return file == null ? path.toString() : file.toString();
  }

  /** The run's name from its MLflow-layout store (mlruns/EXPERIMENT/RUN), else the run id. */
  private static String runName(Path runDir) {
    Path absolute = runDir.toAbsolutePath().normalize();
    if (absolute.getNameCount() > 2) {
      try {
        String name =
            new LocalRunStore(absolute.getParent().getParent()).readRun(name(absolute)).name();
        if (name != null && !name.isEmpty()) {
          return name;
        }
      } catch (IOException | RuntimeException e) {
        // Not a readable store: the directory name still identifies the run.
      }
    }
    return name(absolute);
  }
}
