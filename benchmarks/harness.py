"""Measure a benchmark as a student meets it: in a fresh Jupyter kernel of its own.

A notebook runs its code in an IPython kernel that has already imported numpy, torch,
matplotlib and graphviz (the course's notebooks all do), with the garbage collector on. Both
matter for speed: every object those libraries keep alive is walked by each full collection
of the garbage collector, so a library that allocates many objects pays for a big heap that
is not its own. A benchmark that times two libraries one after the other in a bare Python
process measures neither situation (each one's garbage is collected on the other's clock, and
the heap is small).

So every measurement here starts a new kernel (the course's own ``python3`` kernel, through
``jupyter_client``), runs the notebook imports, imports ONE library, warms up, and times each
step by the wall clock (``time.perf_counter``), GC on. Several kernels per library, taken in
turn with the other libraries' kernels so that load from other programs hits all alike; the
result is the median over the kernels of each kernel's mean time per step, and their range.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOTEBOOK_IMPORTS = (
    "import numpy as np\nimport torch\nimport matplotlib.pyplot as plt\nimport graphviz\n"
)
_RESULT = "@@benchmark-result@@"
WARMUP = 10  # untimed steps first (see time_steps)


@dataclass
class Timing:
    """Times of one step of one implementation, gathered in one or more kernels.

    A kernel's figure is its mean time per step: steps that trigger a full collection of the
    garbage collector take several times longer than the others, and the mean charges each
    step its share of them (a median of single steps would hide them or count only them).
    The result is the median of the kernels' figures; the spread is their range.
    """

    benchmark: str
    implementation: str
    per_kernel: list[list[float]] = field(default_factory=list)  # seconds, one list per kernel
    extra: dict[str, float] = field(default_factory=dict)

    def kernel_means(self) -> list[float]:
        """Mean seconds per step in each kernel."""
        return [statistics.fmean(ts) for ts in self.per_kernel]

    @property
    def median(self) -> float:
        """Median over the kernels of their mean time per step, in seconds."""
        return statistics.median(self.kernel_means())

    def spread(self) -> tuple[float, float]:
        """The fastest and the slowest kernel's mean time per step, in seconds."""
        means = self.kernel_means()
        return min(means), max(means)

    def describe(self) -> str:
        """'<median> (<fastest> to <slowest> over K kernels)'."""
        low, high = self.spread()
        k = len(self.per_kernel)
        if k == 1:
            return f"{fmt_ms(self.median)} (1 kernel)"
        return f"{fmt_ms(self.median)} ({fmt_ms(low)} to {fmt_ms(high)} over {k} kernels)"


def time_steps(step: Callable[[], object], runs: int, warmup: int) -> list[float]:
    """Wall-clock seconds of each of ``runs`` calls of ``step()``, after ``warmup`` calls.

    Warm up with ``WARMUP`` steps or more: CPython 3.11 specializes a function's bytecode for
    the types it meets only after the function has been called 8 times (a loop that ends in a
    conditional jump, as ``while stack:`` does, does not count towards it), and a function
    called once per step, such as a backward loop, runs unspecialized until then.

    The garbage collector stays as the caller left it (on, in a notebook): collections that a
    step triggers are part of what that step costs.
    """
    for _ in range(warmup):
        step()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return times


def gc_profile(step: Callable[[], object], steps: int) -> dict[str, float]:
    """Collections per step by generation and seconds per step inside the garbage collector."""
    import gc

    counts = [0, 0, 0]
    spent = 0.0
    started = 0.0

    def callback(phase: str, info: dict[str, int]) -> None:
        nonlocal spent, started
        if phase == "start":
            started = time.perf_counter()
        else:
            spent += time.perf_counter() - started
            counts[info["generation"]] += 1

    gc.callbacks.append(callback)
    try:
        for _ in range(steps):
            step()
    finally:
        gc.callbacks.remove(callback)
    return {
        "gen0 per step": counts[0] / steps,
        "gen1 per step": counts[1] / steps,
        "full per step": counts[2] / steps,
        "ms in gc per step": spent / steps * 1e3,
        "objects gc tracks": float(len(gc.get_objects())),
    }


def emit(result: object) -> None:
    """Print a result for ``run_in_kernel`` to pick up (one JSON line with a marker)."""
    print(_RESULT + json.dumps(result), flush=True)


def run_in_kernel(code: str, env: dict[str, str] | None = None, timeout: float = 900) -> object:
    """Run ``code`` in a fresh IPython kernel after the notebook imports; return what it emits.

    ``code`` must call ``harness.emit(...)`` once (``harness`` and this folder are importable
    in the kernel). Raises RuntimeError with the kernel's traceback if the code fails.
    """
    from jupyter_client.manager import start_new_kernel

    kernel_env = {**os.environ, **(env or {})}
    # stderr: the kernel warns that it talks over TCP without encryption (on loopback).
    km, kc = start_new_kernel(
        kernel_name="python3", cwd=str(HERE), env=kernel_env, stderr=subprocess.DEVNULL
    )
    printed: list[str] = []
    errors: list[str] = []

    def on_output(msg: dict) -> None:
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            printed.append(content["text"])
        elif kind == "error":
            errors.append("\n".join(content["traceback"]))

    try:
        setup = (
            NOTEBOOK_IMPORTS + f"import sys\nsys.path.insert(0, {str(HERE)!r})\nimport harness\n"
        )
        for cell in (setup, code):
            reply = kc.execute_interactive(cell, timeout=timeout, output_hook=on_output)
            if reply["content"]["status"] != "ok" or errors:
                raise RuntimeError("benchmark failed in its kernel:\n" + "\n".join(errors))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    for line in "".join(printed).splitlines():
        if line.startswith(_RESULT):
            return json.loads(line[len(_RESULT) :])
    raise RuntimeError("the benchmark emitted no result; it printed:\n" + "".join(printed))


@dataclass
class Baseline:
    """minigrad as it was at an earlier git revision, to time beside today's in the same run:
    its ``minigrad/`` folder, exported to ``path``, comes first on the kernel's PYTHONPATH."""

    label: str  # "minigrad@6a0cd03"
    path: Path

    @property
    def env(self) -> dict[str, str]:
        """The kernel environment that imports this revision's minigrad."""
        return {"PYTHONPATH": str(self.path)}

    def check(self, module_file: str) -> None:
        """Fail if a kernel imported some other minigrad than this revision's."""
        if not Path(module_file).resolve().is_relative_to(self.path.resolve()):
            raise RuntimeError(f"{self.label}: the kernel imported {module_file}")


def export_baseline(rev: str, into: Path) -> Baseline:
    """Export ``minigrad/`` of git revision ``rev`` of this repository into a new folder
    under ``into`` (``git archive``; the working tree is not touched)."""
    root = HERE.parent
    short = subprocess.run(
        ["git", "rev-parse", "--short", rev], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()
    path = into / f"minigrad-{short}"
    path.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "archive", short, "minigrad"], cwd=root, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(path)], input=archive, check=True)
    return Baseline(f"minigrad@{short}", path)


def machine() -> str:
    """One line naming the machine and the versions that were measured."""
    import numpy
    import torch

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"Python {platform.python_version()}, numpy {numpy.__version__}, "
        f"torch {torch.__version__}, {platform.system()} {platform.machine()}, {cpu}, "
        f"{os.cpu_count()} CPU(s), "
        f"load average {load:.2f} at the start"
    )


def fmt_ms(seconds: float) -> str:
    """Milliseconds with three significant digits, never in scientific notation."""
    ms = seconds * 1e3
    return f"{ms:,.0f} ms" if ms >= 100 else f"{ms:.3g} ms"


def log(text: str) -> None:
    """Progress to stderr, so that stdout holds only results."""
    print(text, file=sys.stderr, flush=True)
