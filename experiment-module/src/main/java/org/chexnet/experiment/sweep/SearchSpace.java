package org.chexnet.experiment.sweep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.chexnet.experiment.sweep.SweepSpec.Parameter;

/** The trials of a search, in a fixed order: the same sweep file always gives the same trials. */
public final class SearchSpace {
  private SearchSpace() {}

  public static List<Trial> trials(SweepSpec.Search search) {
    Map<String, Parameter> parameters = search.checkedParameters();
    return switch (search.type()) {
      case GRID -> grid(parameters);
      case RANDOM -> random(parameters, search.trials(), search.seed());
    };
  }

  /** Every combination, the last key varying fastest. */
  private static List<Trial> grid(Map<String, Parameter> parameters) {
    List<Map<String, Object>> points = new ArrayList<>();
    points.add(new LinkedHashMap<>());
    for (Map.Entry<String, Parameter> p : parameters.entrySet()) {
      List<Map<String, Object>> next = new ArrayList<>();
      for (Map<String, Object> point : points) {
        for (Object value : ((Parameter.Values) p.getValue()).values()) {
          Map<String, Object> extended = new LinkedHashMap<>(point);
          extended.put(p.getKey(), value);
          next.add(extended);
        }
      }
      points = next;
    }
    List<Trial> trials = new ArrayList<>();
    for (int i = 0; i < points.size(); i++) {
      trials.add(new Trial(i, points.get(i)));
    }
    return trials;
  }

  private static List<Trial> random(Map<String, Parameter> parameters, int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Trial> trials = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Map<String, Object> point = new LinkedHashMap<>();
      for (Map.Entry<String, Parameter> p : parameters.entrySet()) {
        point.put(p.getKey(), draw(p.getValue(), random));
      }
      trials.add(new Trial(i, point));
    }
    return trials;
  }

  private static Object draw(Parameter parameter, SplittableRandom random) {
    if (parameter instanceof Parameter.Values v) {
      return v.values().get(random.nextInt(v.values().size()));
    }
    Parameter.Continuous c = (Parameter.Continuous) parameter;
    if (c.log()) {
      return Math.exp(random.nextDouble(Math.log(c.min()), Math.log(c.max())));
    }
    return random.nextDouble(c.min(), c.max());
  }
}
