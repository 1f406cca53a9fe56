package org.chexnet.model.imports;

import java.util.LinkedHashMap;

/**
 * A {@code collections.OrderedDict}: keys in the pickle's order. Attributes a pickle sets on it
 * (PyTorch's state dicts carry {@code _metadata}) are accepted and dropped: they hold versions, not
 * weights.
 */
final class PyDict extends LinkedHashMap<Object, Object> {
  private static final long serialVersionUID = 1L;
}
