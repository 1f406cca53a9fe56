package org.chexnet.evaluation;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A part of an evaluation beyond the AUROCs (calibration, subgroups, ...) that {@link
 * EvaluationReport#writeAll} adds to metrics.json and to the reports, after the AUROC sections.
 */
public interface ReportSection {

  /**
   * The top-level keys this section adds to metrics.json (e.g. "calibration") with their values:
   * maps, lists, strings, numbers, booleans and null only.
   */
  Map<String, Object> metrics();

  /**
   * Adds the section's headings, tables and figures to the report.
   *
   * @param dir the report's directory, where figures are written beside it
   */
  void addTo(ReportDocument document, Path dir) throws IOException;
}
