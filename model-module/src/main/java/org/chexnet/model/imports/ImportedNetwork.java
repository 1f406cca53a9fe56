package org.chexnet.model.imports;

import java.util.List;
import java.util.Map;
import org.chexnet.model.DenseNetConfig;

/**
 * A checkpoint read and mapped onto our graph's variable names, not yet checked against the graph.
 *
 * @param format the layout the file has (never AUTO)
 * @param container how the file is serialised, for the card
 * @param torchContainer PyTorch's serialisation, null for a Keras file
 * @param config the network the tensors describe (its image size a placeholder)
 * @param sourceNames per graph variable, the name its tensor has (or would have) in the file
 * @param tensors per graph variable, the file's tensor; a variable without one is missing
 * @param problems tensors of the file that cannot be used: no place in the network, not floats
 * @param ignored what the file holds besides weights, for the card
 * @param head the classifier's form in the source
 */
record ImportedNetwork(
    ImportFormat format,
    String container,
    TorchCheckpoint.Container torchContainer,
    DenseNetConfig config,
    Map<String, String> sourceNames,
    Map<String, SourceTensor> tensors,
    List<String> problems,
    List<String> ignored,
    String head) {}
