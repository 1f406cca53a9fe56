package org.chexnet.experiment.localize;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.chexnet.common.AtomicFiles;
import org.chexnet.evaluation.BoundingBox;
import org.chexnet.evaluation.Localization;

/** The files {@code chexnet localize} writes, and its console table. */
public final class LocalizationReport {
  private LocalizationReport() {}

  public static void write(
      Path dir,
      List<BoundingBox> boxes,
      List<Localization.BoxScore> scores,
      List<Localization.FindingSummary> summaries,
      double mapThreshold,
      String mapInput)
      throws IOException {
    Files.createDirectories(dir);
    StringBuilder perFinding = new StringBuilder("finding,boxes,pointing_accuracy");
    for (double t : Localization.T_IOBB) {
      perFinding.append(",iou_acc_").append(t);
    }
    for (double t : Localization.T_IOBB) {
      perFinding.append(",iobb_acc_").append(t);
    }
    perFinding.append('\n');
    for (Localization.FindingSummary s : summaries) {
      perFinding.append(s.finding()).append(',').append(s.boxes());
      perFinding.append(',').append(s.pointingAccuracy());
      for (double v : s.iouAccuracy()) {
        perFinding.append(',').append(v);
      }
      for (double v : s.iobbAccuracy()) {
        perFinding.append(',').append(v);
      }
      perFinding.append('\n');
    }
    AtomicFiles.write(dir.resolve("localization.csv"), perFinding.toString());

    StringBuilder perBox = new StringBuilder("Image Index,finding,x,y,w,h,hit,iou,iobb\n");
    for (int i = 0; i < boxes.size(); i++) {
      BoundingBox b = boxes.get(i);
      Localization.BoxScore s = scores.get(i);
      perBox.append(
          String.format(
              Locale.ROOT,
              "%s,%s,%s,%s,%s,%s,%b,%.6f,%.6f%n",
              b.imageIndex(),
              b.finding(),
              b.x(),
              b.y(),
              b.width(),
              b.height(),
              s.hit(),
              s.iou(),
              s.iobb()));
    }
    AtomicFiles.write(dir.resolve("localization-boxes.csv"), perBox.toString());

    String md =
        "# Localization\n\n"
            + "Class activation map of each box's finding, computed on "
            + mapInput
            + "; the map counts as detecting where it"
            + " reaches "
            + mapThreshold
            + " of its range. Pointing: the map's peak lies in the box. IoU / IoBB accuracy at"
            + " T: the share of boxes whose overlap with the detected area reaches T (IoBB:"
            + " intersection over the detected area, as in ChestX-ray8).\n\n```\n"
            + table(summaries)
            + "```\n";
    AtomicFiles.write(dir.resolve("localization.md"), md);
  }

  public static String table(List<Localization.FindingSummary> summaries) {
    StringBuilder table =
        new StringBuilder(
            String.format(Locale.ROOT, "%-20s %6s %8s", "Finding", "Boxes", "Pointing"));
    for (double t : Localization.T_IOBB) {
      table.append(String.format(Locale.ROOT, " %9s", "IoBB>=" + t));
    }
    table.append('\n');
    for (Localization.FindingSummary s : summaries) {
      table.append(
          String.format(
              Locale.ROOT, "%-20s %6d %8.3f", s.finding(), s.boxes(), s.pointingAccuracy()));
      for (double v : s.iobbAccuracy()) {
        table.append(String.format(Locale.ROOT, " %9.3f", v));
      }
      table.append('\n');
    }
    return table.toString();
  }
}
