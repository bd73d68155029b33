"""The import graph of cellsim: no cycles, and layers that only point down.

The graph is read from the source with :mod:`ast` (nothing is imported): every ``import``
and ``from ... import`` counts, at module level, inside functions and classes, and under
``if TYPE_CHECKING``; relative imports are resolved against the importing module.
``from package import name`` is an edge to ``package.name`` when that is a module, else
to ``package``. The implicit import of a parent package (``cellsim.sweeps`` before
``cellsim.sweeps.spec``) is not an edge.

Layers: ``cellsim.cli`` (the commands) is imported by nothing outside ``cellsim.cli``;
``cellsim.demo`` by nothing outside ``cellsim.demo`` and ``cellsim.cli``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cellsim"


def module_files(package: Path) -> dict[str, tuple[Path, bool]]:
    """Dotted module name -> (file, is a package ``__init__``) for every .py below ``package``."""
    out = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        if is_pkg:
            parts = parts[:-1]
        out[".".join(parts)] = (path, is_pkg)
    return out


def _targets(module: str, is_pkg: bool, node: ast.AST, modules: dict) -> list[str]:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            base = module.split(".") if is_pkg else module.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            parent = ".".join(base + ([node.module] if node.module else []))
        else:
            parent = node.module or ""
        names = [f"{parent}.{a.name}" if f"{parent}.{a.name}" in modules else parent for a in node.names]
    found = []
    for name in names:
        while name and name not in modules:  # cellsim.x.attr -> cellsim.x
            name = name.rpartition(".")[0]
        if name:
            found.append(name)
    return found


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports (anywhere in its source)."""
    modules = module_files(package)
    graph = {}
    for module, (path, is_pkg) in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        edges = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                edges.update(t for t in _targets(module, is_pkg, node, modules) if t != module)
        graph[module] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path ``[a, b, ..., a]``, or None (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    for root in sorted(graph):
        if root in state:
            continue
        path, stack = [root], [iter(sorted(graph[root]))]
        state[root] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(graph[nxt])))
    return None


def upward_imports(graph: dict[str, set[str]], top: str) -> list[tuple[str, str]]:
    """Imports of ``top.cli`` from outside it and of ``top.demo`` from outside demo and cli."""
    def inside(module: str, sub: str) -> bool:
        return module == f"{top}.{sub}" or module.startswith(f"{top}.{sub}.")

    bad = []
    for module, targets in sorted(graph.items()):
        for t in sorted(targets):
            if inside(t, "cli") and not inside(module, "cli"):
                bad.append((module, t))
            elif inside(t, "demo") and not (inside(module, "demo") or inside(module, "cli")):
                bad.append((module, t))
    return bad


# ----------------------------------------------------------------------------- cellsim itself

def test_graph_is_read():
    graph = import_graph(PACKAGE)
    assert len(graph) > 80
    # relative imports resolved, function-level imports counted
    assert "cellsim.sweeps.points" in graph["cellsim.sweeps.spec"]
    assert "cellsim.files" in graph["cellsim.plotting"]
    assert "cellsim.data.conductivity_table" in graph["cellsim.cli.cmd_arrhenius"]


def test_no_import_cycles():
    cycle = find_cycle(import_graph(PACKAGE))
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_cli_and_demo_imported_by_nobody_below():
    bad = upward_imports(import_graph(PACKAGE), "cellsim")
    assert not bad, "imports that point up into cli/demo: " + "; ".join(f"{a} -> {b}" for a, b in bad)


# ----------------------------------------------------------------------------- the checker

def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return root / "pkg"


@pytest.mark.parametrize("b_text", ["from . import a\n", "def f():\n    from .a import X\n",
                                    "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.a\n"])
def test_checker_finds_a_cycle(tmp_path, b_text):
    pkg = _write(tmp_path, {"pkg/__init__.py": "", "pkg/a.py": "from .sub.b import Y\n", "pkg/sub/__init__.py": "",
                            "pkg/sub/b.py": b_text.replace("from . import a", "from .. import a")
                                                  .replace("from .a import", "from ..a import")})
    cycle = find_cycle(import_graph(pkg))
    assert cycle is not None and cycle[0] == cycle[-1] and set(cycle) == {"pkg.a", "pkg.sub.b"}


def test_checker_finds_upward_imports_and_passes_a_clean_tree(tmp_path):
    pkg = _write(tmp_path, {"pkg/__init__.py": "", "pkg/low.py": "import math\n",
                            "pkg/cli/__init__.py": "from ..demo import run\n", "pkg/demo/__init__.py": "from .. import low\n",
                            "pkg/mid.py": "from .low import x\n"})
    graph = import_graph(pkg)
    assert find_cycle(graph) is None
    assert upward_imports(graph, "pkg") == []
    (pkg / "mid.py").write_text("def f():\n    from .cli import main\n")
    (pkg / "demo" / "report.py").write_text("from ..cli import _common\n")
    assert upward_imports(import_graph(pkg), "pkg") == [("pkg.demo.report", "pkg.cli"), ("pkg.mid", "pkg.cli")]
