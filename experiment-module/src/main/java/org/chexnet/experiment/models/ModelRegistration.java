package org.chexnet.experiment.models;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.chexnet.common.ChexnetException;
import org.chexnet.model.ModelCard;
import org.chexnet.tracking.LocalRunStore;
import org.chexnet.tracking.Lookups;
import org.chexnet.tracking.MlflowServer;
import org.chexnet.tracking.ModelRegistry;
import org.chexnet.tracking.RunRecord;
import org.chexnet.tracking.RunSource;
import org.chexnet.tracking.Tracking;

/**
 * {@code chexnet models register}: a local run's SavedModel (the run is pushed first), or a model
 * directory of {@code chexnet models import} (uploaded as a run of experiment {@value
 * #IMPORTED_EXPERIMENT} tagged with where it came from, its card travelling with the SavedModel),
 * becomes a new version of a registered model on an MLflow server.
 */
public final class ModelRegistration {
  /** The server experiment that holds the runs of registered imported models. */
  public static final String IMPORTED_EXPERIMENT = "imported-models";

  /** Tags of such a run: the imported file, its SHA-256, its layout and project. */
  public static final String TAG_PREFIX = "chexnet.imported.";

  /**
   * @param version the new version
   * @param registered what was registered, for the console: "run ID (NAME)" or the directory
   * @param server the server's URI
   */
  public record Registered(ModelRegistry.ModelVersion version, String registered, URI server) {}

  private ModelRegistration() {}

  /**
   * Downloads a registered model's SavedModel into {@code cache/NAME/VERSION}, reusing one there.
   *
   * @param server the MLflow server's URI; null when none is configured
   * @return the model's directory
   */
  public static Path download(String modelUri, String server, Path cache) throws IOException {
    if (server == null || !MlflowServer.isRemote(server)) {
      throw ChexnetException.invalidInput(
          "The model registry is on an MLflow server: give --from http(s)://... or set "
              + Tracking.TRACKING_URI_ENV);
    }
    try (MlflowServer remote = Lookups.asInput(() -> MlflowServer.connect(URI.create(server)))) {
      return Lookups.asInput(() -> new ModelRegistry(remote).fetch(modelUri, cache));
    }
  }

  /**
   * @param runOrDirectory a local run's id or name in {@code store}, or a model directory
   * @param server the MLflow server's URI (http or https)
   * @throws ChexnetException when the server is no server, the run or directory is not there, or
   *     the server refuses
   */
  public static Registered register(
      String runOrDirectory, Path store, String server, String name, Optional<String> alias)
      throws IOException {
    if (server == null || !MlflowServer.isRemote(server)) {
      throw ChexnetException.invalidInput(
          "The model registry is on an MLflow server: give --to http(s)://... or set "
              + Tracking.TRACKING_URI_ENV
              + (server == null ? "" : " (it is '" + server + "', not a server)"));
    }
    Path directory = Path.of(runOrDirectory);
    boolean modelDirectory = Files.isDirectory(directory) && ModelCard.present(directory);
    RunRecord record = null;
    LocalRunStore local = null;
    ModelCard card = null;
    if (modelDirectory) {
      try {
        card = ModelCard.read(directory);
      } catch (IOException e) {
        throw ChexnetException.invalidInput(e.getMessage());
      }
    } else {
      local = RunSource.localStore(store);
      LocalRunStore runs = local;
      record = Lookups.asInput(() -> runs.readRun(runOrDirectory));
    }
    try (MlflowServer remote = Lookups.asInput(() -> MlflowServer.connect(URI.create(server)))) {
      ModelRegistry registry = new ModelRegistry(remote);
      if (modelDirectory) {
        ModelCard imported = card;
        ModelRegistry.ModelVersion version =
            Lookups.asInput(
                () ->
                    registry.registerDirectory(
                        directory,
                        IMPORTED_EXPERIMENT,
                        imported.name(),
                        tags(imported),
                        name,
                        alias));
        return new Registered(version, "model directory " + directory, remote.uri());
      }
      LocalRunStore runs = local;
      RunRecord run = record;
      ModelRegistry.ModelVersion version =
          Lookups.asInput(() -> registry.register(runs, run, name, alias));
      return new Registered(version, "run " + run.id() + " (" + run.name() + ")", remote.uri());
    }
  }

  private static Map<String, String> tags(ModelCard card) {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(TAG_PREFIX + "file", card.source().file());
    tags.put(TAG_PREFIX + "sha256", card.source().sha256());
    tags.put(TAG_PREFIX + "format", card.source().format());
    if (card.source().project() != null) {
      tags.put(TAG_PREFIX + "project", card.source().project());
    }
    return tags;
  }
}
