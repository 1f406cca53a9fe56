package org.chexnet.experiment.localize;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.InputFiles;
import org.chexnet.common.Reporter;
import org.chexnet.dataset.ChestXray14;
import org.chexnet.dataset.Finding;
import org.chexnet.dataset.HarmonisedFindings;
import org.chexnet.dataset.ImageDecoder;
import org.chexnet.dataset.ImageNetNormalization;
import org.chexnet.dataset.ModelFindings;
import org.chexnet.evaluation.BoundingBox;
import org.chexnet.evaluation.Localization;
import org.chexnet.experiment.predict.ImageInputs;
import org.chexnet.model.ClassActivationMaps;
import org.chexnet.model.InferenceModel;
import org.chexnet.model.Preprocessing;

/**
 * Class activation maps scored against NIH's boxes: for each box, the map of its finding; per
 * finding, the pointing game and T(IoU), T(IoBB) accuracies ({@link Localization}), written as
 * {@link LocalizationReport}. The boxes and images are checked before any model is loaded.
 */
public final class LocalizationRun {
  private final Map<String, Path> files;
  private final Map<String, List<BoundingBox>> byFinding;
  private final int boxes;

  private LocalizationRun(
      Map<String, Path> files, Map<String, List<BoundingBox>> byFinding, int boxes) {
    this.files = files;
    this.byFinding = byFinding;
    this.boxes = boxes;
  }

  /**
   * @param bbox NIH's BBox_List_2017.csv (boxes in the original image's pixels)
   * @param images the directory holding the boxed images (searched recursively)
   * @throws ChexnetException naming the box whose finding is unknown or whose image is missing
   */
  public static LocalizationRun of(Path bbox, Path images) throws IOException {
    List<BoundingBox> boxes;
    try {
      boxes = BoundingBox.readNih(InputFiles.file(bbox, "--bbox"));
    } catch (IllegalArgumentException e) {
      throw ChexnetException.invalidInput(e.getMessage());
    } catch (IOException e) {
      throw InputFiles.unreadable(bbox, "--bbox", e);
    }
    Map<String, Path> files = new HashMap<>();
    ImageInputs found = ImageInputs.of(InputFiles.directory(images, "--images"), null);
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
    return new LocalizationRun(files, byFinding, boxes.size());
  }

  /**
   * Scores every box with {@code model}'s maps and writes the reports into {@code out}. A map is
   * computed on the whole image resized to the model's input size ({@link
   * Preprocessing#wholeImage()}), whatever crops the model's predictions use, so that it covers the
   * image the box is drawn on; the report says so.
   *
   * @param mapThreshold the map detects where it reaches this share of its range above its minimum
   * @param overlays also write each box's map over its image as {@code out/cams/IMAGE_FINDING.png}
   * @return per finding
   * @throws ChexnetException when the model gives no class activation maps, or has no output for
   *     any boxed finding (those it lacks, e.g. a CheXpert model's Infiltration, are left out)
   */
  public List<Localization.FindingSummary> score(
      InferenceModel model,
      double mapThreshold,
      int batchSize,
      boolean overlays,
      Path out,
      Reporter reporter)
      throws IOException {
    if (!model.hasClassActivationMaps()) {
      throw ChexnetException.invalidInput(
          model.source()
              + " gives no class activation maps (no feature_maps output): localize needs a"
              + " chexnet checkpoint, SavedModel or imported model directory");
    }
    Preprocessing whole = model.preprocessing().wholeImage();
    String mapInput =
        "the whole image resized to "
            + whole.inputSize()
            + " x "
            + whole.inputSize()
            + (whole.equals(model.preprocessing())
                ? ""
                : " (the model's predictions use: " + model.preprocessing().describe() + ")");
    reporter.info("Class activation maps of " + mapInput);
    List<Localization.BoxScore> scores = new ArrayList<>();
    List<BoundingBox> scored = new ArrayList<>();
    // NIH's boxes name NIH's findings; a model trained on another dataset has its own names for
    // the findings it shares (Effusion = Pleural Effusion), and no map for the others.
    ModelFindings findings = ModelFindings.identify(model.classNames());
    Map<String, Integer> classOfFinding = new HashMap<>();
    for (HarmonisedFindings.Shared shared :
        findings.compareWith(ChestXray14.NAME, Finding.labels()).shared()) {
      classOfFinding.put(shared.nameB(), shared.indexA());
    }
    int unscored =
        byFinding.entrySet().stream()
            .filter(e -> !classOfFinding.containsKey(e.getKey()))
            .mapToInt(e -> e.getValue().size())
            .sum();
    if (unscored > 0) {
      reporter.warn(
          String.format(
              "%d box(es) of %s left out: the model (%s findings) has no map for them",
              unscored,
              byFinding.keySet().stream().filter(f -> !classOfFinding.containsKey(f)).toList(),
              findings.dataset()));
    }
    if (unscored == boxes) {
      throw ChexnetException.invalidInput(
          model.source() + " has no output for any of the boxes' findings " + byFinding.keySet());
    }
    try (Reporter.Task bar =
        reporter.task("Class activation maps", boxes - unscored, Reporter.Unit.IMAGES)) {
      int size = whole.inputSize();
      ImageDecoder decoder = whole.decoder();
      int values = size * size * ImageNetNormalization.CHANNELS;
      for (Map.Entry<String, List<BoundingBox>> entry : byFinding.entrySet()) {
        Integer classIndex = classOfFinding.get(entry.getKey());
        if (classIndex == null) {
          continue;
        }
        List<BoundingBox> list = entry.getValue();
        for (int start = 0; start < list.size(); start += batchSize) {
          List<BoundingBox> batch = list.subList(start, Math.min(list.size(), start + batchSize));
          float[] x = new float[batch.size() * values];
          byte[][] grays = new byte[batch.size()][];
          for (int i = 0; i < batch.size(); i++) {
            grays[i] = decoder.decodeGray(files.get(batch.get(i).imageIndex()));
            System.arraycopy(whole.inputs(grays[i]), 0, x, i * values, values);
          }
          float[][][] maps = model.classActivationMaps(x, batch.size(), classIndex);
          for (int i = 0; i < batch.size(); i++) {
            BoundingBox box = batch.get(i);
            if (overlays) {
              ClassActivationMaps.writeOverlayPng(
                  maps[i], grays[i], out.resolve("cams").resolve(overlayName(box)));
            }
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
    LocalizationReport.write(out, scored, scores, summaries, mapThreshold, mapInput);
    return summaries;
  }

  /** "00000001_000_Effusion.png" for a box of that image and finding. */
  static String overlayName(BoundingBox box) {
    String image = box.imageIndex();
    int dot = image.lastIndexOf('.');
    return (dot > 0 ? image.substring(0, dot) : image) + "_" + box.finding() + ".png";
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
