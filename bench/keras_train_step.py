"""Peer: the same DenseNet-121 training step and inference in Keras (tf.keras.applications
DenseNet121, 14-way sigmoid head, Adam, binary cross-entropy, batch 16, 224x224), trained with
model.fit on in-memory data, 2 intra-op threads, in float32 or Keras' mixed_bfloat16 policy (the
head's sigmoid in float32, as Keras' guide says). Run by bench/train-step.sh with the pinned
tensorflow-cpu of bench/requirements-keras.txt."""
import json
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

batch = int(sys.argv[1]) if len(sys.argv) > 1 else 16
size = int(sys.argv[2]) if len(sys.argv) > 2 else 224
steps = int(sys.argv[3]) if len(sys.argv) > 3 else 7
precision = sys.argv[4] if len(sys.argv) > 4 else "float32"
warmup = 2
tf.config.threading.set_intra_op_parallelism_threads(2)
tf.keras.utils.set_random_seed(1)
if precision == "mixed_bfloat16":
    tf.keras.mixed_precision.set_global_policy("mixed_bfloat16")

base = tf.keras.applications.DenseNet121(
    include_top=False, weights=None, input_shape=(size, size, 3), pooling="avg")
model = tf.keras.Sequential([base, tf.keras.layers.Dense(14, activation="sigmoid", dtype="float32")])
model.compile(
    optimizer=tf.keras.optimizers.Adam(1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-7),
    loss="binary_crossentropy")
rng = np.random.default_rng(1)
x = rng.standard_normal((batch * (warmup + steps), size, size, 3), dtype=np.float32)
y = (rng.random((batch * (warmup + steps), 14)) < 0.1).astype(np.float32)


class StepTimes(tf.keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.times = []

    def on_train_batch_begin(self, batch_index, logs=None):
        self.start = time.perf_counter()

    def on_train_batch_end(self, batch_index, logs=None):
        self.times.append(time.perf_counter() - self.start)


timer = StepTimes()
model.fit(x, y, batch_size=batch, epochs=1, shuffle=False, verbose=0, callbacks=[timer])
train = statistics.median(timer.times[warmup:])

infer_times = []
images = x[:batch]
for i in range(warmup + steps):
    t0 = time.perf_counter()
    model(images, training=False).numpy()
    if i >= warmup:
        infer_times.append(time.perf_counter() - t0)
infer = statistics.median(infer_times)

for work, median in (("train", train), ("inference", infer)):
    print(json.dumps({"impl": "keras-tf-" + tf.__version__ + " " + precision, "work": work, "batch": batch,
                      "size": size, "median_s": round(median, 4),
                      "images_per_s": round(batch / median, 2), "steps": steps}))
