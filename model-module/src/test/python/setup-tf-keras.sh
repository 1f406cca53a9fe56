#!/usr/bin/env bash
# Installs TensorFlow (CPU) and tf-keras, pinned, into a virtual environment reused across runs,
# and prints its bin directory. tf-keras (Keras 2) is what writes the legacy HDF5 weight layout of
# brucechou1983/CheXNet-Keras; Keras 3 cannot.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$("$here/../../../../tools/setup-venv.sh" "$here/requirements-tf-keras.txt")"
if ! "$bin/python" -c "import tf_keras" 2>/dev/null; then
  echo "Installing tf-keras==2.18.0 (without its tensorflow dependency) into $bin/.." >&2
  "$bin/python" -m pip install --quiet --disable-pip-version-check --no-deps tf-keras==2.18.0 >&2
fi
echo "$bin"
