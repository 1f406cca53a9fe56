package org.chexnet.tracking;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.chexnet.common.TextTable;

/** Recorded runs as text tables: a list with headline metrics, and runs side by side. */
public final class RunTables {
  // Listed when any listed run has them: the numbers a run is judged by.
  private static final List<String> HEADLINE_METRICS =
      List.of("test_mean_auroc", "val_mean_auroc", "val_loss", "loss");
  private static final DateTimeFormatter STARTED =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneId.systemDefault());

  /**
   * Runs side by side.
   *
   * @param hiddenParams params left out because every run has the same value
   */
  public record Comparison(TextTable table, int hiddenParams) {}

  private RunTables() {}

  /** One row per run (id, experiment, name, status, start) with the headline metrics. */
  public static TextTable list(List<RunRecord> runs) {
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
    return table;
  }

  /**
   * For each interrupted run, a line saying how to continue it.
   *
   * @param from where the runs were read ({@link RunSource#open}'s argument)
   */
  public static List<String> interruptions(List<RunRecord> runs, String from) {
    return runs.stream()
        .filter(RunProcess::interrupted)
        .map(
            run ->
                String.format(
                    "%s (%s) was interrupted: its process is gone. Continue it with: %s",
                    run.id(), run.name(), resumeCommand(run, from)))
        .toList();
  }

  /** Status, params (only those that differ unless {@code allParams}) and every metric. */
  public static Comparison compare(List<RunRecord> runs, boolean allParams) {
    List<String> header = new ArrayList<>(List.of(""));
    runs.forEach(r -> header.add(r.name()));
    TextTable table = new TextTable(header);
    table.add(row("run id", runs.stream().map(RunRecord::id).toList()));
    table.add(row("experiment", runs.stream().map(RunRecord::experimentName).toList()));
    table.add(row("status", runs.stream().map(RunTables::status).toList()));
    Set<String> params = new TreeSet<>();
    runs.forEach(r -> params.addAll(r.params().keySet()));
    int hidden = 0;
    for (String key : params) {
      List<String> values = runs.stream().map(r -> r.params().getOrDefault(key, "-")).toList();
      if (!allParams && values.stream().distinct().count() == 1) {
        hidden++;
        continue;
      }
      table.add(row("param " + key, values));
    }
    Set<String> metrics = new TreeSet<>();
    runs.forEach(r -> metrics.addAll(r.metrics().keySet()));
    for (String key : metrics) {
      table.add(
          row(
              "metric " + key,
              runs.stream().map(r -> TextTable.number(r.metrics().get(key))).toList()));
    }
    return new Comparison(table, hidden);
  }

  private static List<String> row(String label, List<String> values) {
    List<String> row = new ArrayList<>(List.of(label));
    row.addAll(values);
    return row;
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
}
