package org.chexnet.experiment.spec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * A YAML document as a Jackson tree plus where each key and value stands in the source, so that
 * errors found after parsing still point at {@code file:line:column}.
 *
 * <p>Locations are kept by path ({@code train.batch_size}, {@code train.callbacks[1].type}), not by
 * node: Jackson shares nodes for equal small numbers.
 */
public final class YamlTree {
  private static final YAMLFactory YAML = new YAMLFactory();

  private final JsonNode root;
  private final Map<String, Location> locations;

  /**
   * Where a key or value stands; {@link #toString} is how messages show it.
   *
   * @param source the file's path, or what names text given inline ({@code --set x=y})
   * @param inFile whether {@code source} is a file
   * @param line 1-based; -1 for the text as a whole
   * @param column 1-based; -1 for the text as a whole
   */
  public record Location(String source, boolean inFile, int line, int column) {
    /** A spec file as a whole. */
    public static Location file(String file) {
      return new Location(file, true, -1, -1);
    }

    /** {@code source:line:column}, or the source alone for the text as a whole. */
    @Override
    public String toString() {
      return line < 0 ? source : source + ":" + line + ":" + column;
    }
  }

  private YamlTree(JsonNode root, Map<String, Location> locations) {
    this.root = root;
    this.locations = locations;
  }

  /** Parses a spec file's {@code text}; locations name {@code file}. */
  public static YamlTree parse(String text, String file) {
    return parse(text, file, true);
  }

  /**
   * Parses text given inline, not read from a file (a {@code --set}, a record's default); locations
   * name {@code source} and have no file.
   */
  public static YamlTree parseInline(String text, String source) {
    return parse(text, source, false);
  }

  private static YamlTree parse(String text, String source, boolean inFile) {
    Map<String, Location> locations = new HashMap<>();
    try (JsonParser parser = YAML.createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        return new YamlTree(JsonNodeFactory.instance.objectNode(), locations);
      }
      JsonNode root = read(parser, "", source, inFile, locations);
      if (parser.nextToken() != null) {
        throw new SpecException(
            where(source, inFile, parser.currentTokenLocation()),
            null,
            "expected a single YAML document");
      }
      return new YamlTree(root, locations);
    } catch (IOException e) {
      JsonLocation at =
          e instanceof com.fasterxml.jackson.core.JsonProcessingException p
              ? p.getLocation()
              : null;
      String detail = e.getMessage().lines().findFirst().orElse("");
      throw new SpecException(
          at == null ? new Location(source, inFile, -1, -1) : where(source, inFile, at),
          null,
          "not valid YAML: " + detail);
    }
  }

  private static JsonNode read(
      JsonParser parser,
      String path,
      String source,
      boolean inFile,
      Map<String, Location> locations)
      throws IOException {
    locations.putIfAbsent(path, where(source, inFile, parser.currentTokenLocation()));
    JsonToken token = parser.currentToken();
    switch (token) {
      case START_OBJECT -> {
        ObjectNode object = JsonNodeFactory.instance.objectNode();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String key = parser.currentName();
          String child = path.isEmpty() ? key : path + "." + key;
          Location keyLocation = where(source, inFile, parser.currentTokenLocation());
          if (object.has(key)) {
            throw new SpecException(keyLocation, child, child + " is given twice");
          }
          locations.put(child + "#key", keyLocation);
          parser.nextToken();
          object.set(key, read(parser, child, source, inFile, locations));
        }
        return object;
      }
      case START_ARRAY -> {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        int i = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          array.add(read(parser, path + "[" + i++ + "]", source, inFile, locations));
        }
        return array;
      }
      case VALUE_NUMBER_INT -> {
        return switch (parser.getNumberType()) {
          case INT -> JsonNodeFactory.instance.numberNode(parser.getIntValue());
          case LONG -> JsonNodeFactory.instance.numberNode(parser.getLongValue());
          default -> JsonNodeFactory.instance.numberNode(parser.getBigIntegerValue());
        };
      }
      case VALUE_NUMBER_FLOAT -> {
        return JsonNodeFactory.instance.numberNode(parser.getDoubleValue());
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return JsonNodeFactory.instance.booleanNode(token == JsonToken.VALUE_TRUE);
      }
      case VALUE_NULL -> {
        return JsonNodeFactory.instance.nullNode();
      }
      default -> {
        return JsonNodeFactory.instance.textNode(parser.getText());
      }
    }
  }

  private static Location where(String source, boolean inFile, JsonLocation location) {
    return new Location(source, inFile, location.getLineNr(), location.getColumnNr());
  }

  public JsonNode root() {
    return root;
  }

  /**
   * Where the value at {@code path} was written; for a missing path, its nearest written ancestor.
   */
  public Location locate(String path) {
    for (String p = path; ; p = parent(p)) {
      Location found = locations.get(p);
      if (found != null || p.isEmpty()) {
        return found;
      }
    }
  }

  /** Where the key at {@code path} was written (for unknown keys), else the value's location. */
  public Location locateKey(String path) {
    Location key = locations.get(path + "#key");
    return key != null ? key : locate(path);
  }

  static String parent(String path) {
    int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
    return cut < 0 ? "" : path.substring(0, cut);
  }
}
