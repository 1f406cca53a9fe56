package org.chexnet.experiment.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.chexnet.common.Hashes;
import org.chexnet.common.InputFiles;

/** Reads an experiment spec, applies {@code --set key=value} overrides and checks it all. */
public final class SpecLoader {
  private static final YAMLMapper YAML =
      YAMLMapper.builder()
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .build();

  /** A checked spec with the text it resolves to (defaults filled in): what a run records. */
  public record LoadedSpec(ExperimentSpec spec, String resolvedYaml) {
    /** sha-256 of the resolved YAML: two runs with the same digest ran the same experiment. */
    public String digest() {
      return Hashes.digest(resolvedYaml);
    }

    /**
     * The resolved spec flattened to {@code train.optimizer.lr}-style keys (list items by index),
     * as run parameters.
     */
    public Map<String, String> flatten() {
      Map<String, String> out = new LinkedHashMap<>();
      flattenInto(SpecBinder.toTree(spec), "", out);
      return out;
    }
  }

  private SpecLoader() {}

  public static LoadedSpec load(Path file, List<String> overrides) throws IOException {
    return load(InputFiles.text(file, "spec"), file.toString(), overrides);
  }

  /**
   * @param source how locations name the text (its file path)
   */
  public static LoadedSpec load(String text, String source, List<String> overrides) {
    if (text.isBlank()) {
      throw new SpecException(
          YamlTree.Location.file(source),
          null,
          "the spec is empty; expected a mapping with at least name and data.root");
    }
    YamlTree tree = YamlTree.parse(text, source);
    if (!tree.root().isObject()) {
      throw new SpecException(
          new YamlTree.Location(source, true, 1, 1),
          null,
          "an experiment spec must be a mapping (name, seed, data, model, train, evaluate, tracking)");
    }
    ExperimentSpec spec = SpecBinder.bind(tree, ExperimentSpec.class);
    for (String override : overrides) {
      spec = applyOverride(spec, override);
    }
    return new LoadedSpec(spec, toYaml(spec));
  }

  /** Applies one {@code key.path=value} on the resolved spec and checks the result like a file. */
  private static ExperimentSpec applyOverride(ExperimentSpec spec, String override) {
    int eq = override.indexOf('=');
    String where = "--set " + override;
    if (eq <= 0) {
      throw new SpecException(where + ": expected key=value, e.g. train.optimizer.lr=1e-4");
    }
    String path = override.substring(0, eq).trim();
    JsonNode value = YamlTree.parseInline(override.substring(eq + 1), where).root();
    JsonNode root = SpecBinder.toTree(spec);
    set(root, path.split("\\."), 0, value, where, path);
    // Re-read the edited tree: every location now points at this --set.
    YamlTree tree = YamlTree.parseInline(toYaml(root), where);
    try {
      return SpecBinder.bind(tree, ExperimentSpec.class);
    } catch (SpecException e) {
      // Locations inside the regenerated text mean nothing to the user: name the --set instead.
      throw new SpecException(
          null, e.key(), where + ": " + e.getMessage().substring(e.getMessage().indexOf(": ") + 2));
    }
  }

  private static void set(
      JsonNode node, String[] keys, int i, JsonNode value, String where, String path) {
    String key = keys[i];
    boolean last = i == keys.length - 1;
    if (node instanceof ObjectNode object) {
      if (last) {
        object.set(key, value);
        return;
      }
      JsonNode child = object.get(key);
      if (child == null || child.isNull()) {
        child = JsonNodeFactory.instance.objectNode();
        object.set(key, child);
      }
      set(child, keys, i + 1, value, where, path);
    } else if (node instanceof ArrayNode array
        && key.matches("\\d+")
        && Integer.parseInt(key) < array.size()) {
      int index = Integer.parseInt(key);
      if (last) {
        array.set(index, value);
      } else {
        set(array.get(index), keys, i + 1, value, where, path);
      }
    } else {
      String prefix = String.join(".", java.util.Arrays.copyOfRange(keys, 0, i));
      throw new SpecException(
          null,
          path,
          where
              + ": "
              + path
              + " cannot be set: "
              + prefix
              + (node.isArray()
                  ? " is a list of " + node.size() + " (use an index from 0)"
                  : " is not a mapping"));
    }
  }

  private static String toYaml(Object specOrTree) {
    try {
      JsonNode tree = specOrTree instanceof JsonNode n ? n : SpecBinder.toTree(specOrTree);
      return YAML.writeValueAsString(tree);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void flattenInto(JsonNode node, String prefix, Map<String, String> out) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        flattenInto(e.getValue(), prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), out);
      }
    } else if (node.isArray() && node.size() > 0 && node.get(0).isObject()) {
      for (int i = 0; i < node.size(); i++) {
        flattenInto(node.get(i), prefix + "." + i, out);
      }
    } else {
      out.put(prefix, node.isTextual() ? node.asText() : node.toString());
    }
  }
}
