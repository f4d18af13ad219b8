"""minigrad is the library students read and import: it needs only numpy, never the grader.

The auto-grader is its own top-level package, ``grader/``, beside ``minigrad/`` (it imports
PyTorch). ``minigrad/grade/`` is only a shim that keeps ``python -m minigrad.grade`` working.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ROOT / "minigrad"
SHIM = LIBRARY / "grade"
#: Top-level packages no library module may import when it is imported.
FORBIDDEN = ("grader", "torch")


def test_importing_minigrad_imports_neither_torch_nor_the_grader():
    probe = (
        "import sys\n"
        "import minigrad\n"
        f"loaded = sorted(m for m in {FORBIDDEN!r} if m in sys.modules)\n"
        "assert not loaded, f'import minigrad imported {loaded}'\n"
        "assert 'minigrad.grade' not in sys.modules, 'import minigrad imported minigrad.grade'\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr


def _is_type_checking(test: ast.expr) -> bool:
    """``if TYPE_CHECKING:`` or ``if typing.TYPE_CHECKING:``."""
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _module_level_imports(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, top-level module name) of every import run when the module is imported.

    Imports inside functions (and classes' methods) run only when called, and those under
    ``if TYPE_CHECKING:`` never run, so both are skipped; other compound statements at module
    level (``if``, ``try``, ``with``) run at import time, so their bodies are searched.
    """
    found: list[tuple[int, str]] = []

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.Import):
                found.extend((node.lineno, alias.name.split(".")[0]) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level == 0 and node.module:
                    found.append((node.lineno, node.module.split(".")[0]))
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            elif isinstance(node, ast.ClassDef):
                visit(node.body)  # a class body runs at import time; its methods do not
            elif isinstance(node, ast.If):
                if not _is_type_checking(node.test):
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try | ast.TryStar):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)
            elif isinstance(node, ast.With | ast.AsyncWith | ast.For | ast.AsyncFor | ast.While):
                visit(node.body)
                visit(getattr(node, "orelse", []))
            elif isinstance(node, ast.Match):
                for case in node.cases:
                    visit(case.body)

    visit(tree.body)
    return found


LIBRARY_MODULES = sorted(p for p in LIBRARY.rglob("*.py") if SHIM not in p.parents)


@pytest.mark.parametrize("path", LIBRARY_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_library_module_imports_the_grader_or_torch_at_module_level(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    bad = [
        f"line {line}: {name}" for line, name in _module_level_imports(tree) if name in FORBIDDEN
    ]
    assert not bad, f"{path.relative_to(ROOT)} imports {', '.join(bad)} when it is imported"


def test_the_checker_finds_imports_only_where_they_run():
    source = (
        "from typing import TYPE_CHECKING\n"
        "import torch.nn\n"
        "if TYPE_CHECKING:\n    import grader\n"
        "try:\n    from grader.core import checker\nexcept ImportError:\n    pass\n"
        "def f():\n    import torch\n"
        "class C:\n    import torch as t\n    def m(self):\n        import grader\n"
    )
    names = [name for _, name in _module_level_imports(ast.parse(source))]
    assert names == ["typing", "torch", "grader", "torch"]


def test_the_shim_is_only_init_and_main():
    assert sorted(p.name for p in SHIM.glob("*.py")) == ["__init__.py", "__main__.py"]
    assert LIBRARY_MODULES and all(SHIM not in p.parents for p in LIBRARY_MODULES)


@pytest.mark.parametrize("module", ["grader", "minigrad.grade"])
def test_both_command_lines_print_their_help(module, tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", module, "--help"], capture_output=True, text=True, cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr
    assert "python -m grader" in run.stdout and "--build-gradescope" in run.stdout
