package org.chexnet.experiment.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.chexnet.common.ChexnetException;
import org.chexnet.dataset.ChestXray14;
import org.chexnet.dataset.DataSplits;
import org.chexnet.dataset.Dataset;
import org.chexnet.dataset.ImageRecord;
import org.chexnet.dataset.LabeledImage;
import org.chexnet.dataset.MultiSource;
import org.chexnet.dataset.View;
import org.chexnet.evaluation.card.ClinicalEvaluation;
import org.chexnet.evaluation.subgroups.ImageMetadata;
import org.chexnet.evaluation.subgroups.SubgroupAttribute;

/**
 * The per-image metadata subgroups are read from when a dataset is evaluated (a run's test split, a
 * model scored on a dataset): ChestX-ray14's Data_Entry file (any of its columns can be an
 * attribute); for another dataset, or several, the sex, age, view and patient of every split image
 * as the dataset readers normalised them, written under NIH's column names ({@value #FILE_NAME}).
 */
public final class SubgroupMetadata {
  /** The normalised metadata's file name, in a run's artifacts and an evaluation's directory. */
  public static final String FILE_NAME = "image-metadata.csv";

  private SubgroupMetadata() {}

  /** NIH's Data_Entry file when {@code sources} is ChestX-ray14 alone; else empty. */
  public static Optional<Path> ownFile(List<Dataset> sources) {
    return sources.size() == 1 && sources.get(0) instanceof ChestXray14 nih
        ? Optional.of(nih.metadataFiles().get(0)) // Data_Entry first, then its lists
        : Optional.empty();
  }

  /**
   * Image Index, Patient ID, Patient Gender, Patient Age, View Position, Dataset: one row per image
   * of {@code splits}, keyed as the splits key it (over several sources, {@link
   * MultiSource#imageKey}); a value the dataset does not record is blank.
   */
  public static byte[] normalisedCsv(List<Dataset> sources, DataSplits splits) throws IOException {
    Map<String, Integer> patientOf = new HashMap<>();
    splits
        .byName()
        .values()
        .forEach(l -> l.forEach(i -> patientOf.put(i.imageIndex(), i.patientId())));
    StringBuilder csv =
        new StringBuilder(
            "Image Index,Patient ID,Patient Gender,Patient Age,View Position,Dataset\n");
    for (Dataset source : sources) {
      for (ImageRecord record : source.images()) {
        String key =
            sources.size() == 1
                ? record.image()
                : MultiSource.imageKey(source.name(), record.image());
        Integer patient = patientOf.get(key);
        if (patient == null) {
          continue; // not in the splits (filtered, skipped, unlabelled)
        }
        csv.append(quoted(key))
            .append(',')
            .append(patient)
            .append(',')
            .append(
                switch (record.sex()) {
                  case MALE -> "M";
                  case FEMALE -> "F";
                  default -> "";
                })
            .append(',')
            .append(record.age() > 0 ? Integer.toString(record.age()) : "")
            .append(',')
            .append(record.view() == View.UNKNOWN ? "" : record.view().name())
            .append(',')
            .append(source.name())
            .append('\n');
      }
    }
    return csv.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String quoted(String cell) {
    return cell.contains(",") || cell.contains("\"")
        ? '"' + cell.replace("\"", "\"\"") + '"'
        : cell;
  }

  /**
   * The subgroups of {@code attributes} read from {@code file}, every evaluated image's value read
   * once here so that a missing column or a malformed cell stops the work before it starts.
   *
   * @param key what a refusal names first, e.g. "evaluate.subgroups: "
   * @return empty when {@code attributes} is
   * @throws ChexnetException naming the attribute's missing column, or the file and line of a bad
   *     value
   */
  public static Optional<ClinicalEvaluation.Subgroups> subgroups(
      Path file, List<String> attributes, List<LabeledImage> evaluated, String key)
      throws IOException {
    if (attributes.isEmpty()) {
      return Optional.empty();
    }
    try {
      ImageMetadata metadata = ImageMetadata.read(file);
      for (String name : attributes) {
        SubgroupAttribute attribute = SubgroupAttribute.resolve(name, metadata);
        for (LabeledImage image : evaluated) {
          metadata
              .rowOf(image.imageIndex())
              .ifPresent(attribute::valueOf); // throws naming file:line on a bad cell
        }
      }
      return Optional.of(new ClinicalEvaluation.Subgroups(metadata, attributes));
    } catch (IllegalArgumentException e) {
      throw ChexnetException.invalidInput(key + e.getMessage());
    }
  }
}
