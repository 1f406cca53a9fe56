package org.chexnet.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a trained model's outputs are: the findings of the dataset it was trained on, in output
 * order, and that dataset's name ({@link HarmonisedFindings#HARMONISED} when it was trained on
 * several). A run records it as {@value #FILE_NAME} in its artifacts and in its SavedModel, so that
 * predict, serve and evaluate name the outputs, and a model evaluated on another dataset is
 * compared over the findings both share ({@link #compareWith}).
 *
 * @param dataset a {@link Datasets} name or {@link HarmonisedFindings#HARMONISED}
 * @param findings as that dataset writes them, in output order
 */
public record ModelFindings(String dataset, List<String> findings) {
  public static final String FILE_NAME = "findings.json";

  /**
   * What a SavedModel without {@value #FILE_NAME} predicts: chexnet's exports before the file
   * existed and CheXNet's own, ChestX-ray14's 14 findings.
   */
  public static final ModelFindings CHESTXRAY14 =
      new ModelFindings(ChestXray14.NAME, Finding.labels());

  private static final ObjectMapper JSON = new ObjectMapper();

  public ModelFindings {
    findings = List.copyOf(findings);
    if (findings.isEmpty()) {
      throw new IllegalArgumentException("a model predicts at least one finding");
    }
  }

  /** {"dataset": NAME, "findings": [...]}, pretty-printed. */
  public byte[] toJson() throws IOException {
    ObjectNode node = JSON.createObjectNode();
    node.put("dataset", dataset);
    findings.forEach(node.putArray("findings")::add);
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
  }

  /**
   * {@code directory}'s {@value #FILE_NAME}, if it has one.
   *
   * @throws IOException naming the file when it is not {@code {"dataset": ..., "findings": [...]}}
   */
  public static Optional<ModelFindings> read(Path directory) throws IOException {
    Path file = directory.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    JsonNode node;
    try {
      node = JSON.readTree(file.toFile());
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IOException(file + ": not JSON (" + e.getOriginalMessage() + ")", e);
    }
    JsonNode findings = node.path("findings");
    if (!node.path("dataset").isTextual() || !findings.isArray() || findings.isEmpty()) {
      throw new IOException(
          file + ": expected {\"dataset\": NAME, \"findings\": [NAME, ...]}, got " + node);
    }
    List<String> names = new ArrayList<>();
    findings.forEach(f -> names.add(f.asText()));
    return Optional.of(new ModelFindings(node.get("dataset").asText(), names));
  }

  /**
   * The findings of a model known only by its output names (an imported model's card, a
   * SavedModel's classes): the registered dataset whose findings they are (all of them, or some of
   * ChestX-ray14's, as an imported CheXNet with fewer classes), else the harmonised names of a run
   * on several datasets.
   *
   * @throws IllegalArgumentException when the names are none of these
   */
  public static ModelFindings identify(List<String> classNames) {
    for (DatasetFormat format : Datasets.all()) {
      if (format.findings().equals(classNames)) {
        return new ModelFindings(format.name(), classNames);
      }
    }
    if (Finding.labels().containsAll(classNames)) {
      return new ModelFindings(ChestXray14.NAME, classNames);
    }
    if (classNames.stream()
        .allMatch(c -> HarmonisedFindings.rowOf(HarmonisedFindings.HARMONISED, c).isPresent())) {
      return new ModelFindings(HarmonisedFindings.HARMONISED, classNames);
    }
    throw new IllegalArgumentException(
        "outputs " + classNames + " are no dataset's findings (docs/datasets.md)");
  }

  /** The findings this model shares with a test set's dataset, and every one left out and why. */
  public HarmonisedFindings.Comparison compareWith(
      String otherDataset, List<String> otherFindings) {
    return HarmonisedFindings.compare(dataset, findings, otherDataset, otherFindings);
  }
}
