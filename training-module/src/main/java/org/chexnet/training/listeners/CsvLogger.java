package org.chexnet.training.listeners;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.chexnet.common.CrashPoints;
import org.chexnet.training.TrainingContext;
import org.chexnet.training.TrainingListener;

/**
 * Keras' CSVLogger: one row per epoch, columns {@code epoch} (0-based) then the log keys sorted, a
 * missing value written {@code NA}, flushed every epoch. With {@code append} the header is written
 * only into an empty file. Resuming after a crash cuts the file back to the last backed-up epoch
 * and appends from there.
 */
public final class CsvLogger implements TrainingListener {
  private final Path file;
  private final String separator;
  private final boolean append;
  private BufferedWriter writer;
  private List<String> keys;

  /** File length after the last backed-up epoch's row, when resuming; else -1. */
  private long resumeLength = -1;

  public CsvLogger(Path file, String separator, boolean append) {
    this.file = file;
    this.separator = separator;
    this.append = append;
  }

  @Override
  public void onTrainBegin(TrainingContext context) throws IOException {
    if (resumeLength >= 0) {
      // Rows written after the backup (the epoch the crash interrupted) are written again.
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
        channel.truncate(resumeLength);
      }
      writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
      return;
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    boolean writeHeader = !append || !Files.exists(file) || Files.size(file) == 0;
    writer =
        Files.newBufferedWriter(
            file,
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE);
    keys = writeHeader ? null : List.of();
  }

  @Override
  public void onEpochEnd(TrainingContext context) throws IOException {
    if (keys == null || keys.isEmpty()) {
      keys = new ArrayList<>(new TreeSet<>(context.epochLogs().keySet()));
      if (keys.isEmpty()) {
        return;
      }
      if (!append || Files.size(file) == 0) {
        writer.write("epoch" + separator + String.join(separator, keys));
        writer.newLine();
      }
    }
    StringBuilder row = new StringBuilder().append(context.epoch());
    for (String key : keys) {
      Double value = context.epochLogs().get(key);
      row.append(separator).append(value == null ? "NA" : value.toString());
    }
    writer.write(row.toString());
    writer.newLine();
    writer.flush();
    CrashPoints.reached("row-written", file);
  }

  @Override
  public void onTrainEnd(TrainingContext context) throws IOException {
    if (writer != null) {
      writer.close();
      writer = null;
    }
  }

  @Override
  public Map<String, String> state() {
    try {
      return Map.of(
          "length",
          Long.toString(Files.exists(file) ? Files.size(file) : 0),
          "keys",
          keys == null ? "" : String.join("\n", keys));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void restoreState(Map<String, String> state) {
    resumeLength = Long.parseLong(state.get("length"));
    String saved = state.get("keys");
    keys = saved.isEmpty() ? null : List.of(saved.split("\n"));
  }
}
