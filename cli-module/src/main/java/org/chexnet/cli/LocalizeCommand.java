package org.chexnet.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.InputFiles;
import org.chexnet.evaluation.Localization;
import org.chexnet.experiment.localize.LocalizationReport;
import org.chexnet.experiment.localize.LocalizationRun;
import org.chexnet.experiment.models.ModelResolver;
import org.chexnet.model.InferenceModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "localize",
    description = {
      "Score class activation maps against NIH's boxes: pointing game and T(IoBB) per finding.",
      "Writes localization.csv, localization-boxes.csv and localization.md (docs/evaluation.md)."
    })
final class LocalizeCommand implements Callable<Integer> {
  @Spec CommandSpec command;

  @Mixin ModelOptions modelOptions;

  @Option(
      names = "--bbox",
      required = true,
      paramLabel = "CSV",
      description = "NIH's BBox_List_2017.csv (boxes in the original image's pixels)")
  Path bbox;

  @Option(
      names = "--images",
      required = true,
      paramLabel = "DIR",
      description = "directory holding the boxed images (searched recursively)")
  Path images;

  @Option(
      names = "--map-threshold",
      defaultValue = "0.5",
      paramLabel = "SHARE",
      description = "the map detects where it reaches this share of its range")
  double mapThreshold;

  @Option(
      names = "--out",
      defaultValue = "localization",
      paramLabel = "DIR",
      description = "where the results go")
  Path out;

  @Option(
      names = "--overlays",
      description = "also write each box's class activation map over its image: OUT/cams/*.png")
  boolean overlays;

  @Option(
      names = "--batch-size",
      defaultValue = "16",
      paramLabel = "N",
      description = "images per batch")
  int batchSize;

  @Override
  public Integer call() throws Exception {
    if (!(mapThreshold > 0 && mapThreshold < 1) || batchSize < 1) {
      throw ChexnetException.invalidInput(
          "--map-threshold must be in (0, 1) and --batch-size positive");
    }
    InputFiles.outputDirectory(out, "--out");
    LocalizationRun run = LocalizationRun.of(bbox, images);
    List<Localization.FindingSummary> summaries;
    try (InferenceModel network =
        modelOptions.open(ModelResolver.Use.CLASS_ACTIVATION_MAPS, false).network()) {
      summaries =
          run.score(
              network, mapThreshold, batchSize, overlays, out, new ConsoleReporter(System.out));
    }
    PrintWriter console = command.commandLine().getOut();
    console.print(LocalizationReport.table(summaries));
    console.printf(
        "Wrote %s (localization.csv, localization-boxes.csv, localization.md%s)%n",
        out, overlays ? ", cams/" : "");
    console.flush();
    return 0;
  }
}
