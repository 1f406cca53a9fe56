#!/usr/bin/env bash
# Installs the pinned MLflow that the integration tests run as a real tracking server, into a
# virtual environment reused across runs, and prints the path of its `mlflow` executable.
#   usage: setup-mlflow.sh [VENV_DIR]   (default: ~/.cache/chexnet/mlflow-2.17.2)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${1:-${XDG_CACHE_HOME:-$HOME/.cache}/chexnet/mlflow-2.17.2}"
requirements="$here/requirements-mlflow.txt"
stamp="$venv/.requirements"
if [[ ! -x "$venv/bin/mlflow" ]] || ! cmp -s "$requirements" "$stamp"; then
  echo "Installing $(head -c 200 "$requirements" | grep -v '^#' | tr '\n' ' ')into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
  cp "$requirements" "$stamp"
fi
echo "$venv/bin/mlflow"
