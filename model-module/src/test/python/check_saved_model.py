"""Loads chexnet-java's SavedModel exports with Python TensorFlow and compares them with Keras.

Run by KerasParityTest at test time, in the venv of keras_parity.py (tools/requirements-tf-keras.txt).
Each --export pairs a SavedModel that holds the Keras weights of a keras_parity.py fixture with
that fixture's expected.h5. For each it checks the serving signature (tag `serve`,
`serving_default`: `images` -> `probabilities`, `feature_maps`), runs the fixture's images and
writes to --report (HDF5) per export name the max abs difference from Keras' outputs
(`NAME/probabilities`, `NAME/pooled`, float64 scalars) and `NAME/feature_maps_shape`.
"""

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def compare(saved_model, expected):
    with h5py.File(expected, "r") as f:
        images = f["images"][()]
        keras_probabilities = f["probabilities"][()]
        keras_pooled = f["pooled"][()]
    serve = tf.saved_model.load(saved_model, tags=["serve"]).signatures["serving_default"]
    inputs = list(serve.structured_input_signature[1].keys())
    outputs = sorted(serve.structured_outputs.keys())
    if inputs != ["images"] or outputs != ["feature_maps", "probabilities"]:
        sys.exit(f"{saved_model}: unexpected signature: inputs {inputs}, outputs {outputs}")
    result = serve(images=tf.constant(images))
    probabilities = result["probabilities"].numpy()
    pooled = result["feature_maps"].numpy().mean(axis=(1, 2))
    return {
        "probabilities": float(np.max(np.abs(probabilities - keras_probabilities))),
        "pooled": float(np.max(np.abs(pooled - keras_pooled))),
        "feature_maps_shape": list(result["feature_maps"].shape),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--export",
        nargs=3,
        action="append",
        required=True,
        metavar=("NAME", "SAVED_MODEL", "EXPECTED_H5"),
    )
    parser.add_argument("--report", required=True)
    args = parser.parse_args()
    report = {name: compare(saved, expected) for name, saved, expected in args.export}
    with h5py.File(args.report, "w") as f:
        for name, values in report.items():
            for key, value in values.items():
                f[f"{name}/{key}"] = np.array(value, dtype=np.int64 if key.endswith("shape") else np.float64)
    print(f"Python TensorFlow {tf.__version__}: {report}")


if __name__ == "__main__":
    main()
