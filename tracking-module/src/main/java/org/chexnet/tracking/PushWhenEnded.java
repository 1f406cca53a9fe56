package org.chexnet.tracking;

import java.net.URI;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mirror of a run continued after a crash: its server copy (if any) stopped where the crash
 * was, so instead of mirroring record by record it pushes the whole run once it has ended, which
 * completes the copy or makes one ({@link RunPush} is idempotent). A failure is logged with the
 * command that retries it, never thrown.
 */
final class PushWhenEnded implements RunMirror {
  private static final Logger LOG = LoggerFactory.getLogger(PushWhenEnded.class);

  private final URI server;
  private final Map<String, String> env;
  private final LocalRunStore store;

  PushWhenEnded(URI server, Map<String, String> env, LocalRunStore store) {
    this.server = server;
    this.env = env;
    this.store = store;
  }

  @Override
  public void ended(Run run) {
    try (MlflowServer remote = MlflowServer.connect(server, env)) {
      RunPush.Result result = RunPush.push(store, store.readRun(run.id()), remote);
      LOG.info("Run {} is on {} as run {}", run.id(), server, result.remoteRunId());
    } catch (Exception e) {
      LOG.warn(
          "Could not copy run {} to {} ({}); it is complete locally: chexnet runs push {} --to {}"
              + " --store {}",
          run.id(),
          server,
          e.getMessage(),
          run.id(),
          server,
          store.root());
    }
  }
}
