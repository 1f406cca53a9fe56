package org.chexnet.evaluation.card;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.chexnet.evaluation.DetailedEvaluation;
import org.chexnet.evaluation.EvaluationReport;
import org.chexnet.evaluation.PredictionSet;
import org.chexnet.evaluation.ReportOptions;
import org.chexnet.evaluation.ReportSection;
import org.chexnet.evaluation.TrainingHistory;
import org.chexnet.evaluation.calibration.CalibrationEvaluation;
import org.chexnet.evaluation.calibration.CalibrationMethod;
import org.chexnet.evaluation.calibration.CalibrationReport;
import org.chexnet.evaluation.calibration.ModelCalibration;
import org.chexnet.evaluation.subgroups.AttributeSubgroups;
import org.chexnet.evaluation.subgroups.ImageMetadata;
import org.chexnet.evaluation.subgroups.Subgroup;
import org.chexnet.evaluation.subgroups.SubgroupAttribute;
import org.chexnet.evaluation.subgroups.SubgroupEvaluation;
import org.chexnet.evaluation.subgroups.SubgroupGap;
import org.chexnet.evaluation.subgroups.SubgroupReport;

/**
 * The evaluation a run and {@code chexnet evaluate} compute: AUROCs with intervals and operating
 * points chosen on validation, calibration before and after a post-hoc calibration fitted on
 * validation, and performance per subgroup of patients at those operating points.
 *
 * @param detailed AUROCs with bootstrap and DeLong intervals, ROC curves, comparisons, operating
 *     points
 * @param calibration on the evaluated images, and after {@link CalibrationReport#calibration()}
 *     when one was fitted
 * @param subgroups per attribute and subgroup, when metadata was given
 */
public record ClinicalEvaluation(
    DetailedEvaluation detailed,
    CalibrationReport calibration,
    Optional<SubgroupEvaluation> subgroups) {

  /**
   * What subgroups are compared by.
   *
   * @param metadata a row for every evaluated image
   * @param attributes "sex", "age", "view" or metadata column names
   */
  public record Subgroups(ImageMetadata metadata, List<String> attributes) {
    public Subgroups {
      attributes = List.copyOf(attributes);
    }

    /**
     * These subgroups once every attribute is found and its value read for each of {@code images}
     * the metadata has: a missing column or a malformed cell found before any work is done.
     *
     * @throws IllegalArgumentException naming the columns looked for, or the file and line of a bad
     *     value
     */
    public Subgroups checkedOn(List<String> images) {
      for (String name : attributes) {
        SubgroupAttribute attribute = SubgroupAttribute.resolve(name, metadata);
        for (String image : images) {
          metadata.rowOf(image).ifPresent(attribute::valueOf);
        }
      }
      return this;
    }
  }

  /**
   * @param validation where each class's threshold is chosen and the post-hoc calibration fitted;
   *     empty for neither (a threshold or calibration measured where it was fitted would flatter
   *     the model)
   * @param calibrationMethod the post-hoc calibration to fit on validation; empty for none
   * @param subgroups empty for no subgroup analysis
   * @throws IllegalArgumentException on an evaluated image the metadata lacks, an attribute it has
   *     no column for, or a malformed value (the message names the file and line)
   */
  public static ClinicalEvaluation compute(
      List<String> classNames,
      PredictionSet test,
      Optional<PredictionSet> validation,
      ReportOptions options,
      Optional<CalibrationMethod> calibrationMethod,
      Optional<Subgroups> subgroups) {
    DetailedEvaluation detailed = DetailedEvaluation.compute(classNames, test, validation, options);
    Optional<ModelCalibration> fitted =
        validation.flatMap(v -> calibrationMethod.map(m -> ModelCalibration.fit(classNames, v, m)));
    CalibrationReport calibration =
        CalibrationReport.compute(
            classNames, test, fitted, options.bootstrapReplicates(), options.seed());
    Optional<SubgroupEvaluation> perSubgroup =
        subgroups.map(
            s ->
                SubgroupEvaluation.compute(
                    classNames,
                    test,
                    s.metadata(),
                    s.attributes(),
                    SubgroupEvaluation.thresholds(detailed.operatingPoints()),
                    options.bootstrapReplicates(),
                    options.seed()));
    return new ClinicalEvaluation(detailed, calibration, perSubgroup);
  }

  /**
   * Writes the report set ({@link EvaluationReport#writeAll}) with the calibration section and
   * {@value CalibrationReport#RELIABILITY_PNG}, the subgroup section when there is one, and the
   * fitted calibration as {@value ModelCalibration#FILE_NAME} when there is one.
   *
   * @param more sections before those, e.g. the findings a cross-dataset evaluation compared
   */
  public void write(
      Path dir, String title, Optional<TrainingHistory> history, ReportSection... more)
      throws IOException {
    List<ReportSection> sections = new ArrayList<>(List.of(more));
    sections.add(calibration);
    subgroups.ifPresent(s -> sections.add(new SubgroupReport(s)));
    EvaluationReport.write(dir, title, detailed, history, sections);
    Optional<ModelCalibration> fitted = calibration.calibration();
    if (fitted.isPresent()) {
      fitted.get().write(dir.resolve(ModelCalibration.FILE_NAME));
    }
  }

  /**
   * The model card of these numbers.
   *
   * @param training empty when not known
   * @param limitations beyond {@link ModelCard#STANDING_LIMITATIONS}
   */
  public ModelCard card(
      ModelCard.Model model,
      Optional<ModelCard.Data> training,
      ModelCard.Data evaluated,
      List<String> limitations) {
    return new ModelCard(
        model, training, evaluated, detailed, Optional.of(calibration), subgroups, limitations);
  }

  /**
   * Console lines: mean Brier and ECE before and after calibration; per attribute its subgroups'
   * image counts and the gaps flagged.
   */
  public String summary() {
    StringBuilder text = new StringBuilder();
    CalibrationEvaluation before = calibration.uncalibrated();
    text.append(
        String.format(
            Locale.ROOT,
            "Calibration: mean Brier %.4f, mean ECE %.4f",
            before.meanBrier(),
            before.meanEce()));
    calibration
        .calibrated()
        .ifPresent(
            after ->
                text.append(
                    String.format(
                        Locale.ROOT,
                        "; after %s (fitted on %d validation images) %.4f and %.4f",
                        calibration.calibration().get().method().id(),
                        calibration.calibration().get().fittedOnImages(),
                        after.meanBrier(),
                        after.meanEce())));
    subgroups.ifPresent(
        s -> {
          for (AttributeSubgroups attribute : s.attributes()) {
            List<String> counts = new ArrayList<>();
            for (Subgroup subgroup : attribute.subgroups()) {
              counts.add(subgroup.value() + " " + subgroup.images());
            }
            long flagged =
                attribute.aurocGaps().stream().filter(SubgroupGap::flagged).count()
                    + attribute.falseNegativeRateGaps().stream()
                        .filter(SubgroupGap::flagged)
                        .count();
            text.append(
                String.format(
                    Locale.ROOT,
                    "%nSubgroups by %s: %s%s; %d gap(s) flagged",
                    attribute.attribute(),
                    String.join(", ", counts),
                    attribute.imagesWithoutValue() > 0
                        ? ", " + attribute.imagesWithoutValue() + " without a value"
                        : "",
                    flagged));
          }
        });
    return text.toString();
  }
}
