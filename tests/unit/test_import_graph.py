"""generator/ imports only go down the stages, and never in a circle (issue 9).

The import graph is read with `ast` from every module (imports inside functions count too), so
a lazy import cannot hide an upward edge. The checker is tried on small packages built here, to
show that it fails on a cycle and on an upward import, naming the edge.
"""

from __future__ import annotations

import ast
from pathlib import Path

from project_paths import REPO

# Highest first: a package may import those after it (and the bottom modules), never one before.
STAGES = ("cli", "ops", "harness", "lint", "render", "catalog", "offline")
BOTTOM = "(bottom)"  # errors.py, hcl.py, terraform_binary.py, the package's own __init__
ENTRY = "(entry)"  # __main__.py: `python -m generator` runs the CLI


def _module_name(package_dir: Path, path: Path) -> str:
    parts = [package_dir.name, *path.relative_to(package_dir).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _stage(package: str, module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return BOTTOM
    if parts[1] == "__main__":
        return ENTRY
    return parts[1] if parts[1] in STAGES else BOTTOM


def _rank(stage: str) -> int:
    if stage == ENTRY:
        return len(STAGES) + 1
    if stage == BOTTOM:
        return 0
    return len(STAGES) - STAGES.index(stage)


def import_graph(package_dir: Path) -> dict[str, set[str]]:
    """{module: modules of the same package it imports} for every module under `package_dir`."""
    package = package_dir.name
    files = {_module_name(package_dir, p): p for p in sorted(package_dir.rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        here = name if is_package else name.rsplit(".", 1)[0]
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    origin = ".".join(base + ([node.module] if node.module else []))
                else:
                    origin = node.module or ""
                # `from . import docs` imports a module; `from .x import name` imports from x.
                targets = [f"{origin}.{a.name}" if f"{origin}.{a.name}" in files else origin for a in node.names]
            else:
                continue
            edges |= {t for t in targets if t.split(".")[0] == package and t != name}
        graph[name] = {e if e in files else e.rsplit(".", 1)[0] for e in edges}
    return graph


def problems(package_dir: Path) -> list[str]:
    """Every upward import and every cycle, one line each, naming the edges."""
    graph = import_graph(package_dir)
    package = package_dir.name
    found = []
    for importer, targets in sorted(graph.items()):
        for target in sorted(targets):
            low, high = _stage(package, importer), _stage(package, target)
            if _rank(high) > _rank(low):
                found.append(f"upward import: {importer} ({low}) imports {target} ({high})")
    found += [f"import cycle: {' -> '.join(cycle)}" for cycle in _cycles(graph)]
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                components.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_a_cycle(graph, set(c)) for c in components]


def _a_cycle(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    """A concrete cycle through the component, as a path that ends where it starts."""
    start = min(component)
    path, seen = [start], {start}
    while True:
        nxt = min(n for n in graph[path[-1]] if n in component)
        if nxt in seen:
            return path[path.index(nxt):] + [nxt]
        path.append(nxt)
        seen.add(nxt)


# --- the real package ----------------------------------------------------------------------------


def test_generator_imports_only_go_down_and_never_in_a_circle():
    found = problems(REPO / "generator")
    assert found == [], "\n".join(found)


def test_every_stage_says_what_it_owns():
    for stage in STAGES:
        init = REPO / "generator" / stage / "__init__.py"
        docstring = ast.get_docstring(ast.parse(init.read_text()))
        assert docstring and len(docstring.splitlines()[0]) > 20, f"{init} needs a docstring saying what the package owns"


def test_the_top_level_holds_packages_and_a_few_helpers():
    entries = sorted(p.name for p in (REPO / "generator").iterdir() if p.name != "__pycache__" and not p.name.startswith("."))
    modules = [e for e in entries if e.endswith(".py")]
    assert set(entries) - set(modules) == set(STAGES)
    assert len(modules) <= 6, modules


def test_the_graph_sees_lazy_and_relative_imports():
    graph = import_graph(REPO / "generator")
    assert "generator.lint.rules" in graph["generator.cli.render"]  # imported inside `lint`
    assert "generator.render.docs" in graph["generator.render.views"]  # `from . import docs`


# --- the checker fails where it should ----------------------------------------------------------


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "generator"
    for name, text in {"__init__.py": "", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _layered(extra: dict[str, str]) -> dict[str, str]:
    base = {
        "errors.py": "",
        "catalog/__init__.py": '"""Catalog."""',
        "catalog/model.py": "from ..errors import GeneratorError\n",
        "render/__init__.py": '"""Render."""',
        "render/templates.py": "from ..catalog.model import Catalog\n",
    }
    return {**base, **extra}


def test_a_clean_layered_package_passes(tmp_path):
    assert problems(_package(tmp_path, _layered({}))) == []


def test_an_upward_import_fails_naming_the_edge(tmp_path):
    package = _package(tmp_path, _layered({"catalog/load.py": "def f():\n    from ..render.templates import render_module\n"}))
    assert problems(package) == ["upward import: generator.catalog.load (catalog) imports generator.render.templates (render)"]


def test_a_bottom_module_importing_a_stage_is_upward(tmp_path):
    package = _package(tmp_path, _layered({"hcl.py": "from generator.catalog import model\n"}))
    assert problems(package) == ["upward import: generator.hcl ((bottom)) imports generator.catalog.model (catalog)"]


def test_a_cycle_fails_naming_its_modules(tmp_path):
    package = _package(tmp_path, _layered({
        "catalog/load.py": "from .value_schema import values_schema\n",
        "catalog/value_schema.py": "from . import load\n",
    }))
    assert problems(package) == ["import cycle: generator.catalog.load -> generator.catalog.value_schema -> generator.catalog.load"]
