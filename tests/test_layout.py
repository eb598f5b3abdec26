"""The package's layout: the flow of imports has no cycle, and the top level stays small."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "briefer"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def import_graph() -> dict[str, set[str]]:
    """Each briefer module -> the briefer modules it imports at run time (lazily or not)."""
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _type_checking_lines(tree)
        targets: set[str] = set()
        for node in ast.walk(tree):
            if getattr(node, "lineno", None) in skip:
                continue
            found: list[str] = []
            if isinstance(node, ast.Import):
                found = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found = [node.module]
                found += [f"{node.module}.{alias.name}" for alias in node.names]
            for target in found:
                if target in paths and target != name:
                    targets.add(target)
        graph[name] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_import_graph_has_no_cycle():
    graph = import_graph()
    assert len(graph) > 40  # the scan found the package
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_top_level_holds_about_a_dozen_entries():
    entries = [
        p.name for p in PACKAGE.iterdir() if p.name != "__pycache__" and p.suffix != ".typed"
    ]
    assert len(entries) <= 21, sorted(entries)


def test_the_engines_do_not_import_the_front_door_the_cli_or_the_service():
    graph = import_graph()
    above = ("briefer.core", "briefer.cli", "briefer.server", "briefer.digest.runner")
    below = tuple(f"briefer.{p}" for p in ("engines", "verify", "analysis", "text", "inputs"))
    for name, targets in graph.items():
        if name.startswith(below):
            assert not {t for t in targets if t.startswith(above)}, name


def test_the_analysis_rules_read_only_text_and_the_schema_and_text_reads_no_rule():
    below = ("briefer.analysis", "briefer.text", "briefer.schema")
    for name, targets in import_graph().items():
        if name.startswith("briefer.analysis"):
            assert {t for t in targets if not t.startswith(below)} == set(), name
        if name.startswith("briefer.text"):
            assert {t for t in targets if t.startswith("briefer.analysis")} == set(), name


def test_the_readme_layout_table_names_every_package_and_only_real_ones():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## How it works", 1)[1].split("\n\n", 3)[2]
    named = {
        cell.strip("` /") for row in table.splitlines()[2:] for cell in row.split("|")[1].split(",")
    }
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert packages <= named, packages - named
    for name in named:
        assert (PACKAGE / name).exists(), name


def test_the_services_share_the_guard_and_import_neither_the_cli_nor_each_other():
    graph = import_graph()
    services = {"briefer.server.http", "briefer.server.mcp"}
    for name, targets in graph.items():
        if name.startswith("briefer.server"):
            assert not {t for t in targets if t.startswith("briefer.cli")}, name
    for name in services:
        assert "briefer.server.guard" in graph[name], name
        assert not (services - {name}) & graph[name], name


def test_the_guard_imports_no_web_framework_at_run_time():
    tree = ast.parse((PACKAGE / "server" / "guard.py").read_text(encoding="utf-8"))
    skip = _type_checking_lines(tree)
    imported = {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.lineno not in skip
    } | {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import) and node.lineno not in skip
        for alias in node.names
    }
    assert not imported & {"fastapi", "starlette", "mcp", "uvicorn"}, imported
