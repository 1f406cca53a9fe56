package org.chexnet.experiment.spec;

import java.util.List;
import org.chexnet.model.Precision;

/**
 * How the network is trained; the defaults are the seed's.
 *
 * @param precision {@code float32}, or {@code mixed_bfloat16}: the training pass computes and keeps
 *     its activations in bfloat16 (about 1.65x faster and 30% less memory on CPUs with
 *     AMX/AVX512-BF16; weights, optimizer, validation, test and every metric stay float32)
 * @param memoryEfficient recompute each dense layer's batch-norm + ReLU output in the backward pass
 *     instead of keeping it (float32; as torchvision's memory_efficient): about 0.6 GB less for
 *     DenseNet-121 at batch 16 for about 7% of the step time
 * @param backupEveryNBatches besides the backup after each epoch, back up every N batches (0: never
 *     within an epoch), so that `chexnet run --resume` loses at most N batches of a long epoch
 */
public record TrainSpec(
    @Default("10") @Min(1) int epochs,
    @Default("16") @Min(1) int batchSize,
    @Default("binary_crossentropy") Loss loss,
    OptimizerSpec optimizer,
    @Default("true") boolean horizontalFlip,
    @Default("float32") Precision precision,
    @Default("false") boolean memoryEfficient,
    @Default("500") @Min(0) int backupEveryNBatches,
    @Default(
            "[{type: progress}, {type: model_checkpoint}, {type: reduce_lr_on_plateau}, {type: csv_logger},"
                + " {type: mlflow_logger}]")
        List<CallbackSpec> callbacks) {

  /**
   * {@code binary_crossentropy}: CheXNet's unweighted loss; {@code weighted_binary_crossentropy}:
   * each class's positives weighted by the training share of its negatives and vice versa (the
   * Keras reproduction's class weights), recorded in the run's {@code loss-weights.csv}.
   */
  public enum Loss {
    BINARY_CROSSENTROPY,
    WEIGHTED_BINARY_CROSSENTROPY
  }

  /** Adam with Keras' defaults except the seed's learning rate. */
  public record OptimizerSpec(
      @Default("adam") Name name,
      @Default("0.001") @Range(min = 0) double lr,
      @Default("0.9") @Range(min = 0, max = 1, minInclusive = true) double beta1,
      @Default("0.999") @Range(min = 0, max = 1, minInclusive = true) double beta2,
      @Default("1e-7") @Range(min = 0) double epsilon) {

    public enum Name {
      ADAM
    }
  }
}
