package org.chexnet.experiment.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.chexnet.training.TrainingContext;
import org.chexnet.training.TrainingListener;

/** A user's own callback, as a spec names it: appends one line per epoch to params.file. */
public final class EpochFileListener implements TrainingListener {
  private final Path file;
  private final String prefix;

  public EpochFileListener(Map<String, Object> params) {
    this.file = Path.of((String) params.get("file"));
    this.prefix = (String) params.getOrDefault("prefix", "");
  }

  @Override
  public void onEpochEnd(TrainingContext context) throws IOException {
    Files.writeString(
        file,
        prefix + context.epoch() + " " + context.epochLogs().get(TrainingContext.VAL_LOSS) + "\n",
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }
}
