"""Trains Keras DenseNets for a few steps and writes everything needed to check chexnet-java's
training step against them.

Run by KerasTrainingParityTest at test time, in the venv of tools/requirements-tf-keras.txt
(tensorflow-cpu 2.18.0, tf-keras 2.18.0). By hand:
    bin="$(tools/setup-venv.sh tools/requirements-tf-keras.txt)"
    "$bin/python" training-module/src/test/python/keras_training_step.py /tmp/keras-training

For each case of CASES, in OUT/<case>/:
    state-K/variables.*  Keras' whole training state before step K+1 (state-0: the random initial
                 weights; state-5: after the last step) as a TensorFlow checkpoint under
                 chexnet-java's variable names: every weight and batch-norm moving statistic
                 (conv1/conv/kernel, bn/moving_mean, ...), Adam's slots (optimizer/adam_m/NAME,
                 optimizer/adam_v/NAME), optimizer/learning_rate and optimizer/step
    reference.h5 `images` [steps, batch, size, size, 3] and `labels` [steps, batch, 14]: the
                 batches, one per step; for the masked cases `masks` [steps, batch, 14], 1 where a
                 label counts and 0 where it is masked; `losses` [steps]: Keras' training loss of each step (before
                 its update); for the class-weighted loss `class_positives` [14] and `class_images`,
                 the counts the weights come from; attributes: the settings, `variables` (the
                 network's variable names) and `trainable_parameters`

The network is Keras' DenseNet with a linear 14-way head (`predictions`) trained with
model.train_on_batch: training-mode batch norm (epsilon 1.001e-5, momentum 0.99), Keras' Adam
(tf_keras.optimizers.Adam), and
  - binary_crossentropy: keras.losses.BinaryCrossentropy(from_logits=True), the mean over classes
    and images (chexnet-java computes it from logits too);
  - weighted_binary_crossentropy: chexnet-java's formula in Keras: per image the mean over classes
    of w+[c] * y * -log(p) + w-[c] * (1 - y) * -log(1 - p), with -log(p) = softplus(-z) and
    -log(1 - p) = softplus(z) from the logits z, averaged over the batch by Keras; w+[c] = 1 - P[c]/N
    and w-[c] = P[c]/N for P[c] positives among N training images.
Masked cases train with a label mask as Keras' per-element sample_weight: the loss function returns
the per-element loss [batch, 14] (the weighted formula above without its mean over classes), and
train_on_batch(..., sample_weight=mask) reduces it by Keras' default, the sum of the weighted
elements over batch x 14 (masked elements included in the count).
Under mixed_bfloat16 the global policy is Keras' `mixed_bfloat16`; the pooling and the head are
float32, as chexnet-java's are. TensorFlow's thread counts are left at their defaults, as
chexnet-java's session leaves them, so that both split the same kernels the same way.
"""

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

sys.path.insert(
    0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../model-module/src/test/python")
)
from keras_parity import CLASSES, densenet, randomise  # noqa: E402

STEPS = 5
SEED = 20261128

# Spec defaults (the paper's Adam) unless a case says otherwise.
ADAM = {"learning_rate": 1e-3, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}

CASES = {
    "tiny": {"blocks": [2, 2, 2, 2], "size": 64, "batch": 4},
    # Other Adam settings: a hyper-parameter wired to the wrong place shows here.
    "tiny_weighted": {
        "blocks": [2, 2, 2, 2],
        "size": 64,
        "batch": 4,
        "loss": "weighted_binary_crossentropy",
        "adam": {"learning_rate": 3e-3, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-5},
    },
    "tiny_mixed_bfloat16": {"blocks": [2, 2, 2, 2], "size": 64, "batch": 4, "precision": "mixed_bfloat16"},
    # Labels masked out (CheXpert's uncertain labels under U-Ignore, a source's missing findings).
    "tiny_masked": {"blocks": [2, 2, 2, 2], "size": 64, "batch": 4, "masked": True},
    "tiny_weighted_masked": {
        "blocks": [2, 2, 2, 2],
        "size": 64,
        "batch": 4,
        "loss": "weighted_binary_crossentropy",
        "masked": True,
    },
    "densenet121": {"blocks": [6, 12, 24, 16], "size": 64, "batch": 4},
}


def variable_name(layer, variable):
    """chexnet-java's variable name: the layer's name and the weight's (conv1/conv/kernel)."""
    return layer.name + "/" + variable.name.split("/")[-1].split(":")[0]


def weighted_binary_crossentropy(positive, negative, per_element=False):
    positive = tf.constant(positive, tf.float32)
    negative = tf.constant(negative, tf.float32)

    def loss(y_true, logits):
        y = tf.cast(y_true, logits.dtype)
        per_class = positive * y * tf.nn.softplus(-logits) + negative * (1 - y) * tf.nn.softplus(logits)
        return per_class if per_element else tf.reduce_mean(per_class, axis=-1)

    return loss


def per_element_binary_crossentropy(y_true, logits):
    return tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.cast(y_true, logits.dtype), logits=logits)


def save_state(model, optimizer, prefix):
    """Keras' training state as a TensorFlow checkpoint under chexnet-java's variable names, so
    that ours can start a step from exactly where Keras started it."""
    names, values = [], []
    for layer in model.layers:
        for variable in layer.weights:
            name = variable_name(layer, variable)
            names.append(name)
            values.append(tf.convert_to_tensor(variable.numpy()))
            if variable.trainable:
                index = optimizer._index_dict[optimizer._var_key(variable)]
                names += ["optimizer/adam_m/" + name, "optimizer/adam_v/" + name]
                values += [optimizer._momentums[index], optimizer._velocities[index]]
    names += ["optimizer/learning_rate", "optimizer/step"]
    values += [tf.constant(optimizer.learning_rate.numpy(), tf.float32), optimizer.iterations]
    values = [tf.convert_to_tensor(v) for v in values]
    os.makedirs(os.path.dirname(prefix), exist_ok=True)
    tf.raw_ops.SaveV2(
        prefix=prefix, tensor_names=names, shape_and_slices=[""] * len(names), tensors=values
    )
    return [n for n in names if not n.startswith("optimizer/")]


def run_case(
    out, blocks, size, batch, loss="binary_crossentropy", precision="float32", adam=None, masked=False
):
    adam = adam or ADAM
    keras.mixed_precision.set_global_policy(precision)
    model, _ = densenet(blocks, size, head_activation=None)
    rng = np.random.default_rng(SEED)
    randomise(model, rng)
    images = rng.normal(0.0, 1.0, (STEPS, batch, size, size, 3)).astype(np.float32)
    labels = (rng.random((STEPS, batch, CLASSES)) < 0.3).astype(np.float32)

    extra = {}
    if loss == "binary_crossentropy":
        keras_loss = (
            per_element_binary_crossentropy
            if masked
            else keras.losses.BinaryCrossentropy(from_logits=True)
        )
    else:
        class_images = 1000
        positives = rng.integers(20, 500, CLASSES)
        share = positives / class_images
        keras_loss = weighted_binary_crossentropy(
            (1 - share).astype(np.float32), share.astype(np.float32), per_element=masked
        )
        extra = {"class_positives": positives.astype(np.int64), "class_images": np.int64(class_images)}
    masks = None
    if masked:
        masks = (rng.random((STEPS, batch, CLASSES)) < 0.7).astype(np.float32)
        extra["masks"] = masks
    optimizer = keras.optimizers.Adam(**adam, jit_compile=False)
    model.compile(optimizer=optimizer, loss=keras_loss, jit_compile=False)
    optimizer.build(model.trainable_variables)
    variables = save_state(model, optimizer, os.path.join(out, "state-0", "variables"))
    losses = []
    for step in range(STEPS):
        weights = None if masks is None else masks[step]
        losses.append(float(model.train_on_batch(images[step], labels[step], sample_weight=weights)))
        save_state(model, optimizer, os.path.join(out, f"state-{step + 1}", "variables"))

    with h5py.File(os.path.join(out, "reference.h5"), "w") as f:
        f["images"] = images
        f["labels"] = labels
        f["losses"] = np.array(losses, dtype=np.float32)
        for key, value in extra.items():
            f[key] = value
        f.attrs["variables"] = variables
        f.attrs["trainable_parameters"] = np.int64(
            sum(np.prod(v.shape) for v in model.trainable_weights)
        )
        f.attrs["blocks"] = np.array(blocks, dtype=np.int32)
        f.attrs["precision"] = precision
        f.attrs["loss"] = loss
        for key, value in adam.items():
            f.attrs[key] = value
        f.attrs["tensorflow"] = tf.__version__
        f.attrs["keras"] = keras.__version__
    print(
        f"{os.path.basename(out)}: blocks {blocks}, {size}px, batch {batch}, {precision}, {loss}:"
        f" losses {losses}"
    )
    keras.backend.clear_session()
    keras.mixed_precision.set_global_policy("float32")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="directory to write one sub-directory per case into")
    parser.add_argument("cases", nargs="*", help="cases to run (default: all)")
    args = parser.parse_args()
    for name in args.cases or CASES:
        run_case(os.path.join(args.out, name), **CASES[name])


if __name__ == "__main__":
    main()
