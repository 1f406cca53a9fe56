package org.chexnet.serving;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.chexnet.dataset.Finding;
import org.chexnet.dataset.ImageDecoder;
import org.chexnet.dataset.ImageNetNormalization;
import org.chexnet.model.ClassActivationMaps;
import org.chexnet.model.DenseNetConfig;
import org.chexnet.model.ModelInfo;
import org.chexnet.model.SavedModelPredictor;
import org.chexnet.training.TrainableModel;
import org.chexnet.training.optimizers.Adam;

/**
 * A tiny DenseNet trained a few steps and exported as a run's artifacts would hold it ({@code
 * saved_model/}, {@code metrics.json}, {@code operating-points.csv}), and its own prediction of the
 * test X-ray to compare the server against.
 */
public final class TinyServedModel {
  public static final int SIZE = 64;
  static final String XRAY = "/xray/00000282_000.png";
  static final DenseNetConfig CONFIG = DenseNetConfig.custom(List.of(1, 1), 4, SIZE, 14);

  /** Test AUROC written to metrics.json, and Effusion's threshold in operating-points.csv. */
  public static final double MEAN_AUROC = 0.8125;

  public static final double EFFUSION_THRESHOLD = 0.25;

  public final Path artifacts;
  final float[] expectedProbabilities;

  /** The trained model's own Effusion CAM of the X-ray over its gray pixels. */
  final BufferedImage expectedEffusionOverlay;

  private TinyServedModel(
      Path artifacts, float[] expectedProbabilities, BufferedImage expectedEffusionOverlay) {
    this.artifacts = artifacts;
    this.expectedProbabilities = expectedProbabilities;
    this.expectedEffusionOverlay = expectedEffusionOverlay;
  }

  static byte[] xrayPng() throws IOException {
    try (InputStream in = TinyServedModel.class.getResourceAsStream(XRAY)) {
      return in.readAllBytes();
    }
  }

  /** A server over this model, loaded from its artifacts directory as {@code serve} loads it. */
  ServingServer serve(ServingServer.Options options) throws IOException {
    return serve(artifacts, options);
  }

  /** A server over the model exported into {@code artifacts}. */
  static ServingServer serve(Path artifacts, ServingServer.Options options) throws IOException {
    return ServingServer.start(
        ModelInfo.read("artifacts", null, null, artifacts.toString(), artifacts),
        SavedModelPredictor.load(artifacts.resolve("saved_model"), Finding.labels()),
        options);
  }

  /** Exports into {@code artifacts} (a run's artifacts directory). */
  public static TinyServedModel export(Path artifacts) throws IOException {
    SplittableRandom random = new SplittableRandom(5);
    float[] images = new float[4 * SIZE * SIZE * 3];
    for (int i = 0; i < images.length; i++) {
      images[i] = (float) (random.nextDouble() * 2 - 1);
    }
    float[] labels = new float[4 * 14];
    for (int i = 0; i < labels.length; i += 5) {
      labels[i] = 1;
    }
    Path png = artifacts.resolve("xray.png");
    Files.createDirectories(artifacts);
    Files.write(png, xrayPng());
    byte[] gray = new ImageDecoder(SIZE).decodeGray(png);
    float[] xray = ImageNetNormalization.toHwc(gray, SIZE, false);
    Files.delete(png);
    float[] expected;
    BufferedImage overlay;
    try (TrainableModel model =
        TrainableModel.create(
            CONFIG, new TrainableModel.AdamSettings(1e-2f, 0.9f, 0.999f, Adam.KERAS_EPSILON), 3)) {
      for (int step = 0; step < 3; step++) {
        model.trainStep(images, labels, 4);
      }
      expected = model.predict(xray, 1);
      overlay =
          ClassActivationMaps.overlay(
              model.classActivationMaps().compute(xray, 1, Finding.EFFUSION.ordinal())[0], gray);
      model.exportSavedModel(artifacts.resolve("saved_model"));
    }
    StringBuilder auroc = new StringBuilder();
    StringBuilder thresholds =
        new StringBuilder("class,rule,threshold,tp,fp,tn,fn,sensitivity,specificity,ppv,npv,f1\n");
    for (String finding : Finding.labels()) {
      auroc.append(auroc.isEmpty() ? "" : ", ").append('"').append(finding).append("\": 0.8125");
      // Hernia never had a positive: its threshold is infinite, i.e. none.
      String threshold =
          finding.equals("Hernia")
              ? "inf"
              : finding.equals("Effusion") ? Double.toString(EFFUSION_THRESHOLD) : "0.5";
      thresholds
          .append(finding)
          .append(",youden,")
          .append(threshold)
          .append(",1,1,1,1,0.5,0.5,0.5,0.5,0.5\n");
    }
    Files.writeString(
        artifacts.resolve("metrics.json"),
        "{\"mean_auroc\": " + MEAN_AUROC + ", \"auroc\": {" + auroc + "}}");
    Files.writeString(artifacts.resolve("operating-points.csv"), thresholds);
    return new TinyServedModel(artifacts, expected, overlay);
  }
}
