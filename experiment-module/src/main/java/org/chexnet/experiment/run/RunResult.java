package org.chexnet.experiment.run;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.chexnet.common.AtomicFiles;
import org.chexnet.common.FileTrees;
import org.chexnet.evaluation.ClassAuroc;
import org.chexnet.evaluation.calibration.CalibrationReport;
import org.chexnet.evaluation.calibration.ModelCalibration;
import org.chexnet.evaluation.card.ClinicalEvaluation;
import org.chexnet.evaluation.card.ModelCard;

/**
 * A finished run: where it is recorded, which epoch was kept and how the kept model scored.
 *
 * @param id the run's id in its store
 * @param name the run's name
 * @param directory the run's directory ({@code mlruns/<experiment id>/<run id>})
 * @param bestEpoch the epoch the model_checkpoint callback kept, 1-based (as
 *     training-metrics.json); empty when the final weights were evaluated
 * @param split the evaluated split, "test" or "validation"
 * @param evaluation what {@code chexnet evaluate} computes on the run's predictions: AUROC per
 *     class with intervals, ROC curves, operating points ({@code detailed()}), calibration before
 *     and after the post-hoc calibration ({@code calibration()}), subgroups ({@code subgroups()})
 */
public record RunResult(
    String id,
    String name,
    Path directory,
    OptionalInt bestEpoch,
    String split,
    ClinicalEvaluation evaluation) {

  /** The evaluated split's mean AUROC over the classes with both labels present. */
  public double meanAuroc() {
    return evaluation.detailed().result().meanAuroc();
  }

  /** AUROC per class, in the findings' order. */
  public List<ClassAuroc> perClass() {
    return evaluation.detailed().result().perClass();
  }

  public Path artifactsDir() {
    return directory.resolve("artifacts");
  }

  /** The files a run leaves in its artifacts (docs/results.md). */
  public Artifacts artifacts() {
    return new Artifacts(artifactsDir());
  }

  /**
   * Copies all artifacts to {@code target} (a fixed path for DVC outs and scripts), replacing what
   * was there as a whole.
   */
  public void exportArtifacts(Path target) throws IOException {
    AtomicFiles.replaceDirectory(target, staging -> FileTrees.copy(artifactsDir(), staging));
  }

  /** The paths of a run's artifacts. */
  public record Artifacts(Path directory) {
    /** The evaluated model for serving (a TensorFlow SavedModel). */
    public Path savedModel() {
      return directory.resolve("saved_model");
    }

    /** The best epoch's checkpoint; absent without a model_checkpoint callback. */
    public Path bestCheckpoint() {
      return directory.resolve("checkpoints/best");
    }

    /** {@code Image Index,prob_Atelectasis,...} on the evaluated split. */
    public Path predictions() {
      return directory.resolve("predictions.csv");
    }

    /**
     * {@code mean_auroc} and {@code auroc.<Finding>}, their intervals, {@code calibration}, {@code
     * subgroups} and {@code subgroup_gaps}.
     */
    public Path metrics() {
      return directory.resolve("metrics.json");
    }

    /**
     * The post-hoc calibration fitted on validation, beside the SavedModel ({@code predict} and
     * {@code serve} apply it with {@code --calibrated}); absent with {@code evaluate.calibration:
     * none} or {@code evaluate.split: validation}.
     */
    public Path calibration() {
      return directory.resolve(ModelCalibration.FILE_NAME);
    }

    /** Calibration per class before and after, one panel per class. */
    public Path reliabilityDiagram() {
      return directory.resolve(CalibrationReport.RELIABILITY_PNG);
    }

    /** What the model is for and how it performs, from the run's own records. */
    public Path modelCard() {
      return directory.resolve(ModelCard.FILE_NAME);
    }

    public Path reportHtml() {
      return directory.resolve("report.html");
    }

    public Path reportMarkdown() {
      return directory.resolve("report.md");
    }

    /** The resolved spec: running it again repeats the run. */
    public Path spec() {
      return directory.resolve("spec.yaml");
    }
  }
}
