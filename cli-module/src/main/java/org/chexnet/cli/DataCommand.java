package org.chexnet.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.chexnet.dataset.SyntheticChestXray14;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "data",
    mixinStandardHelpOptions = true,
    description = "Datasets.",
    subcommands = {DataCommand.Synth.class})
final class DataCommand {
  @Command(
      name = "synth",
      mixinStandardHelpOptions = true,
      description = {
        "Write a synthetic dataset in the exact ChestX-ray14 layout (images/*.png, "
            + "Data_Entry_2017_v2020.csv, train_val_list.txt, test_list.txt).",
        "Each finding draws its own shape in its own region, so the labels are learnable; "
            + "the same seed gives the same files."
      })
  static final class Synth implements Callable<Integer> {
    @Option(
        names = "--out",
        required = true,
        paramLabel = "DIR",
        description = "new or empty directory")
    Path out;

    @Option(
        names = "--images",
        defaultValue = "1000",
        paramLabel = "N",
        description = "number of images (default ${DEFAULT-VALUE})")
    int images;

    @Option(
        names = "--image-size",
        defaultValue = "128",
        paramLabel = "PX",
        description = "image width and height (default ${DEFAULT-VALUE})")
    int imageSize;

    @Option(
        names = "--seed",
        defaultValue = "7",
        description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws Exception {
      SyntheticChestXray14.write(out, images, imageSize, seed);
      System.out.printf(
          "Wrote %d synthetic images (%dx%d) to %s%n", images, imageSize, imageSize, out);
      return 0;
    }
  }
}
