package org.chexnet.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** Reads variables out of a running session and writes values into them. */
final class VariableValues {
  private VariableValues() {}

  /**
   * Sets each variable to its tensor in one session run. The placeholders and assign ops this adds
   * to the session's graph are run once; a session picks up ops added after its creation.
   */
  static void assign(Session session, Map<Variable<TFloat32>, TFloat32> values) {
    if (values.isEmpty()) {
      return;
    }
    Ops tf = Ops.create(session.graph()).withSubScope("assign_values");
    Session.Runner runner = session.runner();
    for (Map.Entry<Variable<TFloat32>, TFloat32> entry : values.entrySet()) {
      Variable<TFloat32> variable = entry.getKey();
      Placeholder<TFloat32> value =
          tf.placeholder(TFloat32.class, Placeholder.shape(variable.shape()));
      runner.feed(value, entry.getValue()).addTarget(tf.assign(variable, value));
    }
    runner.run();
  }

  /**
   * The current values of the named variables (the caller closes the tensors).
   *
   * @throws IllegalArgumentException naming a variable the session's graph does not have
   */
  static Map<String, TFloat32> read(Session session, List<String> names) {
    Session.Runner runner = session.runner();
    for (String name : names) {
      if (session.graph().operation(name) == null) {
        throw new IllegalArgumentException("the session's graph has no variable " + name);
      }
      runner.fetch(name);
    }
    Map<String, TFloat32> values = new LinkedHashMap<>();
    Result result = runner.run();
    for (int i = 0; i < names.size(); i++) {
      values.put(names.get(i), (TFloat32) result.get(i));
    }
    return values;
  }
}
