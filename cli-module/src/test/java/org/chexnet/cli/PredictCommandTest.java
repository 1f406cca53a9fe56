package org.chexnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.chexnet.dataset.Finding;
import org.chexnet.dataset.ImageDecoder;
import org.chexnet.dataset.ImageNetNormalization;
import org.chexnet.dataset.SyntheticChestXray14;
import org.chexnet.evaluation.calibration.ModelCalibration;
import org.chexnet.experiment.models.ModelResolver;
import org.chexnet.experiment.spec.SpecLoader;
import org.chexnet.model.DenseNetConfig;
import org.chexnet.model.InferenceModel;
import org.chexnet.training.TrainableModel;
import org.chexnet.training.optimizers.Adam;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `chexnet predict` from every model form a user may hold, on a tiny network. */
class PredictCommandTest {
  private static final String SPEC =
      """
      name: tiny
      data: {root: data/x, image_size: 32}
      model: {architecture: custom, blocks: [1, 1, 1, 1], growth_rate: 4, weights: none}
      """;

  /** The Keras parity fixture of model-module: a [1, 1, 1, 1] DenseNet, growth 32, 64 px. */
  private static final Path KERAS_WEIGHTS =
      Path.of("../model-module/src/test/resources/keras-parity/weights.h5");

  @TempDir Path dir;
  private Path images;
  private Path artifacts;
  private float[][] expected;

  @BeforeEach
  void trainATinyRun() throws Exception {
    Path data = dir.resolve("data");
    SyntheticChestXray14.write(data, 12, 48, 3);
    images = data.resolve("images");
    // A run directory as chexnet run leaves it: spec, best checkpoint, SavedModel.
    Path run = dir.resolve("mlruns/1/abc123");
    artifacts = run.resolve("artifacts");
    Files.createDirectories(artifacts);
    Files.writeString(run.resolve("meta.yaml"), "run_id: abc123\n");
    Files.writeString(artifacts.resolve("spec.yaml"), SPEC);
    DenseNetConfig config = DenseNetConfig.custom(List.of(1, 1, 1, 1), 4, 32, Finding.COUNT);
    try (TrainableModel model =
        TrainableModel.create(
            config, new TrainableModel.AdamSettings(0.05f, 0.9f, 0.999f, Adam.KERAS_EPSILON), 7)) {
      float[] x = new float[4 * 32 * 32 * 3];
      for (int i = 0; i < x.length; i++) {
        x[i] = (i % 97) / 50f - 1;
      }
      float[] y = new float[4 * Finding.COUNT];
      y[3] = y[20] = y[40] = 1;
      model.trainStep(x, y, 4); // moves weights and batch-norm statistics off their start
      model.saveCheckpoint(artifacts.resolve("checkpoints/best"));
      model.exportSavedModel(artifacts.resolve("saved_model"));
      expected = new float[names().size()][];
      ImageDecoder decoder = new ImageDecoder(32);
      for (int i = 0; i < expected.length; i++) {
        byte[] gray = decoder.decodeGray(images.resolve(names().get(i)));
        expected[i] = model.predict(ImageNetNormalization.toHwc(gray, 32, false), 1);
      }
    }
  }

  private List<String> names() throws Exception {
    try (Stream<Path> files = Files.list(images)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private record Outcome(int exit, String out, String err) {}

  private Outcome predict(String... args) {
    CommandLine cli = Chexnet.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    List<String> all = new ArrayList<>(List.of("predict", "--batch-size", "5"));
    all.addAll(List.of(args));
    return new Outcome(
        cli.execute(all.toArray(String[]::new)), out.toString(), err.toString().trim());
  }

  /** Rows of a predictions CSV by image, after checking the header. */
  private static List<float[]> read(Path csv, List<String> names) throws Exception {
    List<String> lines = Files.readAllLines(csv);
    StringBuilder header = new StringBuilder("Image Index");
    Finding.labels().forEach(f -> header.append(",prob_").append(f));
    assertEquals(header.toString(), lines.get(0));
    assertEquals(names.size() + 1, lines.size());
    List<float[]> rows = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      String[] cells = lines.get(i + 1).split(",");
      assertEquals(names.get(i), cells[0]);
      float[] row = new float[Finding.COUNT];
      for (int c = 0; c < row.length; c++) {
        row[c] = Float.parseFloat(cells[c + 1]);
      }
      rows.add(row);
    }
    return rows;
  }

  private void assertPredictions(Path csv) throws Exception {
    List<float[]> rows = read(csv, names());
    for (int i = 0; i < rows.size(); i++) {
      for (int c = 0; c < Finding.COUNT; c++) {
        assertEquals(expected[i][c], rows.get(i)[c], 1e-6, names().get(i) + " class " + c);
      }
    }
  }

  @Test
  void everyFormOfTheModelGivesTheSamePredictions() throws Exception {
    // The run's artifacts: its SavedModel.
    Outcome o =
        predict(
            "--model",
            artifacts.toString(),
            "--images",
            images.toString(),
            "--out",
            dir.resolve("a.csv").toString());
    assertEquals(0, o.exit(), o.err());
    assertTrue(o.out().contains("SavedModel"), o.out());
    assertPredictions(dir.resolve("a.csv"));
    // The best checkpoint, rebuilt from the run's spec.yaml two levels up.
    Files.move(artifacts.resolve("saved_model"), dir.resolve("saved_model"));
    o =
        predict(
            "--model",
            artifacts.resolve("checkpoints/best").toString(),
            "--images",
            images.toString(),
            "--out",
            dir.resolve("b.csv").toString());
    assertEquals(0, o.exit(), o.err());
    assertTrue(o.out().contains("checkpoint"), o.out());
    assertPredictions(dir.resolve("b.csv"));
    // A bare SavedModel directory.
    o =
        predict(
            "--model",
            dir.resolve("saved_model").toString(),
            "--images",
            images.toString(),
            "--out",
            dir.resolve("c.csv").toString());
    assertEquals(0, o.exit(), o.err());
    assertPredictions(dir.resolve("c.csv"));
    // The run id, found in the run store; the run has only its checkpoint now.
    o =
        predict(
            "--model",
            "abc123",
            "--runs",
            dir.resolve("mlruns").toString(),
            "--images",
            images.toString(),
            "--out",
            dir.resolve("d.csv").toString());
    assertEquals(0, o.exit(), o.err());
    assertPredictions(dir.resolve("d.csv"));
  }

  @Test
  void aListNamesImagesRelativeToARoot() throws Exception {
    List<String> names = names();
    // NIH's test_list.txt layout: bare names, the images under a root; unlisted ones are skipped.
    Path list =
        Files.writeString(
            dir.resolve("test_list.txt"), names.get(4) + "\n\n" + names.get(1) + "\n");
    Outcome o =
        predict(
            "--model",
            artifacts.toString(),
            "--images",
            list.toString(),
            "--image-root",
            images.toString(),
            "--out",
            dir.resolve("l.csv").toString());
    assertEquals(0, o.exit(), o.err());
    List<float[]> rows = read(dir.resolve("l.csv"), List.of(names.get(4), names.get(1)));
    assertEquals(expected[4][0], rows.get(0)[0], 1e-6);
    assertEquals(expected[1][13], rows.get(1)[13], 1e-6);

    Path missing = Files.writeString(dir.resolve("missing.txt"), names.get(0) + "\nnope.png\n");
    o =
        predict(
            "--model",
            artifacts.toString(),
            "--images",
            missing.toString(),
            "--image-root",
            images.toString(),
            "--out",
            dir.resolve("m.csv").toString());
    assertEquals(Chexnet.USAGE_ERROR, o.exit());
    assertEquals("error: " + missing + ":2: image nope.png not found in " + images, o.err());
    assertTrue(Files.notExists(dir.resolve("m.csv")));
  }

  @Test
  void imagesMayBeImageFilesDirectoriesAndListsTogether() throws Exception {
    List<String> names = names();
    // One image alone is that image, not a list to read.
    Path one = images.resolve(names.get(3));
    Outcome o =
        predict(
            "--model",
            artifacts.toString(),
            "--images",
            one.toString(),
            "--out",
            dir.resolve("one.csv").toString());
    assertEquals(0, o.exit(), o.err());
    assertEquals(
        expected[3][5], read(dir.resolve("one.csv"), List.of(names.get(3))).get(0)[5], 1e-6);

    // Two images, a directory and a list, in the order given.
    Path other = Files.createDirectories(dir.resolve("other"));
    Files.copy(images.resolve(names.get(0)), other.resolve("copy-of-first.png"));
    Path list = Files.writeString(dir.resolve("list.txt"), names.get(7) + "\n");
    o =
        predict(
            "--model",
            artifacts.toString(),
            "--images",
            images.resolve(names.get(2)).toString(),
            images.resolve(names.get(1)).toString(),
            other.toString(),
            list.toString(),
            "--image-root",
            images.toString(),
            "--out",
            dir.resolve("mixed.csv").toString());
    assertEquals(0, o.exit(), o.err());
    List<float[]> rows =
        read(
            dir.resolve("mixed.csv"),
            List.of(names.get(2), names.get(1), "copy-of-first.png", names.get(7)));
    for (int c = 0; c < Finding.COUNT; c++) {
      assertEquals(expected[2][c], rows.get(0)[c], 1e-6);
      assertEquals(expected[1][c], rows.get(1)[c], 1e-6);
      assertEquals(expected[0][c], rows.get(2)[c], 1e-6);
      assertEquals(expected[7][c], rows.get(3)[c], 1e-6);
    }
  }

  @Test
  void tenCropAveragesTheTenCropsPredictions() throws Exception {
    Outcome o =
        predict(
            "--model",
            artifacts.toString(),
            "--images",
            images.toString(),
            "--tta",
            "tencrop",
            "--out",
            dir.resolve("t.csv").toString());
    assertEquals(0, o.exit(), o.err());
    List<float[]> rows = read(dir.resolve("t.csv"), names());
    // Independently: resize to 37 (32 * 256 / 224), cut the crops by hand, average.
    ImageDecoder decoder = new ImageDecoder(37);
    int[][] origins = {{0, 0}, {5, 0}, {0, 5}, {5, 5}, {2, 2}};
    try (InferenceModel model =
        new ModelResolver(dir, Optional.empty(), dir)
            .open(artifacts.toString(), null, ModelResolver.Use.PREDICT)) {
      for (int i = 0; i < 3; i++) {
        byte[] gray = decoder.decodeGray(images.resolve(names().get(i)));
        float[] mean = new float[Finding.COUNT];
        for (int crop = 0; crop < 10; crop++) {
          byte[] window = new byte[32 * 32];
          for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
              // torchvision's ten_crop: the last five are the mirrored image's five crops.
              int x0 = crop < 5 ? origins[crop][0] : 5 - origins[crop - 5][0];
              int sx = x0 + (crop >= 5 ? 31 - x : x);
              window[y * 32 + x] = gray[(origins[crop % 5][1] + y) * 37 + sx];
            }
          }
          float[] p = model.predict(ImageNetNormalization.toHwc(window, 32, false), 1);
          for (int c = 0; c < Finding.COUNT; c++) {
            mean[c] += p[c] / 10;
          }
        }
        for (int c = 0; c < Finding.COUNT; c++) {
          assertEquals(mean[c], rows.get(i)[c], 1e-6, "image " + i + " class " + c);
        }
        assertNotEquals(expected[i][0], rows.get(i)[0], "ten-crop differs from one view");
      }
    }
  }

  /**
   * A Platt calibration as a run stores it beside its saved_model/: a shrink and shift of each
   * finding's logit, Hernia left as it is.
   */
  static String plattCalibration(int fittedOn) {
    StringBuilder classes = new StringBuilder();
    for (String finding : Finding.labels()) {
      classes
          .append(classes.isEmpty() ? "" : ", ")
          .append('"')
          .append(finding)
          .append("\": ")
          .append(finding.equals("Hernia") ? "null" : "{\"slope\": 0.8, \"intercept\": -0.3}");
    }
    return "{\"format\": \"chexnet-calibration/1\", \"method\": \"platt\","
        + " \"fitted_on_images\": "
        + fittedOn
        + ", \"classes\": {"
        + classes
        + "}}";
  }

  @Test
  void calibratedPredictionsAreTheStoredCalibrationOfTheModelsOwn() throws Exception {
    Path out = dir.resolve("own.csv");
    Outcome o =
        predict("--model", artifacts.toString(), "--images", images.toString(), "--out", "" + out);
    assertEquals(0, o.exit(), o.err());
    // Without a calibration stored with the model, --calibrated names the model and what to do.
    Path calibrated = dir.resolve("calibrated.csv");
    o =
        predict(
            "--model",
            artifacts.toString(),
            "--calibrated",
            "--images",
            images.toString(),
            "--out",
            "" + calibrated);
    assertEquals(Chexnet.USAGE_ERROR, o.exit());
    assertTrue(
        o.err()
            .startsWith(
                "error: --model " + artifacts + ": no calibration stored with this model (no"),
        o.err());
    assertTrue(Files.notExists(calibrated));

    Path file =
        Files.writeString(artifacts.resolve(ModelCalibration.FILE_NAME), plattCalibration(40));
    o =
        predict(
            "--model",
            artifacts.toString(),
            "--calibrated",
            "--images",
            images.toString(),
            "--out",
            "" + calibrated);
    assertEquals(0, o.exit(), o.err());
    assertTrue(o.out().contains("calibrated (platt)"), o.out());
    List<float[]> own = read(out, names());
    List<float[]> rows = read(calibrated, names());
    ModelCalibration calibration = ModelCalibration.read(file);
    for (int i = 0; i < rows.size(); i++) {
      float[] expectedRow = calibration.apply(own.get(i));
      for (int c = 0; c < Finding.COUNT; c++) {
        // Both files keep six decimals; the calibration's slope is below 1.
        assertEquals(expectedRow[c], rows.get(i)[c], 2e-6, names().get(i) + " class " + c);
      }
      assertEquals(own.get(i)[13], rows.get(i)[13], "Hernia is left as it is");
      assertNotEquals(own.get(i)[0], rows.get(i)[0], "Atelectasis is calibrated");
    }

    // A calibration of other classes than the model's outputs is refused, naming the file.
    Files.writeString(file, plattCalibration(40).replace("\"Mass\"", "\"Lump\""));
    o =
        predict(
            "--model",
            artifacts.toString(),
            "--calibrated",
            "--images",
            images.toString(),
            "--out",
            "" + calibrated);
    assertEquals(Chexnet.USAGE_ERROR, o.exit());
    assertTrue(o.err().startsWith("error: " + file + ": calibrates ["), o.err());
  }

  @Test
  void aKerasH5WithItsSpec() throws Exception {
    Path spec =
        Files.writeString(
            dir.resolve("keras.yaml"),
            SPEC.replace("image_size: 32", "image_size: 64")
                .replace("growth_rate: 4", "growth_rate: 32"));
    Outcome o =
        predict(
            "--spec",
            spec.toString(),
            "--weights",
            KERAS_WEIGHTS.toString(),
            "--images",
            images.toString(),
            "--out",
            dir.resolve("k.csv").toString());
    assertEquals(0, o.exit(), o.err());
    DenseNetConfig config =
        SpecLoader.load(spec, List.of()).spec().model().networkConfig(64, Finding.COUNT);
    try (TrainableModel model =
        TrainableModel.create(
            config, new TrainableModel.AdamSettings(0f, 0.9f, 0.999f, Adam.KERAS_EPSILON), 0)) {
      assertEquals(List.of(), model.loadKerasWeights(KERAS_WEIGHTS));
      byte[] gray = new ImageDecoder(64).decodeGray(images.resolve(names().get(2)));
      float[] p = model.predict(ImageNetNormalization.toHwc(gray, 64, false), 1);
      assertEquals(p[5], read(dir.resolve("k.csv"), names()).get(2)[5], 1e-6);
    }
  }

  @Test
  void modelArgumentsAreChecked() {
    Outcome o = predict("--images", images.toString(), "--out", "x.csv");
    assertEquals(Chexnet.USAGE_ERROR, o.exit());
    assertEquals("error: give either --model MODEL or --spec SPEC --weights W.h5", o.err());
    o =
        predict(
            "--model",
            "nope",
            "--runs",
            dir.resolve("mlruns").toString(),
            "--images",
            images.toString(),
            "--out",
            "x.csv");
    assertEquals(
        "error: --model nope: no such file or directory, and no run with that id in "
            + dir.resolve("mlruns"),
        o.err());
    o = predict("--model", images.toString(), "--images", images.toString(), "--out", "x.csv");
    assertTrue(o.err().contains("not a run directory or id, a checkpoint"), o.err());
  }
}
