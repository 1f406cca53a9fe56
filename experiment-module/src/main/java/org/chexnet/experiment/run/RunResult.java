package org.chexnet.experiment.run;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.chexnet.common.AtomicFiles;
import org.chexnet.common.FileTrees;
import org.chexnet.evaluation.ClassAuroc;
import org.chexnet.evaluation.DetailedEvaluation;

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
 *     class with intervals, ROC curves, operating points
 */
public record RunResult(
    String id,
    String name,
    Path directory,
    OptionalInt bestEpoch,
    String split,
    DetailedEvaluation evaluation) {

  /** The evaluated split's mean AUROC over the classes with both labels present. */
  public double meanAuroc() {
    return evaluation.result().meanAuroc();
  }

  /** AUROC per class, in the findings' order. */
  public List<ClassAuroc> perClass() {
    return evaluation.result().perClass();
  }

  public Path artifactsDir() {
    return directory.resolve("artifacts");
  }

  /** The files a run leaves in its artifacts (README, "Where results land"). */
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

    /** {@code mean_auroc} and {@code auroc.<Finding>}. */
    public Path metrics() {
      return directory.resolve("metrics.json");
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
