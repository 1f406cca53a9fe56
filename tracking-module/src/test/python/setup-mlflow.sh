#!/usr/bin/env bash
# Installs the pinned MLflow that the integration tests run as a real tracking server (through
# the project's tools/setup-venv.sh, into a virtual environment reused across runs) and prints the
# path of its `mlflow` executable.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$("$here/../../../../tools/setup-venv.sh" "$here/requirements-mlflow.txt")"
echo "$bin/mlflow"
