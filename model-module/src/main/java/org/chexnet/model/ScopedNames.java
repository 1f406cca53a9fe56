package org.chexnet.model;

import java.util.HashMap;
import java.util.Map;
import org.tensorflow.op.Ops;

/**
 * Gives ops hierarchical names such as {@code conv1/bn/gamma} (Keras' weight names).
 *
 * <p>TensorFlow Java forbids '/' in an op name and makes every new sub-scope unique ({@code conv1},
 * then {@code conv1_1}), so each prefix's scope is created once and reused.
 */
public final class ScopedNames {
  private final Ops root;
  private final Map<String, Ops> scopes = new HashMap<>();

  public ScopedNames(Ops root) {
    this.root = root;
  }

  /** Ops whose next op is named {@code path} exactly. */
  public Ops named(String path) {
    int slash = path.lastIndexOf('/');
    Ops scope = slash < 0 ? root : scope(path.substring(0, slash));
    return scope.withName(path.substring(slash + 1));
  }

  private Ops scope(String prefix) {
    Ops cached = scopes.get(prefix);
    if (cached != null) {
      return cached;
    }
    int slash = prefix.lastIndexOf('/');
    Ops parent = slash < 0 ? root : scope(prefix.substring(0, slash));
    Ops created = parent.withSubScope(prefix.substring(slash + 1));
    scopes.put(prefix, created);
    return created;
  }
}
