package org.chexnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.chexnet.dataset.Datasets;
import org.chexnet.dataset.Finding;
import org.chexnet.dataset.ImageDecoder;
import org.chexnet.dataset.ImageNetNormalization;
import org.chexnet.dataset.SyntheticChestXray14;
import org.chexnet.model.DenseNetConfig;
import org.chexnet.training.TrainableModel;
import org.chexnet.training.optimizers.Adam;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `chexnet localize` on a tiny network and synthetic boxes. */
class LocalizeCommandTest {
  private static final String SPEC =
      """
      name: tiny
      data: {root: data/x, image_size: 32}
      model: {architecture: custom, blocks: [1, 1], growth_rate: 4, weights: none}
      """;

  @Test
  void pointingGameAndIobbPerFindingFromTheBoxedClassMap(@TempDir Path dir) throws Exception {
    List<String> perFinding =
        localize(dir, SPEC, Finding.COUNT, Finding.EFFUSION.ordinal(), "Atelectasis");
    assertEquals(
        "finding,boxes,pointing_accuracy,iou_acc_0.1,iou_acc_0.25,iou_acc_0.5,iou_acc_0.75,"
            + "iou_acc_0.9,iobb_acc_0.1,iobb_acc_0.25,iobb_acc_0.5,iobb_acc_0.75,iobb_acc_0.9",
        perFinding.get(0));
    assertTrue(
        perFinding.get(1).startsWith("Atelectasis,2,1.0,")
            && perFinding.get(1).endsWith(",1.0,1.0,1.0,1.0,1.0"),
        perFinding.get(1));
    assertTrue(perFinding.get(2).startsWith("Effusion,1,1.0,"), perFinding.get(2));
    assertTrue(perFinding.get(3).startsWith("Infiltration,1,0.0,"), perFinding.get(3));
    List<String> perBox = Files.readAllLines(dir.resolve("loc/localization-boxes.csv"));
    assertEquals(5, perBox.size());
    assertTrue(Files.readString(dir.resolve("loc/localization.md")).contains("Pointing"));
  }

  @Test
  void aCheXpertModelScoresNihsBoxesWithItsOwnNamesForTheSharedFindings(@TempDir Path dir)
      throws Exception {
    // CheXpert's "Pleural Effusion" map scores NIH's Effusion boxes; it has no Infiltration.
    List<String> chexpert = Datasets.named("chexpert").findings();
    List<String> perFinding =
        localize(
            dir,
            SPEC.replace("root: data/x,", "root: data/x, dataset: chexpert,"),
            chexpert.size(),
            chexpert.indexOf("Pleural Effusion"),
            "Atelectasis");
    assertEquals(3, perFinding.size(), perFinding.toString());
    assertTrue(perFinding.get(1).startsWith("Atelectasis,2,1.0,"), perFinding.get(1));
    assertTrue(perFinding.get(2).startsWith("Effusion,1,1.0,"), perFinding.get(2));
    assertEquals(4, Files.readAllLines(dir.resolve("loc/localization-boxes.csv")).size());
  }

  /**
   * Writes a run with a tiny network of {@code classes} outputs (its spec {@code spec}), NIH boxes
   * on synthetic images (two whole-image {@code wholeFinding} boxes, a 3 px Effusion box around the
   * peak of class {@code effusionClass}'s map, an Infiltrate box in the opposite corner), runs
   * {@code chexnet localize} into {@code dir/loc} and returns localization.csv's lines.
   */
  private static List<String> localize(
      Path dir, String spec, int classes, int effusionClass, String wholeFinding) throws Exception {
    Path data = dir.resolve("data");
    SyntheticChestXray14.write(data, 10, 48, 2);
    Path images = data.resolve("images");
    List<String> names;
    try (Stream<Path> files = Files.list(images)) {
      names = files.map(p -> p.getFileName().toString()).sorted().toList();
    }
    Path artifacts = dir.resolve("run/artifacts");
    Files.createDirectories(artifacts);
    Files.writeString(artifacts.resolve("spec.yaml"), spec);
    // The peak of image 1's Effusion map, computed here from the network itself.
    int peakX;
    int peakY;
    try (TrainableModel model =
        TrainableModel.create(
            DenseNetConfig.custom(List.of(1, 1), 4, 32, classes),
            new TrainableModel.AdamSettings(0f, 0.9f, 0.999f, Adam.KERAS_EPSILON),
            5)) {
      model.saveCheckpoint(artifacts.resolve("checkpoints/best"));
      model.exportSavedModel(artifacts.resolve("saved_model")); // localize must take the checkpoint
      byte[] gray = new ImageDecoder(32).decodeGray(images.resolve(names.get(1)));
      float[][] map =
          model.classActivationMaps()
              .compute(ImageNetNormalization.toHwc(gray, 32, false), 1, effusionClass)[0];
      int best = 0;
      for (int i = 1; i < 32 * 32; i++) {
        if (map[i / 32][i % 32] > map[best / 32][best % 32]) {
          best = i;
        }
      }
      peakX = best % 32;
      peakY = best / 32;
    }
    // Original images are 48 px: a map pixel is 1.5 original pixels.
    double x = peakX * 1.5;
    double y = peakY * 1.5;
    Path bbox =
        Files.writeString(
            dir.resolve("BBox_List_2017.csv"),
            "Image Index,Finding Label,Bbox [x,y,w,h],,,\n"
                // Whole-image boxes: always hit, the detected area always inside.
                + names.get(0)
                + ","
                + wholeFinding
                + ",0,0,48,48,,,\n"
                + names.get(2)
                + ","
                + wholeFinding
                + ",0,0,48,48,,,\n"
                // A 3 px box around the Effusion map's peak, and one in the opposite corner.
                + names.get(1)
                + ",Effusion,"
                + (x - 0.75)
                + ","
                + (y - 0.75)
                + ",3,3\n"
                + names.get(1)
                + ",Infiltrate,"
                + (peakX < 16 ? 44 : 0)
                + ","
                + (peakY < 16 ? 44 : 0)
                + ",4,4\n");
    Path out = dir.resolve("loc");
    CommandLine cli = Chexnet.commandLine();
    StringWriter console = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(console));
    cli.setErr(new PrintWriter(err));
    int exit =
        cli.execute(
            "localize",
            "--model",
            dir.resolve("run").toString(),
            "--bbox",
            bbox.toString(),
            "--images",
            images.toString(),
            "--out",
            out.toString(),
            "--batch-size",
            "1");
    assertEquals(0, exit, err.toString());
    assertTrue(console.toString().contains(wholeFinding), console.toString());
    return Files.readAllLines(out.resolve("localization.csv"));
  }
}
