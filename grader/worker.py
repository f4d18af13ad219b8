"""The student's side of grading: run one notebook's code, then the questions' inputs.

Started by :mod:`grader.sandbox` as ``python -I -c ...`` in a scratch directory, as an
unprivileged user when the grader runs as root. It reads one JSON request on stdin (cells,
cells to skip, the questions' cases), sets its own resource limits, then reports progress and
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


NOBODY = 65534
# mount(2) flags and unshare(2)'s CLONE_NEWNS, from <sys/mount.h> and <sched.h>.
MS_RDONLY, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 32, 4096, 16384, 1 << 18
CLONE_NEWNS = 0x00020000


def _private_tmp() -> bool:
    """Give this process its own empty /tmp, /var/tmp and /dev/shm (needs root; Linux).

    A mount namespace whose world-writable directories are fresh tmpfs mounts: what the
    notebook writes there vanishes with the process instead of landing on the machine.
    Returns False where namespaces are unavailable (then only the user switch protects).
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNS) != 0:
        return False
    if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return False
    for path in ("/tmp", "/var/tmp", "/dev/shm"):
        if not os.path.isdir(path):
            continue
        # The course (and its .venv) may itself live under /tmp, e.g. in a CI checkout: the
        # top-level entries that hold this process's import path are bound back, read-only,
        # through a descriptor of the directory taken before the tmpfs hides it.
        needed = _entries_on_import_path(path)
        original = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            libc.mount(b"tmpfs", path.encode(), b"tmpfs", 0, b"size=256m,mode=1777")
            for entry in needed:
                target = os.path.join(path, entry).encode()
                os.makedirs(target, exist_ok=True)
                source = f"/proc/self/fd/{original}/{entry}".encode()
                if libc.mount(source, target, None, MS_BIND | MS_REC, None) == 0:
                    libc.mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY, None)
        finally:
            os.close(original)
    return True


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
    """Bind, read-only, every import-path directory that ``nobody`` could not reach (e.g. a
    course checked out under /root) to a reachable place in the private /tmp, and point
    ``sys.path`` there: the notebook's ``import numpy`` must work after the user switch."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    base = "/tmp/.minigrad-import"  # on the private tmpfs: nobody can search it once it is 755
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
    entries = set()
    for item in sys.path:
        if not item:
            continue
        relative = os.path.relpath(os.path.realpath(item), os.path.realpath(directory))
        first = relative.split(os.sep, 1)[0]
        if first not in (".", "..") and os.path.isdir(os.path.join(directory, first)):
            entries.add(first)
    return entries


def _become_nobody() -> None:
    """Switch from root to nobody for good (and refuse setuid programs); exit if that fails."""
    scratch = os.getcwd()
    if _private_tmp():
        _expose_import_path()
    os.makedirs(scratch, exist_ok=True)  # the same path, now on the private tmpfs
    os.chown(scratch, NOBODY, NOBODY)
    os.chdir(scratch)
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)
    if NOBODY not in (os.getuid(), os.geteuid()) or 0 in os.getresuid():
        os._exit(70)
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS
    except (OSError, AttributeError):
        pass
    _limit(resource.RLIMIT_NPROC, 256)  # a fork bomb stops here


def _limit(kind: int, value: int) -> None:
    try:
        resource.setrlimit(kind, (value, value))
    except (ValueError, OSError):
        pass  # an existing lower hard limit stays, which is just as safe


def main() -> None:
    """Entry point; argv: result_fd, memory_mb, cpu_seconds, file_mb, as_nobody (0 or 1)."""
    fd, memory_mb, cpu_seconds, file_mb, as_nobody = (int(v) for v in sys.argv[1:6])
    if as_nobody:
        _become_nobody()
    write = os.write  # kept before any student code can replace os.write

    def emit(message: dict) -> None:
        data = (json.dumps(message) + "\n").encode()
        while data:
            data = data[write(fd, data) :]

    _limit(resource.RLIMIT_AS, memory_mb * 2**20)
    _limit(resource.RLIMIT_CPU, cpu_seconds)
    _limit(resource.RLIMIT_FSIZE, file_mb * 2**20)
    _limit(resource.RLIMIT_CORE, 0)
    request = json.loads(sys.stdin.buffer.read())
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
        results = [core.run_case(question, namespace, wire.decode(case)) for case in cases]
        emit({"event": "result", "name": name, "results": results})
    emit({"event": "done"})
    # Skip atexit handlers and thread joins a notebook may have registered.
    os._exit(0)


if __name__ == "__main__":
    main()
