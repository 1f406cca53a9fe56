package org.chexnet.evaluation.subgroups;

import java.util.List;

/**
 * One attribute's subgroups and the gaps between them.
 *
 * @param attribute "sex", "age", "view" or a metadata column
 * @param source the metadata column(s) read
 * @param subgroups in value order (age bands in age order)
 * @param imagesWithoutValue images left out for a blank value (or an implausible age)
 * @param aurocGaps per class, the largest AUROC gap
 * @param falseNegativeRateGaps per class, the largest false-negative-rate gap at the threshold
 */
public record AttributeSubgroups(
    String attribute,
    String source,
    List<Subgroup> subgroups,
    int imagesWithoutValue,
    List<SubgroupGap> aurocGaps,
    List<SubgroupGap> falseNegativeRateGaps) {

  public AttributeSubgroups {
    subgroups = List.copyOf(subgroups);
    aurocGaps = List.copyOf(aurocGaps);
    falseNegativeRateGaps = List.copyOf(falseNegativeRateGaps);
  }
}
