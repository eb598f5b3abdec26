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
    assert len(entries) <= 16, sorted(entries)  # 14, and __init__.py, __main__.py


MAX_MODULE_LINES = 500


def test_no_module_is_over_five_hundred_lines():
    """A module that outgrows this holds more than one thing: split it where the seam is."""
    long = {
        str(path.relative_to(ROOT)): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


MAX_FUNCTION_LINES = 80


def test_no_function_is_over_eighty_lines():
    """Complexity is ruff's (C901, at most 25 in pyproject.toml); length is this test's."""
    long = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines})")
    assert not long, long


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


def _package(module: str, packages: set[str]) -> str:
    return module if module in packages else module.rsplit(".", 1)[0]


def private_imports_across_packages() -> list[tuple[str, str]]:
    """(importer, name) for each underscore name or underscore module a module imports from
    another package."""
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    packages = {_module_name(p) for p in PACKAGE.rglob("__init__.py")}
    found = []
    for name, path in paths.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.ImportFrom) and (node.module or "").startswith("briefer")):
                continue
            module = node.module or ""
            for alias in node.names:
                full = f"{module}.{alias.name}"
                target = full if full in paths else module
                private = any(
                    part.startswith("_") and not part.startswith("__")
                    for part in [*module.split(".")[1:], alias.name]
                )
                if private and _package(target, packages) != _package(name, packages):
                    found.append((name, full))
    return found


def test_no_module_imports_another_packages_private_names():
    assert private_imports_across_packages() == []


def test_the_private_import_finder_finds_one(tmp_path, monkeypatch):
    fake = tmp_path / "briefer"
    (fake / "a").mkdir(parents=True)
    (fake / "b").mkdir()
    for init in (fake / "__init__.py", fake / "a" / "__init__.py", fake / "b" / "__init__.py"):
        init.write_text("", encoding="utf-8")
    (fake / "a" / "x.py").write_text("_SECRET = 1\n", encoding="utf-8")
    (fake / "b" / "y.py").write_text("from briefer.a.x import _SECRET\n", encoding="utf-8")
    monkeypatch.setattr(__import__(__name__, fromlist=["x"]), "ROOT", tmp_path)
    monkeypatch.setattr(__import__(__name__, fromlist=["x"]), "PACKAGE", fake)
    assert private_imports_across_packages() == [("briefer.b.y", "briefer.a.x._SECRET")]


def test_the_io_layer_imports_nothing_above_it():
    allowed = (
        "briefer.io",
        "briefer.errors",
        "briefer.settings",
        "briefer.text",
        "briefer.schema",
        "briefer.inputs.article",  # the Article type, which the store keeps
    )
    for name, targets in import_graph().items():
        if name.startswith("briefer.io"):
            assert {t for t in targets if not t.startswith(allowed)} == set(), name
