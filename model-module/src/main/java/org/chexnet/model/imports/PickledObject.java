package org.chexnet.model.imports;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An instance of an allowed Python class (a torchvision or torch.nn module), kept as the state the
 * pickle gives it: nothing of the class runs. A module's state holds {@code _parameters}, {@code
 * _buffers} and {@code _modules} (ordered dicts) and its settings ({@code eps}, {@code
 * kernel_size}, ...).
 */
final class PickledObject {
  private final String className;
  private final Map<String, Object> state = new LinkedHashMap<>();

  PickledObject(String className) {
    this.className = className;
  }

  /** Module and name, {@code torch.nn.modules.conv.Conv2d}. */
  String className() {
    return className;
  }

  /** The attributes the pickle's BUILD gave it. */
  Map<String, Object> state() {
    return Collections.unmodifiableMap(state);
  }

  /** What pickle's BUILD does for a plain object: its dict's entries become attributes. */
  void build(Object pickledState) {
    Object dict = pickledState;
    if (pickledState instanceof Object[] pair && pair.length == 2) {
      // (dict, slots): BUILD's form for objects with __slots__.
      if (pair[1] instanceof Map<?, ?> slots) {
        slots.forEach((k, v) -> state.put(String.valueOf(k), v));
      }
      dict = pair[0];
    }
    if (dict instanceof Map<?, ?> map) {
      map.forEach((k, v) -> state.put(String.valueOf(k), v));
    } else if (dict != null) {
      throw new net.razorvine.pickle.PickleException(
          "the state of a " + className + " is a " + dict.getClass().getSimpleName());
    }
  }

  @Override
  public String toString() {
    return className;
  }
}
