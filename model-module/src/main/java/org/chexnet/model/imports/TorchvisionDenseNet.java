package org.chexnet.model.imports;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.chexnet.model.DenseNetConfig;

/**
 * torchvision's DenseNet state-dict names and our graph's (Keras') variable names, one to one.
 *
 * <p>torchvision: {@code features.conv0}, {@code features.norm0}, then per block {@code
 * features.denseblock<b>.denselayer<i>.{norm1, conv1, norm2, conv2}} and between blocks {@code
 * features.transition<b>.{norm, conv}}, {@code features.norm5}, {@code classifier}. Keras: {@code
 * conv1/conv}, {@code conv1/bn}, {@code conv<b+1>_block<i>_{0_bn, 1_conv, 1_bn, 2_conv}}, {@code
 * pool<b+1>_{bn, conv}}, {@code bn}, {@code predictions}. Batch norms: weight, bias, running_mean,
 * running_var are gamma, beta, moving_mean, moving_variance.
 *
 * <p>The two networks compute the same function: the stem's max pool pads with -inf in torchvision
 * and with zeros in Keras, but it follows a ReLU, so every window's maximum is the same; a 3x3
 * convolution with padding 1 is Keras' "same"; both end with batch norm, ReLU and a global average.
 */
final class TorchvisionDenseNet {
  /** torchvision before 0.3 named a dense layer's modules norm.1, conv.1, norm.2, conv.2. */
  private static final Pattern OLD_LAYER_NAME = Pattern.compile("\\.(norm|conv)\\.([12])\\.");

  /** A batch norm's tensors, torchvision's name to Keras'. */
  private static final Map<String, String> BATCH_NORM =
      Map.of(
          "weight", "gamma",
          "bias", "beta",
          "running_mean", "moving_mean",
          "running_var", "moving_variance");

  /** BatchNorm2d's update counter: training state, not used at inference. */
  static final String BATCHES_TRACKED = "num_batches_tracked";

  private TorchvisionDenseNet() {}

  /** {@code ...denselayer1.norm.1.weight} becomes {@code ...denselayer1.norm1.weight}. */
  static String currentName(String name) {
    return OLD_LAYER_NAME.matcher(name).replaceAll(".$1$2.");
  }

  /**
   * Keras variable name to torchvision name (without any prefix), for every weight of the network
   * {@code config} describes, in the graph's order.
   *
   * @param classifier {@code classifier} (a Linear) or {@code classifier.0} (Linear in a
   *     Sequential)
   */
  static Map<String, String> names(DenseNetConfig config, String classifier) {
    Map<String, String> names = new LinkedHashMap<>();
    names.put("conv1/conv/kernel", "features.conv0.weight");
    batchNorm(names, "conv1/bn", "features.norm0");
    List<Integer> blocks = config.blocks();
    for (int b = 1; b <= blocks.size(); b++) {
      String stage = "conv" + (b + 1);
      for (int i = 1; i <= blocks.get(b - 1); i++) {
        String keras = stage + "_block" + i;
        String torch = "features.denseblock" + b + ".denselayer" + i;
        batchNorm(names, keras + "_0_bn", torch + ".norm1");
        names.put(keras + "_1_conv/kernel", torch + ".conv1.weight");
        batchNorm(names, keras + "_1_bn", torch + ".norm2");
        names.put(keras + "_2_conv/kernel", torch + ".conv2.weight");
      }
      if (b < blocks.size()) {
        batchNorm(names, "pool" + (b + 1) + "_bn", "features.transition" + b + ".norm");
        names.put("pool" + (b + 1) + "_conv/kernel", "features.transition" + b + ".conv.weight");
      }
    }
    batchNorm(names, "bn", "features.norm5");
    names.put("predictions/kernel", classifier + ".weight");
    names.put("predictions/bias", classifier + ".bias");
    return names;
  }

  private static void batchNorm(Map<String, String> names, String keras, String torch) {
    for (String leaf : List.of("weight", "bias", "running_mean", "running_var")) {
      names.put(keras + "/" + BATCH_NORM.get(leaf), torch + "." + leaf);
    }
  }

  /** The layout of the torchvision tensor behind a Keras variable. */
  static SourceTensor.Layout layout(String kerasName) {
    if (kerasName.endsWith("/kernel")) {
      return kerasName.startsWith("predictions/")
          ? SourceTensor.Layout.LINEAR_OUT_IN
          : SourceTensor.Layout.CONV_OIHW;
    }
    return SourceTensor.Layout.SAME;
  }
}
