package org.chexnet.model.imports;

import net.razorvine.pickle.PickleException;

/** A pickle names a Python global that a checkpoint does not need: the file is not loaded. */
final class RefusedGlobalException extends PickleException {
  private static final long serialVersionUID = 1L;

  private final String global;

  RefusedGlobalException(String global) {
    super(
        "the pickle calls or names "
            + global
            + ", which no checkpoint needs: refused, nothing was run (only torch's tensor and"
            + " storage rebuilders, collections.OrderedDict, set and torchvision's DenseNet"
            + " modules are resolved)");
    this.global = global;
  }

  /** Module and name, {@code os.system}. */
  String global() {
    return global;
  }
}
