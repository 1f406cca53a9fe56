package org.chexnet.model;

import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Handles to a DenseNet built into a graph.
 *
 * <p>Two forward passes share one set of variables: the training pass normalises with batch
 * statistics and produces {@link #movingAverageUpdates()}, which the training step must run; the
 * inference pass normalises with the moving averages.
 *
 * @param images input batch, NHWC float32, shape [-1, size, size, 3], ImageNet-normalised
 * @param trainingLogits logits of the training pass, [-1, classes]
 * @param logits logits of the inference pass, [-1, classes]
 * @param probabilities sigmoid of {@code logits}
 * @param featureMaps last feature maps of the inference pass (after the final BN+ReLU), for class
 *     activation maps
 * @param classifierKernel head weights [channels, classes]: CAM_c = sum_k kernel[k, c] *
 *     featureMaps_k
 * @param trainableVariables weights the optimizer updates (not the batch-norm moving statistics)
 * @param movingAverageUpdates assignments of the batch-norm moving statistics for one training step
 * @param variables every variable of the network by Keras weight name ({@code conv1/conv/kernel},
 *     {@code bn/moving_mean}, {@code predictions/bias}, ...), in creation order
 */
public record DenseNetGraph(
    DenseNetConfig config,
    Placeholder<TFloat32> images,
    Operand<TFloat32> trainingLogits,
    Operand<TFloat32> logits,
    Operand<TFloat32> probabilities,
    Operand<TFloat32> featureMaps,
    Variable<TFloat32> classifierKernel,
    List<Variable<TFloat32>> trainableVariables,
    List<Op> movingAverageUpdates,
    long trainableParameterCount,
    Map<String, Variable<TFloat32>> variables) {}
