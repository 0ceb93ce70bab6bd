"""The import graph: no cycle, data models apart from presentation and engines, engines behind the registry.

The graph counts every `import` of a summarizer module anywhere in a file (in functions and under
TYPE_CHECKING too): a cycle that only type checking sees is still a cycle for a reader.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "summarizer"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@lru_cache(maxsize=1)
def import_graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str | None] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(resolve(a.name) for a in node.names if a.name.startswith("summarizer"))
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("summarizer"):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    targets.add(full if full in modules else resolve(node.module))
        graph[name] = {t for t in targets if t is not None and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_checker_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle() -> None:
    assert cycles(import_graph()) == []


@pytest.mark.parametrize("module", ["summarizer.schema", "summarizer.digest", "summarizer.verify"])
def test_data_models_and_checks_import_no_renderer_and_no_engine(module: str) -> None:
    bad = {t for t in import_graph()[module] if t.startswith(("summarizer.render", "summarizer.engines"))}
    assert bad == set()


def test_stages_below_the_engines_never_import_the_api_the_batch_or_the_cli() -> None:
    upper = ("summarizer.api", "summarizer.batch", "summarizer.cli", "summarizer.nightly")
    for module, targets in import_graph().items():
        if module.startswith(upper) or module in ("summarizer", "summarizer.__main__"):
            continue
        assert not {t for t in targets if t.startswith(upper) or t == "summarizer"}, module


def test_only_the_registry_names_engine_modules() -> None:
    """Outside engines/ nothing imports an engine module directly (the cross-check's rules draft aside)."""
    allowed = {"summarizer.crosscheck": {"summarizer.engines.extractive.engine"}}
    for module, targets in import_graph().items():
        if module.startswith("summarizer.engines"):
            continue
        engines = {t for t in targets if t.startswith("summarizer.engines.")} - {"summarizer.engines.registry"}
        assert engines <= allowed.get(module, set()), module
