package org.chexnet.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.chexnet.common.AtomicFiles;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.ExperimentsPage;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowClientException;
import org.mlflow.tracking.MlflowHttpException;
import org.mlflow.tracking.RunsPage;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;
import org.mlflow_project.apachehttp.client.config.RequestConfig;
import org.mlflow_project.apachehttp.impl.client.HttpClientBuilder;

/**
 * A remote MLflow tracking server: MLflow's Java client for the tracking API, plain HTTP for the
 * artifact proxy ({@code api/2.0/mlflow-artifacts/artifacts/...}), because the client's artifact
 * calls shell out to the Python {@code mlflow} command.
 *
 * <p>Credentials come from the environment as MLflow's Python client reads them: {@code
 * MLFLOW_TRACKING_TOKEN} (bearer) or {@code MLFLOW_TRACKING_USERNAME} and {@code
 * MLFLOW_TRACKING_PASSWORD} (basic, e.g. DagsHub's user and token). So does the time a call waits
 * for the server's answer: {@code MLFLOW_HTTP_REQUEST_TIMEOUT} seconds (default 120, as MLflow's);
 * a connection attempt gives up after 10 s.
 */
public final class MlflowServer implements AutoCloseable {
  static final String TOKEN = "MLFLOW_TRACKING_TOKEN";
  static final String USERNAME = "MLFLOW_TRACKING_USERNAME";
  static final String PASSWORD = "MLFLOW_TRACKING_PASSWORD";
  static final String REQUEST_TIMEOUT = "MLFLOW_HTTP_REQUEST_TIMEOUT";
  private static final String PROXY_SCHEME = "mlflow-artifacts";
  private static final String PROXY_PATH = "/api/2.0/mlflow-artifacts/artifacts";
  private static final ObjectMapper JSON = new ObjectMapper();
  // Bounds on calls to a server that stopped answering (the Java client itself sets none).
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration TRANSFER_TIMEOUT = Duration.ofMinutes(30);

  private final URI uri;
  private final String authorization;
  private final MlflowClient client;
  private final Duration requestTimeout;
  private final HttpClient http;

  private MlflowServer(
      URI uri, String authorization, MlflowClient client, Duration requestTimeout) {
    this.uri = uri;
    this.authorization = authorization;
    this.client = client;
    this.requestTimeout = requestTimeout;
    this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
  }

  /** The server at {@code uri}, with credentials from this process's environment. */
  public static MlflowServer connect(URI uri) {
    return connect(uri, System.getenv());
  }

  /**
   * @throws IllegalArgumentException for a URI that is not http(s), half a username/password, or a
   *     request timeout that is not a positive number of seconds
   */
  public static MlflowServer connect(URI uri, Map<String, String> env) {
    if (!isRemote(uri.toString())) {
      throw new IllegalArgumentException(
          "Not an MLflow server URI: '" + uri + "' (expected http://HOST:PORT or https://...)");
    }
    String host = uri.toString().replaceAll("/+$", "");
    String token = env.get(TOKEN);
    String username = env.get(USERNAME);
    String password = env.get(PASSWORD);
    if ((username == null) != (password == null)) {
      throw new IllegalArgumentException(
          (username == null ? USERNAME : PASSWORD)
              + " is not set but "
              + (username == null ? PASSWORD : USERNAME)
              + " is: set both for basic authentication");
    }
    Duration requestTimeout = parseRequestTimeout(env.get(REQUEST_TIMEOUT));
    BasicMlflowHostCreds creds;
    String authorization;
    if (username != null) {
      creds = new BasicMlflowHostCreds(host, username, password);
      authorization =
          "Basic "
              + Base64.getEncoder()
                  .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    } else if (token != null) {
      creds = new BasicMlflowHostCreds(host, token);
      authorization = "Bearer " + token;
    } else {
      creds = new BasicMlflowHostCreds(host);
      authorization = null;
    }
    MlflowClient client = new MlflowClient(creds);
    setTimeouts(client, CONNECT_TIMEOUT, requestTimeout);
    return new MlflowServer(URI.create(host), authorization, client, requestTimeout);
  }

  private static Duration parseRequestTimeout(String seconds) {
    if (seconds == null) {
      return DEFAULT_REQUEST_TIMEOUT;
    }
    try {
      double value = Double.parseDouble(seconds.strip());
      if (value > 0 && value <= Integer.MAX_VALUE / 1000) {
        return Duration.ofMillis(Math.round(value * 1000));
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    throw new IllegalArgumentException(
        REQUEST_TIMEOUT + " must be a positive number of seconds, got '" + seconds + "'");
  }

  /**
   * MLflow's Java client builds its HTTP client without timeouts, so a server that accepts a
   * connection and never answers holds the call for ever. It builds one only when it has none: give
   * it one with connect and read timeouts first (its fields are not public).
   */
  private static void setTimeouts(MlflowClient client, Duration connect, Duration read) {
    RequestConfig config =
        RequestConfig.custom()
            .setConnectTimeout((int) connect.toMillis())
            .setConnectionRequestTimeout((int) connect.toMillis())
            .setSocketTimeout((int) read.toMillis())
            .build();
    try {
      Field callerField = MlflowClient.class.getDeclaredField("httpCaller");
      callerField.setAccessible(true);
      Object caller = callerField.get(client);
      Field httpField = caller.getClass().getDeclaredField("httpClient");
      httpField.setAccessible(true);
      httpField.set(caller, HttpClientBuilder.create().setDefaultRequestConfig(config).build());
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException(
          "Cannot set the MLflow client's HTTP timeouts (has mlflow-client changed?)", e);
    }
  }

  /** Whether a tracking URI names a server rather than a local directory. */
  public static boolean isRemote(String trackingUri) {
    return trackingUri.startsWith("http://") || trackingUri.startsWith("https://");
  }

  public URI uri() {
    return uri;
  }

  MlflowClient client() {
    return client;
  }

  /**
   * The id of the active experiment with that name, created when there is none. Looked up by search
   * rather than get-by-name: a missing experiment is then an empty answer, not a 404 that the Java
   * client would retry.
   */
  String experimentId(String name) {
    Optional<Service.Experiment> existing = findExperiment(name);
    if (existing.isEmpty()) {
      try {
        return client.createExperiment(name);
      } catch (MlflowHttpException e) {
        // Another process (a second run, a test) created it between our search and create.
        if (!isAlreadyExists(e)) {
          throw e;
        }
        existing = findExperiment(name);
        if (existing.isEmpty()) {
          throw e;
        }
      }
    }
    if (!"active".equals(existing.get().getLifecycleStage())) {
      throw new IllegalStateException(
          "Experiment '"
              + name
              + "' is deleted on "
              + uri
              + ": restore it (mlflow experiments restore) or use another experiment name");
    }
    return existing.get().getExperimentId();
  }

  /** The experiment with exactly that name, active or deleted. */
  Optional<Service.Experiment> findExperiment(String name) {
    return client
        .searchExperiments("name = " + quoted(name), Service.ViewType.ALL, 10, List.of())
        .getItems()
        .stream()
        .filter(e -> e.getName().equals(name))
        .findFirst();
  }

  static boolean isAlreadyExists(MlflowHttpException e) {
    return String.valueOf(e.getBodyMessage()).contains("RESOURCE_ALREADY_EXISTS");
  }

  /** A string literal for MLflow's search filters. */
  static String quoted(String value) {
    if (!value.contains("'")) {
      return "'" + value + "'";
    }
    if (!value.contains("\"")) {
      return "\"" + value + "\"";
    }
    throw new IllegalArgumentException(
        "Name " + value + " holds both ' and \": MLflow's search filters cannot quote it");
  }

  /** The active run of the experiment that copies the local run with that id, if pushed before. */
  Optional<Service.Run> findCopyOf(String experimentId, String localRunId) {
    String filter = "tags.`" + SystemTags.LOCAL_RUN_ID + "` = " + quoted(localRunId);
    return client
        .searchRuns(List.of(experimentId), filter, Service.ViewType.ACTIVE_ONLY, 1)
        .getItems()
        .stream()
        .findFirst();
  }

  /**
   * The active runs of the experiment with that name, or of all experiments, newest first.
   *
   * @throws IllegalArgumentException when the server has no experiment with that name
   */
  public List<RunRecord> listRuns(Optional<String> experimentName) {
    Map<String, String> names = experimentNames();
    List<String> ids = new ArrayList<>();
    names.forEach(
        (id, name) -> {
          if (experimentName.isEmpty() || experimentName.get().equals(name)) {
            ids.add(id);
          }
        });
    if (ids.isEmpty()) {
      throw new IllegalArgumentException(
          "No experiment '"
              + experimentName.orElse("")
              + "' on "
              + uri
              + "; experiments: "
              + new TreeSet<>(names.values()));
    }
    return searchRuns(ids, "", names);
  }

  /**
   * The run with that server id, else the server's copy of the local run with that id, else the
   * only active run with that name.
   *
   * @throws IllegalArgumentException when there is no such run, or several runs have that name
   */
  public RunRecord readRun(String idOrName) {
    Map<String, String> names = experimentNames();
    List<String> ids = List.copyOf(names.keySet());
    String value = quoted(idOrName);
    for (String filter :
        List.of(
            "attributes.run_id = " + value,
            "tags.`" + SystemTags.LOCAL_RUN_ID + "` = " + value,
            "attributes.run_name = " + value)) {
      List<RunRecord> found = ids.isEmpty() ? List.of() : searchRuns(ids, filter, names);
      if (found.size() == 1) {
        return found.get(0);
      }
      if (found.size() > 1) {
        throw new IllegalArgumentException(
            found.size()
                + " runs on "
                + uri
                + " match '"
                + idOrName
                + "': give one of their ids: "
                + found.stream().map(RunRecord::id).toList());
      }
    }
    throw new IllegalArgumentException(
        "No run with id or name '" + idOrName + "' on " + uri + " (chexnet runs list shows them)");
  }

  // experiment id -> name, active experiments only
  private Map<String, String> experimentNames() {
    Map<String, String> names = new TreeMap<>();
    ExperimentsPage page = client.searchExperiments();
    while (true) {
      page.getItems().forEach(e -> names.put(e.getExperimentId(), e.getName()));
      if (!page.hasNextPage()) {
        break;
      }
      page = (ExperimentsPage) page.getNextPage();
    }
    return names;
  }

  private List<RunRecord> searchRuns(
      List<String> experimentIds, String filter, Map<String, String> names) {
    List<RunRecord> runs = new ArrayList<>();
    RunsPage page = client.searchRuns(experimentIds, filter, Service.ViewType.ACTIVE_ONLY, 1000);
    while (true) {
      page.getItems().forEach(r -> runs.add(record(r, names.get(r.getInfo().getExperimentId()))));
      if (!page.hasNextPage()) {
        break;
      }
      page = (RunsPage) page.getNextPage();
    }
    runs.sort(Comparator.comparingLong(RunRecord::startTime).reversed());
    return runs;
  }

  private static RunRecord record(Service.Run run, String experimentName) {
    Service.RunInfo info = run.getInfo();
    Map<String, String> params = new TreeMap<>();
    run.getData().getParamsList().forEach(p -> params.put(p.getKey(), p.getValue()));
    Map<String, String> tags = new TreeMap<>();
    run.getData().getTagsList().forEach(t -> tags.put(t.getKey(), t.getValue()));
    Map<String, Double> metrics = new TreeMap<>();
    run.getData().getMetricsList().forEach(m -> metrics.put(m.getKey(), m.getValue()));
    return new RunRecord(
        info.getRunId(),
        info.getExperimentId(),
        experimentName,
        info.getRunName(),
        info.getStatus().name(),
        info.getStartTime(),
        info.hasEndTime() ? info.getEndTime() : null,
        params,
        tags,
        metrics,
        info.getArtifactUri());
  }

  /** A tracking-API GET (path relative to {@code api/2.0/mlflow/}, with its query), as JSON. */
  JsonNode get(String path, Map<String, String> query) throws IOException {
    return JSON.readTree(client.sendGet(path + queryString(query)));
  }

  /** A tracking-API POST (path relative to {@code api/2.0/mlflow/}), as JSON. */
  JsonNode post(String path, Map<String, ?> body) throws IOException {
    return JSON.readTree(client.sendPost(path, JSON.writeValueAsString(body)));
  }

  /** Uploads one file to {@code <artifactRoot>/<relativePath>} through the artifact proxy. */
  void uploadArtifact(String artifactRoot, String relativePath, Path file) throws IOException {
    HttpRequest request =
        request(proxyUri(artifactRoot, relativePath, null), TRANSFER_TIMEOUT)
            .PUT(HttpRequest.BodyPublishers.ofFile(file))
            .build();
    send(request, HttpResponse.BodyHandlers.discarding(), "upload " + relativePath);
  }

  /** Every file under {@code artifactRoot}: path relative to it, to size in bytes. */
  Map<String, Long> listArtifacts(String artifactRoot) throws IOException {
    Map<String, Long> files = new TreeMap<>();
    List<String> pending = new ArrayList<>(List.of(""));
    while (!pending.isEmpty()) {
      String directory = pending.remove(pending.size() - 1);
      String query = "path=" + encode(proxyPath(artifactRoot, directory));
      HttpRequest request = request(proxyUri(artifactRoot, null, query), requestTimeout).build();
      String body = send(request, HttpResponse.BodyHandlers.ofString(), "list " + directory).body();
      for (JsonNode entry : JSON.readTree(body).path("files")) {
        String path = join(directory, entry.path("path").asText());
        if (entry.path("is_dir").asBoolean()) {
          pending.add(path);
        } else {
          files.put(path, entry.path("file_size").asLong(-1));
        }
      }
    }
    return files;
  }

  /**
   * Downloads everything under {@code artifactRoot} into {@code target}, which is replaced as a
   * whole: a failed download leaves what was there.
   *
   * @throws IOException also when there is nothing under {@code artifactRoot}
   */
  void downloadArtifacts(String artifactRoot, Path target) throws IOException {
    Map<String, Long> files = listArtifacts(artifactRoot);
    if (files.isEmpty()) {
      throw new IOException("No artifacts at " + artifactRoot + " on " + uri);
    }
    AtomicFiles.replaceDirectory(
        target,
        staging -> {
          for (String path : files.keySet()) {
            Path file = staging.resolve(Keys.requireValid(path));
            Files.createDirectories(file.getParent());
            HttpRequest request =
                request(proxyUri(artifactRoot, path, null), TRANSFER_TIMEOUT).build();
            send(request, HttpResponse.BodyHandlers.ofFile(file), "download " + path);
          }
        });
  }

  /**
   * Downloads one file, {@code <artifactRoot>/<relativePath>}, to {@code file} (written beside it
   * and moved into place, so a failed download leaves what was there).
   */
  void downloadArtifact(String artifactRoot, String relativePath, Path file) throws IOException {
    HttpRequest request =
        request(proxyUri(artifactRoot, relativePath, null), TRANSFER_TIMEOUT).build();
    AtomicFiles.write(
        file,
        out -> {
          HttpResponse<InputStream> response =
              send(request, HttpResponse.BodyHandlers.ofInputStream(), "download " + relativePath);
          try (InputStream body = response.body()) {
            body.transferTo(out);
          }
        });
  }

  private HttpRequest.Builder request(URI target, Duration timeout) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(target).timeout(timeout);
    if (authorization != null) {
      builder.header("Authorization", authorization);
    }
    return builder;
  }

  private <T> HttpResponse<T> send(
      HttpRequest request, HttpResponse.BodyHandler<T> handler, String what) throws IOException {
    HttpResponse<T> response;
    try {
      response = http.send(request, handler);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted: " + what + " at " + uri, e);
    }
    if (response.statusCode() / 100 != 2) {
      String detail = response.body() instanceof String body ? ": " + body.strip() : "";
      throw new IOException(
          "MLflow artifact proxy at "
              + uri
              + ": "
              + what
              + ": HTTP "
              + response.statusCode()
              + detail);
    }
    return response;
  }

  // mlflow-artifacts:/1/<run>/artifacts -> 1/<run>/artifacts, the path under the proxy
  private String proxyPath(String artifactRoot, String relativePath) {
    URI root = URI.create(artifactRoot);
    if (!PROXY_SCHEME.equals(root.getScheme())) {
      throw new IllegalStateException(
          "The server "
              + uri
              + " keeps these artifacts at "
              + artifactRoot
              + ", which its artifact proxy does not serve: run it with artifact serving"
              + " (mlflow server --artifacts-destination DIR)");
    }
    return join(root.getPath().replaceAll("^/+|/+$", ""), relativePath);
  }

  private URI proxyUri(String artifactRoot, String relativePath, String query) {
    String path = query != null ? "" : "/" + proxyPath(artifactRoot, relativePath);
    try {
      // The multi-argument constructor percent-encodes what a path may not hold (spaces...).
      URI target =
          new URI(
              uri.getScheme(),
              uri.getRawAuthority(),
              uri.getPath() + PROXY_PATH + path,
              null,
              null);
      return query == null ? target : URI.create(target.toASCIIString() + "?" + query);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("Bad artifact path '" + relativePath + "'", e);
    }
  }

  private static String join(String directory, String name) {
    if (name == null || name.isEmpty()) {
      return directory;
    }
    return directory.isEmpty() ? name : directory + "/" + name;
  }

  private static String queryString(Map<String, String> query) {
    StringBuilder text = new StringBuilder();
    query.forEach(
        (key, value) ->
            text.append(text.length() == 0 ? '?' : '&')
                .append(key)
                .append('=')
                .append(encode(value)));
    return text.toString();
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** One line for a log or an error: the server's own message when it answered. */
  public static String describe(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof MlflowHttpException http) {
        return "HTTP "
            + http.getStatusCode()
            + " "
            + http.getReasonPhrase()
            + ": "
            + http.getBodyMessage();
      }
    }
    Throwable root = failure;
    while (root.getCause() != null && root instanceof MlflowClientException) {
      root = root.getCause();
    }
    // Words, not the exception's class: "Connect to 127.0.0.1:9 failed: Connection refused".
    if (root instanceof java.net.UnknownHostException) {
      return "unknown host " + root.getMessage();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }

  @Override
  public void close() {
    client.close();
  }
}
