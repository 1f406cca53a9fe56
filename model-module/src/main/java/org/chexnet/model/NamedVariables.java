package org.chexnet.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Operands;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TType;

/**
 * Creates variables with hierarchical names such as {@code conv1/bn/gamma} (Keras' weight names),
 * exactly as given.
 *
 * <p>TensorFlow Java forbids '/' in an op name, and a name scope per path component would cost a
 * walk over every op of the graph for each new scope (it collects the names in use): quadratic in
 * the graph's size, 20 s of CPU for DenseNet-121 and its Adam slots. The variable op is built under
 * its full name instead, the way {@code Variable.create} builds it under a scoped one.
 */
public final class NamedVariables {
  private final Ops init;

  /** Variables created by {@code tf}'s graph's initializer scope. */
  public NamedVariables(Ops tf) {
    this.init = tf.withInitScope();
  }

  /**
   * A variable named {@code name}, set to {@code initialValue} when the session is initialised.
   *
   * @throws IllegalArgumentException if the graph already has an op of that name
   */
  public <T extends TType> Variable<T> variable(String name, Operand<T> initialValue) {
    Scope scope = init.scope();
    if (scope.env() instanceof org.tensorflow.Graph graph && graph.operation(name) != null) {
      throw new IllegalArgumentException("the graph already has an op named " + name);
    }
    Variable<T> variable =
        new Variable<>(
            scope
                .env()
                .opBuilder(Variable.OP_NAME, name, scope)
                .setAttr("shape", initialValue.shape())
                .setAttr("dtype", Operands.toDataType(initialValue.type()))
                .build());
    init.assign(variable, initialValue);
    return variable;
  }
}
