package org.chexnet.evaluation;

import static java.awt.image.BufferedImage.TYPE_INT_RGB;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.chexnet.common.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG charts with XChart, rendered off screen. */
public final class Plots {

  /** Fourteen colours that stay apart on a white background (Tableau 20, dark and light). */
  private static final Color[] PALETTE = {
    new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
    new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
    new Color(0xbcbd22), new Color(0x17becf), new Color(0x393b79), new Color(0xad494a),
    new Color(0x637939), new Color(0x843c39),
  };

  static {
    // Charts are drawn on servers and in CI without a display; AWT must not look for one. Only
    // takes effect before AWT starts, which is before the first chart in a CLI process.
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private Plots() {}

  /**
   * All classes' ROC curves in one figure, the legend giving each class's AUROC.
   *
   * @param curves per class; null for a class without a curve (undefined AUROC), left out
   */
  public static void writeRoc(
      Path file,
      String title,
      List<String> classNames,
      List<RocCurve> curves,
      List<Double> aurocs,
      int width,
      int height)
      throws IOException {
    XYChart chart =
        chart(
            width,
            height,
            title,
            "False positive rate (1 - specificity)",
            "True positive rate (sensitivity)");
    chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
    chart.getStyler().setXAxisDecimalPattern("0.0#").setYAxisDecimalPattern("0.0#");
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
    XYSeries chance = chart.addSeries("chance", new double[] {0, 1}, new double[] {0, 1});
    chance.setMarker(SeriesMarkers.NONE);
    chance.setLineColor(Color.LIGHT_GRAY);
    chance.setShowInLegend(false);
    chance.setLineStyle(
        new BasicStroke(
            1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f}, 0f));
    for (int c = 0; c < classNames.size(); c++) {
      RocCurve curve = curves.get(c);
      if (curve != null) {
        String label = String.format(Locale.ROOT, "%s (%.3f)", classNames.get(c), aurocs.get(c));
        XYSeries series = chart.addSeries(label, curve.fpr(), curve.tpr());
        series.setMarker(SeriesMarkers.NONE);
        series.setLineColor(color(c));
        series.setLineStyle(SeriesLines.SOLID);
      }
    }
    write(chart, file);
  }

  /**
   * Training curves: every loss column (loss, val_loss, ...) on the left axis, every AUROC column
   * (val_mean_auroc, ...) on the right, against the epoch counted from 1 as the console does
   * (history.csv counts from 0, as Keras).
   */
  public static void writeTraining(
      Path file, String title, TrainingHistory history, int width, int height) throws IOException {
    XYChart chart = chart(width, height, title, "Epoch", "Loss");
    chart.setYAxisGroupTitle(1, "AUROC");
    chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    int color = 0;
    for (Map.Entry<String, double[]> column : history.columns().entrySet()) {
      String name = column.getKey();
      boolean auroc = name.contains("auroc") || name.contains("auc");
      if (!auroc && !name.contains("loss")) {
        continue; // the learning rate has its own scale and is in params/metrics anyway
      }
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (int i = 0; i < history.epochs().length; i++) {
        if (!Double.isNaN(column.getValue()[i])) {
          x.add(history.epochs()[i] + 1);
          y.add(column.getValue()[i]);
        }
      }
      if (!x.isEmpty()) {
        XYSeries series = chart.addSeries(name, x, y);
        series.setLineColor(color(color));
        series.setMarkerColor(color(color++));
        series.setMarker(SeriesMarkers.CIRCLE);
        series.setYAxisGroup(auroc ? 1 : 0);
      }
    }
    if (chart.getSeriesMap().isEmpty()) {
      throw new IllegalArgumentException("no loss or AUROC column with a value to plot");
    }
    write(chart, file);
  }

  /** An empty chart in the reports' style: white, anti-aliased, small markers. */
  public static XYChart chart(
      int width, int height, String title, String xAxisTitle, String yAxisTitle) {
    XYChart chart =
        new XYChartBuilder()
            .width(width)
            .height(height)
            .title(title)
            .xAxisTitle(xAxisTitle)
            .yAxisTitle(yAxisTitle)
            .build();
    Styler styler = chart.getStyler();
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setPlotBackgroundColor(Color.WHITE);
    styler.setAntiAlias(true);
    styler.setMarkerSize(5);
    return chart;
  }

  /** Colour {@code index} of the palette, repeating after fourteen. */
  public static Color color(int index) {
    return PALETTE[index % PALETTE.length];
  }

  /**
   * Small multiples: the charts in one PNG, row by row, {@code columns} to a row, each drawn at its
   * own width and height (all the same size).
   */
  public static void writeGrid(Path file, List<XYChart> panels, int columns) throws IOException {
    if (panels.isEmpty()) {
      throw new IllegalArgumentException("no charts to draw");
    }
    int width = panels.get(0).getWidth();
    int height = panels.get(0).getHeight();
    int rows = (panels.size() + columns - 1) / columns;
    BufferedImage image =
        new BufferedImage(width * Math.min(columns, panels.size()), height * rows, TYPE_INT_RGB);
    Graphics2D graphics = image.createGraphics();
    try {
      graphics.setColor(Color.WHITE);
      graphics.fillRect(0, 0, image.getWidth(), image.getHeight());
      for (int k = 0; k < panels.size(); k++) {
        Graphics2D panel =
            (Graphics2D)
                graphics.create((k % columns) * width, (k / columns) * height, width, height);
        try {
          panels.get(k).paint(panel, width, height);
        } finally {
          panel.dispose();
        }
      }
    } finally {
      graphics.dispose();
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(image, "png", png);
    AtomicFiles.write(file, png.toByteArray());
  }

  private static void write(XYChart chart, Path file) throws IOException {
    AtomicFiles.write(file, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
  }
}
