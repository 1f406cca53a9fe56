"""Loads chexnet-java's SavedModel export with Python TensorFlow and compares it with Keras.

Run by hand, not in CI, in the venv of keras_parity.py (tensorflow-cpu==2.18.0, h5py==3.16.0,
numpy==2.0.2 on Python 3.11). The export holds the Keras weights of a keras_parity.py fixture:

    mvn -pl model-module -am test -Dtest=KerasParityTest -Dsurefire.failIfNoSpecifiedTests=false \\
        -Dchexnet.savedModelOut=/tmp/chexnet-saved-model [-Dchexnet.kerasParityDir=/tmp/parity-densenet121]
    python check_saved_model.py --saved-model /tmp/chexnet-saved-model \\
        --expected model-module/src/test/resources/keras-parity/expected.h5

It checks the serving signature (tag `serve`, `serving_default`: `images` -> `probabilities`,
`feature_maps`) and prints the max abs difference from Keras' outputs for the same images;
exits 1 when a difference reaches --tolerance.
"""

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saved-model", required=True)
    parser.add_argument("--expected", required=True, help="expected.h5 written by keras_parity.py")
    parser.add_argument("--tolerance", type=float, default=1e-4)
    args = parser.parse_args()

    with h5py.File(args.expected, "r") as f:
        images = f["images"][()]
        keras_probabilities = f["probabilities"][()]
        keras_pooled = f["pooled"][()]

    model = tf.saved_model.load(args.saved_model, tags=["serve"])
    serve = model.signatures["serving_default"]
    inputs = list(serve.structured_input_signature[1].keys())
    outputs = sorted(serve.structured_outputs.keys())
    if inputs != ["images"] or outputs != ["feature_maps", "probabilities"]:
        sys.exit(f"unexpected signature: inputs {inputs}, outputs {outputs}")
    result = serve(images=tf.constant(images))
    probabilities = result["probabilities"].numpy()
    pooled = result["feature_maps"].numpy().mean(axis=(1, 2))

    probability_diff = float(np.max(np.abs(probabilities - keras_probabilities)))
    pooled_diff = float(np.max(np.abs(pooled - keras_pooled)))
    print(
        f"Python TensorFlow {tf.__version__} on the SavedModel, {len(images)} images "
        f"{images.shape[1]}px: max abs diff from Keras: probabilities {probability_diff:.3g}, "
        f"pooled features {pooled_diff:.3g}; feature maps {tuple(result['feature_maps'].shape)}"
    )
    if max(probability_diff, pooled_diff) >= args.tolerance:
        sys.exit(f"difference at or above {args.tolerance}")


if __name__ == "__main__":
    main()
