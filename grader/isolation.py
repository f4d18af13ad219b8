"""How one submission is kept apart from the others and from the grader (Linux).

Three layers, each used where the machine allows it (:func:`probe` finds out once):

- **namespaces**: the worker starts under ``unshare --pid --fork --mount-proc --net --ipc``.
  It is PID 1 of its own PID namespace, so a student process sees (in ``/proc``) and can
  signal only the processes of its own submission, and when the worker ends the kernel kills
  everything left in the namespace, however it was forked (``setsid``, double fork). It has
  its own mounts (private ``/tmp``; ``solutions/`` and the submissions' folders hidden under
  empty read-only mounts), no network and its own System V IPC. As root this needs nothing
  more; as an ordinary user it adds ``--user --map-root-user`` (a user namespace) where the
  kernel allows that, and the worker drops every capability before student code runs.
- **a user per submission** (as root only): each worker runs as its own uid from a pool
  (:class:`UidPool`, :data:`UID_BASE` upwards, uids no account uses), so no submission can
  signal, trace or read the files of another or of the grader, and
- **a sweep**: when its grading ends, every process of that uid is killed
  (:func:`sweep`) before the uid is handed out again, even where namespaces are refused
  (e.g. a container whose seccomp profile forbids ``unshare``).

What falls back when: see :func:`describe` (printed by ``python -m grader --isolation``).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import pwd
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

#: The first uid of the pool; a submission runs as UID_BASE + k (its gid is the same number).
#: Below 65536 so that it exists in containers that map only 64k uids.
UID_BASE = 64000
#: How many submissions may be graded at once on one machine (by every grader running there).
UID_POOL_SIZE = 512
#: Where the pool's lock files live: one per uid in use, locked while a submission runs as it
#: (so that two graders on one machine, or two test processes, never share a uid).
LOCK_DIRS = ("/run/minigrad-grader", "/tmp/minigrad-grader-uids")
UNSHARE = ("--pid", "--fork", "--mount-proc", "--kill-child", "--net", "--ipc")


@dataclass(frozen=True)
class Support:
    """What this machine allows: PID/mount namespaces (how), and a uid per submission."""

    namespaces: bool
    user_namespace: bool  # namespaces through a user namespace (the grader is not root)
    own_uid: bool  # running as root: each submission gets its own uid
    why_not: str = ""  # why namespaces are unavailable, if they are

    def prefix(self) -> list[str]:
        """The command prefix that starts a worker in its namespaces (empty without them)."""
        if not self.namespaces:
            return []
        user = ["--user", "--map-root-user"] if self.user_namespace else []
        return [_unshare_binary(), *user, *UNSHARE]


def _unshare_binary() -> str:
    return shutil.which("unshare") or "/usr/bin/unshare"


@functools.cache
def probe() -> Support:
    """Find out (once per process) what isolation this machine gives the grader."""
    root = os.geteuid() == 0
    unshare = shutil.which("unshare")
    if unshare is None or not sys.platform.startswith("linux"):
        return Support(False, False, root, "no `unshare` program (util-linux) on this machine")
    attempts = [[]] if root else [["--user", "--map-root-user"]]
    errors = []
    for user in attempts:
        command = [unshare, *user, *UNSHARE, sys.executable, "-I", "-S", "-c", _PROBE]
        try:
            run = subprocess.run(command, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.SubprocessError) as exc:
            errors.append(str(exc))
            continue
        if run.returncode == 0 and run.stdout.split() == ["1", "ok"]:
            return Support(True, bool(user), root)
        errors.append((run.stderr or run.stdout).strip().splitlines()[-1:] or ["failed"])
    return Support(False, False, root, f"`unshare` failed here: {errors[-1]}")


#: Run inside a fresh namespace: PID 1, a private /proc and a tmpfs mount must all work.
_PROBE = (
    "import ctypes, os\n"
    "libc = ctypes.CDLL(None, use_errno=True)\n"
    "ok = libc.mount(b'none', b'/', None, (1 << 14) | (1 << 18), None) == 0\n"
    "ok = ok and libc.mount(b'tmpfs', b'/tmp', b'tmpfs', 0, b'size=1m') == 0\n"
    "print(os.getpid(), 'ok' if ok else 'no-mount')\n"
)


def describe(support: Support | None = None) -> str:
    """One paragraph: how submissions are isolated here, and what is missing."""
    s = support or probe()
    lines = []
    if s.namespaces and not s.user_namespace:
        lines.append(
            "each submission runs in its own PID, mount, network and IPC namespaces (it sees "
            "and can signal only its own processes; all of them die with it)"
        )
    elif s.namespaces:
        lines.append(
            "each submission runs in its own user, PID, mount, network and IPC namespaces, "
            "without capabilities"
        )
    else:
        lines.append(f"no namespaces ({s.why_not}): submissions can see each other's processes")
    if s.own_uid:
        lines.append(
            f"as its own uid (from {UID_BASE}), so it cannot signal or read another "
            "submission or the grader; every process of that uid is killed when it ends"
        )
    else:
        lines.append(
            "as the grader's own user (not root): its code can read and write what you can, "
            "so grade untrusted notebooks as root (in a container, or on Gradescope)"
        )
    return "; ".join(lines) + "."


class UidPool:
    """Hands out one uid per running submission, machine-wide (lock files), never reused
    before every process of it has been killed."""

    def __init__(self, base: int = UID_BASE, size: int = UID_POOL_SIZE) -> None:
        self.base, self.size = base, size
        self._lock = threading.Lock()
        self._next = 0

    @contextlib.contextmanager
    def uid(self) -> Iterator[int]:
        """A free uid for one submission, swept of every process when the block ends."""
        uid, handle = self._acquire()
        try:
            sweep(uid)  # a previous grader that crashed may have left processes behind
            yield uid
        finally:
            try:
                sweep(uid)
            finally:
                handle.close()  # releases the lock

    def _acquire(self) -> tuple[int, object]:
        directory = _lock_dir()
        for _ in range(200):  # wait up to ~20 s for a free uid when the pool is exhausted
            with self._lock:
                start, self._next = self._next, (self._next + 1) % self.size
            for k in range(self.size):
                uid = self.base + (start + k) % self.size
                if _has_account(uid):
                    continue
                handle = open(directory / f"{uid}.lock", "a")
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    handle.close()
                    continue
                return uid, handle
            time.sleep(0.1)
        raise RuntimeError(f"no free uid in {self.base}..{self.base + self.size - 1}")


@functools.cache
def _lock_dir() -> Path:
    for name in LOCK_DIRS:
        path = Path(name)
        try:
            path.mkdir(mode=0o700, exist_ok=True)
            if path.stat().st_uid == os.geteuid() and os.access(path, os.W_OK):
                path.chmod(0o700)
                return path
        except OSError:
            continue
    raise RuntimeError(f"cannot create a lock directory for the uid pool (tried {LOCK_DIRS})")


def _has_account(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True


def processes_of(uid: int) -> list[int]:
    """The pids of every live process (not a zombie, which its parent has yet to reap)
    whose real, effective or saved uid is ``uid``."""
    found = []
    wanted = str(uid).encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", "rb") as f:
                for line in f:
                    if line.startswith(b"State:") and line.split()[1] in (b"Z", b"X"):
                        break
                    if line.startswith(b"Uid:"):
                        if wanted in line.split()[1:4]:
                            found.append(int(entry))
                        break
        except OSError:
            continue  # it ended meanwhile
    return found


def sweep(uid: int, attempts: int = 50) -> None:
    """Kill every process of ``uid`` (as root), including ones forked meanwhile.

    ``kill(-1, SIGKILL)`` sent *as that uid* reaches all of its processes at once, so a fork
    bomb cannot outrun it; it is repeated until none is left.
    """
    if os.geteuid() != 0:
        return
    python = _killer_python()
    for _ in range(attempts):
        if not processes_of(uid):
            return
        subprocess.run(
            [*python, "-c", "import os\ntry: os.kill(-1, 9)\nexcept OSError: pass"],
            user=uid,
            group=uid,
            extra_groups=[],
            env={},
            cwd="/",
            check=False,
        )
        time.sleep(0.01)
    raise RuntimeError(f"processes of uid {uid} survive SIGKILL: {processes_of(uid)}")


def _killer_python() -> list[str]:
    from grader.sandbox import unprivileged_python

    return unprivileged_python()
