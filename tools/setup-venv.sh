#!/usr/bin/env bash
# Installs a pinned requirements file into a virtual environment kept across runs, and prints the
# environment's bin directory. Tests that need a Python tool (MLflow, DVC, kubernetes-validate)
# call this, so that `mvn verify` sets up what it needs on a fresh machine.
#   usage: tools/setup-venv.sh REQUIREMENTS [VENV_DIR]
#   (default VENV_DIR: ~/.cache/chexnet/venvs/<requirements file name without .txt>)
set -euo pipefail
requirements="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
name="$(basename "$requirements" .txt)"
venv="${2:-${XDG_CACHE_HOME:-$HOME/.cache}/chexnet/venvs/$name}"
stamp="$venv/.requirements"
if [[ ! -x "$venv/bin/python" ]] || ! cmp -s "$requirements" "$stamp"; then
  echo "Installing $(grep -v '^#' "$requirements" | tr '\n' ' ')into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
  cp "$requirements" "$stamp"
fi
echo "$venv/bin"
