package org.chexnet.evaluation.subgroups;

import java.util.List;
import org.chexnet.evaluation.Interval;

/**
 * The images sharing one value of an attribute.
 *
 * @param value as the metadata writes it, or the age band
 * @param meanAuroc over the findings defined in this subgroup; NaN when none is
 * @param meanAurocCi over the replicates where all those findings are defined
 * @param perClass in class order
 */
public record Subgroup(
    String value,
    int images,
    double meanAuroc,
    Interval meanAurocCi,
    List<SubgroupClass> perClass) {

  public Subgroup {
    perClass = List.copyOf(perClass);
  }
}
