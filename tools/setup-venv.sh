#!/usr/bin/env bash
# Installs a pinned requirements file into a virtual environment kept across runs, and prints the
# environment's bin directory. Tests that need a Python tool (MLflow, DVC, kubernetes-validate,
# tf-keras) call this, so that `mvn verify` sets up what it needs on a fresh machine.
#   usage: tools/setup-venv.sh REQUIREMENTS [VENV_DIR]
#   (default VENV_DIR: ~/.cache/chexnet/venvs/<requirements file name without .txt>)
# A file beside REQUIREMENTS named <name>.no-deps.txt, when there is one, is installed after it
# with --no-deps: for a package whose declared dependencies would replace pinned ones (tf-keras
# declares `tensorflow`, which would install a second TensorFlow over tensorflow-cpu).
set -euo pipefail
requirements="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
name="$(basename "$requirements" .txt)"
no_deps="${requirements%.txt}.no-deps.txt"
venv="${2:-${XDG_CACHE_HOME:-$HOME/.cache}/chexnet/venvs/$name}"
stamp="$venv/.requirements"
wanted() { cat "$requirements"; if [[ -f "$no_deps" ]]; then cat "$no_deps"; fi; }
if [[ ! -x "$venv/bin/python" ]] || ! cmp -s <(wanted) "$stamp"; then
  echo "Installing $(wanted | grep -v '^#' | tr '\n' ' ')into $venv" >&2
  python3 -m venv "$venv"
  pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check)
  "${pip[@]}" -r "$requirements" >&2
  if [[ -f "$no_deps" ]]; then
    "${pip[@]}" --no-deps -r "$no_deps" >&2
  fi
  wanted > "$stamp"
fi
echo "$venv/bin"
