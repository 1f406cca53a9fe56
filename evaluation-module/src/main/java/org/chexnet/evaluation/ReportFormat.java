package org.chexnet.evaluation;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * How reports write numbers: four decimals in tables, a dash for an undefined value, and in
 * metrics.json null for it (JSON has no NaN; null keeps the key visible).
 */
public final class ReportFormat {

  /** An undefined value in a table. */
  public static final String MISSING = "—";

  private ReportFormat() {}

  /** "0.8123", or the dash for NaN. */
  public static String number(double value) {
    return Double.isNaN(value) ? MISSING : String.format(Locale.ROOT, "%.4f", value);
  }

  public static String number(OptionalDouble value) {
    return value.isPresent() ? number(value.getAsDouble()) : MISSING;
  }

  /** "+0.0123" / "-0.0123", or the dash for NaN. */
  public static String signed(double value) {
    return Double.isNaN(value) ? MISSING : String.format(Locale.ROOT, "%+.4f", value);
  }

  /** "[0.8012, 0.8234]", or the dash when undefined. */
  public static String interval(Interval interval) {
    return interval.defined()
        ? String.format(Locale.ROOT, "[%.4f, %.4f]", interval.low(), interval.high())
        : MISSING;
  }

  /** The value for metrics.json: null for NaN. */
  public static Double json(double value) {
    return Double.isNaN(value) ? null : value;
  }

  /** {"low": ..., "high": ...} for metrics.json, or null when undefined. */
  public static Map<String, Object> json(Interval interval) {
    if (!interval.defined()) {
      return null;
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("low", interval.low());
    json.put("high", interval.high());
    return json;
  }
}
