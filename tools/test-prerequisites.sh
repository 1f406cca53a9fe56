#!/usr/bin/env bash
# What the test suite needs besides Java and Maven, checked (and installed with apt-get when
# running as root) before `mvn verify` runs a single test, so that no test skips for want of it:
#   git; python3 with venv and pip (the pinned MLflow, DVC, tf-keras, Pillow, scikit-learn are
#   installed by tools/setup-venv.sh when a test first needs them); Debian's python3-torch and
#   python3-torchvision for /usr/bin/python3 (the PyTorch references); Debian's chromium and
#   chromium-driver (the served page's browser test).
# Runs as the first step of `mvn verify` (the root pom's test-prerequisites execution).
set -euo pipefail

missing=()
command -v git >/dev/null || missing+=(git)
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
[[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]] || missing+=(chromium chromium-driver)
/usr/bin/python3 -c 'import torch, torchvision' 2>/dev/null || missing+=(python3-torch python3-torchvision)

if ((${#missing[@]} == 0)); then
  exit 0
fi
if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
  echo "Installing the test suite's system packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
echo "The test suite needs: ${missing[*]}. Install them with:" >&2
echo "  sudo apt-get install ${missing[*]}" >&2
echo "(or build without tests: mvn -DskipTests verify)" >&2
exit 1
