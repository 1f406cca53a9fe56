package org.chexnet.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalizationTest {

  /** A 4 x 4 map over a 1024 px image (256 px cells), hot only in row 1, column 2. */
  private static final Localization.CamMap ONE_HOT;

  static {
    float[] values = new float[16];
    values[1 * 4 + 2] = 1;
    ONE_HOT = new Localization.CamMap(values, 4, 4);
  }

  @Test
  void aBoxOnTheHotCellIsHitAndFullyOverlapped() {
    Localization.BoxScore s =
        Localization.score(
            ONE_HOT, new BoundingBox("a.png", "Mass", 512, 256, 256, 256), 0.5, 1024);
    assertTrue(s.hit());
    assertEquals(1, s.iou(), 1e-12);
    assertEquals(1, s.iobb(), 1e-12);
  }

  @Test
  void aShiftedBoxOverlapsHalfTheDetectedCell() {
    // The box covers the right half of the hot cell and the left half of its neighbour.
    Localization.BoxScore s =
        Localization.score(
            ONE_HOT, new BoundingBox("a.png", "Mass", 640, 256, 256, 256), 0.5, 1024);
    assertTrue(s.hit(), "the cell's centre (640, 384) lies on the box's left edge");
    assertEquals(0.5, s.iobb(), 1e-12);
    assertEquals(32768.0 / (65536 + 65536 - 32768), s.iou(), 1e-12);
    Localization.BoxScore miss =
        Localization.score(ONE_HOT, new BoundingBox("a.png", "Mass", 0, 768, 100, 100), 0.5, 1024);
    assertFalse(miss.hit());
    assertEquals(0, miss.iobb(), 0);
  }

  @Test
  void summariesCountTheBoxesReachingEachT() {
    List<Localization.BoxScore> scores =
        List.of(
            new Localization.BoxScore("Mass", true, 0.3, 0.6),
            new Localization.BoxScore("Mass", false, 0.05, 0.2),
            new Localization.BoxScore("Nodule", true, 0.9, 0.95));
    List<Localization.FindingSummary> summaries = Localization.summarize(scores);
    assertEquals(2, summaries.size());
    Localization.FindingSummary mass = summaries.get(0);
    assertEquals("Mass", mass.finding());
    assertEquals(2, mass.boxes());
    assertEquals(0.5, mass.pointingAccuracy());
    // T = 0.1, 0.25, 0.5, 0.75, 0.9
    assertArrayEquals(new double[] {0.5, 0.5, 0, 0, 0}, mass.iouAccuracy());
    assertArrayEquals(new double[] {1, 0.5, 0.5, 0, 0}, mass.iobbAccuracy());
    assertArrayEquals(new double[] {1, 1, 1, 1, 1}, summaries.get(1).iobbAccuracy());
  }

  @Test
  void readsNihsBoxListAndNamesBadLines(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("BBox_List_2017.csv");
    Files.writeString(
        csv,
        "Image Index,Finding Label,Bbox [x,y,w,h],,,\n"
            + "00013118_008.png,Atelectasis,225.084745762712,547.019216763771,86.7796610169491,79.1864406779661,,,\n"
            + "00014716_007.png,Infiltrate,686.0,397.0,248.0,243.0\n");
    List<BoundingBox> boxes = BoundingBox.readNih(csv);
    assertEquals(2, boxes.size());
    assertEquals(
        new BoundingBox(
            "00013118_008.png",
            "Atelectasis",
            225.084745762712,
            547.019216763771,
            86.7796610169491,
            79.1864406779661),
        boxes.get(0));
    assertEquals("Infiltration", boxes.get(1).finding(), "NIH's box list says Infiltrate");

    Files.writeString(
        csv, "Image Index,Finding Label,Bbox [x,y,w,h],,,\n00000001_000.png,Mass,1,two,3,4\n");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BoundingBox.readNih(csv));
    assertEquals(csv + ":2: expected a number for y, got 'two'", e.getMessage());
  }
}
