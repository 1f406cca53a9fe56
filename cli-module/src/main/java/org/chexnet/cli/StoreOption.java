package org.chexnet.cli;

import java.nio.file.Path;
import org.chexnet.tracking.RunSource;
import picocli.CommandLine.Option;

/** {@code --store DIR}: the local run store. */
final class StoreOption {
  @Option(
      names = "--store",
      paramLabel = "DIR",
      defaultValue = RunSource.DEFAULT_STORE,
      description = "the local run store")
  Path directory;
}
