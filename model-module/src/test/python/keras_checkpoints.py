"""Writes Keras HDF5 weights in brucechou1983/CheXNet-Keras's layout, with tf-keras's own outputs for
a few images, to check chexnet-java's importer against Keras.

Run by KerasImportParityTest in the environment of setup-tf-keras.sh (TensorFlow 2.18, tf-keras
2.18, which writes the legacy HDF5 layout of the project's files):
    python keras_checkpoints.py --out DIR [--blocks 6 12 24 16] [--size 224] [--images 2]

The model is the project's (models/keras.py), by default a full DenseNet-121 at its 224 px input:
keras.applications' DenseNet without its top, on an Input tensor, average pooling, and Dense(14,
activation="sigmoid", name="predictions"); random weights and batch-norm statistics
(keras_parity.randomise). Its preprocessing (generator.py): the
image as RGB, / 255, resized, then ImageNet's mean and std.

Writes into --out:
    weights.h5         model.save_weights(), Keras' legacy HDF5 layout
    images.u8          N gray images of --size, uint8, row-major
    probabilities.f32  Keras' probabilities [N, 14], float32 little-endian
    fixture.json       what the Java test needs to know
"""

import argparse
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402
from tf_keras.src.applications.densenet import DenseNet  # noqa: E402

from keras_parity import randomise  # noqa: E402

CLASSES = 14
MEAN = np.array([0.485, 0.456, 0.406])
STD = np.array([0.229, 0.224, 0.225])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--blocks", type=int, nargs="+", default=[6, 12, 24, 16])
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--images", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20240612)
    args = parser.parse_args()
    tf.config.threading.set_intra_op_parallelism_threads(2)
    tf.config.threading.set_inter_op_parallelism_threads(1)

    image_input = keras.layers.Input(shape=(args.size, args.size, 3))
    base = DenseNet(blocks=args.blocks, include_top=False, weights=None, input_tensor=image_input,
                    input_shape=(args.size, args.size, 3), pooling="avg")
    predictions = keras.layers.Dense(CLASSES, activation="sigmoid", name="predictions")(base.output)
    model = keras.Model(inputs=image_input, outputs=predictions)
    rng = np.random.default_rng(args.seed)
    randomise(model, rng)

    grays = rng.integers(0, 256, (args.images, args.size, args.size), dtype=np.uint8)
    rgb = np.repeat(grays[..., None], 3, axis=-1) / 255.0
    inputs = ((rgb - MEAN) / STD).astype(np.float32)
    probabilities = model(inputs, training=False).numpy().astype("<f4")

    os.makedirs(args.out, exist_ok=True)
    model.save_weights(os.path.join(args.out, "weights.h5"))
    grays.tofile(os.path.join(args.out, "images.u8"))
    probabilities.tofile(os.path.join(args.out, "probabilities.f32"))
    with open(os.path.join(args.out, "fixture.json"), "w") as f:
        json.dump({"file": "weights.h5", "images": args.images, "resize": args.size, "crop": "none",
                   "cropSize": args.size, "classes": CLASSES, "tensorflow": tf.__version__,
                   "keras": keras.__version__}, f, indent=2)
    print(f"brucechou1983 layout, blocks {args.blocks}, {args.size}px: probabilities "
          f"{probabilities.min():.3f}..{probabilities.max():.3f}, tf-keras {keras.__version__}")


if __name__ == "__main__":
    main()
