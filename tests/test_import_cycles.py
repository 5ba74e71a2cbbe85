"""No module-level import cycle among the product's modules.

The graph is grimp's (the library import-linter builds its contracts on), without the imports
under `if TYPE_CHECKING:` and without the imports inside functions: those run when the function
is called, after every module has loaded, and each one carries a `# noqa: PLC0415` saying which
cycle it breaks. Everything else is an arrow that Python follows while loading a module, and
those arrows must never come back to where they started.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("loanwatch", "customers", "visits", "reports")


def _source(module: str) -> Path:
    base = ROOT.joinpath(*module.split("."))
    return base.with_suffix(".py") if base.with_suffix(".py").exists() else base / "__init__.py"


def _module_level_lines(module: str) -> set[int]:
    """Lines of the imports that run when the module loads (not those inside functions)."""
    lines: set[int] = set()

    def walk(statements: list[ast.stmt]) -> None:
        for statement in statements:
            if isinstance(statement, ast.Import | ast.ImportFrom):
                lines.add(statement.lineno)
            elif isinstance(statement, ast.If | ast.Try):
                walk(statement.body)
                walk(statement.orelse)
                walk(getattr(statement, "finalbody", []))
                for handler in getattr(statement, "handlers", []):
                    walk(handler.body)

    walk(ast.parse(_source(module).read_text()).body)
    return lines


@cache
def _graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True, cache_dir=None)


def _module_level_imports() -> dict[str, set[str]]:
    graph = _graph()
    edges: dict[str, set[str]] = {}
    for importer in graph.modules:
        lines = _module_level_lines(importer)
        for imported in graph.find_modules_directly_imported_by(importer):
            details = graph.get_import_details(importer=importer, imported=imported)
            if any(detail["line_number"] in lines for detail in details):
                edges.setdefault(importer, set()).add(imported)
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(edges.get(module, ())):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1 or module in edges.get(module, ()):
                found.append(sorted(group))

    modules = set(edges) | {m for imported in edges.values() for m in imported}
    for module in sorted(modules):
        if module not in index:
            visit(module)
    return found


def test_no_module_level_import_cycle():
    edges = _module_level_imports()
    cycles = _cycles(edges)
    described = [
        "\n".join(f"  {a} -> {b}" for a in group for b in sorted(edges[a]) if b in group)
        for group in cycles
    ]
    assert not cycles, "module-level import cycles:\n" + "\n\n".join(described)


def test_the_graph_covers_the_product():
    edges = _module_level_imports()
    assert "customers.models" in edges["customers.services"]
    assert "loanwatch.core.models" in edges["loanwatch.core.services"]
    assert {m.split(".")[0] for m in edges} == set(PACKAGES)


def test_an_import_inside_a_function_is_not_an_arrow():
    # The tasks module imports the services at its top; the services reach the task inside
    # the function that enqueues it, which is the one way round the cycle.
    assert _graph().direct_import_exists(importer="loanwatch.core.services",
                                         imported="loanwatch.core.tasks")
    edges = _module_level_imports()
    assert "loanwatch.core.services" in edges["loanwatch.core.tasks"]
    assert "loanwatch.core.tasks" not in edges["loanwatch.core.services"]


def test_a_cycle_is_found():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert _cycles(edges) == [["a", "b", "c"], ["e"]]
    assert _cycles({"a": {"b"}, "b": {"c"}}) == []
