package org.chexnet.evaluation;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A part of an evaluation beyond the AUROCs (calibration, subgroups, ...) that {@link
 * EvaluationReport#writeAll} adds to metrics.json and to the reports, after the AUROC sections.
 */
public interface ReportSection {

  /** The key of this section in metrics.json, e.g. "calibration". */
  String metricsKey();

  /** The section's metrics.json value: maps, lists, strings, numbers and null only. */
  Object metrics();

  /**
   * Adds the section's headings, tables and figures to the report.
   *
   * @param dir the report's directory, where figures are written beside it
   */
  void addTo(ReportDocument document, Path dir) throws IOException;
}
