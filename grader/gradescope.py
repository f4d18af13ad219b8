"""Gradescope support: the ``results.json`` a run writes, and the autograder bundle.

``python -m grader --build-gradescope DIR --exercise ID`` writes
``DIR/minigrad_ID_autograder.zip`` (one assignment grades one exercise) with
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

from grader import core
from grader.sandbox import Result

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (an Ubuntu base
# image: 20.04 has no Python 3.11, which then comes from the deadsnakes PPA).
set -euo pipefail
AUTOGRADER="${AUTOGRADER:-/autograder}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if ! apt-cache show python3.11-venv >/dev/null 2>&1; then
  apt-get install -y -qq software-properties-common
  add-apt-repository -y ppa:deadsnakes/ppa
  apt-get update -qq
fi
# util-linux gives `unshare`: each submission in its own PID and mount namespaces.
apt-get install -y -qq python3.11 python3.11-venv util-linux
python3.11 -m venv "$AUTOGRADER/venv"
"$AUTOGRADER/venv/bin/pip" install -q --extra-index-url https://download.pytorch.org/whl/cpu \\
  -r "$AUTOGRADER/source/requirements.txt"
"$AUTOGRADER/venv/bin/pip" install -q --no-deps "$AUTOGRADER/source/minigrad-src"
# Student code runs as its own unprivileged uid: what it imports must be readable by all.
chmod -R a+rX "$AUTOGRADER/venv"
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for each submission, as root. The grader writes results.json itself,
# also for an upload with no notebook or another exercise's (a 0 and the reason); should it
# not start at all, the fallback below still tells the student.
AUTOGRADER="${{AUTOGRADER:-/autograder}}"
RESULTS="$AUTOGRADER/results/results.json"
mkdir -p "$AUTOGRADER/results"
rm -f "$RESULTS"
cd "$AUTOGRADER/source" || exit 1
"$AUTOGRADER/venv/bin/python" -m grader "$AUTOGRADER/submission" --exercise {exercise} \\
  --timeout {timeout:g} --no-progress --gradescope "$RESULTS"
status=$?
if [ ! -s "$RESULTS" ]; then
  printf '{{"score": 0, "output": "%s", "tests": []}}\\n' \\
    "The autograder could not run (exit status $status); please tell your instructor." \\
    > "$RESULTS"
fi
"""

#: The packages the grader and graded answers need (students may import numpy, math, scipy
#: and minigrad), pinned to the versions installed here.
PINNED = ("numpy", "scipy", "torch", "ipython", "tqdm", "matplotlib")
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


def failure_json(message: str) -> dict[str, Any]:
    """A results.json for when grading itself failed: score 0, and what happened."""
    return {
        "score": 0.0,
        "output": message,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [],
    }


def requirements() -> str:
    """The grader's packages, pinned to the versions installed here (torch's CPU build
    keeps its ``+cpu``: the CUDA build of the same version is gigabytes larger)."""
    lines = []
    for name in PINNED:
        version = importlib.metadata.version(name)
        if not version.endswith("+cpu"):
            version = version.split("+")[0]
        lines.append(f"{name}=={version}")
    return "\n".join(lines) + "\n"


def build_bundle(directory: str | Path, exercise: str, timeout: float = 60.0) -> Path:
    """Write the Gradescope autograder zip for one exercise into ``directory``; its path."""
    core.get_exercise(exercise)  # a KeyError lists the known ids
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    root = Path(__file__).resolve().parents[1]  # the course: grader/ beside minigrad/
    zip_path = directory / f"minigrad_{exercise}_autograder.zip"
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
        _add(z, "setup.sh", SETUP)
        _add(z, "run_autograder", RUN.format(exercise=exercise, timeout=timeout))
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
