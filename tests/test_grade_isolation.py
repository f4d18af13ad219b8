"""One submission cannot reach another or the grader: a sibling-killing notebook and a
solutions-reading notebook are graded with six clean ones, one and two at a time.

The killer detaches a daemon (``setsid`` and a double fork) that, for two minutes, sends
SIGKILL to every process it may signal. The reader tries the course's ``solutions/`` and the
other submissions. Each scores its q1 only if its attack found nothing to attack, so its own
score shows what it could reach. Needs root (a uid per submission) and ``unshare``.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from grader import Limits, get_exercise, isolation
from grader.__main__ import grade_all
from grader.sandbox import unprivileged_python

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
SUPPORT = isolation.probe()
pytestmark = pytest.mark.skipif(
    not (SUPPORT.own_uid and SUPPORT.namespaces),
    reason="isolation needs root and unshare: " + isolation.describe(SUPPORT),
)

KILLER = """
import os, signal, time

def _visible_others():
    me = os.getuid()
    others = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/status") as f:
                    uid = next(int(l.split()[1]) for l in f if l.startswith("Uid:"))
            except (OSError, StopIteration):
                continue
            if uid != me:
                others.append(int(entry))
    return others

isolated = not _visible_others()
child = os.fork()
if child == 0:
    os.setsid()
    if os.fork() == 0:  # the daemon: no parent to wait for it, its own session
        end = time.time() + 120
        while time.time() < end:
            try:
                os.kill(-1, signal.SIGKILL)
            except OSError:
                pass
            for entry in os.listdir("/proc"):
                if entry.isdigit() and int(entry) != os.getpid():
                    try:
                        os.kill(int(entry), signal.SIGKILL)
                    except OSError:
                        pass
            time.sleep(0.02)
    os._exit(0)
os.waitpid(child, 0)
time.sleep(0.5)  # let the daemon run while this notebook is still being graded
"""


def _reader(targets: list[str]) -> str:
    return f"""
import glob, os
import grader

course = os.path.dirname(os.path.dirname(grader.__file__))
targets = {targets!r} + glob.glob(os.path.join(course, "solutions", "*"))
targets.append(os.path.join(course, "solutions", "01_chain_rule_exercises.ipynb"))
isolated = True
for target in targets:
    try:
        with open(target) as f:
            if f.read(10):
                isolated = False
    except OSError:
        pass
"""


def _hostile(target: Path, cell: str) -> Path:
    nb = nbformat.read(ROOT / "solutions" / "01_chain_rule_exercises.ipynb", as_version=4)
    index = next(i for i, c in enumerate(nb.cells) if "checker(" in c.source) + 1
    nb.cells.insert(index, new_code_cell(cell))
    # q1 is right only if the attack found nothing to attack.
    for c in nb.cells:
        c.source = c.source.replace(
            "return (np.sin(u) + u * np.cos(u) + 1) * 2 * x",
            "return (np.sin(u) + u * np.cos(u) + 1) * 2 * x * (1 if isolated else 2)",
        )
    nbformat.write(nb, target)
    return target


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    clean = []
    for path in SOLUTIONS:
        clean.append(folder / f"clean_{path.name}")
        shutil.copy(path, clean[-1])
    killer = _hostile(folder / "00_killer.ipynb", KILLER)
    targets = [str(p) for p in clean] + [str(p) for p in SOLUTIONS]
    reader = _hostile(folder / "00_reader.ipynb", _reader(targets))
    return [killer, reader, *clean]


def _pool_processes() -> dict[int, list[int]]:
    """Processes left under the pool's uids. A uid that another grading holds (a test in
    another pytest worker, at the same time) is not looked at: its processes are that grading's.
    Holding a uid's lock while looking means no grading can be using it meanwhile."""
    pool = range(isolation.UID_BASE, isolation.UID_BASE + isolation.UID_POOL_SIZE)
    found: dict[int, list[int]] = {}
    for uid in pool:
        if not isolation.processes_of(uid):
            continue
        with open(isolation._lock_dir() / f"{uid}.lock", "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # in use by a grading that is running now
            if pids := isolation.processes_of(uid):
                found[uid] = pids
    return found


@pytest.mark.parametrize("jobs", [1, 2])
def test_clean_notebooks_keep_full_marks_beside_a_killer_and_a_reader(batch, jobs):
    results = grade_all(batch, Limits(timeout=90), jobs=jobs, progress=False)
    killer, reader, *clean = results
    for result in clean:
        assert result.total == result.max_total > 0, (result.file, result.reasons, result.notes)
    # The attacks ran (their cells raised nothing) and reached nothing.
    assert not any("raised" in n for n in killer.notes + reader.notes), killer.notes
    assert killer.scores["q1"] == 1, "the killer saw other processes: " + killer.reasons["q1"]
    assert reader.scores["q1"] == 1, "the reader read a solution: " + reader.reasons["q1"]
    # The detached daemon was killed when its notebook's grading ended.
    assert _pool_processes() == {}


def test_each_submission_gets_its_own_uid_and_none_is_left_running():
    pool = isolation.UidPool(base=isolation.UID_BASE + isolation.UID_POOL_SIZE - 8, size=4)
    with pool.uid() as first, pool.uid() as second:
        assert first != second
        assert isolation.UID_BASE <= first < isolation.UID_BASE + isolation.UID_POOL_SIZE
    # A process left as that uid (as if a grader had crashed) is killed before reuse.
    python = unprivileged_python()
    uid = isolation.UID_BASE + isolation.UID_POOL_SIZE - 1
    leftover = subprocess.Popen(
        [*python, "-c", "import time; time.sleep(300)"],
        user=uid,
        group=uid,
        extra_groups=[],
        start_new_session=True,
    )
    try:
        assert isolation.processes_of(uid) == [leftover.pid]
        isolation.sweep(uid)
        assert leftover.wait(timeout=10) == -9
        assert isolation.processes_of(uid) == []
    finally:
        if leftover.poll() is None:
            leftover.kill()


SYSTEM_PYTHON = Path("/usr/bin/python3.11")


@pytest.mark.skipif(not SYSTEM_PYTHON.exists(), reason="needs /usr/bin/python3.11")
def test_without_root_a_user_namespace_still_isolates(tmp_path):
    """The grader run by an ordinary user (a pool uid, with a venv that reuses this course's
    packages): user and PID namespaces, so the killer and the reader still reach nothing."""
    with isolation.UidPool().uid() as uid, tempfile.TemporaryDirectory(dir="/tmp") as top:
        home = Path(top)
        subprocess.run(
            [str(SYSTEM_PYTHON), "-m", "venv", "--without-pip", home / "venv"], check=True
        )
        site = next((home / "venv" / "lib").glob("python3.11/site-packages"))
        here = next(p for p in map(Path, sys.path) if p.name == "site-packages")
        (site / "course.pth").write_text(f"{here}\n{ROOT}\n")
        folder = home / "submissions"
        folder.mkdir()
        clean = [folder / "clean.ipynb"]
        shutil.copy(SOLUTIONS[0], clean[0])
        notebooks = [
            _hostile(folder / "killer.ipynb", KILLER),
            _hostile(folder / "reader.ipynb", _reader([str(p) for p in SOLUTIONS])),
            *clean,
        ]
        subprocess.run(["chown", "-R", f"{uid}:{uid}", top], check=True)
        Path(top).chmod(0o755)
        probe = (
            "import json, sys\n"
            "from grader import isolation\n"
            "from grader.__main__ import grade_all\n"
            "from grader.sandbox import Limits\n"
            "from pathlib import Path\n"
            "s = isolation.probe()\n"
            "r = grade_all([Path(p) for p in sys.argv[1:]], Limits(timeout=90), 2, False)\n"
            "print(json.dumps([s.namespaces, s.user_namespace, s.own_uid, "
            "[[x.scores, x.notes] for x in r]]))\n"
        )
        run = subprocess.run(
            [str(home / "venv" / "bin" / "python"), "-c", probe, *map(str, notebooks)],
            user=uid,
            group=uid,
            extra_groups=[],
            env={"PATH": "/usr/bin:/bin", "HOME": top},
            cwd=top,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert run.returncode == 0, run.stderr
        namespaces, user_namespace, own_uid, results = json.loads(run.stdout.splitlines()[-1])
        if not namespaces:
            pytest.skip("this kernel allows no user namespaces to an ordinary user")
        assert user_namespace and not own_uid
        (killer, _), (reader, _), (scores, notes) = results
        assert killer["q1"] == 1 and reader["q1"] == 1
        assert sum(scores.values()) == get_exercise("01_chain_rule").max_score, notes
        assert isolation.processes_of(uid) == []  # the daemon died with its namespace
