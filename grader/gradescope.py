"""Gradescope support: the ``results.json`` a run writes, and the autograder bundle.

``python -m grader --build-gradescope DIR`` writes ``DIR/minigrad_autograder.zip`` with
Gradescope's three files (``setup.sh``, ``run_autograder``, ``requirements.txt``) and the
source of this minigrad and this grader (``setup.sh`` installs both). Upload it as the
autograder of a programming assignment; students upload their exercise notebook. The
specification of ``results.json``:
https://gradescope-autograders.readthedocs.io/en/latest/specs/
"""

from __future__ import annotations

import importlib.metadata
import zipfile
from pathlib import Path
from typing import Any

from grader.sandbox import Result

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
if ! command -v python3.11 >/dev/null; then
  apt-get update -qq
  apt-get install -y -qq software-properties-common
  add-apt-repository -y ppa:deadsnakes/ppa
  apt-get update -qq
fi
apt-get install -y -qq python3.11 python3.11-venv
python3.11 -m venv /autograder/venv
/autograder/venv/bin/pip install -q --extra-index-url https://download.pytorch.org/whl/cpu \\
  -r /autograder/source/requirements.txt
/autograder/venv/bin/pip install -q --no-deps /autograder/source/minigrad-src
# Student code runs as nobody: everything it needs to import must be readable by all.
chmod -R a+rX /autograder/venv
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for each submission; the grader writes results.json itself.
cd /autograder/source
exec /autograder/venv/bin/python -m grader /autograder/submission \\
  --timeout {timeout:g} --no-progress --gradescope /autograder/results/results.json
"""

PINNED = ("numpy", "torch", "ipython", "tqdm", "matplotlib")
#: The packages whose source goes into the bundle (pyproject.toml installs both).
SHIPPED = ("minigrad", "grader")


def results_json(results: list[Result]) -> dict[str, Any]:
    """Gradescope's results.json for graded submissions (one test per question)."""
    tests = []
    output = []
    several = len(results) > 1
    for r in results:
        prefix = f"{Path(r.file).name}: " if several else ""
        for number, (name, max_score) in enumerate(r.max_scores.items(), start=1):
            score = r.scores.get(name, 0.0)
            tests.append(
                {
                    "name": f"{prefix}{name}",
                    "number": f"{number}",
                    "score": score,
                    "max_score": max_score,
                    "status": "passed" if score >= max_score else "failed",
                    "output": r.reasons.get(name, ""),
                    "visibility": "visible",
                    "tags": [r.exercise or "unknown"],
                }
            )
        output += [f"{prefix}{note}" for note in r.notes]
    if not results:
        output.append("no notebook (.ipynb) was found in the submission")
    return {
        "score": sum(r.total for r in results),
        "execution_time": round(sum(r.seconds for r in results), 2),
        "output": "\n".join(output),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def requirements() -> str:
    """The grader's packages, pinned to the versions installed here."""
    lines = []
    for name in PINNED:
        version = importlib.metadata.version(name).split("+")[0]
        lines.append(f"{name}=={version}")
    return "\n".join(lines) + "\n"


def build_bundle(directory: str | Path, timeout: float = 60.0) -> Path:
    """Write the Gradescope autograder zip into ``directory``; returns its path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    root = Path(__file__).resolve().parents[1]  # the course: grader/ beside minigrad/
    zip_path = directory / "minigrad_autograder.zip"
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
        _add(z, "setup.sh", SETUP)
        _add(z, "run_autograder", RUN.format(timeout=timeout))
        _add(z, "requirements.txt", requirements())
        for name in ("pyproject.toml", "README.md"):
            if (root / name).exists():
                z.write(root / name, f"minigrad-src/{name}")
        for package in SHIPPED:
            for path in sorted((root / package).rglob("*.py")):
                z.write(path, f"minigrad-src/{path.relative_to(root).as_posix()}")
    return zip_path


def _add(z: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name)
    info.external_attr = 0o755 << 16  # executable, as Gradescope expects of its scripts
    z.writestr(info, text)
