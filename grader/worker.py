"""The student's side of grading: run one notebook's code, then the questions' inputs.

Started by :mod:`grader.sandbox` as ``python -I -c ...`` in a scratch directory (as PID 1 of
its own namespaces under ``unshare`` where the machine allows it). It reads one JSON request
on stdin (cells, cells to skip, folders to hide, the questions' cases), makes its mounts
private and, as root, switches to the submission's own uid (else, in a user namespace, drops
every capability) before any student code runs; it sets its resource limits, then reports
progress and
results as JSON lines on the file descriptor it was given. Student code can tamper with
anything in this process, which is why nothing here decides a score: the grader compares.
"""

from __future__ import annotations

import builtins
import json
import os
import resource
import sys
from typing import Any


class _Shell:
    """Stands in for IPython's ``get_ipython()``: magics and shell escapes do nothing.

    ``%pip install`` must never run while grading; ``%%time``-style cell magics still run
    their body so that the definitions in them count.
    """

    def __init__(self, namespace: dict[str, Any]) -> None:
        self.namespace = namespace

    def run_line_magic(self, name: str, line: str, *args: Any) -> None:
        return None

    def run_cell_magic(self, name: str, line: str, cell: str) -> None:
        if name in ("time", "timeit", "capture", "prun"):
            exec(compile(cell, f"<%%{name} cell>", "exec"), self.namespace)

    def system(self, *args: Any) -> None:
        return None

    def getoutput(self, *args: Any) -> list:
        return []


# mount(2) flags and unshare(2)'s CLONE_NEWNS, from <sys/mount.h> and <sched.h>.
MS_RDONLY, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 32, 4096, 16384, 1 << 18
CLONE_NEWNS = 0x00020000
#: The world-writable directories a submission gets fresh, empty and private.
PRIVATE_DIRS = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")


def _libc() -> Any:
    import ctypes

    return ctypes.CDLL(None, use_errno=True)


def _private_tmp(hide: list[str]) -> bool:
    """Give this process its own empty /tmp, /var/tmp, /dev/shm, /run/lock, and cover every
    directory in ``hide`` (the course's solutions, the submissions' folders) with an empty
    read-only mount (needs root or a user namespace; Linux).

    What the notebook writes in the world-writable directories vanishes with the process
    instead of landing on the machine. Returns False where mount namespaces are unavailable.
    """
    libc = _libc()
    if libc.unshare(CLONE_NEWNS) != 0:
        return False
    if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return False
    for path in PRIVATE_DIRS:
        if os.path.isdir(path) and not os.path.islink(path):
            _cover(libc, path, writable=True)
    for path in hide:
        real = os.path.realpath(path)
        if os.path.isdir(real) and real not in PRIVATE_DIRS and real != "/":
            _cover(libc, real, writable=False)
    return True


def _cover(libc: Any, path: str, writable: bool) -> None:
    """Mount an empty tmpfs over ``path``; bind back, read-only, the entries in it that hold
    this process's import path (the course and its .venv may live under /tmp in CI, or beside
    the submissions) and, writable, the one that holds the scratch directory."""
    keep = _entries_on_import_path(path)
    if any(os.path.realpath(item) == os.path.realpath(path) for item in sys.path if item):
        # The directory is itself on the import path (a submission beside grader/ and
        # minigrad/ in the course): its packages stay, everything else is hidden.
        keep |= {
            e for e in os.listdir(path) if os.path.isfile(os.path.join(path, e, "__init__.py"))
        }
    scratch = _entries_holding(path, [os.getcwd()]) if not writable else set()
    original = os.open(path, os.O_RDONLY | os.O_DIRECTORY)  # reaches what the tmpfs hides
    try:
        options = b"size=256m,mode=1777" if writable else b"size=64k,mode=0755"
        if libc.mount(b"tmpfs", path.encode(), b"tmpfs", 0, options) != 0:
            return
        for entry in sorted(keep | scratch):
            target = os.path.join(path, entry).encode()
            os.makedirs(target, exist_ok=True)
            source = f"/proc/self/fd/{original}/{entry}".encode()
            if libc.mount(source, target, None, MS_BIND | MS_REC, None) == 0 and entry in keep:
                libc.mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY, None)
        if not writable:
            libc.mount(None, path.encode(), None, MS_REMOUNT | MS_RDONLY, None)
    finally:
        os.close(original)


def _reachable_by_all(path: str) -> bool:
    """Whether any user can list and read ``path`` (every parent directory searchable)."""
    real = os.path.realpath(path)
    try:
        if os.stat(real).st_mode & 0o005 != 0o005:
            return False
        while real != os.path.dirname(real):
            real = os.path.dirname(real)
            if not os.stat(real).st_mode & 0o001:
                return False
    except OSError:
        return False
    return True


def _expose_import_path() -> None:
    """Bind, read-only, every import-path directory that the student's uid could not reach
    (e.g. a course checked out under /root) to a reachable place in the private /tmp, and
    point ``sys.path`` there: the notebook's ``import numpy`` must work after the switch."""
    libc = _libc()
    base = "/tmp/.minigrad-import"  # on the private tmpfs; searchable by all once it is 755
    for i, item in enumerate(sys.path):
        if not item or not os.path.isdir(item) or _reachable_by_all(item):
            continue
        target = os.path.join(base, str(i))
        os.makedirs(target, mode=0o755, exist_ok=True)
        os.chmod(base, 0o755)  # makedirs applies the umask to the parent it creates
        if libc.mount(
            os.path.realpath(item).encode(), target.encode(), None, MS_BIND | MS_REC, None
        ):
            continue
        libc.mount(None, target.encode(), None, MS_BIND | MS_REMOUNT | MS_RDONLY, None)
        sys.path[i] = target


def _entries_on_import_path(directory: str) -> set[str]:
    """The names directly in ``directory`` that hold a ``sys.path`` entry (directories only)."""
    return _entries_holding(directory, [item for item in sys.path if item])


def _entries_holding(directory: str, paths: list[str]) -> set[str]:
    """The names directly in ``directory`` that are or contain one of ``paths``."""
    entries = set()
    for item in paths:
        relative = os.path.relpath(os.path.realpath(item), os.path.realpath(directory))
        first = relative.split(os.sep, 1)[0]
        if first not in (".", "..") and os.path.isdir(os.path.join(directory, first)):
            entries.add(first)
    return entries


def _become_student(uid: int, hide: list[str]) -> None:
    """Switch from root to the submission's own uid for good (private mounts first, setuid
    programs refused, killed with its parent); exit if that fails."""
    scratch = os.getcwd()
    if _private_tmp(hide):
        _expose_import_path()
    os.makedirs(scratch, exist_ok=True)  # the same path, now on the private tmpfs
    os.chown(scratch, uid, uid)
    os.chdir(scratch)
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    if uid not in (os.getuid(), os.geteuid()) or 0 in os.getresuid():
        os._exit(70)
    _no_new_privileges()


def _drop_capabilities(hide: list[str]) -> None:
    """In a user namespace (the grader is not root): private mounts, then give up every
    capability, so that student code cannot undo the mounts; exit if that fails."""
    scratch = os.getcwd()
    if not _private_tmp(hide):
        os._exit(71)
    os.makedirs(scratch, exist_ok=True)
    os.chdir(scratch)
    libc = _libc()
    for cap in range(64):
        libc.prctl(24, cap, 0, 0, 0)  # PR_CAPBSET_DROP: no exec can regain it
    libc.prctl(47, 4, 0, 0, 0)  # PR_CAP_AMBIENT_CLEAR_ALL
    libc.prctl(28, 0x2F, 0, 0, 0)  # PR_SET_SECUREBITS: uid 0 here gets no capabilities back
    import ctypes

    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this thread
    data = (ctypes.c_uint32 * 6)()  # effective, permitted, inheritable (two words each): none
    libc.capset(header, data)
    with open("/proc/self/status") as status:
        effective = next(line for line in status if line.startswith("CapEff:"))
    if int(effective.split()[1], 16) != 0:
        os._exit(72)
    _no_new_privileges()


def _no_new_privileges() -> None:
    libc = _libc()
    libc.prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS: setuid programs give nothing
    libc.prctl(1, 9, 0, 0, 0)  # PR_SET_PDEATHSIG: SIGKILL when the parent (unshare) dies
    _limit(resource.RLIMIT_NPROC, 256)  # a fork bomb stops here


def _limit(kind: int, value: int) -> None:
    try:
        resource.setrlimit(kind, (value, value))
    except (ValueError, OSError):
        pass  # an existing lower hard limit stays, which is just as safe


def main() -> None:
    """Entry point; argv: result_fd, memory_mb, cpu_seconds, file_mb, uid (-1: keep this
    user), namespaced (1 when started by ``unshare`` in a user namespace, else 0)."""
    fd, memory_mb, cpu_seconds, file_mb, uid, user_namespace = (int(v) for v in sys.argv[1:7])
    request = json.loads(sys.stdin.buffer.read())
    hide = [str(p) for p in request.get("hide", [])]
    if uid >= 0:
        _become_student(uid, hide)
    elif user_namespace:
        _drop_capabilities(hide)
    write = os.write  # kept before any student code can replace os.write

    def emit(message: dict) -> None:
        data = (json.dumps(message) + "\n").encode()
        while data:
            data = data[write(fd, data) :]

    _limit(resource.RLIMIT_AS, memory_mb * 2**20)
    _limit(resource.RLIMIT_CPU, cpu_seconds)
    _limit(resource.RLIMIT_FSIZE, file_mb * 2**20)
    _limit(resource.RLIMIT_CORE, 0)
    # Close stdin so that a notebook calling input() fails at once instead of waiting.
    os.close(0)
    os.open(os.devnull, os.O_RDONLY)

    from IPython.core.inputtransformer2 import TransformerManager

    from grader import core, wire

    exercise = core.get_exercise(request["exercise"])
    transform = TransformerManager().transform_cell
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
    namespace["get_ipython"] = lambda: _Shell(namespace)
    namespace["display"] = lambda *objects, **kwargs: None  # a builtin in Jupyter kernels
    skip = set(request["skip_cells"])
    for index, source in enumerate(request["cells"]):
        if index in skip:
            continue
        emit({"event": "cell", "index": index})
        try:
            code = compile(transform(source), f"<cell {index + 1}>", "exec")
            exec(code, namespace)
        except BaseException as exc:  # a failing cell must not stop grading
            message = f"{type(exc).__name__}: {exc}".removesuffix(": ")[:300]
            emit({"event": "cell_error", "index": index, "error": message})
    emit({"event": "cells_done"})
    for name, cases in request["questions"].items():
        question = exercise.question(name)
        emit({"event": "question", "name": name})
        results = []
        for index, case in enumerate(cases):
            emit({"event": "case", "index": index})
            results.append(core.run_case(question, namespace, wire.decode(case)))
        emit({"event": "result", "name": name, "results": results})
    for stream in (sys.__stdout__, sys.__stderr__):  # os._exit below would lose the buffers
        try:
            stream.flush()  # type: ignore[union-attr]
        except BaseException:
            pass
    emit({"event": "done"})
    # Skip atexit handlers and thread joins a notebook may have registered.
    os._exit(0)


if __name__ == "__main__":
    main()
