package org.chexnet.model.imports;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.chexnet.dataset.Finding;
import org.chexnet.model.ModelCard.PublishedAuroc;

/**
 * Test-set AUROCs the CheXNet reproductions published for the weights they released, copied from
 * their READMEs and result files (cited by URL). Each is attached to a card by the layout the file
 * has, which names the project; the card's SHA-256 says which file was imported.
 */
final class PublishedResults {
  private PublishedResults() {}

  static List<PublishedAuroc> of(ImportFormat format, TorchCheckpoint.Container container) {
    return switch (format) {
      case ARNOWENG ->
          List.of(
              auroc(
                  "arnoweng/CheXNet, \"Our Implemented CheXNet\"",
                  "https://github.com/arnoweng/CheXNet#comparsion",
                  "The README gives two models and does not say which one model.pth.tar is.",
                  0.8294,
                  0.9165,
                  0.8870,
                  0.7143,
                  0.8597,
                  0.7873,
                  0.7745,
                  0.8726,
                  0.8142,
                  0.8932,
                  0.9254,
                  0.8304,
                  0.7831,
                  0.9104),
              auroc(
                  "arnoweng/CheXNet, \"Our Improved Model\"",
                  "https://github.com/arnoweng/CheXNet#comparsion",
                  "The README's mean for this model is 0.847.",
                  0.8311,
                  0.9220,
                  0.8891,
                  0.7146,
                  0.8627,
                  0.7883,
                  0.7820,
                  0.8844,
                  0.8148,
                  0.8992,
                  0.9343,
                  0.8385,
                  0.7914,
                  0.9206));
      case ZOOGZOG ->
          List.of(
              auroc(
                  "zoogzog/chexnet, models/m-25012018-123527.pth.tar",
                  "https://github.com/zoogzog/chexnet#results",
                  "The README's mean is 0.8508.",
                  0.8321,
                  0.9107,
                  0.8860,
                  0.7145,
                  0.8653,
                  0.8037,
                  0.7655,
                  0.8857,
                  0.8157,
                  0.9017,
                  0.9422,
                  0.8523,
                  0.7948,
                  0.9416));
      case JRZECH ->
          container == TorchCheckpoint.Container.ZIP
              ? List.of(
                  auroc(
                      "jrzech/reproduce-chexnet, pretrained/checkpoint (retrained 2022)",
                      "https://github.com/jrzech/reproduce-chexnet#replicated-results",
                      "The 2022 checkpoint (PyTorch 1.12, zip serialisation); the 2018 one is in"
                          + " pretrained-old/.",
                      0.8180,
                      0.9090,
                      0.8827,
                      0.7156,
                      0.8377,
                      0.7756,
                      0.7617,
                      0.8776,
                      0.8002,
                      0.8945,
                      0.9316,
                      0.8251,
                      0.7889,
                      0.9175))
              : List.of(
                  auroc(
                      "jrzech/reproduce-chexnet, pretrained-old/checkpoint (2018)",
                      "https://github.com/jrzech/reproduce-chexnet/blob/master/pretrained-old/aucs.csv",
                      "The 2018 checkpoint (PyTorch 0.4, legacy serialisation).",
                      0.8161,
                      0.9105,
                      0.8839,
                      0.7077,
                      0.8308,
                      0.7748,
                      0.7651,
                      0.8739,
                      0.8008,
                      0.8979,
                      0.9227,
                      0.8293,
                      0.7860,
                      0.9010));
      case KERAS ->
          List.of(
              new PublishedAuroc(
                  "brucechou1983/CheXNet-Keras, the trained weights linked from the README",
                  "https://github.com/brucechou1983/CheXNet-Keras#trained-model-weights",
                  Map.of(),
                  0.829,
                  "Only a mean was published (\"about 82.9\"); no per-class values."));
      case TORCHVISION, AUTO -> List.of();
    };
  }

  /** Per-class values in CheXNet's class order. */
  private static PublishedAuroc auroc(
      String model, String citation, String note, double... values) {
    List<String> classes = Finding.labels();
    Map<String, Double> perClass = new LinkedHashMap<>();
    double sum = 0;
    for (int i = 0; i < values.length; i++) {
      perClass.put(classes.get(i), values[i]);
      sum += values[i];
    }
    return new PublishedAuroc(model, citation, perClass, sum / values.length, note);
  }
}
