package org.chexnet.tracking;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where runs are recorded: always the local store, written first, and optionally a copy on an
 * MLflow tracking server, made as the run goes ({@link RemoteMirror}). A server that is down or
 * answers errors never stops a run: it is logged once and {@code chexnet runs push} copies the run
 * later.
 */
public final class Tracking {
  /** MLflow's environment variable for the tracking server. */
  public static final String TRACKING_URI_ENV = "MLFLOW_TRACKING_URI";

  private static final String DEFAULT_LOCAL_DIR = "mlruns";

  private final LocalRunStore local;
  private final Optional<URI> remote;
  private final Map<String, String> env;

  private Tracking(LocalRunStore local, Optional<URI> remote, Map<String, String> env) {
    this.local = local;
    this.remote = remote;
    this.env = env;
  }

  /**
   * @param localRoot the local store, e.g. {@code ./mlruns}
   * @param remote an {@code http(s)://} MLflow server to mirror to; credentials from the
   *     environment ({@link MlflowServer})
   */
  public static Tracking open(Path localRoot, Optional<URI> remote) {
    return open(localRoot, remote, System.getenv());
  }

  static Tracking open(Path localRoot, Optional<URI> remote, Map<String, String> env) {
    // Connect once now so a bad URI or half-set credentials stop the run before any work.
    remote.ifPresent(uri -> MlflowServer.connect(uri, env).close());
    return new Tracking(new LocalRunStore(localRoot), remote, env);
  }

  /**
   * From a spec's {@code tracking.uri}: a directory (or {@code file:} URI) is the local store; an
   * {@code http(s)://} server is mirrored to, with the local store in {@code workDir/mlruns}. With
   * a directory, {@code MLFLOW_TRACKING_URI} naming a server adds that server as the mirror.
   */
  public static Tracking fromUri(String trackingUri, Path workDir) {
    return fromUri(trackingUri, workDir, System.getenv());
  }

  static Tracking fromUri(String trackingUri, Path workDir, Map<String, String> env) {
    Objects.requireNonNull(trackingUri, "trackingUri");
    if (MlflowServer.isRemote(trackingUri)) {
      return open(workDir.resolve(DEFAULT_LOCAL_DIR), Optional.of(URI.create(trackingUri)), env);
    }
    Path local =
        trackingUri.startsWith("file:")
            ? Path.of(URI.create(trackingUri))
            : workDir.resolve(trackingUri);
    String fromEnv = env.get(TRACKING_URI_ENV);
    Optional<URI> remote =
        fromEnv != null && MlflowServer.isRemote(fromEnv)
            ? Optional.of(URI.create(fromEnv))
            : Optional.empty();
    return open(local, remote, env);
  }

  /**
   * Continues a run of the local store that was killed or failed (see {@link
   * LocalRunStore#reopenRun}); with a server, the whole run is pushed there when it ends,
   * completing the copy the crash cut short.
   */
  public Run reopenRun(String idOrName) throws IOException {
    return local.reopenRun(
        idOrName,
        remote.isPresent() ? new PushWhenEnded(remote.get(), env, local) : RunMirror.NONE);
  }

  public LocalRunStore local() {
    return local;
  }

  public Optional<URI> remote() {
    return remote;
  }

  /** Starts a run in the local store and, with a server, its copy there. */
  public Run startRun(String experimentName, String runName) throws IOException {
    RunMirror mirror =
        remote.isPresent()
            ? new RemoteMirror(MlflowServer.connect(remote.get(), env), local, experimentName)
            : RunMirror.NONE;
    return local.startRun(experimentName, runName, mirror);
  }

  /**
   * Starts a child run (a sweep's trial): tagged {@code mlflow.parentRunId} with the local parent's
   * id, which the server's copy gets as the parent's server id.
   */
  public Run startRun(String experimentName, String runName, String parentRunId)
      throws IOException {
    Run run = startRun(experimentName, runName);
    run.setTag(SystemTags.PARENT_RUN_ID, parentRunId);
    return run;
  }
}
