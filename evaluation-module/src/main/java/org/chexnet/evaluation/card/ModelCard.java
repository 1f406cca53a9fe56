package org.chexnet.evaluation.card;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.chexnet.common.AtomicFiles;
import org.chexnet.evaluation.ClassAuroc;
import org.chexnet.evaluation.DetailedEvaluation;
import org.chexnet.evaluation.OperatingPoint;
import org.chexnet.evaluation.ReportDocument;
import org.chexnet.evaluation.ReportFormat;
import org.chexnet.evaluation.calibration.CalibrationReport;
import org.chexnet.evaluation.calibration.ClassCalibration;
import org.chexnet.evaluation.subgroups.AttributeSubgroups;
import org.chexnet.evaluation.subgroups.Subgroup;
import org.chexnet.evaluation.subgroups.SubgroupEvaluation;
import org.chexnet.evaluation.subgroups.SubgroupGap;

/**
 * model-card.md in the spirit of Mitchell et al., "Model Cards for Model Reporting" (FAT* 2019):
 * model details, intended use (research, not diagnosis), factors, metrics, evaluation and training
 * data, quantitative analyses overall, per subgroup and for calibration, ethical considerations,
 * caveats. Everything in it comes from these typed inputs, which a run fills from its own records.
 *
 * @param model what the model is and where it comes from
 * @param training the data it was trained on; empty when not known (predictions scored without
 *     their model's records)
 * @param evaluated the data the numbers below come from
 * @param evaluation AUROCs with intervals and operating points on {@code evaluated}
 * @param calibration calibration on {@code evaluated}, when computed
 * @param subgroups subgroup performance on {@code evaluated}, when metadata was given
 * @param limitations known limitations beyond those every card lists (see {@link
 *     #STANDING_LIMITATIONS})
 */
public record ModelCard(
    Model model,
    Optional<Data> training,
    Data evaluated,
    DetailedEvaluation evaluation,
    Optional<CalibrationReport> calibration,
    Optional<SubgroupEvaluation> subgroups,
    List<String> limitations) {

  public static final String FILE_NAME = "model-card.md";

  /** What every card says about a model trained and evaluated on NIH ChestX-ray14 or the like. */
  public static final List<String> STANDING_LIMITATIONS =
      List.of(
          "Not for diagnosis: a research model, not a medical device, never validated for patient"
              + " care or in a prospective study.",
          "Label noise: NIH ChestX-ray14's labels were mined from radiology reports by natural"
              + " language processing (Wang et al. 2017); independent reviews found many of them"
              + " wrong, so both training and these metrics measure agreement with noisy labels,"
              + " not with a radiologist's reading.",
          "One hospital: the images come from one institution's scanners and patients;"
              + " performance, calibration and thresholds can differ on other hospitals' images.",
          "The labels describe findings, not diagnoses, and a model can learn shortcuts (chest"
              + " drains, portable AP positioning, text markers) that correlate with them.");

  /**
   * @param name e.g. the run's name
   * @param architecture e.g. "DenseNet-121, 224 x 224 input, 14 sigmoid outputs"
   * @param version e.g. "git 1a2b3c4 (main)"
   * @param source where the weights are: a run directory, an imported file
   */
  public record Model(String name, String architecture, String version, String source) {}

  /**
   * @param name e.g. "NIH ChestX-ray14, official test list"
   * @param images how many images
   * @param patients how many patients, when known
   * @param digest the dataset digest the run recorded (chexnet.dataset.digest), "" when none
   * @param split how the images were chosen, e.g. "patient-level 70/10/20 random split, seed 0"
   */
  public record Data(String name, int images, OptionalInt patients, String digest, String split) {}

  public ModelCard {
    limitations = List.copyOf(limitations);
  }

  public void write(Path file) throws IOException {
    AtomicFiles.write(file, markdown());
  }

  public String markdown() {
    ReportDocument card = new ReportDocument("Model card: " + model.name());
    card.heading("Model details");
    card.paragraph(
        "- Architecture: "
            + model.architecture()
            + "\n- Version: "
            + model.version()
            + "\n- Weights: "
            + model.source()
            + "\n- Task: multi-label classification of "
            + evaluation.classNames().size()
            + " findings on a chest X-ray ("
            + String.join(", ", evaluation.classNames())
            + "); one probability per finding.");

    card.heading("Intended use");
    card.paragraph(
        "- **Not for diagnosis.** For research and teaching: reproducing CheXNet, comparing"
            + " training choices, studying calibration and subgroup performance.\n"
            + "- Not for screening, triage or any decision about a patient, nor as a substitute for"
            + " a radiologist.\n"
            + "- The probabilities are "
            + (calibration.flatMap(CalibrationReport::calibration).isPresent()
                ? "the network's own unless the post-hoc calibration below is applied"
                : "the network's own, not calibrated after training")
            + "; thresholds chosen on one population need not hold on another.");

    card.heading("Factors");
    card.paragraph(
        subgroups
            .map(
                s ->
                    "Performance is reported per "
                        + String.join(
                            ", ",
                            s.attributes().stream()
                                .map(a -> a.attribute() + " (" + a.source() + ")")
                                .toList())
                        + ", the attributes the evaluation data's metadata records. Others that"
                        + " matter (race and ethnicity, insurance, scanner, hospital) are not in"
                        + " it and were not assessed.")
            .orElse(
                "No per-image metadata was given, so no subgroup (sex, age, view) was assessed."));

    card.heading("Metrics");
    card.paragraph(
        "- AUROC per finding and its mean, with 95% percentile-bootstrap intervals ("
            + evaluation.bootstrap().replicates()
            + " replicates, seed "
            + evaluation.options().seed()
            + ") and DeLong intervals.\n"
            + "- Sensitivity, specificity and false-negative rate at thresholds chosen on"
            + " validation by "
            + evaluation.options().thresholdRule().describe()
            + ".\n"
            + "- Calibration: Brier score and expected calibration error (10 equal-width bins).\n"
            + "- Subgroups: the same per subgroup, and the largest gap between subgroups with its"
            + " interval, flagged when the interval excludes zero.");

    card.heading("Evaluation data");
    card.paragraph(dataText(evaluated));
    card.heading("Training data");
    card.paragraph(
        training
            .map(ModelCard::dataText)
            .orElse(
                "Not known: the model's training records are not part of this evaluation. Before"
                    + " relying on these numbers, find out which images the model was trained on"
                    + " and that none of the evaluated patients were among them."));

    card.heading("Quantitative analyses");
    card.subheading("Overall");
    List<List<String>> rows = new ArrayList<>();
    for (int c = 0; c < evaluation.classNames().size(); c++) {
      ClassAuroc auroc = evaluation.result().perClass().get(c);
      Optional<OperatingPoint> point = evaluation.operatingPoints().get(c);
      rows.add(
          List.of(
              auroc.className(),
              auroc.defined() ? ReportFormat.number(auroc.auroc()) : "undefined",
              ReportFormat.interval(evaluation.bootstrap().perClass().get(c)),
              point.map(p -> ReportFormat.number(p.sensitivity())).orElse(ReportFormat.MISSING),
              point.map(p -> ReportFormat.number(p.specificity())).orElse(ReportFormat.MISSING),
              Integer.toString(auroc.positives())));
    }
    rows.add(
        List.of(
            "**Mean**",
            "**" + ReportFormat.number(evaluation.result().meanAuroc()) + "**",
            ReportFormat.interval(evaluation.bootstrap().mean()),
            "",
            "",
            ""));
    card.table(
        List.of("Finding", "AUROC", "95% CI", "Sensitivity", "Specificity", "Positives"), rows);

    subgroups.ifPresent(s -> subgroupSection(card, s));
    calibration.ifPresent(c -> calibrationSection(card, c));

    card.heading("Ethical considerations");
    card.paragraph(
        "Chest X-ray classifiers have been shown to under-diagnose some groups of patients more"
            + " than others (Seyyed-Kalantari et al., Nature Medicine 2021); a model that misses"
            + " findings more often in one group harms that group if used for triage."
            + (subgroups.isPresent()
                ? " The flagged gaps above are where this model's errors differ between subgroups"
                    + " beyond what resampling explains; an unflagged gap is no evidence of"
                    + " equal performance, since small subgroups give wide intervals."
                : " This card has no subgroup analysis: give the evaluation data's metadata to"
                    + " get one."));

    card.heading("Caveats and recommendations");
    StringBuilder caveats = new StringBuilder();
    List<String> all = new ArrayList<>(STANDING_LIMITATIONS);
    all.addAll(limitations);
    all.add("Split: " + evaluated.split() + ".");
    for (String limitation : all) {
      caveats.append(caveats.length() == 0 ? "- " : "\n- ").append(limitation);
    }
    card.paragraph(caveats.toString());
    return card.markdown();
  }

  private static String dataText(Data data) {
    return "- "
        + data.name()
        + "\n- Images: "
        + data.images()
        + (data.patients().isPresent() ? ", patients: " + data.patients().getAsInt() : "")
        + "\n- Split: "
        + data.split()
        + (data.digest().isEmpty() ? "" : "\n- Digest: `" + data.digest() + "`");
  }

  private void subgroupSection(ReportDocument card, SubgroupEvaluation evaluation) {
    card.subheading("Per subgroup");
    List<List<String>> rows = new ArrayList<>();
    List<String> flags = new ArrayList<>();
    for (AttributeSubgroups attribute : evaluation.attributes()) {
      for (Subgroup subgroup : attribute.subgroups()) {
        rows.add(
            List.of(
                attribute.attribute() + " = " + subgroup.value(),
                Integer.toString(subgroup.images()),
                ReportFormat.number(subgroup.meanAuroc()),
                ReportFormat.interval(subgroup.meanAurocCi())));
      }
      flagged(attribute.attribute(), "AUROC", attribute.aurocGaps(), flags);
      flagged(
          attribute.attribute(), "false-negative rate", attribute.falseNegativeRateGaps(), flags);
    }
    card.table(List.of("Subgroup", "Images", "Mean AUROC", "95% CI"), rows);
    card.paragraph(
        flags.isEmpty()
            ? "No gap between subgroups has an interval excluding zero."
            : "Gaps whose 95% interval excludes zero (higher minus lower subgroup):\n- "
                + String.join("\n- ", flags));
  }

  private static void flagged(
      String attribute, String metric, List<SubgroupGap> gaps, List<String> flags) {
    for (SubgroupGap gap : gaps) {
      if (gap.flagged()) {
        flags.add(
            gap.className()
                + ", "
                + metric
                + " by "
                + attribute
                + ": "
                + gap.higher()
                + " - "
                + gap.lower()
                + " = "
                + ReportFormat.number(gap.gap())
                + " "
                + ReportFormat.interval(gap.ci()));
      }
    }
  }

  private static void calibrationSection(ReportDocument card, CalibrationReport report) {
    card.subheading("Calibration");
    List<List<String>> rows = new ArrayList<>();
    for (int c = 0; c < report.uncalibrated().perClass().size(); c++) {
      ClassCalibration before = report.uncalibrated().perClass().get(c);
      List<String> row =
          new ArrayList<>(
              List.of(
                  before.className(),
                  ReportFormat.number(before.brier()),
                  ReportFormat.number(before.ece()) + " " + ReportFormat.interval(before.eceCi())));
      int index = c;
      report
          .calibrated()
          .ifPresent(
              after -> {
                ClassCalibration one = after.perClass().get(index);
                row.add(ReportFormat.number(one.ece()) + " " + ReportFormat.interval(one.eceCi()));
              });
      rows.add(row);
    }
    List<String> header = new ArrayList<>(List.of("Finding", "Brier", "ECE [95% CI]"));
    report.calibration().ifPresent(c -> header.add("ECE after " + c.method().id() + " [95% CI]"));
    card.table(header, rows);
  }
}
