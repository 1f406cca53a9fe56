package org.chexnet.dataset;

import java.nio.file.Path;

/**
 * One image as a dataset's metadata describes it, before any label policy.
 *
 * @param image the image's key: what {@link Dataset#imagePath(String)} resolves, the name in
 *     prepared caches, digests and predictions (NIH: the file name; others: the path under the
 *     dataset directory, '/'-separated)
 * @param patientId the patient as a number unique within the dataset (NIH, CheXpert, MIMIC: their
 *     own number; PadChest, whose IDs are long strings: the rank of the ID among the dataset's
 *     sorted IDs, starting at 1)
 * @param patient the patient as the dataset writes it, for messages
 * @param study the study (one visit, possibly several images) as the dataset writes it; null where
 *     the dataset has none (NIH)
 * @param age in years; -1 when unknown
 * @param states one {@link LabelState#code()} per finding, in {@link Dataset#findings()} order;
 *     shared, not copied: treat it as read-only
 * @param split the dataset's official split of this image; null where it has none
 * @param file the metadata file the image's row came from
 * @param line that row's first line (1 is the header); 0 where the reader does not track lines
 *     (ChestX-ray14's Data_Entry rows)
 */
public record ImageRecord(
    String image,
    int patientId,
    String patient,
    String study,
    View view,
    Sex sex,
    int age,
    byte[] states,
    Split split,
    Path file,
    int line) {

  public LabelState state(int finding) {
    return LabelState.of(states[finding]);
  }

  /** "file:line" for messages ("file" without a line). */
  public String where() {
    return line > 0 ? file + ":" + line : file.toString();
  }

  /** The same image with another official split. */
  public ImageRecord withSplit(Split newSplit) {
    return new ImageRecord(
        image, patientId, patient, study, view, sex, age, states, newSplit, file, line);
  }
}
