package org.chexnet.evaluation;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Per-class test-set AUROC reported by the CheXNet paper (Rajpurkar et al., 2017) and by three
 * public reproductions, bundled as chexnet-results.csv so that our numbers can be put beside them.
 */
public final class ReferenceResults {

  /** The column holding the CheXNet paper's own numbers. */
  public static final String PAPER = "chexnet_paper_2017";

  private static final String RESOURCE = "chexnet-results.csv";

  /** source -> (class -> AUROC), both in CSV order. */
  private final Map<String, Map<String, Double>> aurocBySource;

  private ReferenceResults(Map<String, Map<String, Double>> aurocBySource) {
    this.aurocBySource = aurocBySource;
  }

  public static ReferenceResults load() {
    try (InputStream in = ReferenceResults.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing bundled resource " + RESOURCE);
      }
      return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read bundled " + RESOURCE, e);
    }
  }

  private static ReferenceResults parse(BufferedReader reader) throws IOException {
    String header = reader.readLine();
    if (header == null) {
      throw new IllegalStateException(RESOURCE + " is empty");
    }
    List<String> columns = Arrays.asList(header.trim().split(","));
    List<String> sources = columns.subList(1, columns.size());
    Map<String, Map<String, Double>> bySource = new LinkedHashMap<>();
    sources.forEach(source -> bySource.put(source, new LinkedHashMap<>()));
    String line;
    while ((line = reader.readLine()) != null) {
      if (line.isBlank()) {
        continue;
      }
      String[] cells = line.trim().split(",", -1);
      if (cells.length != columns.size()) {
        throw new IllegalStateException(
            RESOURCE + ": expected " + columns.size() + " cells in: " + line);
      }
      for (int s = 0; s < sources.size(); s++) {
        if (!cells[s + 1].isBlank()) {
          bySource.get(sources.get(s)).put(cells[0], Double.parseDouble(cells[s + 1]));
        }
      }
    }
    Map<String, Map<String, Double>> frozen = new LinkedHashMap<>();
    bySource.forEach((source, values) -> frozen.put(source, Collections.unmodifiableMap(values)));
    return new ReferenceResults(Collections.unmodifiableMap(frozen));
  }

  /** Source names in CSV column order, the paper first. */
  public List<String> sources() {
    return List.copyOf(aurocBySource.keySet());
  }

  /** Empty when the source did not report this class. */
  public OptionalDouble auroc(String source, String className) {
    Double value = values(source).get(className);
    return value == null ? OptionalDouble.empty() : OptionalDouble.of(value);
  }

  /**
   * Whether the published numbers are about these classes: the paper reports every one of them
   * (ChestX-ray14's findings). Another dataset's findings (CheXpert's No Finding, Lung Opacity,
   * ...) have no published ChestX-ray14 number, so reports leave the published columns out.
   */
  public boolean covers(List<String> classNames) {
    return classNames.stream().allMatch(c -> values(PAPER).containsKey(c));
  }

  /** Mean AUROC the source reports over all its classes. */
  public double mean(String source) {
    return values(source).values().stream()
        .mapToDouble(Double::doubleValue)
        .average()
        .orElse(Double.NaN);
  }

  private Map<String, Double> values(String source) {
    Map<String, Double> values = aurocBySource.get(source);
    if (values == null) {
      throw new IllegalArgumentException(
          "unknown reference source " + source + "; known: " + sources());
    }
    return values;
  }
}
