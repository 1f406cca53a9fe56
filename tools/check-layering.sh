#!/usr/bin/env bash
# Fails when the code breaks the layering docs/architecture.md describes: the CLI stays a thin
# shell (at most 2,000 lines of main sources), no main source outside it imports it, library code
# (every *-module but cli-module) never prints nor exits on its own, and only cli-module uses
# picocli. Reads sources only; runs in `mvn verify` (checks-module), -DskipTests included.
#   usage: tools/check-layering.sh [REPOSITORY_ROOT]
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
cd "$root"
max_cli_lines=2000

python3 - "$max_cli_lines" <<'PY'
import glob
import re
import sys

max_cli_lines = int(sys.argv[1])
failures = []


def java_files(pattern):
    return sorted(glob.glob(pattern, recursive=True))


def code_only(text):
    """The Java source with comments and string/char literals blanked, line breaks kept."""
    out = []
    i, n = 0, len(text)
    while i < n:
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
        elif text.startswith('"""', i):
            end = text.find('"""', i + 3)
            end = n if end < 0 else end + 3
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
        elif text[i] in "\"'":
            quote, j = text[i], i + 1
            while j < n and text[j] != quote and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(" " * (j + 1 - i))
            i = j + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


# The CLI stays a thin shell.
cli_sources = java_files("cli-module/src/main/java/**/*.java")
cli_lines = sum(open(f, encoding="utf-8").read().count("\n") for f in cli_sources)
if cli_lines > max_cli_lines:
    failures.append(
        f"cli-module/src/main: {cli_lines} lines of Java, more than {max_cli_lines}: move logic"
        " into the library (docs/architecture.md)"
    )

# Nothing outside the CLI depends on it; library code neither prints nor exits.
cli_import = re.compile(r"\borg\s*\.\s*chexnet\s*\.\s*cli\b")
console = re.compile(r"\bSystem\s*\.\s*(out|err|exit)\b")
for path in java_files("*/src/main/java/**/*.java"):
    if path.startswith("cli-module/"):
        continue
    code = code_only(open(path, encoding="utf-8").read())
    line = lambda match: code.count("\n", 0, match.start()) + 1
    for use in cli_import.finditer(code):
        failures.append(f"{path}:{line(use)}: uses org.chexnet.cli: only the CLI may")
    if path.split("/")[0].endswith("-module"):  # examples are programs: they may print
        for call in console.finditer(code):
            failures.append(
                f"{path}:{line(call)}: System.{call.group(1)} in library code: report through"
                " Reporter, throw ChexnetException"
            )

# Only the CLI knows picocli: its pom, and the root pom's version management.
for pom in sorted(glob.glob("**/pom.xml", recursive=True)):
    if "/target/" in pom or pom == "cli-module/pom.xml":
        continue
    text = re.sub(r"<!--.*?-->", "", open(pom, encoding="utf-8").read(), flags=re.S)
    if pom == "pom.xml":
        text = re.sub(r"<dependencyManagement>.*?</dependencyManagement>", "", text, flags=re.S)
        text = re.sub(r"<picocli\.version>[^<]*</picocli\.version>", "", text)
    if "picocli" in text:
        failures.append(f"{pom}: names picocli: only cli-module/pom.xml may use it")

for failure in failures:
    print(f"check-layering: {failure}", file=sys.stderr)
if failures:
    sys.exit(1)
# Silent when kept: it also runs in the launcher's quiet build (-DskipTests does not skip it).
PY
