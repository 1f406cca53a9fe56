package org.chexnet.evaluation.calibration;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.chexnet.evaluation.Plots;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * One PNG of small multiples, a reliability diagram per class: observed positive rate against mean
 * predicted probability per bin, the diagonal for perfect calibration, and each bin's image count
 * written in a band below zero under its bin (the upper row before calibration, the lower row
 * after).
 */
public final class ReliabilityDiagram {

  private static final int COLUMNS = 4;
  private static final int PANEL_WIDTH = 380;
  private static final int PANEL_HEIGHT = 340;
  private static final double COUNTS_BAND = -0.16;

  private ReliabilityDiagram() {}

  /**
   * @param calibrated the same classes after post-hoc calibration, drawn beside them
   */
  public static void write(
      Path file, CalibrationEvaluation uncalibrated, Optional<CalibrationEvaluation> calibrated)
      throws IOException {
    List<XYChart> panels = new ArrayList<>();
    for (int c = 0; c < uncalibrated.perClass().size(); c++) {
      ClassCalibration before = uncalibrated.perClass().get(c);
      int index = c;
      Optional<ClassCalibration> after = calibrated.map(e -> e.perClass().get(index));
      String title =
          String.format(Locale.ROOT, "%s, ECE %.3f", before.className(), before.ece())
              + after.map(a -> String.format(Locale.ROOT, " -> %.3f", a.ece())).orElse("");
      XYChart chart =
          Plots.chart(PANEL_WIDTH, PANEL_HEIGHT, title, "Mean predicted", "Observed rate");
      XYStyler styler = chart.getStyler();
      // Below zero, a band for the bin counts, so that they never cover a point.
      styler.setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(COUNTS_BAND).setYAxisMax(1.0);
      chart.getStyler().setXAxisDecimalPattern("0.0").setYAxisDecimalPattern("0.0");
      styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
      styler.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      styler.setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.PLAIN, 9));
      styler.setAnnotationTextFontColor(Color.DARK_GRAY);
      styler.setLegendVisible(c == 0);
      styler.setLegendPosition(Styler.LegendPosition.InsideNW);
      XYSeries diagonal = chart.addSeries("perfect", new double[] {0, 1}, new double[] {0, 1});
      diagonal.setMarker(SeriesMarkers.NONE);
      diagonal.setLineColor(Color.LIGHT_GRAY);
      diagonal.setLineStyle(
          new BasicStroke(
              1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f}, 0f));
      diagonal.setShowInLegend(false);
      addBins(
          chart,
          after.isPresent() ? "uncalibrated (counts: upper row)" : "per bin (counts below)",
          before.bins(),
          Plots.color(0),
          COUNTS_BAND / 3);
      after.ifPresent(
          a ->
              addBins(
                  chart,
                  "calibrated (counts: lower row)",
                  a.bins(),
                  Plots.color(1),
                  COUNTS_BAND * 3 / 4));
      panels.add(chart);
    }
    Plots.writeGrid(file, panels, COLUMNS);
  }

  private static void addBins(
      XYChart chart, String name, ReliabilityBins bins, Color color, double countsAt) {
    List<Double> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    for (int b = 0; b < ReliabilityBins.BINS; b++) {
      if (bins.counts()[b] > 0) {
        x.add(bins.meanPredicted()[b]);
        y.add(bins.observedRate()[b]);
        double[] edges = ReliabilityBins.edges(b);
        chart.addAnnotation(
            new AnnotationText(
                compact(bins.counts()[b]), (edges[0] + edges[1]) / 2, countsAt, false));
      }
    }
    XYSeries series = chart.addSeries(name, x, y);
    series.setMarker(SeriesMarkers.CIRCLE);
    series.setMarkerColor(color);
    series.setLineColor(color);
  }

  /** 950, 9.5k, 12k: short enough for a bin a tenth of a small panel wide. */
  static String compact(long count) {
    if (count < 1000) {
      return Long.toString(count);
    }
    return count < 10_000
        ? String.format(Locale.ROOT, "%.1fk", count / 1000.0)
        : String.format(Locale.ROOT, "%dk", Math.round(count / 1000.0));
  }
}
