package org.chexnet.model;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a model directory holds, for programs ({@value #FILE_NAME}) and people ({@value
 * #MARKDOWN_NAME}): where the weights came from, the network, its classes, the preprocessing it
 * expects, and what its source project published about it.
 *
 * @param name a short name for the console and the serving page
 * @param source the imported file
 * @param architecture the network the SavedModel computes
 * @param classes output names, in output order
 * @param preprocessing how images are turned into inputs, and crop predictions into one
 * @param published per-class AUROCs the source project published, with citations (may be empty)
 * @param importedAt when the import ran (ISO-8601)
 */
public record ModelCard(
    String name,
    Source source,
    Architecture architecture,
    List<String> classes,
    Preprocessing preprocessing,
    List<PublishedAuroc> published,
    String importedAt) {

  public static final String FILE_NAME = "model-card.json";
  public static final String MARKDOWN_NAME = "model-card.md";

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public ModelCard {
    classes = List.copyOf(classes);
    published = List.copyOf(published);
  }

  /**
   * @param file the file's name as it was imported
   * @param sha256 of the file's bytes, hex
   * @param format the layout it was read as ({@code arnoweng}, {@code jrzech}, ...)
   * @param project the repository whose layout that is, null for a plain torchvision file
   * @param container how the file is serialised (PyTorch legacy or zip, Keras HDF5)
   * @param ignored what the file holds besides the network's weights (training state), said so that
   *     nothing is dropped silently
   */
  public record Source(
      String file,
      String sha256,
      long bytes,
      String format,
      String project,
      String container,
      List<String> ignored) {
    public Source {
      ignored = List.copyOf(ignored);
    }
  }

  /**
   * @param head how the classifier ends in the source ("Linear + Sigmoid", or logits to which the
   *     imported model adds the sigmoid)
   */
  public record Architecture(
      String name,
      List<Integer> blocks,
      int growthRate,
      int initialFilters,
      int bottleneckWidth,
      double compression,
      double batchNormEpsilon,
      int inputSize,
      String head) {

    public static Architecture of(DenseNetConfig config, String head) {
      return new Architecture(
          name(config.blocks()),
          config.blocks(),
          config.growthRate(),
          config.initialFilters(),
          config.bottleneckWidth(),
          config.compression(),
          config.batchNormEpsilon(),
          config.imageSize(),
          head);
    }

    private static String name(List<Integer> blocks) {
      return switch (blocks.toString()) {
        case "[6, 12, 24, 16]" -> "DenseNet-121";
        case "[6, 12, 32, 32]" -> "DenseNet-169";
        case "[6, 12, 48, 32]" -> "DenseNet-201";
        default -> "DenseNet with blocks " + blocks;
      };
    }
  }

  /**
   * Test-set AUROCs a project published for its released weights.
   *
   * @param model which of the project's models the numbers are for
   * @param citation where they were published (a URL)
   * @param perClass by class name, in the published order (empty when only a mean was given)
   * @param mean the published or computed mean
   * @param note how the numbers relate to this file, where that needs saying
   */
  public record PublishedAuroc(
      String model, String citation, Map<String, Double> perClass, double mean, String note) {
    public PublishedAuroc {
      perClass = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(perClass));
    }
  }

  /** The card of a model directory. */
  public static ModelCard read(Path modelDirectory) throws IOException {
    Path file = modelDirectory.resolve(FILE_NAME);
    try {
      return JSON.readValue(file.toFile(), ModelCard.class);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IOException(file + ": not a model card (" + e.getOriginalMessage() + ")", e);
    }
  }

  /** "NAME, FORMAT layout, published mean AUROC x (citation); preprocessing: ...". */
  public String summary() {
    return name
        + ", "
        + source.format()
        + " layout"
        + (published.isEmpty()
            ? ""
            : String.format(
                Locale.ROOT,
                ", published mean AUROC %.3f (%s)",
                published.get(0).mean(),
                published.get(0).citation()))
        + "; preprocessing: "
        + preprocessing.describe();
  }

  public byte[] json() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The card for people. */
  public byte[] markdown() {
    StringBuilder md = new StringBuilder();
    md.append("# ").append(name).append("\n\n");
    md.append("Imported by chexnet-java from `")
        .append(source.file())
        .append("` on ")
        .append(importedAt)
        .append(".\n\n");
    md.append("| | |\n| --- | --- |\n");
    row(md, "Source file", "`" + source.file() + "` (" + source.bytes() + " bytes)");
    row(md, "SHA-256", "`" + source.sha256() + "`");
    row(
        md,
        "Layout",
        source.format() + (source.project() != null ? " (" + source.project() + ")" : ""));
    row(md, "Serialisation", source.container());
    row(
        md,
        "Not imported",
        source.ignored().isEmpty() ? "nothing" : String.join(", ", source.ignored()));
    row(
        md,
        "Network",
        architecture.name()
            + ", growth rate "
            + architecture.growthRate()
            + ", batch-norm epsilon "
            + architecture.batchNormEpsilon()
            + ", input "
            + architecture.inputSize()
            + " x "
            + architecture.inputSize());
    row(md, "Head", architecture.head());
    row(md, "Preprocessing", preprocessing.describe());
    md.append("\n## Classes\n\n");
    for (int i = 0; i < classes.size(); i++) {
      md.append(i + 1).append(". ").append(classes.get(i)).append('\n');
    }
    md.append("\n## Published AUROC\n\n");
    if (published.isEmpty()) {
      md.append("None known for this layout.\n");
    }
    for (PublishedAuroc p : published) {
      md.append("**")
          .append(p.model())
          .append("**, mean ")
          .append(String.format(Locale.ROOT, "%.4f", p.mean()))
          .append(" ([source](")
          .append(p.citation())
          .append("))");
      if (p.note() != null) {
        md.append(". ").append(p.note());
      }
      md.append("\n\n");
      if (!p.perClass().isEmpty()) {
        md.append("| Class | AUROC |\n| --- | --- |\n");
        p.perClass()
            .forEach(
                (c, auroc) ->
                    md.append("| ")
                        .append(c)
                        .append(" | ")
                        .append(String.format(Locale.ROOT, "%.4f", auroc))
                        .append(" |\n"));
        md.append('\n');
      }
    }
    return md.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void row(StringBuilder md, String key, String value) {
    md.append("| ").append(key).append(" | ").append(value).append(" |\n");
  }

  /**
   * Both cards, by file name, for {@link SavedModels#export(org.tensorflow.Session, DenseNetConfig,
   * Path, Map)}.
   */
  public Map<String, byte[]> files() {
    return Map.of(FILE_NAME, json(), MARKDOWN_NAME, markdown());
  }

  /** Whether a model directory has a card. */
  public static boolean present(Path modelDirectory) {
    return Files.isRegularFile(modelDirectory.resolve(FILE_NAME));
  }
}
