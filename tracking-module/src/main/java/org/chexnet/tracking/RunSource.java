package org.chexnet.tracking;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.chexnet.common.ChexnetException;

/**
 * Where recorded runs are read from: a local store or an MLflow server, behind one interface; a
 * missing run, store or server is reported as input to fix ({@link Lookups#asInput}).
 */
public interface RunSource extends AutoCloseable {
  /** Where runs are recorded unless a spec's tracking.uri says otherwise. */
  String DEFAULT_STORE = "mlruns";

  /** Newest first; only {@code experiment}'s when given. */
  List<RunRecord> list(Optional<String> experiment) throws IOException;

  RunRecord read(String idOrName) throws IOException;

  @Override
  default void close() {}

  /**
   * @param from a directory or an http(s) URI; null: {@code MLFLOW_TRACKING_URI} when it names a
   *     server, else {@value #DEFAULT_STORE}
   */
  static RunSource open(String from) throws IOException {
    String env = System.getenv(Tracking.TRACKING_URI_ENV);
    String where =
        from != null ? from : env != null && MlflowServer.isRemote(env) ? env : DEFAULT_STORE;
    if (MlflowServer.isRemote(where)) {
      MlflowServer server = Lookups.asInput(() -> MlflowServer.connect(URI.create(where)));
      return new RunSource() {
        @Override
        public List<RunRecord> list(Optional<String> experiment) throws IOException {
          return Lookups.asInput(() -> server.listRuns(experiment));
        }

        @Override
        public RunRecord read(String idOrName) throws IOException {
          return Lookups.asInput(() -> server.readRun(idOrName));
        }

        @Override
        public void close() {
          server.close();
        }
      };
    }
    LocalRunStore store = localStore(Path.of(where));
    return new RunSource() {
      @Override
      public List<RunRecord> list(Optional<String> experiment) throws IOException {
        return Lookups.asInput(() -> store.listRuns(experiment));
      }

      @Override
      public RunRecord read(String idOrName) throws IOException {
        return Lookups.asInput(() -> store.readRun(idOrName));
      }
    };
  }

  /** The local store at {@code root}, which must exist. */
  static LocalRunStore localStore(Path root) {
    if (!Files.isDirectory(root)) {
      throw ChexnetException.invalidInput(
          "No run store at "
              + root.toAbsolutePath()
              + " (runs are recorded under tracking.uri, default "
              + DEFAULT_STORE
              + "; give another with --store or --from)");
    }
    return new LocalRunStore(root);
  }
}
