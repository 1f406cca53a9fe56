package org.chexnet.experiment.sweep;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The median stopping rule (Golovin et al., Google Vizier, 2017): after epoch e, stop a trial whose
 * best objective so far is worse than the median of the other trials' best over their first e
 * epochs.
 */
public record MedianStoppingRule(int minEpochs, int minTrials, boolean maximize) {

  /**
   * @param trial the trial's objective per completed epoch
   * @param others the other trials' objectives per completed epoch (any length)
   * @return why to stop the trial now, or empty to let it go on
   */
  public Optional<String> decide(List<Double> trial, Collection<List<Double>> others) {
    int epochs = trial.size();
    if (epochs < minEpochs) {
      return Optional.empty();
    }
    List<Double> bests = new ArrayList<>();
    for (List<Double> other : others) {
      if (other.size() >= epochs) {
        bests.add(best(other.subList(0, epochs)));
      }
    }
    if (bests.size() < minTrials) {
      return Optional.empty();
    }
    bests.sort(null);
    int n = bests.size();
    double median = n % 2 == 1 ? bests.get(n / 2) : (bests.get(n / 2 - 1) + bests.get(n / 2)) / 2;
    double own = best(trial);
    boolean worse = maximize ? own < median : own > median;
    if (!worse) {
      return Optional.empty();
    }
    return Optional.of(
        String.format(
            java.util.Locale.ROOT,
            "median stopping rule after epoch %d: best %.6g is worse than the median %.6g of %d"
                + " other trials",
            epochs,
            own,
            median,
            n));
  }

  private double best(List<Double> values) {
    double best = maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    for (double v : values) {
      if (!Double.isNaN(v)) {
        best = maximize ? Math.max(best, v) : Math.min(best, v);
      }
    }
    return best;
  }
}
