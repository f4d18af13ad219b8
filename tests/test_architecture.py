"""The shape of the library: an acyclic import graph, modules of readable size, names that are
not shadowed, and notebooks whose imports and ``inspect.getsource`` targets still exist.

The notebook guard runs in-process (no kernel): a library move that breaks a notebook's
``from minigrad.x import y`` or its ``inspect.getsource(minigrad.x.f)`` fails here, naming the
notebook, before nbval re-runs the notebooks.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import pkgutil
import re
import types
from pathlib import Path

import pytest

import minigrad

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ROOT / "minigrad"
SHIM = LIBRARY / "grade"
MAX_LINES = 700
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted(
    (ROOT / "solutions").glob("*.ipynb")
)


# ------------------------------------------------------------------------------------------
# The import graph of minigrad/
# ------------------------------------------------------------------------------------------


def _library_files() -> list[Path]:
    """Every ``minigrad/**/*.py`` except the grader shim ``minigrad/grade/``."""
    return sorted(p for p in LIBRARY.rglob("*.py") if SHIM not in p.parents)


def _module_name(path: Path) -> str:
    """``minigrad/ops/shape.py`` -> ``minigrad.ops.shape``; a package's ``__init__`` is the
    package."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    """``if TYPE_CHECKING:`` or ``if typing.TYPE_CHECKING:``."""
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _module_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """The import statements run when the module is imported: those inside functions run only
    when called and those under ``if TYPE_CHECKING:`` never, so both are skipped; the bodies of
    other compound statements (``if``, ``try``, ``with``, class bodies) run at import time."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                found.append(node)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            elif isinstance(node, ast.If):
                if not _is_type_checking(node.test):
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.ClassDef | ast.With | ast.AsyncWith):
                visit(node.body)
            elif isinstance(node, ast.Try | ast.TryStar):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)
            elif isinstance(node, ast.For | ast.AsyncFor | ast.While):
                visit(node.body)
                visit(node.orelse)

    visit(tree.body)
    return found


def _resolve_relative(module: str | None, level: int, importer: str, is_package: bool) -> str:
    """The absolute module name of ``from <level dots><module> import ...`` in ``importer``."""
    if level == 0:
        return module or ""
    base = importer.split(".")
    if not is_package:
        base = base[:-1]
    if level > 1:
        base = base[: -(level - 1)]
    return ".".join([*base, module] if module else base)


def import_graph() -> dict[str, set[str]]:
    """module -> the library modules it imports at import time.

    ``import minigrad.a.b`` is an edge to ``minigrad.a.b``; ``from minigrad.a import b`` is an
    edge to ``minigrad.a.b`` if that is a module, else to ``minigrad.a`` (the package's
    ``__init__``). No implicit edges to parent packages are added: a parent package is a
    target only where its ``__init__`` is what the statement imports names from.
    """
    files = {_module_name(p): p for p in _library_files()}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        for node in _module_level_imports(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = _resolve_relative(node.module, node.level, name, is_package)
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    targets.append(sub if sub in files else base)
            graph[name].update(t for t in targets if t in files and t != name)
    return graph


def strongly_connected_components(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of ``graph`` (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(component)
    return components


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (as a closed path ``[a, b, ..., a]``) per strongly connected component that
    has one."""
    cycles = []
    for component in strongly_connected_components(graph):
        members = set(component)
        if len(component) == 1 and component[0] not in graph[component[0]]:
            continue
        cycles.append(_cycle_in(graph, members, min(members)))
    return cycles


def _cycle_in(graph: dict[str, set[str]], members: set[str], start: str) -> list[str]:
    """A shortest closed path from ``start`` back to itself inside one component (BFS)."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for node in frontier:
            for child in sorted(graph[node] & members):
                if child == start:
                    chain = [node]
                    while chain[-1] != start:
                        chain.append(previous[chain[-1]])
                    return [*reversed(chain), start]
                if child not in previous:
                    previous[child] = node
                    nxt.append(child)
        frontier = nxt
    raise AssertionError(f"no cycle through {start} in {sorted(members)}")  # pragma: no cover


def test_the_import_graph_is_read_from_every_library_module():
    graph = import_graph()
    assert "minigrad" in graph and "minigrad._tensor" in graph and "minigrad.ops.shape" in graph
    assert not any(name.startswith("minigrad.grade") for name in graph)
    # a sample of known edges, so that a resolver that finds nothing cannot pass
    assert "minigrad._tensor" in graph["minigrad"]
    assert "minigrad.op" in graph["minigrad._tensor"]


def test_the_import_graph_of_minigrad_has_no_cycle():
    cycles = find_cycles(import_graph())
    shown = "\n".join("  " + " -> ".join(cycle) for cycle in cycles)
    assert not cycles, f"import cycles among minigrad's modules (module-level imports):\n{shown}"


# ------------------------------------------------------------------------------------------
# Module sizes
# ------------------------------------------------------------------------------------------


def test_no_library_module_is_over_700_lines():
    sizes = {
        str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines())
        for p in LIBRARY.rglob("*.py")
    }
    assert sizes, "no module found under minigrad/"
    too_long = {path: n for path, n in sorted(sizes.items()) if n > MAX_LINES}
    assert not too_long, f"modules over {MAX_LINES} lines: {too_long}"


# ------------------------------------------------------------------------------------------
# Names: minigrad.tensor is the function, minigrad._tensor the module, nothing shadowed
# ------------------------------------------------------------------------------------------


def test_minigrad_tensor_is_the_function_and_the_class_lives_in_minigrad_underscore_tensor():
    assert callable(minigrad.tensor)
    assert not isinstance(minigrad.tensor, types.ModuleType)
    assert importlib.import_module("minigrad._tensor").Tensor is minigrad.Tensor


def _submodules() -> list[str]:
    errors: list[str] = []
    names = [
        info.name
        for info in pkgutil.walk_packages(minigrad.__path__, "minigrad.", onerror=errors.append)
    ]
    assert not errors, f"walk_packages could not import the packages {errors}"
    return names


def test_every_submodule_imports_and_none_is_shadowed_by_a_package_attribute():
    names = _submodules()
    assert "minigrad._tensor" in names and "minigrad.ops.elementwise" in names
    failed, shadowed = {}, {}
    for name in names:
        try:
            module = importlib.import_module(name)
        except Exception as exc:
            failed[name] = f"{type(exc).__name__}: {exc}"
            continue
        assert isinstance(module, types.ModuleType) and module.__name__ == name
        parent, _, child = name.rpartition(".")
        if parent == "minigrad" and hasattr(minigrad, child):
            if getattr(minigrad, child) is not module:
                shadowed[name] = repr(getattr(minigrad, child))
    assert not failed, f"submodules that do not import: {failed}"
    assert not shadowed, f"minigrad.<name> is not the submodule of that name: {shadowed}"


# ------------------------------------------------------------------------------------------
# Notebooks: their library imports and their inspect.getsource targets exist
# ------------------------------------------------------------------------------------------

_MAGIC = re.compile(r"^(\s*)[%!]")
_LIBRARY_ROOTS = ("minigrad", "grader")


def _cells(path: Path) -> list[tuple[int, ast.Module]]:
    """(cell index, parsed source) of every code cell; a line that is an IPython magic or a
    shell escape (``%pip``, ``!ls``) becomes ``pass``, so that its block still parses."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = []
    for i, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        lines = [_MAGIC.sub(r"\1pass  # ", line) for line in source.splitlines()]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError as exc:
            raise AssertionError(f"{path.name}, cell {i} does not parse: {exc}") from None
        cells.append((i, tree))
    return cells


def _imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]


def _is_library(module: str) -> bool:
    return module.split(".")[0] in _LIBRARY_ROOTS


def _inspect_calls(tree: ast.AST) -> list[tuple[str, ast.expr]]:
    """(function, argument) of every ``inspect.getsource(arg)`` / ``inspect.getmodule(arg)``."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "inspect"
            and func.attr in ("getsource", "getmodule")
        ):
            found.append((func.attr, node.args[0]))
    return found


def _is_chain(expr: ast.expr) -> bool:
    """An attribute/call chain on a name: ``a.b``, ``f(a.b).c``, ``inspect.getmodule(x.T)``."""
    if isinstance(expr, ast.Name):
        return True
    if isinstance(expr, ast.Attribute):
        return _is_chain(expr.value)
    if isinstance(expr, ast.Call):
        return _is_chain(expr.func) and all(_is_chain(a) for a in expr.args) and not expr.keywords
    return False


def _is_module_attribute(expr: ast.expr, namespace: dict[str, object]) -> bool:
    """``module.a.b``: a plain attribute access on a name bound to a module."""
    if not isinstance(expr, ast.Attribute):
        return False
    while isinstance(expr, ast.Attribute):
        expr = expr.value
    return isinstance(expr, ast.Name) and isinstance(namespace.get(expr.id), types.ModuleType)


def _notebook_ids(paths: list[Path]) -> list[str]:
    return [f"{p.parent.name}/{p.name}" for p in paths]


def _import_namespace(path: Path) -> tuple[dict[str, object], list[str]]:
    """A namespace made by running every import statement of the notebook (and ``inspect``,
    ``math``, ``numpy as np``); the statements that failed, described."""
    namespace: dict[str, object] = {}
    exec("import inspect, math\nimport numpy as np", namespace)
    failed = []
    for i, tree in _cells(path):
        for node in _imports(tree):
            statement = ast.unparse(node)
            try:
                exec(statement, namespace)
            except Exception as exc:
                failed.append(f"cell {i}: {statement!r}: {type(exc).__name__}: {exc}")
    return namespace, failed


def test_the_notebook_guard_finds_the_notebooks_and_their_getsource_calls():
    assert len(NOTEBOOKS) >= 12, [p.name for p in NOTEBOOKS]
    calls = [c for p in NOTEBOOKS for _, tree in _cells(p) for c in _inspect_calls(tree)]
    assert any(kind == "getsource" for kind, _ in calls)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_notebook_ids(NOTEBOOKS))
def test_notebook_library_imports_resolve(path):
    """Every ``import minigrad...`` / ``from minigrad... import Y`` (and grader) of the
    notebook works: the module imports and has ``Y`` (an attribute, or a submodule)."""
    problems = []
    for i, tree in _cells(path):
        for node in _imports(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if _is_library(alias.name):
                        try:
                            importlib.import_module(alias.name)
                        except Exception as exc:
                            problems.append(f"cell {i}: import {alias.name}: {exc!r}")
            elif node.level == 0 and node.module and _is_library(node.module):
                try:
                    module = importlib.import_module(node.module)
                except Exception as exc:
                    problems.append(f"cell {i}: from {node.module} import ...: {exc!r}")
                    continue
                for alias in node.names:
                    if alias.name == "*" or hasattr(module, alias.name):
                        continue
                    try:  # `from package import submodule` imports it, as Python does
                        importlib.import_module(f"{node.module}.{alias.name}")
                    except ImportError:
                        problems.append(
                            f"cell {i}: from {node.module} import {alias.name}: module "
                            f"{node.module} has no attribute or submodule {alias.name!r}"
                        )
    assert not problems, f"{path.name}: library imports that no longer resolve:\n" + "\n".join(
        problems
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_notebook_ids(NOTEBOOKS))
def test_notebook_getsource_targets_exist(path):
    """Every ``inspect.getsource(expr)`` / ``inspect.getmodule(expr)`` argument of the notebook
    evaluates, given the notebook's imports and its assignments of modules
    (``tensor_engine = inspect.getmodule(minigrad.Tensor)``), to an object whose source
    ``inspect.getsource`` returns."""
    namespace, _ = _import_namespace(path)  # a failed import is the test above's to report
    problems = []
    for i, tree in _cells(path):
        for statement in tree.body:
            for kind, arg in _inspect_calls(statement):
                expression = ast.unparse(arg)
                where = f"cell {i}: inspect.{kind}({expression})"
                try:
                    obj = eval(compile(ast.Expression(arg), path.name, "eval"), namespace)
                except Exception as exc:
                    problems.append(f"{where}: the argument does not evaluate: {exc!r}")
                    continue
                try:
                    source = inspect.getsource(obj)
                except (OSError, TypeError) as exc:
                    problems.append(f"{where}: inspect.getsource fails: {exc!r}")
                    continue
                if not source.strip():
                    problems.append(f"{where}: inspect.getsource gives empty text")
            if (
                isinstance(statement, ast.Assign)
                and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)
                and _is_chain(statement.value)
            ):
                value = statement.value
                uses_getmodule = any(kind == "getmodule" for kind, _ in _inspect_calls(value))
                if not (uses_getmodule or _is_module_attribute(value, namespace)):
                    continue
                try:
                    obj = eval(compile(ast.Expression(value), path.name, "eval"), namespace)
                except Exception as exc:
                    problems.append(f"cell {i}: {ast.unparse(statement)}: {exc!r}")
                    continue
                namespace[statement.targets[0].id] = obj
    assert not problems, f"{path.name}: inspect targets that no longer exist:\n" + "\n".join(
        problems
    )
