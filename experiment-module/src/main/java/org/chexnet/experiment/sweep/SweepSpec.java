package org.chexnet.experiment.sweep;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.chexnet.common.InputFiles;
import org.chexnet.experiment.spec.Default;
import org.chexnet.experiment.spec.InvalidValue;
import org.chexnet.experiment.spec.Min;
import org.chexnet.experiment.spec.SpecBinder;
import org.chexnet.experiment.spec.SpecException;
import org.chexnet.experiment.spec.YamlTree;

/**
 * A hyperparameter search over an experiment spec, read strictly from YAML like experiment specs.
 *
 * <pre>
 * name: lr-sweep
 * base: quickstart.yaml              # the experiment spec, relative to this file
 * objective: {metric: val_loss, mode: min}
 * search:
 *   type: grid                       # every combination of the listed values
 *   parameters:
 *     train.optimizer.lr: [1.0e-3, 1.0e-4]
 *     train.batch_size: [16, 32]
 * # or: type: random, trials: 8, seed: 1, parameters:
 * #   train.optimizer.lr: {distribution: log_uniform, min: 1.0e-5, max: 1.0e-2}
 * #   train.batch_size: {distribution: choice, values: [8, 16, 32]}
 * early_stopping: {min_epochs: 3}     # optional: the median stopping rule
 * </pre>
 *
 * @param base the experiment spec every trial starts from; each trial sets the swept keys on it as
 *     {@code --set} would, checked the same way
 * @param objective what ranks trials: the best value of a per-epoch metric over a trial's epochs
 * @param earlyStopping stops a trial whose best objective after an epoch is worse than the median
 *     of the other trials' best at that epoch; null for none
 */
public record SweepSpec(
    String name,
    String base,
    Objective objective,
    Search search,
    @Default("null") EarlyStopping earlyStopping) {

  /** The metric ranking trials (a per-epoch metric of the runs: val_loss, val_mean_auroc). */
  public record Objective(@Default("val_loss") String metric, @Default("auto") Mode mode) {
    /** {@code auto}: max for AUROC and accuracy metrics, min otherwise (as Keras). */
    public boolean maximize() {
      return mode == Mode.MAX
          || (mode == Mode.AUTO && (metric.contains("auroc") || metric.contains("acc")));
    }
  }

  public enum Mode {
    AUTO,
    MIN,
    MAX
  }

  /**
   * @param trials how many random trials (random search only)
   * @param parameters spec key to a list of values (grid) or a distribution (random)
   */
  public record Search(
      SearchType type,
      @Default("null") @Min(1) Integer trials,
      @Default("0") long seed,
      Map<String, Object> parameters) {
    public Search {
      if (parameters.isEmpty()) {
        throw new InvalidValue("parameters", "must name at least one spec key to sweep");
      }
      if (type == SearchType.GRID && trials != null) {
        throw new InvalidValue(
            "trials", "is for random search; a grid has one trial per combination");
      }
      if (type == SearchType.RANDOM && trials == null) {
        throw new InvalidValue("trials", "is required for random search (a positive integer)");
      }
      // Checked here so that a bad parameter is reported at its place in the file.
      parameters.forEach((key, value) -> Parameter.of(type, key, value));
    }

    /** The parameters, checked, in file order. */
    public Map<String, Parameter> checkedParameters() {
      Map<String, Parameter> checked = new LinkedHashMap<>();
      parameters.forEach((key, value) -> checked.put(key, Parameter.of(type, key, value)));
      return checked;
    }
  }

  public enum SearchType {
    GRID,
    RANDOM
  }

  /**
   * @param minEpochs no trial is stopped before it completed this many epochs
   * @param minTrials the median needs at least this many other trials at the same epoch
   */
  public record EarlyStopping(
      @Default("3") @Min(1) int minEpochs, @Default("2") @Min(1) int minTrials) {}

  /** A swept key: listed values (grid, or random {@code choice}) or a continuous range. */
  public sealed interface Parameter {
    /** Grid values or random choices. */
    record Values(List<Object> values) implements Parameter {}

    /** Uniform in [min, max], or log-uniform (uniform in log space). */
    record Continuous(double min, double max, boolean log) implements Parameter {}

    @SuppressWarnings("unchecked")
    static Parameter of(SearchType type, String key, Object value) {
      String where = "parameters." + key;
      if (type == SearchType.GRID) {
        if (!(value instanceof List<?> list) || list.isEmpty()) {
          throw new InvalidValue(
              "parameters", key + " must list the grid's values, e.g. [1.0e-3, 1.0e-4]");
        }
        return new Values(List.copyOf((List<Object>) list));
      }
      if (!(value instanceof Map<?, ?> map)) {
        throw new InvalidValue(
            "parameters",
            key
                + " must be a distribution: {distribution: uniform|log_uniform, min, max} or"
                + " {distribution: choice, values: [...]}");
      }
      Object distribution = map.get("distribution");
      if ("choice".equals(distribution)) {
        requireKeys(key, map, List.of("distribution", "values"));
        if (!(map.get("values") instanceof List<?> values) || values.isEmpty()) {
          throw new InvalidValue("parameters", key + ".values must be a non-empty list");
        }
        return new Values(List.copyOf((List<Object>) values));
      }
      if ("uniform".equals(distribution) || "log_uniform".equals(distribution)) {
        requireKeys(key, map, List.of("distribution", "min", "max"));
        if (!(map.get("min") instanceof Number min) || !(map.get("max") instanceof Number max)) {
          throw new InvalidValue("parameters", key + ".min and .max must be numbers");
        }
        boolean log = distribution.equals("log_uniform");
        if (!(min.doubleValue() < max.doubleValue()) || (log && min.doubleValue() <= 0)) {
          throw new InvalidValue(
              "parameters",
              key
                  + " needs min < max"
                  + (log ? " and min > 0 (log_uniform)" : "")
                  + ", got "
                  + min
                  + " and "
                  + max);
        }
        return new Continuous(min.doubleValue(), max.doubleValue(), log);
      }
      throw new InvalidValue(
          "parameters",
          where + ".distribution must be one of uniform, log_uniform, choice, got " + distribution);
    }

    private static void requireKeys(String key, Map<?, ?> map, List<String> keys) {
      for (Object k : map.keySet()) {
        if (!keys.contains(k)) {
          throw new InvalidValue(
              "parameters", key + "." + k + " is not a known key (expected one of " + keys + ")");
        }
      }
      for (String k : keys) {
        if (!map.containsKey(k)) {
          throw new InvalidValue("parameters", key + "." + k + " is required");
        }
      }
    }
  }

  /** Reads and checks a sweep file; errors name the file, line and column. */
  public static SweepSpec load(Path file) throws IOException {
    String text = InputFiles.text(file, "sweep");
    if (text.isBlank()) {
      throw new SpecException(
          YamlTree.Location.file(file.toString()),
          null,
          "the sweep spec is empty; expected a mapping with name, base, objective, search");
    }
    YamlTree tree = YamlTree.parse(text, file.toString());
    if (!tree.root().isObject()) {
      throw new SpecException(
          new YamlTree.Location(file.toString(), true, 1, 1),
          null,
          "a sweep spec must be a mapping (name, base, objective, search)");
    }
    return SpecBinder.bind(tree, SweepSpec.class);
  }

  /** The base experiment spec's path, resolved against the sweep file's directory. */
  public Path basePath(Path sweepFile) {
    Path parent = sweepFile.toAbsolutePath().getParent();
    return parent.resolve(base).normalize();
  }
}
