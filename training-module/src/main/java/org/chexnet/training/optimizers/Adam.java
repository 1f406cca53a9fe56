package org.chexnet.training.optimizers;

import java.util.ArrayList;
import java.util.List;
import org.chexnet.model.NamedVariables;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Identity;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Adam as Keras defines it (epsilon 1e-7 by default), on TensorFlow's fused {@code ApplyAdam}.
 *
 * <p>Unlike tensorflow-framework's Adam, the learning rate is a graph variable: callbacks such as
 * ReduceLROnPlateau change it between steps, and checkpoints save it with the weights, the moment
 * slots and the step.
 */
public final class Adam {
  public static final float KERAS_EPSILON = 1e-7f;

  private final Ops tf;
  private final NamedVariables variableNames;
  private final float beta1;
  private final float beta2;
  private final float epsilon;
  private final Variable<TFloat32> learningRate;
  private final Placeholder<TFloat32> newLearningRate;
  private final Op assignLearningRate;
  private final Variable<TInt64> step;

  public Adam(Ops tf, float learningRate, float beta1, float beta2, float epsilon) {
    this.tf = tf;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.variableNames = new NamedVariables(tf);
    Ops init = tf.withInitScope();
    this.learningRate =
        variableNames.variable("optimizer/learning_rate", init.constant(learningRate));
    this.step = variableNames.variable("optimizer/step", init.constant(0L));
    this.newLearningRate =
        tf.withName("new_learning_rate")
            .placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    this.assignLearningRate =
        tf.withName("set_learning_rate").assign(this.learningRate, newLearningRate);
  }

  /**
   * The op that applies one Adam update of {@code variables} along the gradient of {@code loss} and
   * counts the step. Gradients are taken over these variables only: differentiating every variable
   * would also give Adam slots to batch-norm moving statistics.
   */
  public Op minimize(Graph graph, Operand<TFloat32> loss, List<Variable<TFloat32>> variables) {
    Output<?>[] outputs = variables.stream().map(Variable::asOutput).toArray(Output<?>[]::new);
    Output<?>[] gradients = graph.addGradients(loss.asOutput(), outputs);
    // Ref variables are read in place: an update may not start while any gradient op (a conv's
    // backprop-input reads the kernel) can still read a weight, or steps stop being reproducible.
    List<Op> computed = new ArrayList<>();
    List<Operand<TFloat32>> grads = new ArrayList<>();
    for (Output<?> g : gradients) {
      @SuppressWarnings("unchecked")
      Identity<TFloat32> gradient = tf.identity((Operand<TFloat32>) g);
      computed.add(gradient);
      grads.add(gradient);
    }
    Ops afterGradients = tf.withControlDependencies(computed);
    Operand<TFloat32> t =
        afterGradients.math.add(afterGradients.dtypes.cast(step, TFloat32.class), tf.constant(1f));
    Operand<TFloat32> beta1Power = tf.math.pow(tf.constant(beta1), t);
    Operand<TFloat32> beta2Power = tf.math.pow(tf.constant(beta2), t);
    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      Variable<TFloat32> v = variables.get(i);
      String name = v.op().name();
      Variable<TFloat32> m = slot("optimizer/adam_m/" + name, v.shape());
      Variable<TFloat32> s = slot("optimizer/adam_v/" + name, v.shape());
      updates.add(
          afterGradients.train.applyAdam(
              v,
              m,
              s,
              beta1Power,
              beta2Power,
              learningRate,
              tf.constant(beta1),
              tf.constant(beta2),
              tf.constant(epsilon),
              grads.get(i)));
    }
    return tf.withControlDependencies(updates)
        .withName("apply_adam")
        .assignAdd(step, tf.constant(1L));
  }

  public Variable<TFloat32> learningRate() {
    return learningRate;
  }

  public Variable<TInt64> step() {
    return step;
  }

  /** Feed {@code newLearningRatePlaceholder} and run this op to change the learning rate. */
  public Op assignLearningRate() {
    return assignLearningRate;
  }

  public Placeholder<TFloat32> newLearningRatePlaceholder() {
    return newLearningRate;
  }

  private Variable<TFloat32> slot(String name, Shape shape) {
    Ops init = tf.withInitScope();
    // fill, not zeros: tf.zeros opens a name scope, which walks the whole graph each time.
    return variableNames.variable(name, init.fill(init.constant(shape), init.constant(0f)));
  }
}
