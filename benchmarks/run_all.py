"""Run every benchmark, measure memory, write ``benchmarks/results.md`` and ``results.png``,
and put the table into the README.

Speed: each library runs in fresh Jupyter kernels of its own, after the imports a notebook
of the course has, with the garbage collector on, as a student meets it (harness.py says
how and why). ``bench_value.py`` compares minigrad's ``Value`` with micrograd 0.1.0 on
micrograd's demo step; ``bench_tensor.py`` compares minigrad's ``Tensor`` with torch and
with the same step written by hand in numpy, at three sizes. Memory: the peak of
Python-tracked allocations (``tracemalloc``: Python objects and numpy arrays) during one
training step, for the scalar engines and for the tensor engine against numpy by hand;
torch allocates outside Python's allocator, so it has no memory row.

Run: ``.venv/bin/python benchmarks/run_all.py [--kernels K] [--threads T] [--quick]``
(about five minutes with the default three kernels per library; ``--quick`` is a smoke test
that writes to ``--out`` and leaves the README alone). ``--baseline REV`` also times minigrad
as it was at git revision REV (say, before a change meant to keep its speed), in kernels taken
in turn with today's, so that both meet the same machine load; it leaves the README alone.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import sys
import tempfile
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_tensor  # noqa: E402
import bench_value  # noqa: E402
import harness  # noqa: E402

README = HERE.parent / "README.md"
BEGIN, END = "<!-- benchmarks: begin -->", "<!-- benchmarks: end -->"


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
    xs, ys = bench_value.two_moons(100, noise=0.1, seed=0)
    rows = []
    for lib in bench_value.LIBRARIES:
        value_cls, model = bench_value.load(lib)
        rows.append((lib, peak_bytes(lambda v=value_cls, m=model: bench_value.step(v, m, xs, ys))))
    return rows


def tensor_memory() -> list[tuple[str, int]]:
    """Peak memory of one MLP step (784-256-10, batch 128; see bench_tensor.py): minigrad's
    Tensor engine vs the same step written by hand in numpy, from the same numbers."""
    dims, batch = (784, 256, 10), 128
    return [
        ("minigrad Tensor", peak_bytes(bench_tensor.setup("minigrad", dims, batch))),
        ("numpy by hand", peak_bytes(bench_tensor.setup("numpy", dims, batch))),
    ]


def speed_table(timings: list[harness.Timing]) -> list[str]:
    """Markdown rows: benchmark, implementation, median (range), relative to the fastest."""
    lines = [
        "| Benchmark | Implementation | Time per step: median (range over kernels) | Relative |",
        "|---|---|---:|---:|",
    ]
    groups: dict[str, list[harness.Timing]] = {}
    for t in timings:
        groups.setdefault(t.benchmark, []).append(t)
    for bench, rows in groups.items():
        fastest = min(t.median for t in rows)
        for t in rows:
            low, high = t.spread()
            span = f" ({harness.fmt_ms(low)} to {harness.fmt_ms(high)})" if low != high else ""
            lines.append(
                f"| {bench} | {t.implementation} | {harness.fmt_ms(t.median)}{span} "
                f"| {t.median / fastest:.1f}x |"
            )
    return lines


def method(kernels: int, threads: int) -> str:
    """One paragraph: how these numbers were measured."""
    thread_text = f"{threads} thread(s) for torch and BLAS" if threads else "threads as each "
    if not threads:
        thread_text += "library chooses by default (every core)"
    return (
        f"Each implementation ran in {kernels} fresh Jupyter kernel(s) of its own, after the "
        "imports a notebook of the course has (numpy, torch, matplotlib, graphviz), garbage "
        f"collector on, {thread_text}; a kernel's figure is its mean wall-clock time per "
        "step after a warm-up, and the table gives the median over the kernels and their "
        "range (see `benchmarks/harness.py`). One step is forward, backward and (for the "
        "Tensor steps) an SGD update. The Tensor steps run the *same* code with `torch` and "
        "with `minigrad`, next to the same step written by hand in numpy (the floor for a "
        "numpy engine); the Value step is micrograd's 2-16-16-1 MLP on 100 points."
    )


def write_markdown(path: Path, timings, memory, outputs, about: str, machine: str) -> list[str]:
    """The results file; returns the lines that also go into the README."""
    summary = [
        f"`benchmarks/run_all.py`, {datetime.date.today().isoformat()}: {machine}.",
        "",
        about,
        "",
        *speed_table(timings),
    ]
    lines = ["# Benchmark results", "", *summary, ""]
    lines += [
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
    return summary


def update_readme(summary: list[str]) -> None:
    """Replace the README's benchmark table (between its two markers) with this run's."""
    text = README.read_text()
    if BEGIN not in text or END not in text:
        raise SystemExit(f"README.md has no {BEGIN} ... {END} block to update")
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    README.write_text(f"{head}{BEGIN}\n" + "\n".join(summary) + f"\n{END}{tail}")


def write_plot(path: Path, timings: list[harness.Timing], memory) -> None:
    """Two bar charts side by side: time per step (log scale, range as error bars) and memory."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(13, 5.5), gridspec_kw={"width_ratios": [3, 2]})
    benches = list(dict.fromkeys(t.benchmark for t in timings))
    labels = [f"{t.benchmark}: {t.implementation}" for t in timings]
    medians = [t.median * 1e3 for t in timings]
    errors = [
        [m - t.spread()[0] * 1e3 for m, t in zip(medians, timings, strict=True)],
        [t.spread()[1] * 1e3 - m for m, t in zip(medians, timings, strict=True)],
    ]
    colors = [f"C{benches.index(t.benchmark)}" for t in timings]
    bars = ax_t.barh(labels, medians, xerr=errors, color=colors)
    ax_t.bar_label(bars, labels=[harness.fmt_ms(m / 1e3) for m in medians], padding=3, fontsize=8)
    m_labels, m_values, m_colors = [], [], []
    for i, (bench, rows) in enumerate(memory.items()):
        for name, b in rows:
            m_labels.append(f"{bench}: {name}")
            m_values.append(b / 2**20)
            m_colors.append(f"C{i}")
    m_bars = ax_m.barh(m_labels, m_values, color=m_colors)
    ax_m.bar_label(m_bars, labels=[f"{v:.1f} MiB" for v in m_values], padding=3, fontsize=8)
    for ax in (ax_t, ax_m):
        ax.invert_yaxis()
        ax.tick_params(axis="y", labelsize=8)
        ax.margins(x=0.25)
    ax_t.set_xscale("log")
    ax_t.set(xlabel="time per training step (ms, log scale)", title="Speed: lower is better")
    ax_m.set(xlabel="peak traced memory (MiB)", title="Memory of one step: lower is better")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main() -> None:
    """Run the benchmarks and the memory measurements, then write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernels", type=int, default=3, help="fresh kernels per library")
    parser.add_argument("--threads", type=int, default=0, help="limit torch and BLAS threads")
    parser.add_argument("--quick", action="store_true", help="a smoke test: short runs")
    parser.add_argument("--out", type=Path, default=HERE, help="folder for results.md/.png")
    parser.add_argument(
        "--baseline",
        metavar="REV",
        help="also time minigrad as it was at git revision REV, in the same run (rows "
        "minigrad@REV; the README is left alone)",
    )
    args = parser.parse_args()

    machine = harness.machine()
    scratch = tempfile.TemporaryDirectory(prefix="minigrad-baseline-")
    baseline = harness.export_baseline(args.baseline, Path(scratch.name)) if args.baseline else None
    harness.log("Value step (bench_value.py) ...")
    if args.quick:
        value_timings, value_out = bench_value.run(
            args.kernels, runs=2, warmup=1, points=5, baseline=baseline
        )
    else:
        value_timings, value_out = bench_value.run(
            args.kernels, runs=5, warmup=harness.WARMUP, baseline=baseline
        )
    print(value_out, flush=True)
    harness.log("Tensor step (bench_tensor.py) ...")
    tensor_timings, tensor_out = bench_tensor.run(
        args.kernels, args.threads, args.quick, baseline=baseline
    )
    print(tensor_out, flush=True)
    harness.log("memory ...")
    memory = {"Value (scalar)": value_memory(), "Tensor": tensor_memory()}
    outputs = {"bench_tensor.py": tensor_out, "bench_value.py": value_out}
    args.out.mkdir(parents=True, exist_ok=True)
    summary = write_markdown(
        args.out / "results.md",
        tensor_timings + value_timings,
        memory,
        outputs,
        method(args.kernels, args.threads),
        machine,
    )
    write_plot(args.out / "results.png", tensor_timings + value_timings, memory)
    if not args.quick and args.out == HERE and not baseline:
        update_readme(summary)
        harness.log(f"updated the table in {README}")
    print("\n".join(summary))
    harness.log(f"wrote {args.out / 'results.md'} and {args.out / 'results.png'}")


if __name__ == "__main__":
    main()
