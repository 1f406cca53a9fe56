package org.chexnet.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.Reporter;
import org.chexnet.dataset.Finding;
import org.chexnet.dataset.ImageDecoder;
import org.chexnet.dataset.ImageNetNormalization;
import org.chexnet.evaluation.BoundingBox;
import org.chexnet.evaluation.Localization;
import org.chexnet.experiment.localize.LocalizationReport;
import org.chexnet.experiment.models.PredictionModel;
import org.chexnet.experiment.predict.ImageInputs;
import org.chexnet.model.ClassActivationMaps;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "localize",
    mixinStandardHelpOptions = true,
    description = {
      "Score class activation maps against NIH's boxes: pointing game and T(IoBB) per finding.",
      "For each box of BBox_List_2017.csv, the class"
          + " activation map of its finding; per finding, the share of boxes that hold the map's"
          + " peak (pointing game) and the shares whose IoU and IoBB with the thresholded map"
          + " reach T = 0.1, 0.25, 0.5, 0.75, 0.9 (ChestX-ray8's T(IoBB)).",
      "Writes localization.csv (per finding), localization-boxes.csv (per box) and"
          + " localization.md."
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
      description =
          "the map counts as detecting where it reaches this share of its range above its"
              + " minimum (default ${DEFAULT-VALUE})")
  double mapThreshold;

  @Option(
      names = "--out",
      defaultValue = "localization",
      paramLabel = "DIR",
      description = "where the results go (default ${DEFAULT-VALUE})")
  Path out;

  @Option(
      names = "--batch-size",
      defaultValue = "16",
      paramLabel = "N",
      description = "images per batch (default ${DEFAULT-VALUE})")
  int batchSize;

  @Override
  public Integer call() throws Exception {
    if (!(mapThreshold > 0 && mapThreshold < 1) || batchSize < 1) {
      throw ChexnetException.invalidInput(
          "--map-threshold must be in (0, 1) and --batch-size positive");
    }
    List<BoundingBox> boxes;
    try {
      boxes = BoundingBox.readNih(bbox);
    } catch (IllegalArgumentException e) {
      throw ChexnetException.invalidInput(e.getMessage());
    }
    Map<String, Path> files = new HashMap<>();
    ImageInputs found = ImageInputs.of(images, null);
    for (int i = 0; i < found.size(); i++) {
      files.put(found.names().get(i), found.files().get(i));
    }
    // Boxes grouped by finding, so that one pass computes a batch of one class's maps.
    Map<String, List<BoundingBox>> byFinding = new LinkedHashMap<>();
    for (BoundingBox box : boxes) {
      if (!Finding.labels().contains(box.finding())) {
        throw ChexnetException.invalidInput(
            bbox + ": box of " + box.imageIndex() + " has an unknown finding " + box.finding());
      }
      if (!files.containsKey(box.imageIndex())) {
        throw ChexnetException.invalidInput(
            bbox
                + ": image "
                + box.imageIndex()
                + " of a "
                + box.finding()
                + " box is not under "
                + images);
      }
      byFinding.computeIfAbsent(box.finding(), f -> new ArrayList<>()).add(box);
    }
    List<Localization.BoxScore> scores = new ArrayList<>();
    List<BoundingBox> scored = new ArrayList<>();
    try (PredictionModel network = modelOptions.open(true);
        Reporter.Task bar =
            new ConsoleReporter(System.out)
                .task("Class activation maps", boxes.size(), Reporter.Unit.IMAGES)) {
      ClassActivationMaps cams = ((PredictionModel.Trained) network).classActivationMaps();
      int size = network.imageSize();
      ImageDecoder decoder = new ImageDecoder(size);
      int values = size * size * ImageNetNormalization.CHANNELS;
      for (Map.Entry<String, List<BoundingBox>> entry : byFinding.entrySet()) {
        int classIndex = Finding.labels().indexOf(entry.getKey());
        List<BoundingBox> list = entry.getValue();
        for (int start = 0; start < list.size(); start += batchSize) {
          List<BoundingBox> batch = list.subList(start, Math.min(list.size(), start + batchSize));
          float[] x = new float[batch.size() * values];
          for (int i = 0; i < batch.size(); i++) {
            byte[] gray = decoder.decodeGray(files.get(batch.get(i).imageIndex()));
            System.arraycopy(
                ImageNetNormalization.toHwc(gray, size, false), 0, x, i * values, values);
          }
          float[][][] maps = cams.compute(x, batch.size(), classIndex);
          for (int i = 0; i < batch.size(); i++) {
            BoundingBox box = batch.get(i);
            scores.add(
                Localization.score(
                    camMap(maps[i]), box, mapThreshold, originalSide(files.get(box.imageIndex()))));
            scored.add(box);
          }
          bar.step(batch.size());
        }
      }
    }
    List<Localization.FindingSummary> summaries = Localization.summarize(scores);
    LocalizationReport.write(out, scored, scores, summaries, mapThreshold);
    PrintWriter console = command.commandLine().getOut();
    console.print(LocalizationReport.table(summaries));
    console.printf("Wrote %s (localization.csv, localization-boxes.csv, localization.md)%n", out);
    console.flush();
    return 0;
  }

  private static Localization.CamMap camMap(float[][] map) {
    int height = map.length;
    int width = map[0].length;
    float[] values = new float[height * width];
    for (int y = 0; y < height; y++) {
      System.arraycopy(map[y], 0, values, y * width, width);
    }
    return new Localization.CamMap(values, height, width);
  }

  /** The side of the original square image, in whose pixels NIH gives the boxes. */
  private static double originalSide(Path file) throws IOException {
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
      if (readers == null || !readers.hasNext()) {
        throw new IOException(file + ": not an image format ImageIO can read");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in);
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        if (width != height) {
          throw ChexnetException.invalidInput(
              String.format(
                  Locale.ROOT, "%s: %dx%d, expected a square image as NIH's", file, width, height));
        }
        return width;
      } finally {
        reader.dispose();
      }
    }
  }
}
