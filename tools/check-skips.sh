#!/usr/bin/env bash
# Fails when the test run skipped a test that is not a documented opt-in (tools/allowed-skips.txt):
# a test that cannot run for want of a tool must fail, never end in BUILD SUCCESS unseen.
# Reads the JUnit XML reports of every module (surefire and failsafe). Runs as the last step of
# `mvn verify` (checks-module).
#   usage: tools/check-skips.sh [REPOSITORY_ROOT]
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
allowed="$root/tools/allowed-skips.txt"

shopt -s nullglob
reports=("$root"/*/target/surefire-reports/TEST-*.xml "$root"/*/target/failsafe-reports/TEST-*.xml)
if ((${#reports[@]} == 0)); then
  echo "check-skips: no test reports under $root/*/target: did the tests run?" >&2
  exit 1
fi

# One "Class#method" per skipped test case.
skipped=$(python3 - "${reports[@]}" <<'PY'
import sys
import xml.etree.ElementTree as ET
for path in sys.argv[1:]:
    for case in ET.parse(path).getroot().iter("testcase"):
        if case.find("skipped") is not None:
            print(f"{case.get('classname')}#{case.get('name')}")
PY
)

unexpected=()
while IFS= read -r test; do
  [[ -z "$test" ]] && continue
  if ! grep -v '^#' "$allowed" | awk '{print $1}' | grep -qxF "$test"; then
    unexpected+=("$test")
  fi
done <<<"$skipped"

count=$(grep -c . <<<"$skipped" || true)
if ((${#unexpected[@]} > 0)); then
  echo "check-skips: ${#unexpected[@]} test(s) skipped that are not documented opt-ins (tools/allowed-skips.txt):" >&2
  printf '  %s\n' "${unexpected[@]}" >&2
  echo "Look for the reason in the module's target/surefire-reports; a missing tool is installed by tools/test-prerequisites.sh." >&2
  exit 1
fi
echo "check-skips: ${#reports[@]} test reports, $count skipped, all documented opt-ins"
