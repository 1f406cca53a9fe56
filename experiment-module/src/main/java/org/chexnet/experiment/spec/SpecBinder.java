package org.chexnet.experiment.spec;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Binds a YAML tree to spec records strictly: every key must be a record component (in snake_case),
 * every value of the component's type and within its {@link Min}/{@link Range}, and a leftout key
 * takes its {@link Default}. The first problem is reported with its location and the expected form,
 * before any work starts.
 *
 * <p>Supported component types: int, long, double, boolean, String, enums (lowercase names), nested
 * records, {@code List<Integer>}, {@code List<SealedInterface>} whose records carry {@link
 * SpecName}, chosen by a {@code type} key. A nullable component is written as a boxed type or a
 * record with {@code @Default("null")}.
 */
public final class SpecBinder {
  /** YAML 1.2 reads {@code 1e-4} as a number; Jackson's YAML 1.1 parser gives text. */
  private static final Pattern DECIMAL =
      Pattern.compile("[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?");

  private static final String TYPE_KEY = "type";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final YamlTree tree;

  private SpecBinder(YamlTree tree) {
    this.tree = tree;
  }

  public static <R extends Record> R bind(YamlTree tree, Class<R> type) {
    return type.cast(new SpecBinder(tree).bindRecord(tree.root(), type, ""));
  }

  private Object bindRecord(JsonNode node, Class<?> type, String path) {
    if (type.isSealed()) {
      return bindSealed(node, type, path);
    }
    if (!node.isObject()) {
      throw error(path, "must be a mapping with keys " + keys(type), node);
    }
    RecordComponent[] components = type.getRecordComponents();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (findComponent(components, key) == null
          && !(key.equals(TYPE_KEY) && type.isAnnotationPresent(SpecName.class))) {
        String child = join(path, key);
        throw new SpecException(
            tree.locateKey(child),
            child,
            child
                + " is not a known key"
                + suggestion(key, type)
                + " (expected one of: "
                + keys(type)
                + ")");
      }
    }
    Object[] values = new Object[components.length];
    for (int i = 0; i < components.length; i++) {
      RecordComponent c = components[i];
      String key = snakeCase(c.getName());
      String child = join(path, key);
      JsonNode value = node.get(key);
      if (value == null) {
        value = defaultValue(c, child);
      }
      values[i] = bindValue(value, c.getGenericType(), c, child);
    }
    try {
      Constructor<?> constructor =
          type.getDeclaredConstructor(
              Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
      return constructor.newInstance(values);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof InvalidValue invalid) {
        String child = join(path, invalid.key());
        throw new SpecException(tree.locate(child), child, child + " " + invalid.requirement());
      }
      throw new IllegalStateException(
          "spec record " + type.getSimpleName() + " failed to construct", e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private JsonNode defaultValue(RecordComponent c, String path) {
    Default d = c.getAnnotation(Default.class);
    if (d != null) {
      return YamlTree.parseInline(d.value(), "default of " + path).root();
    }
    if (c.getType().isRecord()) {
      return JsonNodeFactory.instance.objectNode(); // a left-out section takes all its defaults
    }
    throw new SpecException(
        tree.locate(path), path, path + " is required (" + expected(c.getGenericType(), c) + ")");
  }

  private Object bindSealed(JsonNode node, Class<?> type, String path) {
    List<String> names =
        Arrays.stream(type.getPermittedSubclasses())
            .map(s -> s.getAnnotation(SpecName.class).value())
            .toList();
    if (!node.isObject()) {
      throw error(
          path, "must be a mapping with a type key, one of " + String.join(", ", names), node);
    }
    JsonNode typeNode = node.get(TYPE_KEY);
    String typePath = join(path, TYPE_KEY);
    if (typeNode == null) {
      throw new SpecException(
          tree.locate(path),
          typePath,
          typePath + " is required (one of " + String.join(", ", names) + ")");
    }
    for (Class<?> subtype : type.getPermittedSubclasses()) {
      if (subtype.getAnnotation(SpecName.class).value().equals(typeNode.asText())) {
        return bindRecord(node, subtype, path);
      }
    }
    throw error(typePath, "must be one of " + String.join(", ", names), typeNode);
  }

  private Object bindValue(JsonNode node, Type type, RecordComponent c, String path) {
    Class<?> raw = raw(type);
    boolean nullable = !raw.isPrimitive();
    if (node.isNull()) {
      if (nullable
          && c.getAnnotation(Default.class) != null
          && c.getAnnotation(Default.class).value().equals("null")) {
        return null;
      }
      throw error(path, "must be " + expected(type, c), node);
    }
    if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class) {
      if (!node.isIntegralNumber()
          || !node.canConvertToLong()
          || ((raw == int.class || raw == Integer.class) && !node.canConvertToInt())) {
        throw error(path, "must be " + expected(type, c), node);
      }
      Min min = c.getAnnotation(Min.class);
      if (min != null && node.longValue() < min.value()) {
        throw error(path, "must be " + expected(type, c), node);
      }
      return raw == int.class || raw == Integer.class
          ? (Object) node.intValue()
          : (Object) node.longValue();
    }
    if (raw == double.class || raw == Double.class) {
      double value;
      if (node.isNumber()) {
        value = node.doubleValue();
      } else if (node.isTextual() && DECIMAL.matcher(node.asText()).matches()) {
        value = Double.parseDouble(node.asText());
      } else {
        throw error(path, "must be " + expected(type, c), node);
      }
      Range range = c.getAnnotation(Range.class);
      if (!Double.isFinite(value) || (range != null && !within(value, range))) {
        throw error(path, "must be " + expected(type, c), node);
      }
      return value;
    }
    if (raw == boolean.class || raw == Boolean.class) {
      if (!node.isBoolean()) {
        throw error(path, "must be true or false", node);
      }
      return node.booleanValue();
    }
    if (raw == String.class) {
      if (!node.isTextual() || node.asText().isBlank()) {
        throw error(path, "must be a non-empty string", node);
      }
      return node.asText();
    }
    if (raw.isEnum()) {
      for (Object constant : raw.getEnumConstants()) {
        if (enumName((Enum<?>) constant).equals(node.asText()) && node.isTextual()) {
          return constant;
        }
      }
      throw error(path, "must be " + expected(type, c), node);
    }
    if (raw == List.class) {
      Type element = ((ParameterizedType) type).getActualTypeArguments()[0];
      if (!node.isArray()) {
        throw error(path, "must be " + expected(type, c), node);
      }
      List<Object> list = new ArrayList<>();
      for (int i = 0; i < node.size(); i++) {
        String itemPath = path + "[" + i + "]";
        list.add(
            raw(element).isRecord() || raw(element).isSealed()
                ? bindRecord(node.get(i), raw(element), itemPath)
                : bindValue(node.get(i), element, c, itemPath));
      }
      return List.copyOf(list);
    }
    if (raw.isRecord() || raw.isSealed()) {
      return bindRecord(node, raw, path);
    }
    if (raw == Map.class) {
      // Free-form parameters handed to user code (custom callbacks): any YAML mapping.
      if (!node.isObject()) {
        throw error(path, "must be a mapping", node);
      }
      // In file order: Map.copyOf's order changes from one JVM to the next.
      return Collections.unmodifiableMap(
          JSON.convertValue(node, new TypeReference<LinkedHashMap<String, Object>>() {}));
    }
    throw new IllegalStateException("unsupported spec type " + type + " at " + path);
  }

  /** The expected form in words, as error messages show it. */
  static String expected(Type type, RecordComponent c) {
    Class<?> raw = raw(type);
    if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class) {
      Min min = c == null ? null : c.getAnnotation(Min.class);
      if (min == null) {
        return "an integer";
      }
      return min.value() == 1
          ? "a positive integer"
          : min.value() == 0 ? "a non-negative integer" : "an integer >= " + min.value();
    }
    if (raw == double.class || raw == Double.class) {
      Range r = c == null ? null : c.getAnnotation(Range.class);
      if (r == null) {
        return "a number";
      }
      if (r.min() == 0 && !r.minInclusive() && r.max() == Double.POSITIVE_INFINITY) {
        return "a positive number";
      }
      if (r.max() == Double.POSITIVE_INFINITY) {
        return "a number " + (r.minInclusive() ? ">= " : "> ") + format(r.min());
      }
      return "a number in "
          + (r.minInclusive() ? "[" : "(")
          + format(r.min())
          + ", "
          + format(r.max())
          + (r.maxInclusive() ? "]" : ")");
    }
    if (raw == boolean.class || raw == Boolean.class) {
      return "true or false";
    }
    if (raw == String.class) {
      return "a non-empty string";
    }
    if (raw.isEnum()) {
      return "one of "
          + Arrays.stream(raw.getEnumConstants())
              .map(e -> enumName((Enum<?>) e))
              .collect(Collectors.joining(", "));
    }
    if (raw == List.class) {
      Type element = ((ParameterizedType) type).getActualTypeArguments()[0];
      String item = expected(element, c);
      return "a list of " + item.replaceFirst("^an? ", "") + (item.startsWith("one of") ? "" : "s");
    }
    return "a mapping";
  }

  private SpecException error(String path, String requirement, JsonNode got) {
    return new SpecException(
        tree.locate(path), path, path + " " + requirement + ", got " + describe(got));
  }

  static String describe(JsonNode node) {
    if (node.isTextual()) {
      return "\"" + node.asText() + "\"";
    }
    if (node.isObject()) {
      return "a mapping";
    }
    if (node.isArray()) {
      return "a list";
    }
    return node.toString();
  }

  private static boolean within(double v, Range r) {
    boolean aboveMin = r.minInclusive() ? v >= r.min() : v > r.min();
    boolean belowMax = r.maxInclusive() ? v <= r.max() : v < r.max();
    return aboveMin && belowMax;
  }

  private static String format(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }

  private static RecordComponent findComponent(RecordComponent[] components, String key) {
    for (RecordComponent c : components) {
      if (snakeCase(c.getName()).equals(key)) {
        return c;
      }
    }
    return null;
  }

  private static String keys(Class<?> type) {
    return Arrays.stream(type.getRecordComponents())
        .map(c -> snakeCase(c.getName()))
        .collect(Collectors.joining(", "));
  }

  /** "did you mean" for a near-miss key (one or two edits away). */
  private static String suggestion(String key, Class<?> type) {
    return Arrays.stream(type.getRecordComponents())
        .map(c -> snakeCase(c.getName()))
        .filter(k -> editDistance(k, key) <= 2)
        .findFirst()
        .map(k -> " (did you mean " + k + "?)")
        .orElse("");
  }

  private static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      int[] cur = new int[b.length() + 1];
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(substitution, Math.min(prev[j], cur[j - 1]) + 1);
      }
      prev = cur;
    }
    return prev[b.length()];
  }

  static String snakeCase(String camel) {
    // logEveryNBatches -> log_every_n_batches: split before a capital that starts a word, also
    // after a one-letter capital word.
    return camel
        .replaceAll("([A-Z])([A-Z][a-z])", "$1_$2")
        .replaceAll("([a-z0-9])([A-Z])", "$1_$2")
        .toLowerCase(Locale.ROOT);
  }

  static String enumName(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private static Class<?> raw(Type type) {
    return type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
  }

  /**
   * The record as a tree with snake_case keys (and {@code type} first for sealed implementations):
   * the resolved spec.
   */
  public static JsonNode toTree(Object value) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (value == null) {
      return f.nullNode();
    }
    if (value instanceof Record record) {
      ObjectNode object = f.objectNode();
      SpecName name = record.getClass().getAnnotation(SpecName.class);
      if (name != null) {
        object.put(TYPE_KEY, name.value());
      }
      for (RecordComponent c : record.getClass().getRecordComponents()) {
        try {
          object.set(snakeCase(c.getName()), toTree(c.getAccessor().invoke(record)));
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
      return object;
    }
    if (value instanceof List<?> list) {
      var array = f.arrayNode();
      list.forEach(item -> array.add(toTree(item)));
      return array;
    }
    if (value instanceof Enum<?> e) {
      return f.textNode(enumName(e));
    }
    if (value instanceof Integer i) {
      return f.numberNode(i);
    }
    if (value instanceof Long l) {
      return f.numberNode(l);
    }
    if (value instanceof Double d) {
      return f.numberNode(d);
    }
    if (value instanceof Boolean b) {
      return f.booleanNode(b);
    }
    if (value instanceof Map<?, ?> map) {
      return JSON.valueToTree(
          new java.util.TreeMap<>(
              map)); // sorted: the resolved spec's digest must not depend on map order
    }
    return f.textNode(value.toString());
  }
}
