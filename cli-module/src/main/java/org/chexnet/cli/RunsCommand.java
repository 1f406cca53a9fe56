package org.chexnet.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.chexnet.tracking.LocalRunStore;
import org.chexnet.tracking.Lookups;
import org.chexnet.tracking.MlflowServer;
import org.chexnet.tracking.RunProcess;
import org.chexnet.tracking.RunPush;
import org.chexnet.tracking.RunRecord;
import org.chexnet.tracking.RunSource;
import org.chexnet.tracking.SystemTags;
import org.chexnet.tracking.Tracking;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "runs",
    mixinStandardHelpOptions = true,
    description = "Recorded runs: list, compare, push to an MLflow server.",
    subcommands = {RunsCommand.Push.class, RunsCommand.ListRuns.class, RunsCommand.Compare.class})
final class RunsCommand {
  // Shown by `runs list` when any listed run has them: the numbers a run is judged by.
  private static final List<String> HEADLINE_METRICS =
      List.of("test_mean_auroc", "val_mean_auroc", "val_loss", "loss");
  private static final DateTimeFormatter STARTED =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneId.systemDefault());

  private RunsCommand() {}

  @Command(
      name = "push",
      mixinStandardHelpOptions = true,
      description = {
        "Copy local runs to an MLflow server, or complete copies made before (a mirror that lost"
            + " its server): params, tags, every metric value, artifacts, status.",
        "Only what the server lacks is sent, so pushing a run twice does not duplicate it."
      })
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
        description =
            "the server, e.g. http://127.0.0.1:5000 or https://dagshub.com/USER/REPO.mlflow;"
                + " credentials from MLFLOW_TRACKING_USERNAME/PASSWORD or MLFLOW_TRACKING_TOKEN")
    String to;

    @Option(
        names = "--store",
        paramLabel = "DIR",
        description = "the local run store (default: " + RunSource.DEFAULT_STORE + ")")
    Path store = Path.of(RunSource.DEFAULT_STORE);

    @Override
    public Integer call() throws IOException {
      LocalRunStore local = RunSource.localStore(store);
      List<RunRecord> selected = new ArrayList<>();
      if (runs.isEmpty()) {
        selected.addAll(local.listRuns(Optional.empty()));
        // Oldest first: the server lists them in the order they ran.
        selected.sort(Comparator.comparingLong(RunRecord::startTime));
      } else {
        for (String run : runs) {
          selected.add(Lookups.asInput(() -> local.readRun(run)));
        }
      }
      if (selected.isEmpty()) {
        System.out.println("No runs in " + store);
        return 0;
      }
      int failed = 0;
      try (MlflowServer server = Lookups.asInput(() -> MlflowServer.connect(URI.create(to)))) {
        for (RunRecord run : selected) {
          try {
            RunPush.Result pushed = RunPush.push(local, run, server);
            System.out.printf(
                "%s (%s) -> %s/#/experiments/%s/runs/%s: %s%n",
                run.id(),
                run.name(),
                server.uri(),
                pushed.experimentId(),
                pushed.remoteRunId(),
                pushed.created()
                    ? String.format(
                        "new copy, %d values and %d files sent", pushed.sent(), pushed.uploaded())
                    : pushed.sent() + pushed.uploaded() == 0
                        ? "already complete"
                        : String.format(
                            "completed: %d values and %d files sent",
                            pushed.sent(), pushed.uploaded()));
          } catch (RuntimeException | IOException e) {
            failed++;
            System.err.printf(
                "%s (%s): not pushed: %s%n", run.id(), run.name(), MlflowServer.describe(e));
          }
        }
      }
      if (failed > 0) {
        System.err.printf("%d of %d runs were not pushed%n", failed, selected.size());
        return 1;
      }
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
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
      List<String> metrics =
          HEADLINE_METRICS.stream()
              .filter(key -> runs.stream().anyMatch(r -> r.metrics().containsKey(key)))
              .toList();
      List<String> header =
          new ArrayList<>(List.of("RUN ID", "EXPERIMENT", "NAME", "STATUS", "STARTED"));
      header.addAll(metrics);
      TextTable table = new TextTable(header);
      for (RunRecord run : runs) {
        List<String> row =
            new ArrayList<>(
                List.of(
                    run.id(),
                    run.experimentName(),
                    run.name(),
                    status(run),
                    STARTED.format(Instant.ofEpochMilli(run.startTime()))));
        metrics.forEach(key -> row.add(TextTable.number(run.metrics().get(key))));
        table.add(row);
      }
      table.print(System.out);
      for (RunRecord run : runs) {
        if (RunProcess.interrupted(run)) {
          System.out.printf(
              "%s (%s) was interrupted: its process is gone. Continue it with: %s%n",
              run.id(), run.name(), resumeCommand(run, from.from));
        }
      }
      return 0;
    }
  }

  @Command(
      name = "compare",
      mixinStandardHelpOptions = true,
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
      List<String> header = new ArrayList<>(List.of(""));
      records.forEach(r -> header.add(r.name()));
      TextTable table = new TextTable(header);
      table.add(row("run id", records.stream().map(RunRecord::id).toList()));
      table.add(row("experiment", records.stream().map(RunRecord::experimentName).toList()));
      table.add(row("status", records.stream().map(RunsCommand::status).toList()));
      Set<String> params = new TreeSet<>();
      records.forEach(r -> params.addAll(r.params().keySet()));
      int hidden = 0;
      for (String key : params) {
        List<String> values = records.stream().map(r -> r.params().getOrDefault(key, "-")).toList();
        if (!allParams && values.stream().distinct().count() == 1) {
          hidden++;
          continue;
        }
        table.add(row("param " + key, values));
      }
      Set<String> metrics = new TreeSet<>();
      records.forEach(r -> metrics.addAll(r.metrics().keySet()));
      for (String key : metrics) {
        table.add(
            row(
                "metric " + key,
                records.stream().map(r -> TextTable.number(r.metrics().get(key))).toList()));
      }
      table.print(System.out);
      if (hidden > 0) {
        System.out.printf("(%d params equal in every run not shown: --all-params)%n", hidden);
      }
      return 0;
    }

    private static List<String> row(String label, List<String> values) {
      List<String> row = new ArrayList<>(List.of(label));
      row.addAll(values);
      return row;
    }
  }

  /** How to continue an interrupted run: always from the local store it was recorded in. */
  private static String resumeCommand(RunRecord run, String from) {
    if (from != null && MlflowServer.isRemote(from)) {
      return "chexnet run --resume " + run.tags().getOrDefault(SystemTags.LOCAL_RUN_ID, run.id());
    }
    boolean defaultStore = from == null || Path.of(from).equals(Path.of(RunSource.DEFAULT_STORE));
    return "chexnet run --resume " + run.id() + (defaultStore ? "" : " --store " + from);
  }

  /** MLflow's status, or INTERRUPTED for a RUNNING run whose process is gone. */
  private static String status(RunRecord run) {
    return RunProcess.interrupted(run) ? "INTERRUPTED" : run.status();
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
