"""Drives tf-keras 2.18's own ReduceLROnPlateau, EarlyStopping and ModelCheckpoint through seeded
scripted metric sequences and records what they decide, to check chexnet-java's listeners against.

Run by KerasCallbacksTest at test time, in the venv of tools/requirements-tf-keras.txt. By hand:
    bin="$(tools/setup-venv.sh tools/requirements-tf-keras.txt)"
    "$bin/python" training-module/src/test/python/keras_callbacks.py /tmp/keras-callbacks.json

Each scenario is one callback with its parameters and a sequence of epoch-end values of its monitor
(random walks with plateaus, exact ties, steps of exactly min_delta, NaN, and epochs where the
metric is missing: null), fed to the real callback as model.fit would: set_model, on_train_begin,
then per epoch on_epoch_end(epoch, logs) until the callback sets model.stop_training, then
on_train_end. The model is a one-weight Keras model whose weight is set to the epoch's number
before each on_epoch_end, so the weight after on_train_end says which epoch's weights are kept.
Recorded per scenario: the learning rate after each epoch (ReduceLROnPlateau, float32 values), the
epoch training stopped at and the epoch whose weights are kept (EarlyStopping), the epochs saved
(ModelCheckpoint). Also recorded: the direction each callback's mode "auto" picks for a list of
monitor names (max: True).
"""

import json
import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

SEED = 20261128
SCENARIOS_PER_CALLBACK = 150
# Monitors on which Keras' "auto" and chexnet-java's agree, used with mode "auto".
AUTO_MONITORS = ["val_loss", "loss", "val_acc", "val_accuracy"]
# Names whose "auto" direction is recorded for each callback.
AUTO_NAMES = [
    "val_loss", "loss", "val_acc", "val_accuracy", "acc", "val_binary_accuracy", "val_auc",
    "val_AUC", "val_mean_auroc", "test_auroc_Atelectasis", "val_acc_top5", "val_f1",
    "fmeasure", "learning_rate",
]


def sequence(rng, epochs):
    """Monitor values: a random walk on a grid of 1/64 (so that steps of exactly min_delta occur),
    with plateaus, ties, a NaN and missing epochs now and then."""
    value = float(rng.integers(32, 96)) / 64
    values = []
    for _ in range(epochs):
        kind = rng.random()
        if kind < 0.25:
            pass  # plateau: exactly the same value
        elif kind < 0.30:
            values.append(None)  # the metric is missing this epoch
            continue
        elif kind < 0.33:
            values.append(float("nan"))
            continue
        else:
            value += float(rng.integers(-4, 4)) / 64
        values.append(value)
    return values


def parameters(rng, callback):
    mode = str(rng.choice(["auto", "auto", "min", "max"]))
    monitor = str(rng.choice(AUTO_MONITORS if mode == "auto" else ["val_mean_auroc", "val_loss"]))
    min_delta = float(rng.choice([0.0, 1e-4, 1 / 64, 1 / 32, 0.1]))
    if callback == "reduce_lr_on_plateau":
        return {
            "monitor": monitor,
            "mode": mode,
            "factor": float(rng.choice([0.1, 0.5, 0.2, 0.3])),
            "patience": int(rng.integers(0, 5)),
            "min_delta": min_delta,
            "cooldown": int(rng.integers(0, 4)),
            "min_lr": float(rng.choice([0.0, 1e-5, 1e-4, 0.015, 0.3])),
        }
    if callback == "early_stopping":
        return {
            "monitor": monitor,
            "mode": mode,
            "min_delta": min_delta,
            "patience": int(rng.integers(0, 6)),
            "baseline": None if rng.random() < 0.6 else float(rng.integers(32, 96)) / 64,
            "restore_best_weights": bool(rng.random() < 0.6),
            "start_from_epoch": int(rng.choice([0, 0, 1, 3])),
        }
    return {"monitor": monitor, "mode": mode, "save_best_only": bool(rng.random() < 0.85)}


def run(callback, params, values, initial_lr, directory):
    model = keras.Sequential([keras.layers.Dense(1, use_bias=False, input_shape=(1,))])
    model.compile(optimizer=keras.optimizers.Adam(initial_lr), loss="mse")
    if callback == "reduce_lr_on_plateau":
        cb = keras.callbacks.ReduceLROnPlateau(**params)
    elif callback == "early_stopping":
        cb = keras.callbacks.EarlyStopping(**params)
    else:
        path = os.path.join(directory, "weights-{epoch:03d}.h5")
        cb = keras.callbacks.ModelCheckpoint(path, save_weights_only=True, **params)
    cb.set_model(model)
    model.stop_training = False
    cb.on_train_begin()
    record = {"learning_rates": [], "saved_epochs": [], "stopped_epoch": -1}
    for epoch, value in enumerate(values):
        model.set_weights([np.array([[epoch]], dtype=np.float32)])
        logs = {"loss": 0.5}
        if value is not None:
            logs[params["monitor"]] = value
        cb.on_epoch_end(epoch, logs)
        record["learning_rates"].append(float(model.optimizer.learning_rate.numpy()))
        if callback == "model_checkpoint" and os.path.exists(path.format(epoch=epoch + 1)):
            record["saved_epochs"].append(epoch)
        if model.stop_training:
            record["stopped_epoch"] = epoch
            break
    cb.on_train_end()
    record["kept_weights_epoch"] = int(model.get_weights()[0][0][0])
    return record


def main():
    out = sys.argv[1]
    rng = np.random.default_rng(SEED)
    scenarios = []
    with tempfile.TemporaryDirectory() as scratch:
        for callback in ["reduce_lr_on_plateau", "early_stopping", "model_checkpoint"]:
            for i in range(SCENARIOS_PER_CALLBACK):
                params = parameters(rng, callback)
                values = sequence(rng, int(rng.integers(3, 25)))
                if callback == "model_checkpoint":
                    # Keras skips a save without the monitor, chexnet-java saves (its own rule).
                    values = [v if v is not None else 0.5 for v in values]
                initial_lr = float(rng.choice([1e-3, 1.0, 0.01]))
                directory = os.path.join(scratch, f"{callback}-{i}")
                os.makedirs(directory)
                record = run(callback, params, values, initial_lr, directory)
                scenarios.append(
                    {"callback": callback, "parameters": params, "values": values,
                     "initial_lr": initial_lr, **record}
                )
    auto = {}
    for name in AUTO_NAMES:
        auto[name] = {
            "reduce_lr_on_plateau": keras.callbacks.ReduceLROnPlateau(monitor=name).monitor_op(1.0, 0.0),
            "early_stopping": keras.callbacks.EarlyStopping(monitor=name).monitor_op == np.greater,
            "model_checkpoint": keras.callbacks.ModelCheckpoint("unused", monitor=name).monitor_op == np.greater,
        }
    auto = {name: {cb: bool(v) for cb, v in d.items()} for name, d in auto.items()}
    with open(out, "w") as f:
        json.dump({"tensorflow": tf.__version__, "keras": keras.__version__,
                   "scenarios": scenarios, "auto_maximises": auto}, f)
    print(f"{len(scenarios)} callback scenarios through tf-keras {keras.__version__}")


if __name__ == "__main__":
    main()
