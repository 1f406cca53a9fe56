package org.chexnet.evaluation.subgroups;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.chexnet.evaluation.ReportDocument;
import org.chexnet.evaluation.ReportFormat;
import org.chexnet.evaluation.ReportSection;

/**
 * The subgroup section of an evaluation: metrics.json's {@code "subgroups"} and {@code
 * "subgroup_gaps"} keys and the report's tables.
 *
 * <p>{@code "subgroups": {"<attribute>": {"<value>": {"images": n, "mean_auroc": x,
 * "mean_auroc_ci": {"low": x, "high": x}, "auroc": {"<Finding>": x}, "auroc_ci": {...},
 * "auroc_undefined": {"<Finding>": "no positive images in this subgroup"}, "positives": {...},
 * "prevalence": {...}, "sensitivity": {...}, "specificity": {...}, "fnr": {...}, "fnr_ci":
 * {...}}}}}; an undefined number is null, and the operating-point keys appear when thresholds were
 * given. {@code "subgroup_gaps": {"<attribute>": {"auroc": {"<Finding>": {"gap": x, "ci": {...},
 * "higher": "M", "lower": "F", "flagged": false}}, "fnr": {...}}}}.
 */
public record SubgroupReport(SubgroupEvaluation evaluation) implements ReportSection {

  @Override
  public Map<String, Object> metrics() {
    Map<String, Object> subgroups = new LinkedHashMap<>();
    Map<String, Object> gaps = new LinkedHashMap<>();
    for (AttributeSubgroups attribute : evaluation.attributes()) {
      Map<String, Object> values = new LinkedHashMap<>();
      for (Subgroup subgroup : attribute.subgroups()) {
        values.put(subgroup.value(), subgroupJson(subgroup));
      }
      subgroups.put(attribute.attribute(), values);
      Map<String, Object> attributeGaps = new LinkedHashMap<>();
      attributeGaps.put("auroc", gapsJson(attribute.aurocGaps()));
      attributeGaps.put("fnr", gapsJson(attribute.falseNegativeRateGaps()));
      gaps.put(attribute.attribute(), attributeGaps);
    }
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("subgroups", subgroups);
    metrics.put("subgroup_gaps", gaps);
    return metrics;
  }

  private static Map<String, Object> subgroupJson(Subgroup subgroup) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("images", subgroup.images());
    json.put("mean_auroc", ReportFormat.json(subgroup.meanAuroc()));
    json.put("mean_auroc_ci", ReportFormat.json(subgroup.meanAurocCi()));
    json.put("auroc", perClass(subgroup, c -> ReportFormat.json(c.auroc())));
    json.put("auroc_ci", perClass(subgroup, c -> ReportFormat.json(c.aurocCi())));
    Map<String, Object> undefined = new LinkedHashMap<>();
    subgroup.perClass().stream()
        .filter(c -> !c.defined())
        .forEach(c -> undefined.put(c.className(), c.undefinedReason()));
    if (!undefined.isEmpty()) {
      json.put("auroc_undefined", undefined);
    }
    json.put("positives", perClass(subgroup, SubgroupClass::positives));
    json.put("prevalence", perClass(subgroup, SubgroupClass::prevalence));
    if (subgroup.perClass().stream().anyMatch(c -> c.operatingPoint().isPresent())) {
      json.put(
          "sensitivity",
          perClass(
              subgroup,
              c -> c.operatingPoint().map(p -> ReportFormat.json(p.sensitivity())).orElse(null)));
      json.put(
          "specificity",
          perClass(
              subgroup,
              c -> c.operatingPoint().map(p -> ReportFormat.json(p.specificity())).orElse(null)));
      json.put("fnr", perClass(subgroup, c -> ReportFormat.json(c.falseNegativeRate())));
      json.put("fnr_ci", perClass(subgroup, c -> ReportFormat.json(c.falseNegativeRateCi())));
    }
    return json;
  }

  private static Map<String, Object> perClass(
      Subgroup subgroup, Function<SubgroupClass, Object> value) {
    Map<String, Object> json = new LinkedHashMap<>();
    subgroup.perClass().forEach(c -> json.put(c.className(), value.apply(c)));
    return json;
  }

  private static Map<String, Object> gapsJson(List<SubgroupGap> gaps) {
    Map<String, Object> json = new LinkedHashMap<>();
    for (SubgroupGap gap : gaps) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("gap", ReportFormat.json(gap.gap()));
      one.put("ci", ReportFormat.json(gap.ci()));
      one.put("higher", gap.higher());
      one.put("lower", gap.lower());
      one.put("flagged", gap.flagged());
      if (gap.undefinedReason() != null) {
        one.put("undefined", gap.undefinedReason());
      }
      if (gap.tooFewCases() != null) {
        one.put("not_flagged", "too few cases: " + gap.tooFewCases());
      }
      json.put(gap.className(), one);
    }
    return json;
  }

  @Override
  public void addTo(ReportDocument document, Path dir) {
    document.heading("Subgroups");
    boolean thresholds =
        evaluation.attributes().stream()
            .flatMap(a -> a.subgroups().stream())
            .flatMap(s -> s.perClass().stream())
            .anyMatch(c -> c.operatingPoint().isPresent());
    for (AttributeSubgroups attribute : evaluation.attributes()) {
      List<Subgroup> subgroups = attribute.subgroups();
      document.subheading(attribute.attribute() + " (" + attribute.source() + ")");
      List<List<String>> summary = new ArrayList<>();
      for (Subgroup subgroup : subgroups) {
        summary.add(
            List.of(
                subgroup.value(),
                Integer.toString(subgroup.images()),
                ReportFormat.number(subgroup.meanAuroc()),
                ReportFormat.interval(subgroup.meanAurocCi())));
      }
      document.table(List.of("Subgroup", "Images", "Mean AUROC", "95% CI"), summary);
      if (attribute.imagesWithoutValue() > 0) {
        document.paragraph(
            attribute.imagesWithoutValue()
                + " images have no value (blank, or an age over 120) and are left out.");
      }

      List<String> aurocHeader = new ArrayList<>(List.of("AUROC [95% CI]"));
      subgroups.forEach(s -> aurocHeader.add(s.value()));
      aurocHeader.addAll(List.of("Largest gap", "Gap 95% CI", "Flag"));
      List<List<String>> aurocRows = new ArrayList<>();
      for (int c = 0; c < evaluation.classNames().size(); c++) {
        int index = c;
        List<String> row = new ArrayList<>(List.of(evaluation.classNames().get(c)));
        subgroups.forEach(s -> row.add(aurocCell(s.perClass().get(index))));
        row.addAll(gapCells(attribute.aurocGaps().get(c)));
        aurocRows.add(row);
      }
      document.table(aurocHeader, aurocRows);

      List<String> prevalenceHeader = new ArrayList<>(List.of("Prevalence (positives)"));
      subgroups.forEach(s -> prevalenceHeader.add(s.value()));
      List<List<String>> prevalenceRows = new ArrayList<>();
      for (int c = 0; c < evaluation.classNames().size(); c++) {
        int index = c;
        List<String> row = new ArrayList<>(List.of(evaluation.classNames().get(c)));
        subgroups.forEach(
            s -> {
              SubgroupClass one = s.perClass().get(index);
              row.add(
                  String.format(
                      Locale.ROOT, "%.1f%% (%d)", 100 * one.prevalence(), one.positives()));
            });
        prevalenceRows.add(row);
      }
      document.table(prevalenceHeader, prevalenceRows);

      if (thresholds) {
        List<String> pointHeader = new ArrayList<>(List.of("Sensitivity / specificity / FNR"));
        subgroups.forEach(s -> pointHeader.add(s.value()));
        pointHeader.addAll(List.of("Largest FNR gap", "Gap 95% CI", "Flag"));
        List<List<String>> pointRows = new ArrayList<>();
        for (int c = 0; c < evaluation.classNames().size(); c++) {
          int index = c;
          List<String> row = new ArrayList<>(List.of(evaluation.classNames().get(c)));
          subgroups.forEach(s -> row.add(pointCell(s.perClass().get(index))));
          row.addAll(gapCells(attribute.falseNegativeRateGaps().get(c)));
          pointRows.add(row);
        }
        document.table(pointHeader, pointRows);
      }
    }
    document.paragraph(
        "- Subgroups: images grouped by the attribute's value as the metadata writes it; age in"
            + " bands 0-19, 20-39, 40-59, 60-79, 80+. A finding without a positive or a negative"
            + " image in a subgroup has no AUROC there (undefined, with the reason); the mean"
            + " AUROC is over the findings defined in the subgroup.\n"
            + "- 95% CIs: bootstrap stratified by subgroup ("
            + evaluation.replicates()
            + " replicates, seed "
            + evaluation.seed()
            + "): each replicate draws within every subgroup as many images as it holds, with"
            + " replacement; 2.5th and 97.5th percentiles.\n"
            + "- Largest gap: the subgroup highest on these images minus the lowest (named"
            + " higher - lower); its CI is that difference over the replicates. **flagged** when"
            + " the CI excludes zero and both subgroups hold at least "
            + SubgroupGap.MIN_CASES
            + " positives (for AUROC also negatives); below that the interval degenerates.\n"
            + (thresholds
                ? "- Sensitivity, specificity, FNR (false-negative rate, FN / (TP + FN)) at each"
                    + " finding's threshold from the operating points above.\n"
                : "")
            + "- With 14 findings and several attributes, about one gap in 20 is flagged by"
            + " chance alone when the subgroups do not differ (no correction for multiple"
            + " comparisons); subgroups are small for rare findings, so an unflagged gap is no"
            + " evidence of equal performance either.");
  }

  private static String aurocCell(SubgroupClass c) {
    return c.defined()
        ? ReportFormat.number(c.auroc()) + " " + ReportFormat.interval(c.aurocCi())
        : "undefined: " + c.undefinedReason().replace(" in this subgroup", "");
  }

  private static String pointCell(SubgroupClass c) {
    return c.operatingPoint()
        .map(
            p ->
                ReportFormat.number(p.sensitivity())
                    + " / "
                    + ReportFormat.number(p.specificity())
                    + " / "
                    + ReportFormat.number(c.falseNegativeRate()))
        .orElse(ReportFormat.MISSING);
  }

  private static List<String> gapCells(SubgroupGap gap) {
    if (gap.undefinedReason() != null) {
      return List.of(ReportFormat.MISSING, ReportFormat.MISSING, "");
    }
    return List.of(
        ReportFormat.number(gap.gap()) + " (" + gap.higher() + " - " + gap.lower() + ")",
        ReportFormat.interval(gap.ci()),
        gap.flagged()
            ? "**flagged**"
            : gap.tooFewCases() != null ? "too few cases: " + gap.tooFewCases() : "");
  }
}
