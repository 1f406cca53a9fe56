package org.chexnet.experiment.spec;

/**
 * One experiment: everything a run needs, read from {@code experiments/*.yaml}. Left-out keys take
 * the seed's settings (DenseNet-121 from ImageNet, Adam 1e-3 / 0.9 / 0.999, batch 16, binary
 * cross-entropy, 10 epochs, 224x224).
 */
public record ExperimentSpec(
    String name,
    @Default("42") long seed,
    DataSpec data,
    ModelSpec model,
    TrainSpec train,
    EvaluateSpec evaluate,
    TrackingSpec tracking) {}
