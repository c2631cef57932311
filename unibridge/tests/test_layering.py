"""core holds the shared mechanisms and knows no app; no module imports in a circle.

Every import in core is read from the source (including imports inside functions), so an
import of an app cannot hide from this test; unibridge/site.py is where apps meet core.
core's own tests are left out: they try the mechanisms on the apps' real records (search
over institutions, leaks across every app), as site-wide tests.
"""

import ast
from pathlib import Path

import pytest

import unibridge

PACKAGE = Path(unibridge.__file__).parent
APPS = sorted(
    path.name for path in PACKAGE.iterdir() if (path / "apps.py").exists() and path.name != "core"
)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level >= 2:
            modules.add("<relative import above core>")
    return modules


def test_the_apps_are_found():
    assert {"accounts", "institutions", "agreements", "visits"} <= set(APPS)


CORE_MODULES = sorted(
    path
    for path in (PACKAGE / "core").rglob("*.py")
    if "tests" not in path.relative_to(PACKAGE).parts
)


@pytest.mark.parametrize("path", CORE_MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_imports_no_app(path):
    forbidden = {f"unibridge.{app}" for app in APPS} | {"unibridge.site", "unibridge.views"}
    offending = sorted(
        module
        for module in imported_modules(path)
        if module == "<relative import above core>"
        or any(module == name or module.startswith(f"{name}.") for name in forbidden)
    )
    assert offending == [], f"{path.relative_to(PACKAGE)} imports {offending}"


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    return ".".join(relative.parts).removesuffix(".__init__")


def top_level_imports(path: Path, name: str) -> set[str]:
    """The unibridge modules a module imports when it is loaded (not inside functions)."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = name.split(".")
                base = parts if is_package else parts[:-1]
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            # ``from package import module`` imports the module too
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return {module for module in found if module.startswith("unibridge")}


def test_no_module_imports_itself_through_others():
    paths = [
        path
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts and "tests" not in path.parts
    ]
    graph = {module_name(path): top_level_imports(path, module_name(path)) for path in paths}
    graph = {module: {m for m in imports if m in graph} for module, imports in graph.items()}
    cycles = []
    state: dict[str, str] = {}

    def visit(module: str, trail: list[str]) -> None:
        state[module] = "open"
        for imported in sorted(graph[module]):
            if state.get(imported) == "open":
                cycles.append([*trail[trail.index(imported) :], imported])
            elif imported not in state:
                visit(imported, [*trail, imported])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []
