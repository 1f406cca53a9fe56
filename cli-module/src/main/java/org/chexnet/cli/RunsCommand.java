package org.chexnet.cli;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.chexnet.tracking.LocalRunStore;
import org.chexnet.tracking.Lookups;
import org.chexnet.tracking.MlflowServer;
import org.chexnet.tracking.RunPush;
import org.chexnet.tracking.RunRecord;
import org.chexnet.tracking.RunSource;
import org.chexnet.tracking.RunTables;
import org.chexnet.tracking.Tracking;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "runs",
    description = "Recorded runs: list, compare, push to an MLflow server.",
    subcommands = {RunsCommand.Push.class, RunsCommand.ListRuns.class, RunsCommand.Compare.class})
final class RunsCommand {
  private RunsCommand() {}

  @Command(
      name = "push",
      description =
          "Copy local runs to an MLflow server, or complete earlier copies: only what the server"
              + " lacks is sent.")
  static final class Push implements Callable<Integer> {
    @Parameters(
        paramLabel = "RUN",
        arity = "0..*",
        description = "run ids or names (default: every run in the local store)")
    List<String> runs = new ArrayList<>();

    @Option(
        names = "--to",
        required = true,
        paramLabel = "URI",
        description = "the server, e.g. http://127.0.0.1:5000 (credentials: docs/tracking.md)")
    String to;

    @Mixin StoreOption store;

    @Override
    public Integer call() throws IOException {
      LocalRunStore local = RunSource.localStore(store.directory);
      List<RunRecord> selected = RunPush.selected(local, runs);
      if (selected.isEmpty()) {
        System.out.println("No runs in " + store.directory);
        return 0;
      }
      int failed = 0;
      try (MlflowServer server = Lookups.asInput(() -> MlflowServer.connect(URI.create(to)))) {
        for (RunRecord run : selected) {
          try {
            System.out.println(RunPush.push(local, run, server).describe(run, server.uri()));
          } catch (RuntimeException | IOException e) {
            failed++;
            System.err.printf(
                "%s (%s): not pushed: %s%n", run.id(), run.name(), MlflowServer.describe(e));
          }
        }
      }
      if (failed > 0) {
        System.err.printf("%d of %d runs were not pushed%n", failed, selected.size());
        return Chexnet.FAILED;
      }
      return 0;
    }
  }

  @Command(
      name = "list",
      description = "A table of runs, newest first, with their headline metrics.")
  static final class ListRuns implements Callable<Integer> {
    @Mixin FromOption from;

    @Option(names = "--experiment", paramLabel = "NAME", description = "only this experiment")
    String experiment;

    @Override
    public Integer call() throws IOException {
      List<RunRecord> runs;
      try (RunSource source = RunSource.open(from.from)) {
        runs = source.list(Optional.ofNullable(experiment));
      }
      if (runs.isEmpty()) {
        System.out.println("No runs");
        return 0;
      }
      RunTables.list(runs).print(System.out);
      RunTables.interruptions(runs, from.from).forEach(System.out::println);
      return 0;
    }
  }

  @Command(
      name = "compare",
      description =
          "Runs side by side: the params that differ (all with --all-params) and every metric's"
              + " latest value.")
  static final class Compare implements Callable<Integer> {
    @Parameters(paramLabel = "RUN", arity = "2..*", description = "run ids or names")
    List<String> runs;

    @Mixin FromOption from;

    @Option(names = "--all-params", description = "also show params equal in every run")
    boolean allParams;

    @Override
    public Integer call() throws IOException {
      List<RunRecord> records = new ArrayList<>();
      try (RunSource source = RunSource.open(from.from)) {
        for (String run : runs) {
          records.add(source.read(run));
        }
      }
      RunTables.Comparison comparison = RunTables.compare(records, allParams);
      comparison.table().print(System.out);
      if (comparison.hiddenParams() > 0) {
        System.out.printf(
            "(%d params equal in every run not shown: --all-params)%n", comparison.hiddenParams());
      }
      return 0;
    }
  }

  /** {@code --from}: where {@code list} and {@code compare} read runs. */
  static final class FromOption {
    @Option(
        names = "--from",
        paramLabel = "URI|DIR",
        description =
            "a local store or an MLflow server (default: $"
                + Tracking.TRACKING_URI_ENV
                + " when it names a server, else "
                + RunSource.DEFAULT_STORE
                + ")")
    String from;
  }
}
