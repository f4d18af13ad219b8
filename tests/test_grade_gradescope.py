"""The Gradescope bundle end to end, in a fake ``/autograder`` layout under a temporary folder.

``setup.sh`` runs with stand-ins for apt-get, add-apt-repository and python3.11 (which log
their calls; the venv it makes is this Python with the bundle's own source first on its
path); then ``run_autograder`` grades uploads as Gradescope would, and each must leave a
results.json: full marks, a clear 0 for no notebook or another exercise's, one notebook
graded of several, a metadata-less "Copy of ..." recognised, and a fallback when the
grader cannot start at all.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader import get_exercise

ROOT = Path(__file__).resolve().parents[1]
SOLUTION_01 = ROOT / "solutions" / "01_chain_rule_exercises.ipynb"
SOLUTION_03 = ROOT / "solutions" / "03_value_autograd_exercises.ipynb"
EXERCISE = "01_chain_rule"
FULL = get_exercise(EXERCISE).max_score

STUB_APT = """#!/usr/bin/env bash
echo "$(basename "$0") $*" >> "$STUB_LOG"
"""
STUB_APT_CACHE = """#!/usr/bin/env bash
echo "apt-cache $*" >> "$STUB_LOG"
[ "$HAS_PYTHON311" = 1 ]
"""
STUB_PYTHON = """#!/usr/bin/env bash
echo "python3.11 $*" >> "$STUB_LOG"
if [ "$1 $2" = "-m venv" ]; then
  mkdir -p "$3/bin"
  printf '#!/usr/bin/env bash\\nPYTHONPATH=%s exec %s "$@"\\n' \\
    "$AUTOGRADER/source/minigrad-src" "{python}" > "$3/bin/python"
  printf '#!/usr/bin/env bash\\necho "pip $*" >> "%s"\\n' "$STUB_LOG" > "$3/bin/pip"
  chmod +x "$3/bin/python" "$3/bin/pip"
fi
"""


def _build(tmp: Path) -> Path:
    run = subprocess.run(
        [sys.executable, "-m", "grader", "--build-gradescope", str(tmp), "--exercise", EXERCISE],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    return tmp / f"minigrad_{EXERCISE}_autograder.zip"


def _setup(tmp: Path, has_python311: bool) -> tuple[Path, list[str]]:
    """Unzip the bundle into tmp/autograder/source and run its setup.sh with the stand-ins."""
    home = tmp / "autograder"
    (home / "source").mkdir(parents=True)
    with zipfile.ZipFile(_build(tmp / "dist")) as z:
        z.extractall(home / "source")
    stubs, log = tmp / "stubs", tmp / "calls.log"
    stubs.mkdir()
    for name, text in {
        "apt-get": STUB_APT,
        "add-apt-repository": STUB_APT,
        "apt-cache": STUB_APT_CACHE,
        "python3.11": STUB_PYTHON.format(python=sys.executable),
    }.items():
        (stubs / name).write_text(text)
        (stubs / name).chmod(0o755)
    env = os.environ | {
        "PATH": f"{stubs}:{os.environ['PATH']}",
        "AUTOGRADER": str(home),
        "STUB_LOG": str(log),
        "HAS_PYTHON311": "1" if has_python311 else "0",
    }
    run = subprocess.run(
        ["bash", str(home / "source" / "setup.sh")], env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    return home, log.read_text().splitlines()


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    home, _ = _setup(tmp_path_factory.mktemp("gradescope"), has_python311=True)
    return home


def _run(home: Path, uploads: dict[str, bytes]) -> dict:
    submission = home / "submission"
    shutil.rmtree(submission, ignore_errors=True)
    submission.mkdir()
    for name, data in uploads.items():
        (submission / name).write_bytes(data)
    run = subprocess.run(
        ["bash", str(home / "source" / "run_autograder")],
        env=os.environ | {"AUTOGRADER": str(home)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    return json.loads((home / "results" / "results.json").read_text())


def _without_metadata(source: Path, keep_checker: bool = True) -> bytes:
    nb = nbformat.read(source, 4)
    nb.metadata.pop("minigrad")
    if not keep_checker:
        for cell in nb.cells:
            cell.source = cell.source.replace(f'checker("{EXERCISE}", globals())', "print")
    return nbformat.writes(nb).encode()


def _max(results: dict) -> float:
    return sum(t["max_score"] for t in results["tests"])


def test_bundle_holds_the_scripts_the_source_and_pinned_requirements(tmp_path):
    with zipfile.ZipFile(_build(tmp_path)) as z:
        names = set(z.namelist())
        assert {"setup.sh", "run_autograder", "requirements.txt"} <= names
        assert {"minigrad-src/grader/worker.py", "minigrad-src/minigrad/__init__.py"} <= names
        assert "minigrad-src/pyproject.toml" in names
        assert not any(n.startswith("minigrad-src/solutions") for n in names)
        requirements = z.read("requirements.txt").decode().split()
        assert any(r.startswith("torch==2.13.0") for r in requirements)
        assert any(r.startswith("scipy==") for r in requirements)  # students may import it
        assert f"--exercise {EXERCISE}" in z.read("run_autograder").decode()
        z.extractall(tmp_path / "source")
    for script in ("setup.sh", "run_autograder"):
        assert subprocess.run(["bash", "-n", str(tmp_path / "source" / script)]).returncode == 0


def test_a_bundle_is_built_for_one_exercise_only(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "grader", "--build-gradescope", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2 and "--exercise" in run.stderr


@pytest.mark.parametrize("has_python311", [True, False], ids=["ubuntu-22.04", "ubuntu-20.04"])
def test_setup_updates_apt_before_installing(tmp_path, has_python311):
    _, calls = _setup(tmp_path, has_python311)
    apt = [c for c in calls if c.startswith(("apt-get", "add-apt-repository"))]
    assert apt[0] == "apt-get update -qq", calls
    installs = [i for i, c in enumerate(apt) if "install" in c]
    assert installs and all(i > 0 for i in installs)
    assert any("python3.11 python3.11-venv" in c for c in apt)
    assert ("add-apt-repository -y ppa:deadsnakes/ppa" in apt) is (not has_python311)
    if not has_python311:  # the PPA's package lists are read before python3.11 is installed
        ppa = apt.index("add-apt-repository -y ppa:deadsnakes/ppa")
        assert apt[ppa + 1] == "apt-get update -qq"
    assert any(c.startswith("python3.11 -m venv") for c in calls)
    pip = [c for c in calls if c.startswith("pip install")]
    assert len(pip) == 2 and "requirements.txt" in pip[0] and "minigrad-src" in pip[1]


def test_the_venv_runs_the_bundles_own_grader(autograder):
    probe = "import grader, minigrad; print(grader.__file__); print(minigrad.__file__)"
    out = subprocess.run(
        [str(autograder / "venv" / "bin" / "python"), "-c", probe],
        capture_output=True,
        text=True,
        cwd=autograder / "source",
    ).stdout.split()
    source = str(autograder / "source" / "minigrad-src")
    assert len(out) == 2 and all(p.startswith(source) for p in out), out


def test_a_correct_notebook_gets_full_marks(autograder):
    results = _run(autograder, {"my_work.ipynb": SOLUTION_01.read_bytes()})
    assert results["score"] == _max(results) == FULL
    assert [t["name"] for t in results["tests"]] == [
        q.name for q in get_exercise(EXERCISE).questions
    ]
    assert all(t["status"] == "passed" for t in results["tests"])


def test_no_notebook_gets_a_clear_zero(autograder):
    results = _run(autograder, {"answers.py": b"print('hi')"})
    assert results["score"] == 0 and _max(results) == FULL
    assert "no notebook (.ipynb) was uploaded" in results["tests"][0]["output"]


def test_another_exercise_gets_a_clear_zero(autograder):
    results = _run(autograder, {"03_value_autograd_exercises.ipynb": SOLUTION_03.read_bytes()})
    assert results["score"] == 0 and _max(results) == FULL
    output = results["tests"][0]["output"]
    assert "this assignment is exercise 01_chain_rule" in output
    assert "is exercise 03_value_autograd" in output


def test_one_notebook_is_graded_of_several(autograder):
    uploads = {
        f"{EXERCISE}_exercises.ipynb": SOLUTION_01.read_bytes(),
        "copy.ipynb": SOLUTION_01.read_bytes(),
        "other.ipynb": SOLUTION_03.read_bytes(),
    }
    results = _run(autograder, uploads)
    assert results["score"] == _max(results) == FULL  # not twice that, not the sum
    assert "ignored: copy.ipynb, other.ipynb" in results["output"]


@pytest.mark.parametrize("keep_checker", [True, False], ids=["check cell", "nothing to go by"])
def test_a_metadata_less_copy_is_recognised(autograder, keep_checker):
    data = _without_metadata(SOLUTION_01, keep_checker)
    results = _run(autograder, {f"Copy of {EXERCISE}_exercises.ipynb": data, "x.txt": b""})
    assert results["score"] == _max(results) == FULL
    results = _run(autograder, {"homework (1).ipynb": data})
    if keep_checker:
        assert results["score"] == FULL and "exercise it checks" in results["output"]
    else:  # no metadata, no check cell, no id in the name: graded as the assignment's
        assert results["score"] == FULL and "this assignment's exercise" in results["output"]


def test_results_json_is_written_even_when_the_grader_cannot_start(autograder, tmp_path):
    broken = tmp_path / "autograder"
    shutil.copytree(autograder / "source", broken / "source")
    (broken / "venv" / "bin").mkdir(parents=True)  # no python in it
    results = _run(broken, {"my_work.ipynb": SOLUTION_01.read_bytes()})
    assert results["score"] == 0 and "could not run" in results["output"]
