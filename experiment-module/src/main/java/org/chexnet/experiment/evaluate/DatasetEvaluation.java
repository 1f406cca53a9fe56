package org.chexnet.experiment.evaluate;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.Reporter;
import org.chexnet.dataset.DataSplits;
import org.chexnet.dataset.Dataset;
import org.chexnet.dataset.HarmonisedFindings;
import org.chexnet.dataset.LabelPolicy;
import org.chexnet.dataset.LabeledImage;
import org.chexnet.dataset.ModelFindings;
import org.chexnet.dataset.SplitPlan;
import org.chexnet.evaluation.DetailedEvaluation;
import org.chexnet.evaluation.EvaluationReport;
import org.chexnet.evaluation.PredictionSet;
import org.chexnet.evaluation.PredictionsCsv;
import org.chexnet.evaluation.ReportDocument;
import org.chexnet.evaluation.ReportOptions;
import org.chexnet.evaluation.ReportSection;
import org.chexnet.experiment.data.Datasets;
import org.chexnet.experiment.models.ModelResolver;
import org.chexnet.experiment.predict.ImageInputs;
import org.chexnet.experiment.predict.ImagePredictions;
import org.chexnet.model.InferenceModel;

/**
 * A model scored on a split of any dataset, over the findings the two share (external validation: a
 * model trained on ChestX-ray14 tested on CheXpert): what {@code chexnet evaluate --model RUN
 * --dataset NAME --root DIR} does. Each of the model's findings is matched to the dataset's through
 * the harmonised table (docs/datasets.md), e.g. ChestX-ray14's Effusion to CheXpert's Pleural
 * Effusion; the report lists the findings compared and every finding skipped with the reason.
 * Labels the dataset leaves unknown under the label policy are masked out of that finding's AUROC.
 */
public final class DatasetEvaluation {
  /** File beside the report: the model's probabilities of the compared findings. */
  public static final String PREDICTIONS_CSV = "predictions.csv";

  private DatasetEvaluation() {}

  /**
   * What to score where.
   *
   * @param model a model reference as {@code predict} takes it (run, checkpoint, SavedModel,
   *     models:/...)
   * @param modelSpec the network's spec for a checkpoint outside its run; may be null
   * @param dataset the dataset's registry name
   * @param root its directory
   * @param split {@code test}, {@code validation}, {@code train} or {@code all} (every image)
   * @param plan how the dataset is split (official, as a run splits it, by default)
   * @param splitSeed the seed of the split's random parts (a run's {@code seed})
   * @param views the views to keep; null keeps all
   * @param out where the reports go
   */
  public record Request(
      String model,
      Path modelSpec,
      String dataset,
      Path root,
      String split,
      SplitPlan plan,
      long splitSeed,
      LabelPolicy policy,
      List<String> views,
      Path out,
      int bootstrapReplicates,
      long bootstrapSeed,
      int batchSize,
      String title) {
    public Request {
      if (batchSize < 1) {
        throw ChexnetException.invalidInput("--batch-size must be positive, got " + batchSize);
      }
    }
  }

  /** The evaluation, and the findings it compared and skipped. */
  public record Result(DetailedEvaluation evaluation, HarmonisedFindings.Comparison comparison) {}

  /**
   * @param resolver opens the model reference
   * @throws ChexnetException when the model or dataset cannot be opened, the split is unknown or
   *     empty, or the model and dataset share no finding
   */
  public static Result evaluate(Request request, ModelResolver resolver, Reporter reporter)
      throws IOException {
    List<String> splits = List.of("test", "validation", "train", "all");
    if (!splits.contains(request.split())) {
      throw ChexnetException.invalidInput(
          "--split " + request.split() + ": expected one of " + String.join(", ", splits));
    }
    ModelResolver.Resolved resolved =
        resolver.resolve(request.model(), request.modelSpec(), ModelResolver.Use.PREDICT);
    ModelFindings modelFindings = ModelResolver.findings(resolved);
    Dataset data = Datasets.open(request.dataset(), request.root());
    HarmonisedFindings.Comparison comparison =
        modelFindings.compareWith(data.name(), data.findings());
    if (comparison.shared().isEmpty()) {
      throw ChexnetException.invalidInput(
          "--model "
              + request.model()
              + " ("
              + modelFindings.dataset()
              + ") and the "
              + data.name()
              + " dataset share no finding (docs/datasets.md, harmonised findings)");
    }
    DataSplits split =
        Datasets.split(
            data,
            request.plan(),
            request.views(),
            request.policy(),
            1,
            request.splitSeed(),
            "--split: ");
    List<LabeledImage> images =
        switch (request.split()) {
          case "test" -> split.test();
          case "validation" -> split.validation();
          case "train" -> split.train();
          default -> {
            List<LabeledImage> all = new ArrayList<>(split.train());
            all.addAll(split.validation());
            all.addAll(split.test());
            yield all;
          }
        };
    if (images.isEmpty()) {
      throw ChexnetException.invalidInput(
          "--split " + request.split() + ": the " + data.name() + " split has no images");
    }
    reporter.info(
        String.format(
            Locale.ROOT,
            "Evaluating %s (%s findings) on %d %s images of %s (%s): %d finding(s) compared, %d"
                + " skipped",
            request.model(),
            modelFindings.dataset(),
            images.size(),
            request.split(),
            data.name(),
            data.root(),
            comparison.shared().size(),
            comparison.skipped().size()));

    float[] modelProbabilities;
    int modelClasses;
    try (InferenceModel model =
        resolver.open(request.model(), request.modelSpec(), ModelResolver.Use.PREDICT)) {
      modelClasses = model.classes();
      List<String> names = images.stream().map(LabeledImage::imageIndex).toList();
      ImageInputs inputs = new ImageInputs(names, names.stream().map(data::imagePath).toList());
      modelProbabilities =
          ImagePredictions.predict(
              model,
              inputs,
              model.preprocessing(),
              request.batchSize(),
              Math.max(1, Runtime.getRuntime().availableProcessors() - 1),
              reporter);
    }

    // The compared findings only: the model's column, the dataset's label (NaN where masked).
    List<HarmonisedFindings.Shared> shared = comparison.shared();
    // Named as the model names its outputs (its predictions CSV's columns).
    List<String> classNames = shared.stream().map(HarmonisedFindings.Shared::nameA).toList();
    int k = shared.size();
    float[] probabilities = new float[images.size() * k];
    float[] labels = new float[images.size() * k];
    for (int i = 0; i < images.size(); i++) {
      LabeledImage image = images.get(i);
      for (int c = 0; c < k; c++) {
        HarmonisedFindings.Shared finding = shared.get(c);
        probabilities[i * k + c] = modelProbabilities[i * modelClasses + finding.indexA()];
        labels[i * k + c] =
            image.known(finding.indexB()) ? image.labels()[finding.indexB()] : Float.NaN;
      }
    }
    List<String> names = images.stream().map(LabeledImage::imageIndex).toList();
    PredictionSet set = new PredictionSet(names, probabilities, labels);
    ReportOptions options =
        ReportOptions.defaults()
            .withBootstrap(request.bootstrapReplicates(), request.bootstrapSeed());
    String title =
        request.title() != null
            ? request.title()
            : request.model() + " on " + data.name() + " " + request.split();
    DetailedEvaluation evaluation =
        EvaluationReport.writeAll(
            request.out(),
            title,
            classNames,
            set,
            Optional.empty(),
            Optional.empty(),
            options,
            List.of(new ComparedFindings(modelFindings, data, comparison)));
    PredictionsCsv.write(request.out().resolve(PREDICTIONS_CSV), classNames, names, probabilities);
    return new Result(evaluation, comparison);
  }

  /** The report's "Findings compared" and "Findings skipped" sections and metrics.json keys. */
  private record ComparedFindings(
      ModelFindings model, Dataset data, HarmonisedFindings.Comparison comparison)
      implements ReportSection {

    /**
     * {@code "findings": {"model": NAME, "dataset": NAME, "compared": {"Effusion": {"harmonised":
     * "Effusion", "dataset": "Pleural Effusion"}, ...}, "skipped": [{"whose": NAME, "finding":
     * NAME, "reason": TEXT}, ...]}}, compared keyed by the model's output names.
     */
    @Override
    public Map<String, Object> metrics() {
      Map<String, Object> compared = new LinkedHashMap<>();
      for (HarmonisedFindings.Shared s : comparison.shared()) {
        Map<String, String> names = new LinkedHashMap<>();
        names.put("harmonised", s.finding());
        names.put("dataset", s.nameB());
        compared.put(s.nameA(), names);
      }
      List<Map<String, String>> skipped = new ArrayList<>();
      for (HarmonisedFindings.Skipped s : comparison.skipped()) {
        Map<String, String> entry = new LinkedHashMap<>();
        entry.put("whose", s.dataset());
        entry.put("finding", s.finding());
        entry.put("reason", s.reason());
        skipped.add(entry);
      }
      Map<String, Object> findings = new LinkedHashMap<>();
      findings.put("model", model.dataset());
      findings.put("dataset", data.name());
      findings.put("compared", compared);
      findings.put("skipped", skipped);
      return Map.of("findings", findings);
    }

    @Override
    public void addTo(ReportDocument document, Path dir) {
      document.heading("Findings compared");
      document.paragraph(
          "The model's outputs ("
              + model.dataset()
              + "'s findings) matched to the "
              + data.name()
              + " dataset's labels through the harmonised table (docs/datasets.md).");
      List<List<String>> rows = new ArrayList<>();
      for (HarmonisedFindings.Shared s : comparison.shared()) {
        rows.add(List.of(s.finding(), s.nameA(), s.nameB()));
      }
      document.table(List.of("Finding", "Model's output", data.name() + "'s label"), rows);
      document.heading("Findings skipped");
      List<List<String>> skipped = new ArrayList<>();
      for (HarmonisedFindings.Skipped s : comparison.skipped()) {
        skipped.add(List.of(s.dataset(), s.finding(), s.reason()));
      }
      document.table(List.of("Whose", "Finding", "Why"), skipped);
    }
  }
}
