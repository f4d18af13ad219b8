"""The differential fuzzer (``tests/fuzz``): random programs over minigrad's API run under
torch and minigrad statement by statement must agree after every statement.

The normal run checks a few hundred programs (seeds 0, 1, ...); ``pytest tests/test_fuzz.py
--programs 5000`` runs more, ``python tests/fuzz --programs N --seed S`` a long campaign with
counts by kind. A failure shows each diverging program shrunk to the lines that still diverge.
"""

import pytest
from fuzz.differ import ALLOWED, KINDS, Divergence, compare, run, shrink
from fuzz.generate import program


def test_fuzzer_programs_agree_with_torch(pytestconfig):
    n = pytestconfig.getoption("programs")
    failures = []
    for seed in range(n):
        lines = program(seed)
        d = run(lines)
        if d is None or d.kind in ALLOWED:
            continue
        small = shrink(lines[: d.line + 1], d.kind)
        d2 = run(small) or d
        failures.append(f"seed {seed}: [{d2.kind}] {d2.detail}\n" + "\n".join(small))
    assert not failures, f"{len(failures)} of {n} programs diverge:\n\n" + "\n\n".join(
        failures[:10]
    )


# The fuzzer itself must see divergences: a comparison that cannot fail would pass anything.


@pytest.mark.parametrize(
    "lines, kind",
    [
        (["v0 = lib.tensor([1.0, 2.0]) * (3.0 if lib.__name__ == 'torch' else 3.5)"], "value"),
        (["v0 = lib.ones(2) if lib.__name__ == 'torch' else lib.ones(3)"], "shape"),
        (["v0 = lib.tensor([1.0], dtype=lib.float64 if lib.__name__ == 'torch' else lib.float32)"],
         "dtype"),
        (["v0 = lib.ones(1, requires_grad=lib.__name__ == 'torch')"], "requires_grad"),
        (["v0 = lib.ones(1, requires_grad=True)", "v0 = v0 if lib.__name__ == 'torch' else v0 * 1"],
         "is_leaf"),
        (["v0 = lib.ones(1, requires_grad=True)",
          "(v0 * (2 if lib.__name__ == 'torch' else 3)).sum().backward()"], "grad"),
        (["assert lib.__name__ == 'torch'"], "raises only in minigrad"),
        (["assert lib.__name__ != 'torch'"], "raises only in torch"),
        (["raise (IndexError if lib.__name__ == 'torch' else ValueError)()"], "exception type"),
        (["v0 = lib.tensor([3, -1, 4])", "v0.remainder_(lib.tensor([-1, 0, -2]))"],
         "partial write"),  # torch wrote the element before the zero, then raised
        (["v0 = lib.tensor([[-3, -2], [4, -3]])", "v1 = lib.tensor(-1.2, requires_grad=True)",
          "v0[None] = v1", "v2 = v0.reciprocal()"],
         "torch quirk"),  # torch: the int v0 requires grad, so does v2 (fuzzer seed 1102461)
    ],
)  # fmt: skip
def test_the_differ_reports_each_kind_of_divergence(lines, kind):
    d = run(lines)
    assert isinstance(d, Divergence) and d.kind == kind, d
    assert kind in KINDS


def test_shrinking_keeps_only_the_diverging_lines():
    lines = [
        "v0 = lib.ones(2)",
        "v1 = lib.zeros(3)",
        "v2 = v0 * (2 if lib.__name__ == 'torch' else 3)",
        "v3 = v1 + 1",
    ]
    d = run(lines)
    assert d is not None and d.kind == "value" and d.line == 2
    assert shrink(lines[: d.line + 1], "value") == [lines[0], lines[2]]


def test_programs_are_reproducible_and_varied():
    assert program(7) == program(7)
    assert len({tuple(program(s)) for s in range(20)}) == 20
    compare(1.0, 1.0, "x")  # equal numbers pass
