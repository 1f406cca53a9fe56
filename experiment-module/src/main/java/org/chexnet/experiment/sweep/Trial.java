package org.chexnet.experiment.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One point of a sweep: its index (stable across reruns of the same sweep) and the value of each
 * swept spec key.
 */
public record Trial(int index, Map<String, Object> values) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public Trial {
    values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
  }

  /** The values as {@code --set key=value} overrides, in YAML that reads back the same value. */
  public List<String> overrides() {
    List<String> out = new ArrayList<>();
    values.forEach((key, value) -> out.add(key + "=" + yaml(value)));
    return out;
  }

  static String yaml(Object value) {
    if (value instanceof Double || value instanceof Float) {
      // Plain digits: YAML 1.1 reads "1.0E10" (no exponent sign) as a string.
      return BigDecimal.valueOf(((Number) value).doubleValue()).toPlainString();
    }
    try {
      return JSON.writeValueAsString(value); // JSON is YAML flow style
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write " + value + " as YAML", e);
    }
  }
}
