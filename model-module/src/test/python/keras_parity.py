"""Writes Keras DenseNets with random weights and their inference outputs, to check chexnet-java
against Keras.

Run by KerasParityTest at test time, in the venv of tools/requirements-tf-keras.txt
(tensorflow-cpu 2.18.0 and, installed without its dependencies, tf-keras 2.18.0: its declared
dependency on `tensorflow` would install a second TensorFlow over tensorflow-cpu; Keras 3 cannot
write the legacy HDF5 layout of the official files). By hand:
    bin="$(tools/setup-venv.sh tools/requirements-tf-keras.txt)"
    "$bin/python" model-module/src/test/python/keras_parity.py /tmp/keras-parity

Writes one directory per fixture of FIXTURES into OUT:
    weights.h5   the network's weights in Keras' legacy HDF5 layout (root attribute `layer_names`,
                 per layer `weight_names`), the layout of densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5
    expected.h5  `images` [N, size, size, 3] float32 inputs, and Keras' inference outputs for them:
                 `probabilities` [N, 14] and `pooled` [N, channels] (global average of the last
                 feature maps); attributes `blocks`, `tensorflow`, `keras`
The `tiny` fixture is the one committed in model-module/src/test/resources/keras-parity/weights.h5
(the same seed writes the same file; KerasParityTest checks it).
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
SEED = 20240604

# name: (blocks, image size, images)
FIXTURES = {
    "tiny": ([1, 1, 1, 1], 64, 4),
    "densenet121": ([6, 12, 24, 16], 224, 2),
}


def densenet(blocks, size, head_activation):
    """Keras' DenseNet (growth 32, 64 stem filters) with a 14-way head on the pooled features, every
    layer top-level and named as in the official files. The pooling and the head are float32 under
    a mixed policy, as chexnet-java's are. Returns the model and its pooled-features tensor."""
    base = DenseNet(blocks=blocks, include_top=False, weights=None, input_shape=(size, size, 3))
    pooled = keras.layers.GlobalAveragePooling2D(name="avg_pool", dtype="float32")(base.output)
    head = keras.layers.Dense(
        CLASSES, activation=head_activation, name="predictions", dtype="float32"
    )(pooled)
    return keras.Model(base.input, head), pooled


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


def write_fixture(out, blocks, size, images):
    model, pooled = densenet(blocks, size, "sigmoid")
    model = keras.Model(model.input, [model.output, pooled])
    rng = np.random.default_rng(SEED)
    randomise(model, rng)
    inputs = rng.normal(0.0, 1.0, (images, size, size, 3)).astype(np.float32)
    probabilities, features = model(inputs, training=False)

    os.makedirs(out, exist_ok=True)
    model.save_weights(os.path.join(out, "weights.h5"))
    with h5py.File(os.path.join(out, "expected.h5"), "w") as f:
        f["images"] = inputs
        f["probabilities"] = probabilities.numpy()
        f["pooled"] = features.numpy()
        f.attrs["blocks"] = np.array(blocks, dtype=np.int32)
        f.attrs["tensorflow"] = tf.__version__
        f.attrs["keras"] = keras.__version__
    print(
        f"{os.path.basename(out)}: blocks {blocks}, {size}px, {images} images, "
        f"{model.count_params()} parameters, TensorFlow {tf.__version__}, "
        f"tf-keras {keras.__version__}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="directory to write one sub-directory per fixture into")
    args = parser.parse_args()
    for name, (blocks, size, images) in FIXTURES.items():
        write_fixture(os.path.join(args.out, name), blocks, size, images)
        keras.backend.clear_session()


if __name__ == "__main__":
    main()
