package org.chexnet.tracking;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real MLflow tracking server for integration tests: {@code mlflow server} on 127.0.0.1 and a
 * free port, SQLite backend, artifacts served through its proxy. The pinned MLflow comes from
 * {@code src/test/python/setup-mlflow.sh}; its {@code mlflow} executable is named by the system
 * property {@code chexnet.mlflow} or the environment variable {@code CHEXNET_MLFLOW}, else
 * installed by that script on first use.
 */
public final class MlflowTestServer implements AutoCloseable {
  static final String PROPERTY = "chexnet.mlflow";
  static final String ENV = "CHEXNET_MLFLOW";
  private static final Path SCRIPTS = scriptsDirectory();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path mlflow;
  private final Path dir;
  private final int port;
  private Process process;

  private MlflowTestServer(Path mlflow, Path dir, int port) {
    this.mlflow = mlflow;
    this.dir = dir;
    this.port = port;
  }

  /**
   * The pinned {@code mlflow} executable: the one named by {@link #PROPERTY} / {@link #ENV}, else
   * the one {@code setup-mlflow.sh} installs (pip, once, into a cached virtual environment), so
   * that {@code mvn verify} runs these tests on a fresh machine. Fails the calling test, saying
   * why, when neither works: the suite never skips for want of a tool.
   */
  static synchronized Path requireMlflow() {
    if (installed == null) {
      installed = locateOrInstall();
    }
    if (installed.startsWith("!")) {
      fail(installed.substring(1));
    }
    return Path.of(installed);
  }

  /** The executable's path, or "!" and why there is none. */
  private static String installed;

  private static String locateOrInstall() {
    String configured = System.getProperty(PROPERTY, System.getenv(ENV));
    if (configured != null) {
      return Files.isExecutable(Path.of(configured))
          ? configured
          : "!" + PROPERTY + "/" + ENV + " names " + configured + ", which is not an executable";
    }
    try {
      Process setup =
          new ProcessBuilder("bash", SCRIPTS.resolve("setup-mlflow.sh").toString())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      String printed = new String(setup.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!setup.waitFor(15, TimeUnit.MINUTES) || setup.exitValue() != 0) {
        return "!setup-mlflow.sh failed; MLflow integration tests need python3 with pip and PyPI";
      }
      String[] lines = printed.strip().split("\n");
      return lines[lines.length - 1].strip();
    } catch (IOException e) {
      return "!cannot run setup-mlflow.sh: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "!interrupted while installing MLflow";
    }
  }

  /** Starts a server keeping its database and artifacts under {@code dir}. */
  public static MlflowTestServer start(Path dir) throws IOException, InterruptedException {
    Path mlflow = requireMlflow();
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    MlflowTestServer server = new MlflowTestServer(mlflow, dir, port);
    server.restart();
    return server;
  }

  public URI uri() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** Starts the server again, on the same port, database and artifacts. */
  void restart() throws IOException, InterruptedException {
    Files.createDirectories(dir);
    process =
        new ProcessBuilder(
                mlflow.toString(),
                "server",
                "--backend-store-uri",
                "sqlite:///" + dir.resolve("mlflow.db").toAbsolutePath(),
                "--artifacts-destination",
                dir.resolve("artifacts").toAbsolutePath().toString(),
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--workers",
                "1")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile()))
            .start();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("mlflow server exited:\n" + log());
      }
      try {
        HttpRequest health = HttpRequest.newBuilder(uri().resolve("/health")).build();
        if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(250);
    }
    kill();
    throw new IllegalStateException("mlflow server did not answer in 90 s:\n" + log());
  }

  /** Stops the server at once, as a crash or a lost network would (gunicorn workers too). */
  void kill() throws InterruptedException {
    List<ProcessHandle> all =
        java.util.stream.Stream.concat(
                process.descendants(), java.util.stream.Stream.of(process.toHandle()))
            .toList();
    all.forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle handle : all) {
      handle.onExit().orTimeout(30, TimeUnit.SECONDS).join();
    }
  }

  /** The run as MLflow's Python client reads it from {@code trackingUri}. */
  public JsonNode readRun(String trackingUri, String runId)
      throws IOException, InterruptedException {
    return python("read_run.py", trackingUri, "run", runId);
  }

  /** The files of a registered model as MLflow's Python client downloads them. */
  public JsonNode readModel(String modelUri) throws IOException, InterruptedException {
    return python("read_run.py", uri().toString(), "model", modelUri);
  }

  /** Runs one of src/test/python's scripts with the pinned MLflow's Python; returns its JSON. */
  public JsonNode python(String script, String... args) throws IOException, InterruptedException {
    return JSON.readTree(runPython(mlflow, script, args));
  }

  /** Runs a script of src/test/python with the Python beside {@code mlflow}; returns stdout. */
  static String runPython(Path mlflow, String script, String... args)
      throws IOException, InterruptedException {
    List<String> command =
        java.util.stream.Stream.concat(
                java.util.stream.Stream.of(
                    mlflow.resolveSibling("python").toString(), SCRIPTS.resolve(script).toString()),
                java.util.stream.Stream.of(args))
            .toList();
    Path out = Files.createTempFile("mlflow-python", ".out");
    Path err = Files.createTempFile("mlflow-python", ".err");
    try {
      Process python =
          new ProcessBuilder(command)
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      if (!python.waitFor(120, TimeUnit.SECONDS)) {
        python.destroyForcibly();
        throw new IllegalStateException(script + " timed out");
      }
      String stdout = Files.readString(out, StandardCharsets.UTF_8);
      if (python.exitValue() != 0) {
        throw new AssertionError(
            String.join(" ", command)
                + " failed ("
                + python.exitValue()
                + "):\n"
                + stdout
                + Files.readString(err, StandardCharsets.UTF_8));
      }
      return stdout;
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  // tracking-module/src/test/python, found from these classes (target/test-classes or the
  // module's test jar in target/), so that other modules' tests can run the scripts too.
  private static Path scriptsDirectory() {
    try {
      Path classes =
          Path.of(
              MlflowTestServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return classes.getParent().getParent().resolve("src/test/python");
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private String log() throws IOException {
    Path log = dir.resolve("server.log");
    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no log)";
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null) {
      kill();
    }
  }
}
