package org.chexnet.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The small flat YAML documents of MLflow's file store, written the way MLflow's own {@code
 * yaml.safe_dump} writes them: keys sorted, strings plain when unambiguous and otherwise
 * single-quoted (so {@code experiment_id: '0'} and {@code entry_point_name: ''}). Written by hand
 * because Jackson's generator quotes with '"' and cannot reproduce that byte for byte.
 */
final class MlflowYaml {
  private static final YAMLMapper READER = new YAMLMapper();
  // Strings YAML would read back as something else stay out of plain style: numbers (first char
  // is a digit, '-', '.'), indicators and '#', ": ", and the YAML 1.1 bool/null words.
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z_/][A-Za-z0-9_./:%+@ -]*");
  // A leading digit is fine when a letter makes it no number, so 32-hex run ids stay plain like
  // MLflow's. Letters in YAML numbers: the 0x / 0b prefixes and the exponent's 'e'.
  private static final Pattern PLAIN_ALPHANUMERIC =
      Pattern.compile("(?!0[xXbB])[0-9][A-Za-z0-9]*[A-DF-Za-df-z][A-Za-z0-9]*");
  private static final Set<String> RESERVED_WORDS =
      Set.of("true", "false", "yes", "no", "on", "off", "null", "y", "n");

  private MlflowYaml() {}

  static String render(Map<String, ?> fields) {
    StringBuilder yaml = new StringBuilder();
    new TreeMap<>(fields)
        .forEach(
            (key, value) -> {
              yaml.append(key).append(':');
              if (value instanceof Map<?, ?> nested && !nested.isEmpty()) {
                // A block mapping, as yaml.safe_dump writes a nested dict (run inputs' tags).
                yaml.append('\n');
                new TreeMap<>(nested)
                    .forEach(
                        (k, v) ->
                            yaml.append("  ")
                                .append(quoteIfNeeded(k.toString()))
                                .append(": ")
                                .append(scalar(v))
                                .append('\n'));
              } else {
                yaml.append(' ').append(scalar(value)).append('\n');
              }
            });
    return yaml.toString();
  }

  static JsonNode read(Path file) throws IOException {
    return READER.readTree(file.toFile());
  }

  private static String scalar(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Number) {
      return value.toString();
    }
    if (value instanceof List<?> list && list.isEmpty()) {
      return "[]";
    }
    if (value instanceof Map<?, ?> map && map.isEmpty()) {
      return "{}";
    }
    if (value instanceof String text) {
      return quoteIfNeeded(text);
    }
    throw new IllegalArgumentException("Unsupported YAML value: " + value);
  }

  private static String quoteIfNeeded(String text) {
    boolean plain =
        PLAIN.matcher(text).matches()
            && !text.endsWith(" ")
            && !text.endsWith(":")
            && !text.contains(": ")
            && !RESERVED_WORDS.contains(text.toLowerCase(Locale.ROOT));
    if (plain || PLAIN_ALPHANUMERIC.matcher(text).matches()) {
      return text;
    }
    if (text.chars().anyMatch(MlflowYaml::isLineBreakOrControl)) {
      return doubleQuoted(text);
    }
    return "'" + text.replace("'", "''") + "'";
  }

  private static boolean isLineBreakOrControl(int c) {
    return c < 0x20 || c == 0x7F || c == 0x85 || c == 0x2028 || c == 0x2029;
  }

  // Single quotes cannot carry line breaks or control characters; double quotes escape them.
  private static String doubleQuoted(String text) {
    StringBuilder out = new StringBuilder("\"");
    text.chars()
        .forEach(
            c -> {
              if (c == '"' || c == '\\') {
                out.append('\\').append((char) c);
              } else if (isLineBreakOrControl(c)) {
                out.append(String.format("\\u%04x", c));
              } else {
                out.append((char) c);
              }
            });
    return out.append('"').toString();
  }
}
