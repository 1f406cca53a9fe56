package org.chexnet.tracking;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.mlflow.api.proto.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies a run to a tracking server while it is written locally. Calls to the server happen on one
 * background thread, in order, so training never waits for the network; params, tags and metrics
 * are gathered for {@link #LINGER_MILLIS} and sent with one log-batch. At the end the run is
 * completed with {@link RunPush} (artifacts, anything missed, status).
 *
 * <p>The first failure (server unreachable, an error answer) is logged once with the command that
 * copies the run later; from then on the mirror does nothing and the local run goes on alone.
 */
final class RemoteMirror implements RunMirror {
  private static final Logger LOG = LoggerFactory.getLogger(RemoteMirror.class);
  static final long LINGER_MILLIS = 1000;
  // How long end() waits for the last uploads (a checkpoint or SavedModel) before giving up.
  private static final long DRAIN_MINUTES = 30;

  private final MlflowServer server;
  private final LocalRunStore store;
  private final String experimentName;
  private final ScheduledExecutorService worker;
  private final List<Service.Param> params = new ArrayList<>();
  private final List<Service.RunTag> tags = new ArrayList<>();
  private final List<Service.Metric> metrics = new ArrayList<>();
  private boolean flushScheduled;
  private volatile String localRunId;
  // Touched by the worker thread only.
  private String remoteRunId;
  private volatile boolean failed;

  RemoteMirror(MlflowServer server, LocalRunStore store, String experimentName) {
    this.server = server;
    this.store = store;
    this.experimentName = experimentName;
    this.worker =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "mlflow-mirror");
              thread.setDaemon(true);
              return thread;
            });
  }

  @Override
  public void started(Run run) {
    localRunId = run.id();
    String name = run.name();
    long startTime = run.startTime();
    String user = run.userId();
    submit(
        () -> {
          String experimentId = server.experimentId(experimentName);
          remoteRunId = RunPush.createCopy(server, experimentId, localRunId, name, startTime, user);
          LOG.info("Mirroring run {} to {} as run {}", localRunId, server.uri(), remoteRunId);
        });
  }

  @Override
  public void param(String key, String value) {
    pending(() -> params.add(RunPush.param(key, value)));
  }

  @Override
  public void tag(String key, String value) {
    if (key.equals(SystemTags.PARENT_RUN_ID)) {
      // The server knows the parent by its own id; finding it takes calls, so off this thread.
      submit(
          () -> {
            String remoteParent = RunPush.remoteParentId(store, value, server);
            pending(() -> tags.add(RunPush.tag(key, remoteParent)));
          });
      return;
    }
    pending(() -> tags.add(RunPush.tag(key, value)));
  }

  @Override
  public void metric(String key, double value, long timestamp, long step) {
    pending(() -> metrics.add(RunPush.metric(key, new MetricPoint(timestamp, value, step))));
  }

  @Override
  public void inputs(List<DatasetInput> inputs) {
    submit(() -> RunPush.logInputs(server, remoteRunId, inputs));
  }

  @Override
  public void ended(Run run) {
    submit(
        () -> {
          flush();
          RunPush.Result result = RunPush.push(store, store.readRun(localRunId), server);
          LOG.info(
              "Run {} is on {}: {}/#/experiments/{}/runs/{}",
              localRunId,
              server.uri(),
              server.uri(),
              result.experimentId(),
              result.remoteRunId());
        });
    worker.shutdown();
    try {
      if (!worker.awaitTermination(DRAIN_MINUTES, TimeUnit.MINUTES)) {
        fail(new IllegalStateException("still uploading after " + DRAIN_MINUTES + " minutes"));
        worker.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      worker.shutdownNow();
    } finally {
      server.close();
    }
    if (failed) {
      // Repeated at the end, where a person reading the output looks, not only where it failed.
      LOG.warn(
          "Run {} ended; {} does not have all of it. Copy it there with: {}",
          localRunId,
          server.uri(),
          pushCommand());
    }
  }

  private String pushCommand() {
    return "chexnet runs push " + localRunId + " --to " + server.uri() + " --store " + store.root();
  }

  private synchronized void pending(Runnable add) {
    if (failed || worker.isShutdown()) {
      return;
    }
    add.run();
    if (!flushScheduled) {
      flushScheduled = true;
      worker.schedule(() -> guarded(this::flush), LINGER_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  private void flush() {
    List<Service.Metric> m;
    List<Service.Param> p;
    List<Service.RunTag> t;
    synchronized (this) {
      flushScheduled = false;
      m = List.copyOf(metrics);
      p = List.copyOf(params);
      t = List.copyOf(tags);
      metrics.clear();
      params.clear();
      tags.clear();
    }
    RunPush.logBatch(server, remoteRunId, m, p, t);
  }

  private interface ServerCall {
    void run() throws Exception;
  }

  private void submit(ServerCall call) {
    worker.execute(() -> guarded(call));
  }

  private void guarded(ServerCall call) {
    if (failed) {
      return;
    }
    try {
      call.run();
    } catch (Exception e) {
      fail(e);
    }
  }

  private void fail(Throwable e) {
    if (failed) {
      return;
    }
    failed = true;
    LOG.warn(
        "MLflow server {} failed: {}. The run goes on and is complete locally; copy it to the"
            + " server later with: {}",
        server.uri(),
        MlflowServer.describe(e),
        pushCommand());
  }
}
