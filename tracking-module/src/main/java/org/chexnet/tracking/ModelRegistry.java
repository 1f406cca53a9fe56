package org.chexnet.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowHttpException;

/**
 * MLflow's model registry on a server, through its REST API (the Java client's registry calls are
 * read-only): register a run's SavedModel as a model version, point an alias at it, and resolve
 * {@code models:/NAME@ALIAS} or {@code models:/NAME/VERSION} to files on disk for serving.
 */
public final class ModelRegistry {
  /** Where a run keeps its TensorFlow SavedModel, under its artifacts. */
  public static final String SAVED_MODEL_DIR = "saved_model";

  private static final Pattern MODELS_URI =
      Pattern.compile("models:/([^/@]+)(?:@([^/@]+)|/([0-9]+))/?");

  private final MlflowServer server;

  public ModelRegistry(MlflowServer server) {
    this.server = server;
  }

  /**
   * A registered model version.
   *
   * @param source where its files are, e.g. {@code mlflow-artifacts:/1/<run>/artifacts/saved_model}
   */
  public record ModelVersion(String name, String version, String source, String runId) {
    public String uri() {
      return "models:/" + name + "/" + version;
    }
  }

  /**
   * Pushes the local run (so the server holds its artifacts), then registers its {@code
   * artifacts/saved_model} as a new version of model {@code name} (created when missing), and
   * points {@code alias} at it when given.
   *
   * @throws IllegalArgumentException naming the missing directory when the run has no SavedModel
   */
  public ModelVersion register(
      LocalRunStore store, RunRecord run, String name, Optional<String> alias) throws IOException {
    Path savedModel = store.runDirectory(run).resolve("artifacts").resolve(SAVED_MODEL_DIR);
    if (!Files.isDirectory(savedModel)) {
      throw new IllegalArgumentException(
          "Run "
              + run.id()
              + " ("
              + run.name()
              + ") has no SavedModel to register: "
              + savedModel
              + " is missing (runs record artifacts/"
              + SAVED_MODEL_DIR
              + "/ once the model exports one; a checkpoint alone is not a servable model)");
    }
    RunPush.Result pushed = RunPush.push(store, run, server);
    Service.RunInfo remote = server.client().getRun(pushed.remoteRunId()).getInfo();
    return createVersion(name, remote, alias);
  }

  /**
   * Registers a model directory that no run of ours produced (an imported checkpoint: a SavedModel
   * and its card) as a new version of model {@code name}: MLflow's versions come from runs, so a
   * run named {@code runName} with {@code tags} (where the model came from) is created in {@code
   * experiment}, the directory's files become its {@code artifacts/saved_model}, and the version is
   * made from them; {@code alias} is pointed at it when given.
   *
   * @throws IllegalArgumentException when {@code directory} holds no SavedModel
   */
  public ModelVersion registerDirectory(
      Path directory,
      String experiment,
      String runName,
      Map<String, String> tags,
      String name,
      Optional<String> alias)
      throws IOException {
    if (!Files.isRegularFile(directory.resolve("saved_model.pb"))) {
      throw new IllegalArgumentException(
          directory + ": no saved_model.pb, not a model directory to register");
    }
    Service.CreateRun.Builder create =
        Service.CreateRun.newBuilder()
            .setExperimentId(server.experimentId(experiment))
            .setRunName(runName)
            .setStartTime(System.currentTimeMillis());
    tags.forEach((key, value) -> create.addTags(RunPush.tag(key, value)));
    String runId = server.client().createRun(create.build()).getRunId();
    Service.RunInfo remote = server.client().getRun(runId).getInfo();
    RunPush.uploadMissingArtifacts(server, savedModelUri(remote), directory);
    server.client().setTerminated(runId, Service.RunStatus.FINISHED, System.currentTimeMillis());
    return createVersion(name, remote, alias);
  }

  /** A new version of {@code name} (created when missing) from the run's saved_model. */
  private ModelVersion createVersion(String name, Service.RunInfo run, Optional<String> alias)
      throws IOException {
    createModelIfMissing(name);
    JsonNode created =
        server
            .post(
                "model-versions/create",
                Map.of("name", name, "source", savedModelUri(run), "run_id", run.getRunId()))
            .path("model_version");
    ModelVersion version = parse(created);
    if (alias.isPresent()) {
      server.post(
          "registered-models/alias",
          Map.of("name", name, "alias", alias.get(), "version", version.version()));
    }
    return version;
  }

  private static String savedModelUri(Service.RunInfo run) {
    return run.getArtifactUri().replaceAll("/+$", "") + "/" + SAVED_MODEL_DIR;
  }

  /**
   * The version a {@code models:/NAME@ALIAS} or {@code models:/NAME/VERSION} URI names.
   *
   * @throws IllegalArgumentException for a malformed URI, or one naming no model version
   */
  public ModelVersion resolve(String modelsUri) throws IOException {
    Matcher uri = MODELS_URI.matcher(modelsUri);
    if (!uri.matches()) {
      throw new IllegalArgumentException(
          "Not a model URI: '"
              + modelsUri
              + "' (expected models:/NAME@ALIAS or models:/NAME/VERSION)");
    }
    String name = uri.group(1);
    // Searches, not gets: a missing name, alias or version is then an empty answer rather than
    // an error status (404 or 400, depending on the server) that the Java client retries.
    JsonNode model =
        findModel(name)
            .orElseThrow(() -> notFound(modelsUri, "no registered model '" + name + "'"));
    String version = uri.group(3);
    if (uri.group(2) != null) {
      List<String> aliases = new ArrayList<>();
      for (JsonNode alias : model.path("aliases")) {
        aliases.add(alias.path("alias").asText());
        if (alias.path("alias").asText().equals(uri.group(2))) {
          version = alias.path("version").asText();
        }
      }
      if (version == null) {
        throw notFound(
            modelsUri,
            "model '" + name + "' has no alias '" + uri.group(2) + "' (aliases: " + aliases + ")");
      }
    }
    for (JsonNode found : versions(name)) {
      if (found.path("version").asText().equals(version)) {
        return parse(found);
      }
    }
    throw notFound(modelsUri, "model '" + name + "' has no version " + version);
  }

  private IllegalArgumentException notFound(String modelsUri, String why) {
    return new IllegalArgumentException("No " + modelsUri + " on " + server.uri() + ": " + why);
  }

  /** Every version of the registered model, in the server's order. */
  private List<JsonNode> versions(String name) throws IOException {
    List<JsonNode> versions = new ArrayList<>();
    String pageToken = "";
    do {
      Map<String, String> query = new TreeMap<>();
      query.put("filter", "name = " + MlflowServer.quoted(name));
      query.put("max_results", "1000");
      if (!pageToken.isEmpty()) {
        query.put("page_token", pageToken);
      }
      JsonNode page = server.get("model-versions/search", query);
      page.path("model_versions").forEach(versions::add);
      pageToken = page.path("next_page_token").asText("");
    } while (!pageToken.isEmpty());
    return versions;
  }

  private Optional<JsonNode> findModel(String name) throws IOException {
    JsonNode found =
        server.get(
            "registered-models/search",
            Map.of("filter", "name = " + MlflowServer.quoted(name), "max_results", "10"));
    for (JsonNode model : found.path("registered_models")) {
      if (model.path("name").asText().equals(name)) {
        return Optional.of(model);
      }
    }
    return Optional.empty();
  }

  /**
   * Downloads the version's files (the SavedModel directory) into {@code target}, replacing it as a
   * whole; returns {@code target}.
   */
  public Path download(ModelVersion version, Path target) throws IOException {
    server.downloadArtifacts(artifactRoot(version), target);
    return target;
  }

  /**
   * The model a {@code models:/} URI names, on disk for serving: downloaded into {@code
   * cacheRoot/NAME/VERSION} unless there already (a version's files never change in MLflow; an
   * alias is resolved on every call, so moving it is picked up).
   *
   * @return the model's directory (the SavedModel)
   */
  public Path fetch(String modelsUri, Path cacheRoot) throws IOException {
    ModelVersion version = resolve(modelsUri);
    Path target =
        cacheRoot
            .resolve(Keys.requireValid(version.name()))
            .resolve(Keys.requireValid(version.version()));
    return Files.isDirectory(target) ? target : download(version, target);
  }

  /**
   * Files of the version's training run that sit beside its registered directory (a chexnet run's
   * evaluation: {@code metrics.json}, {@code operating-points.csv}), downloaded into {@code
   * target}; names the run lacks are left out.
   *
   * @return the downloaded files
   */
  public List<Path> downloadRunFiles(ModelVersion version, List<String> names, Path target)
      throws IOException {
    String root = artifactRoot(version);
    int slash = root.lastIndexOf('/');
    if (slash < 0) {
      return List.of();
    }
    String runArtifacts = root.substring(0, slash);
    Map<String, Long> files = server.listArtifacts(runArtifacts);
    List<Path> downloaded = new ArrayList<>();
    for (String name : names) {
      if (files.containsKey(name)) {
        Path file = target.resolve(Keys.requireValid(name));
        server.downloadArtifact(runArtifacts, name, file);
        downloaded.add(file);
      }
    }
    return downloaded;
  }

  // runs:/<run_id>/<path> (what MLflow's Python client registers) or an artifact URI
  private String artifactRoot(ModelVersion version) {
    String source = version.source();
    if (!source.startsWith("runs:/")) {
      return source;
    }
    String[] parts = source.substring("runs:/".length()).split("/", 2);
    String runRoot = server.client().getRun(parts[0]).getInfo().getArtifactUri();
    return parts.length > 1 ? runRoot + "/" + parts[1] : runRoot;
  }

  private void createModelIfMissing(String name) throws IOException {
    if (findModel(name).isPresent()) {
      return;
    }
    try {
      server.post("registered-models/create", Map.of("name", name));
    } catch (MlflowHttpException e) {
      // Created by someone else since the search.
      if (!MlflowServer.isAlreadyExists(e)) {
        throw e;
      }
    }
  }

  private static ModelVersion parse(JsonNode version) {
    return new ModelVersion(
        version.path("name").asText(),
        version.path("version").asText(),
        version.path("source").asText(),
        version.path("run_id").asText());
  }
}
