package org.chexnet.evaluation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Localization of a finding by its class activation map against NIH's boxes: the pointing game (is
 * the map's peak inside the box?) and, for the map thresholded at a share of its peak, IoU and IoBB
 * (intersection over the detected area, ChestX-ray8's measure) with the box, whose accuracy at
 * T(IoBB) in {0.1, 0.25, 0.5, 0.75, 0.9} ChestX-ray8 reports.
 */
public final class Localization {

  /** The T(IoBB) thresholds of Wang et al. (2017), ChestX-ray8, Table 3. */
  public static final double[] T_IOBB = {0.1, 0.25, 0.5, 0.75, 0.9};

  /** The original NIH image size, in which boxes are given. */
  public static final double NIH_IMAGE_SIZE = 1024;

  private Localization() {}

  /**
   * A class activation map covering the whole image, row-major [height x width]: cell (r, c) covers
   * [c, c + 1) x [r, r + 1) times imageSize / width (or height) original pixels.
   */
  public record CamMap(float[] values, int height, int width) {

    public CamMap {
      if (height < 1 || width < 1 || values.length != height * width) {
        throw new IllegalArgumentException(
            "expected " + height + " x " + width + " values, got " + values.length);
      }
    }
  }

  /**
   * One box scored against one map.
   *
   * @param hit the map's peak (its first cell on ties) has its centre inside the box
   * @param iou area of (thresholded map AND box) / area of (map OR box)
   * @param iobb area of (thresholded map AND box) / area of the thresholded map
   */
  public record BoxScore(String finding, boolean hit, double iou, double iobb) {}

  /**
   * Per finding: boxes, pointing-game hit rate and the share of boxes whose IoU / IoBB reaches each
   * of {@link #T_IOBB}.
   */
  public record FindingSummary(
      String finding,
      int boxes,
      double pointingAccuracy,
      double[] iouAccuracy,
      double[] iobbAccuracy) {}

  /**
   * @param mapThreshold the map is "on" where its value is at least this share of its peak
   * @param imageSize the original image's width and height in pixels (boxes' coordinates)
   */
  public static BoxScore score(CamMap map, BoundingBox box, double mapThreshold, double imageSize) {
    float[] values = map.values();
    int peak = 0;
    float max = values[0];
    float min = values[0];
    for (int i = 1; i < values.length; i++) {
      if (values[i] > max) {
        max = values[i];
        peak = i;
      }
      min = Math.min(min, values[i]);
    }
    double cellWidth = imageSize / map.width();
    double cellHeight = imageSize / map.height();
    double peakX = (peak % map.width() + 0.5) * cellWidth;
    double peakY = (peak / map.width() + 0.5) * cellHeight;
    boolean hit =
        peakX >= box.x()
            && peakX <= box.x() + box.width()
            && peakY >= box.y()
            && peakY <= box.y() + box.height();

    // Threshold relative to the map's range, so that a map offset by a constant is read the same.
    double cut = min + mapThreshold * (max - min);
    double detected = 0;
    double overlap = 0;
    for (int r = 0; r < map.height(); r++) {
      for (int c = 0; c < map.width(); c++) {
        if (values[r * map.width() + c] >= cut) {
          detected += cellWidth * cellHeight;
          overlap +=
              overlap(c * cellWidth, cellWidth, box.x(), box.width())
                  * overlap(r * cellHeight, cellHeight, box.y(), box.height());
        }
      }
    }
    double union = detected + box.width() * box.height() - overlap;
    return new BoxScore(box.finding(), hit, overlap / union, overlap / detected);
  }

  /** Per finding in first-seen order. */
  public static List<FindingSummary> summarize(List<BoxScore> scores) {
    Map<String, List<BoxScore>> byFinding = new LinkedHashMap<>();
    scores.forEach(s -> byFinding.computeIfAbsent(s.finding(), f -> new ArrayList<>()).add(s));
    List<FindingSummary> summaries = new ArrayList<>();
    byFinding.forEach(
        (finding, list) -> {
          double[] iou = new double[T_IOBB.length];
          double[] iobb = new double[T_IOBB.length];
          for (int t = 0; t < T_IOBB.length; t++) {
            double threshold = T_IOBB[t];
            iou[t] = share(list.stream().filter(s -> s.iou() >= threshold).count(), list.size());
            iobb[t] = share(list.stream().filter(s -> s.iobb() >= threshold).count(), list.size());
          }
          double hits = share(list.stream().filter(BoxScore::hit).count(), list.size());
          summaries.add(new FindingSummary(finding, list.size(), hits, iou, iobb));
        });
    return summaries;
  }

  private static double share(long count, int total) {
    return (double) count / total;
  }

  /** Length of [start, start + length) intersected with [boxStart, boxStart + boxLength). */
  private static double overlap(double start, double length, double boxStart, double boxLength) {
    return Math.max(0, Math.min(start + length, boxStart + boxLength) - Math.max(start, boxStart));
  }
}
