"""Run every benchmark, measure memory, and write ``benchmarks/results.md`` and ``results.png``.

Speed: each ``benchmarks/bench_*.py`` script runs in its own process (so one library's
imports and caches cannot slow the other down); every line it prints in the form
``<name>: <number> <unit> per <thing>`` becomes a row of the table, and its full output is
kept below the table. Memory: the peak of Python-tracked allocations (``tracemalloc``:
Python objects and numpy arrays) during one training step, for the scalar engines
(micrograd vs minigrad's ``Value``) and the tensor engine (minigrad's ``Tensor`` vs the same
MLP's forward and backward written by hand in numpy). torch allocates outside Python's
allocator, so tracemalloc cannot see it and it has no memory row.

Run: ``.venv/bin/python benchmarks/run_all.py [--repeat N]`` (about a minute).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import itertools
import os
import platform
import re
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
TIMING = re.compile(
    r"^\s*(?P<name>[^:]+?):\s+(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>s|ms|µs|us|ns) per (?P<per>\w+)"
)
TO_MS = {"s": 1e3, "ms": 1.0, "µs": 1e-3, "us": 1e-3, "ns": 1e-6}


def parse_timings(stem: str, out: str) -> dict[str, list[tuple[str, float]]]:
    """Timings (name, ms) per benchmark from a script's output, in either of two forms.

    ``<name>: <number> <unit> per <thing>`` lines (bench_value.py) form one benchmark named
    after the script; a table whose header names columns ``<library> ms`` (bench_tensor.py)
    gives one benchmark per row, named by the row's leading words.
    """
    found: dict[str, list[tuple[str, float]]] = {}
    libraries: list[str] = []
    for line in out.splitlines():
        m = TIMING.match(line)
        if m:
            ms = float(m["value"]) * TO_MS[m["unit"]]
            found.setdefault(f"{stem} step", []).append((m["name"].strip(), ms))
            continue
        words = line.split()
        if not words:  # a blank line ends a table (the next one may be in other units)
            libraries = []
            continue
        if "ms" in words[1:]:
            libraries = [w for w, after in itertools.pairwise(words) if after == "ms"]
            continue
        # A table row: a name, then only numbers, the first ones in the libraries' columns.
        numeric = [re.fullmatch(r"\d+(\.\d+)?", w) is not None for w in words]
        first = numeric.index(True) if True in numeric else len(words)
        if (
            libraries
            and first > 0
            and all(numeric[first:])
            and len(words) - first >= len(libraries)
        ):
            values = words[first : first + len(libraries)]
            name = " ".join(words[:first])
            found[f"{stem} step {name}"] = [
                (lib, float(v)) for lib, v in zip(libraries, values, strict=True)
            ]
    return found


def run_script(script: Path, repeat: int) -> str:
    """Run one benchmark script in its own process and return what it printed."""
    result = subprocess.run(
        [sys.executable, str(script), "--repeat", str(repeat)],
        capture_output=True,
        text=True,
        cwd=HERE.parent,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{script.name} failed (exit {result.returncode}):\n{result.stderr}")
    return result.stdout


def peak_bytes(fn) -> int:
    """Peak Python-tracked memory (bytes) while fn() runs, above what was live before."""
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak - base


def value_memory() -> list[tuple[str, int]]:
    """Peak memory of one step of micrograd's demo MLP (see bench_value.py) in both engines."""
    import random

    from bench_value import step, two_moons
    from micrograd.engine import Value as MicroValue
    from micrograd.nn import MLP as MicroMLP

    from minigrad import Value
    from minigrad.nn import MLP

    xs, ys = two_moons(100, noise=0.1, seed=0)
    random.seed(0)
    micro, mini = MicroMLP(2, [16, 16, 1]), MLP(2, [16, 16, 1])
    return [
        ("micrograd 0.1.0 Value", peak_bytes(lambda: step(MicroValue, micro, xs, ys))),
        ("minigrad Value", peak_bytes(lambda: step(Value, mini, xs, ys))),
    ]


def tensor_memory() -> list[tuple[str, int]]:
    """Peak memory of one MLP step (784-256-10, batch 128; see bench_tensor.py): minigrad's
    Tensor engine vs the same step written by hand in numpy, from the same numbers."""
    from bench_tensor import setup

    dims, batch = (784, 256, 10), 128
    return [
        ("minigrad Tensor", peak_bytes(setup("minigrad", dims, batch))),
        ("numpy by hand", peak_bytes(setup("numpy", dims, batch))),
    ]


def fmt_ms(ms: float) -> str:
    """Milliseconds with three significant digits, never in scientific notation."""
    return f"{ms:,.0f} ms" if ms >= 100 else f"{ms:.3g} ms"


def write_markdown(path: Path, timings, memory, outputs) -> None:
    """The results table (speed, then memory), the machine it ran on, and raw outputs."""
    import torch

    lines = [
        "# Benchmark results",
        "",
        f"Written by `benchmarks/run_all.py` on {datetime.date.today().isoformat()}: "
        f"Python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}, "
        f"{platform.machine()} {platform.system()}, {os.cpu_count()} CPU(s). Each time is the "
        "best of several runs of one training step (forward, backward, update); the Tensor "
        "benchmarks give torch and numpy's BLAS one thread each (see bench_tensor.py).",
        "",
        "| Benchmark | Implementation | Time per step | Relative |",
        "|---|---|---:|---:|",
    ]
    for bench, rows in timings.items():
        fastest = min(ms for _, ms in rows)
        for name, ms in rows:
            lines.append(f"| {bench} | {name} | {fmt_ms(ms)} | {ms / fastest:.1f}x |")
    lines += [
        "",
        "| Memory: one training step | Implementation | Peak traced memory | Relative |",
        "|---|---|---:|---:|",
    ]
    for bench, rows in memory.items():
        smallest = min(b for _, b in rows)
        for name, b in rows:
            lines.append(f"| {bench} | {name} | {b / 2**20:.2f} MiB | {b / smallest:.1f}x |")
    lines += [
        "",
        "Relative: 1.0x is the fastest (or smallest) in its benchmark. Peak traced memory is "
        "what Python's `tracemalloc` sees (Python objects and numpy arrays) above what was "
        "already allocated; torch allocates outside it, so torch has no memory row.",
        "",
    ]
    for script, out in outputs.items():
        lines += [f"<details><summary>Output of {script}</summary>", "", "```", out.rstrip()]
        lines += ["```", "", "</details>", ""]
    path.write_text("\n".join(lines))


def write_plot(path: Path, timings, memory) -> None:
    """Two bar charts side by side: time per step (log scale) and peak memory."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(13, 5.5), gridspec_kw={"width_ratios": [3, 2]})
    panels = [(ax_t, timings, 1.0, fmt_ms), (ax_m, memory, 2**-20, lambda v: f"{v:.1f} MiB")]
    for ax, groups, scale, fmt in panels:
        labels, values, colors = [], [], []
        for i, (bench, rows) in enumerate(groups.items()):
            for name, v in rows:
                labels.append(f"{bench}: {name}")
                values.append(v * scale)
                colors.append(f"C{i}")
        bars = ax.barh(labels, values, color=colors)
        ax.bar_label(bars, labels=[fmt(v) for v in values], padding=3, fontsize=8)
        ax.invert_yaxis()
        ax.tick_params(axis="y", labelsize=8)
        ax.margins(x=0.25)
    ax_t.set_xscale("log")
    ax_t.set(xlabel="time per training step (ms, log scale)", title="Speed: lower is better")
    ax_m.set(xlabel="peak traced memory (MiB)", title="Memory of one step: lower is better")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main() -> None:
    """Run the benchmark scripts and the memory measurements, then write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per measurement")
    args = parser.parse_args()

    timings, outputs = {}, {}
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"running {script.name} ...", flush=True)
        out = run_script(script, args.repeat)
        print(out, end="", flush=True)
        outputs[script.name] = out
        stem = script.stem.removeprefix("bench_").capitalize()
        timings.update(parse_timings(stem, out))
    # Imported only now: bench_tensor sets BLAS thread variables that the scripts above must
    # not inherit.
    sys.path.insert(0, str(HERE))
    print("measuring memory ...", flush=True)
    memory = {"Value (scalar)": value_memory(), "Tensor": tensor_memory()}
    write_markdown(HERE / "results.md", timings, memory, outputs)
    write_plot(HERE / "results.png", timings, memory)
    print((HERE / "results.md").read_text().split("\n\n<details>")[0])
    print(f"wrote {HERE / 'results.md'} and {HERE / 'results.png'}")


if __name__ == "__main__":
    main()
