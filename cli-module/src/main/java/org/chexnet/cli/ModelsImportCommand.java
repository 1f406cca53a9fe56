package org.chexnet.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.chexnet.common.ChexnetException;
import org.chexnet.model.ModelCard;
import org.chexnet.model.imports.ImportFormat;
import org.chexnet.model.imports.ModelImporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Import a published CheXNet checkpoint (PyTorch or Keras) into a model directory: our"
          + " SavedModel of the same network with the same weights, and its model card"
          + " (model-card.json, model-card.md: source file and SHA-256, layout, classes,"
          + " preprocessing, the project's published AUROC).",
      "Pure Java: the pickle's globals are checked against an allowlist and nothing of the file"
          + " runs. Every tensor is accounted for: a missing, extra or mis-shaped one is an error"
          + " naming it, and nothing is written.",
      "DIR is then a --model of predict, evaluate, localize, serve and models register, each"
          + " applying the card's preprocessing. See docs/published-models.md."
    })
final class ModelsImportCommand implements Callable<Integer> {
  @Spec CommandSpec command;

  @Parameters(
      paramLabel = "FILE",
      description = "the checkpoint: model.pth.tar, a jrzech checkpoint, a .pth/.pt, or Keras .h5")
  Path file;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "model directory")
  Path out;

  @Option(
      names = "--format",
      defaultValue = "auto",
      paramLabel = "FORMAT",
      description =
          "auto, arnoweng, zoogzog, jrzech, torchvision or keras (default ${DEFAULT-VALUE}:"
              + " recognised from the file)")
  String format;

  @Option(
      names = "--classes",
      split = ",",
      paramLabel = "NAME",
      description =
          "the outputs' class names, comma-separated, in output order (default: NIH's 14 in"
              + " CheXNet's order)")
  List<String> classes;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      description = "the model's name (default: the project and the file's name)")
  String name;

  @Override
  public Integer call() throws Exception {
    ImportFormat layout;
    try {
      layout = ImportFormat.fromCliName(format);
    } catch (IllegalArgumentException e) {
      throw ChexnetException.invalidInput("--format: " + e.getMessage());
    }
    ModelCard card =
        ModelImporter.importModel(
            file,
            out,
            new ModelImporter.Options(layout, classes, name, null),
            new ConsoleReporter(System.out));
    PrintWriter console = command.commandLine().getOut();
    console.printf(
        "Model directory %s: %s, %s layout%s; preprocessing: %s%n",
        out,
        card.name(),
        card.source().format(),
        card.published().isEmpty()
            ? ""
            : String.format(
                Locale.ROOT,
                ", published mean AUROC %.3f (%s)",
                card.published().get(0).mean(),
                card.published().get(0).citation()),
        card.preprocessing().describe());
    console.flush();
    return 0;
  }
}
