"""The worker's import path: it finds this grader and this minigrad, and its private /tmp
does not hide the course itself when the course lives under /tmp (CI)."""

import subprocess
import sys
import tempfile
from pathlib import Path

from grader import worker


def test_entries_holding_the_import_path_are_found(tmp_path, monkeypatch):
    (tmp_path / "checkout" / ".venv" / "site-packages").mkdir(parents=True)
    (tmp_path / "unrelated").mkdir()
    import_path = [str(tmp_path / "checkout" / ".venv" / "site-packages"), "/usr/lib", ""]
    monkeypatch.setattr(sys, "path", import_path)
    assert worker._entries_on_import_path(str(tmp_path)) == {"checkout"}


def test_nothing_is_kept_when_the_import_path_is_elsewhere(tmp_path, monkeypatch):
    (tmp_path / "student-files").mkdir()
    monkeypatch.setattr(sys, "path", ["/usr/lib/python3.11", "/opt/course"])
    assert worker._entries_on_import_path(str(tmp_path)) == set()


def test_reachability_follows_every_parent_directory():
    # Not pytest's tmp_path: its parent directory is private to the user running the tests.
    with tempfile.TemporaryDirectory(dir="/tmp") as top:
        Path(top).chmod(0o755)
        check_reachability(Path(top))


def check_reachability(top):
    outer = top / "home"
    inner = outer / "course" / "site-packages"
    inner.mkdir(parents=True)
    outer.chmod(0o755)
    (outer / "course").chmod(0o755)
    inner.chmod(0o755)
    assert worker._reachable_by_all(str(inner))
    outer.chmod(0o700)  # like /root: the course below it is out of reach for other users
    assert not worker._reachable_by_all(str(inner))
    outer.chmod(0o755)
    inner.chmod(0o750)
    assert not worker._reachable_by_all(str(inner))


def test_the_worker_path_finds_this_grader_and_this_minigrad():
    # The worker runs as `python -I` (no PYTHONPATH, no current directory on the path), with
    # only site-packages and sandbox.course_paths() added: both packages must come from here.
    import importlib.util

    import grader
    from grader import sandbox

    paths = sandbox.course_paths()
    probe = (
        "import importlib.util, sys; sys.path[:0] = sys.argv[1:]; "
        "print(importlib.util.find_spec('grader').origin); "
        "print(importlib.util.find_spec('minigrad').origin)"
    )
    run = subprocess.run(
        [sys.executable, "-I", "-S", "-c", probe, *paths],
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
    )
    assert run.returncode == 0, run.stderr
    found = [str(Path(p).resolve()) for p in run.stdout.split()]
    minigrad_here = importlib.util.find_spec("minigrad").origin
    assert found == [str(Path(grader.__file__).resolve()), str(Path(minigrad_here).resolve())]
