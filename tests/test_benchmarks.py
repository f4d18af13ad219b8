"""The benchmark scripts run end to end (tiny sizes, one kernel each): not timed, only that
they work, agree on the numbers they check, and write their results."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_run_all_quick_writes_every_row(tmp_path):
    # --baseline: this same revision again, exported by git (as a lab would name an older one)
    command = ["benchmarks/run_all.py", "--quick", "--kernels", "1", "--threads", "1"]
    command += ["--baseline", "HEAD"]
    result = subprocess.run(
        [sys.executable, *command, "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    results = (tmp_path / "results.md").read_text()
    for row in ("| torch |", "| minigrad |", "| numpy |", "| micrograd 0.1.0 |"):
        assert row in results, row
    assert "| minigrad Value |" in results
    assert results.count("| minigrad@") == 3  # two Tensor sizes and the Value step
    assert "today's minigrad against minigrad@" in results
    assert "same loss" in results and "same losses in all three" in results
    assert (tmp_path / "results.png").stat().st_size > 10_000
