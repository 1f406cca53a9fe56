"""Writes a Keras DenseNet with random weights and its outputs, to check chexnet-java against Keras.

Run by hand, not in CI. Pinned versions (Python 3.11):
    python3.11 -m venv ~/.cache/chexnet/tf-2.18.0
    ~/.cache/chexnet/tf-2.18.0/bin/pip install tensorflow-cpu==2.18.0 h5py==3.16.0 numpy==2.0.2
    # tf-keras declares a dependency on `tensorflow`, which would install a second TensorFlow
    # over tensorflow-cpu; Keras 3 cannot write the legacy HDF5 layout of the official files.
    ~/.cache/chexnet/tf-2.18.0/bin/pip install --no-deps tf-keras==2.18.0

Tiny fixture (committed, read by KerasParityTest):
    python keras_parity.py --blocks 1 1 1 1 --size 64 --images 4 \
        --out model-module/src/test/resources/keras-parity
Full DenseNet-121 (one-off, 29 MB of weights; not committed), then our graph on it:
    python keras_parity.py --blocks 6 12 24 16 --size 224 --images 2 --out /tmp/parity-densenet121
    mvn -pl model-module -am test -Dtest=KerasParityTest -Dsurefire.failIfNoSpecifiedTests=false \
        -Dchexnet.kerasParityDir=/tmp/parity-densenet121
    (2026-11-25, TensorFlow 2.18.0 / tf-keras 2.18.0 vs TF Java 1.1.0: max abs diff 1.79e-07 in
    the probabilities, 1.91e-06 in the pooled features)

Writes into --out:
    weights.h5   the network's weights in Keras' legacy HDF5 layout (root attribute `layer_names`,
                 per layer `weight_names`), the layout of densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5
    expected.h5  `images` [N, size, size, 3] float32 inputs, and Keras' inference outputs for them:
                 `probabilities` [N, 14] and `pooled` [N, channels] (global average of the last feature maps)
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402
from tf_keras.src.applications.densenet import DenseNet  # noqa: E402  (the public module exports only the fixed sizes)

CLASSES = 14


def randomise(model, rng):
    """Every weight random, batch-norm moving statistics included (Keras starts them at 0 and 1,
    which would hide a mix-up of mean and variance)."""
    for layer in model.layers:
        for variable in layer.weights:
            name = variable.name.split("/")[-1].split(":")[0]
            shape = variable.shape
            if name == "gamma":
                value = rng.uniform(0.5, 1.5, shape)
            elif name == "beta":
                value = rng.normal(0.0, 0.2, shape)
            elif name == "moving_mean":
                value = rng.normal(0.0, 0.2, shape)
            elif name == "moving_variance":
                value = rng.uniform(0.5, 2.0, shape)
            elif name == "bias":
                value = rng.normal(0.0, 0.2, shape)
            else:  # kernels: He-normal keeps activations in range through deep stacks
                fan_in = np.prod(shape[:-1])
                value = rng.normal(0.0, np.sqrt(2.0 / fan_in), shape)
            variable.assign(value.astype(np.float32))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, nargs="+", required=True)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--images", type=int, default=4)
    parser.add_argument("--seed", type=int, default=20240604)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    tf.config.threading.set_intra_op_parallelism_threads(2)
    tf.config.threading.set_inter_op_parallelism_threads(1)

    base = DenseNet(
        blocks=args.blocks,
        include_top=False,
        weights=None,
        input_shape=(args.size, args.size, 3),
        pooling="avg",
    )
    # The head on the base's output keeps every layer top-level, named as in the official files.
    head = keras.layers.Dense(CLASSES, activation="sigmoid", name="predictions")(base.output)
    model = keras.Model(base.input, [head, base.output])
    rng = np.random.default_rng(args.seed)
    randomise(model, rng)

    images = rng.normal(0.0, 1.0, (args.images, args.size, args.size, 3)).astype(np.float32)
    probabilities, pooled = model(images, training=False)

    os.makedirs(args.out, exist_ok=True)
    model.save_weights(os.path.join(args.out, "weights.h5"))
    with h5py.File(os.path.join(args.out, "expected.h5"), "w") as f:
        f["images"] = images
        f["probabilities"] = probabilities.numpy()
        f["pooled"] = pooled.numpy()
        f.attrs["blocks"] = np.array(args.blocks, dtype=np.int32)
        f.attrs["tensorflow"] = tf.__version__
        f.attrs["keras"] = keras.__version__
    print(
        f"blocks {args.blocks}, {args.size}px, {args.images} images: "
        f"{model.count_params()} parameters, probabilities[0][:4] {probabilities.numpy()[0][:4]}, "
        f"TensorFlow {tf.__version__}, tf-keras {keras.__version__}"
    )


if __name__ == "__main__":
    main()
