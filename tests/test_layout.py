"""The house: the engine at ``autograd/``'s top level, the tools built on it in subpackages.

The engine (``value``, ``backward``, ``grad_mode``, ``functional``, ``anomaly``, ``errors``, the
accelerator switch) is what a learner reads in one sitting, so it stays short and imports no tool;
``autograd/__init__.py`` alone hands the tools' public names on, and those names stay as they were.
"""

import ast
from pathlib import Path

import autograd

PACKAGE = Path(autograd.__file__).parent
TOOLS = ("replay", "views")
ENGINE_LINES = 1_700

PUBLIC_NAMES = {  # `import autograd` before the engine moved apart from its tools (issue 18)
    "ACCELERATED",
    "AnomalyError",
    "AutogradError",
    "CompiledGradient",
    "DivisionByZeroError",
    "DomainError",
    "Explanation",
    "ExpressionError",
    "GradcheckError",
    "GraphError",
    "GraphTooLargeError",
    "GraphvizNotFoundError",
    "NumericOverflowError",
    "Operation",
    "StepThrough",
    "Value",
    "compile",
    "detached",
    "detect_anomaly",
    "draw_graph",
    "enable_grad",
    "explain",
    "grad",
    "gradcheck",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "no_grad",
    "save_stepthrough",
    "set_grad_enabled",
    "show",
    "stepthrough_html",
    "topological_order",
}


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, relative imports written out from the file's own package."""
    package = ".".join(path.relative_to(PACKAGE.parent).parent.parts)
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]) if node.level else ""
            module = ".".join(filter(None, (base, node.module or "")))
            names.add(module)
            if module == "autograd":  # `from . import views`: a submodule, where one of that name exists
                names |= {f"{module}.{a.name}" for a in node.names if (PACKAGE / a.name).exists()}
    return names


def engine_modules() -> list[Path]:
    return sorted(path for path in PACKAGE.glob("*.py") if path.name != "__init__.py")


def test_import_autograd_exposes_the_same_names_as_before() -> None:
    assert set(autograd.__all__) == PUBLIC_NAMES
    assert all(hasattr(autograd, name) for name in PUBLIC_NAMES)
    assert callable(autograd.show) and callable(autograd.compile)  # functions, not the subpackages' modules


def test_the_engine_imports_no_tool() -> None:
    assert {path.name for path in engine_modules()} >= {"value.py", "backward.py", "grad_mode.py", "functional.py"}
    for path in engine_modules():
        tools = {name for name in imported_modules(path) if name.split(".")[:2] in (["autograd", t] for t in TOOLS)}
        assert not tools, f"{path.name} imports {sorted(tools)}"


def test_the_tools_live_in_subpackages_and_the_engine_reads_in_one_sitting() -> None:
    for tool in TOOLS:
        assert (PACKAGE / tool / "__init__.py").is_file()
    assert (PACKAGE / "views" / "page" / "stepthrough.js").is_file()
    lines = sum(len(path.read_text(encoding="utf-8").splitlines()) for path in PACKAGE.glob("*.py"))
    assert lines <= ENGINE_LINES, f"autograd/'s top level holds {lines} lines of Python"


def test_nothing_outside_the_engine_still_names_the_old_flat_modules() -> None:
    moved = ("tracing", "codegen", "compile", "draw", "notation", "stepthrough", "explain")
    root = PACKAGE.parent
    for path in [*root.glob("nn/*.py"), *root.glob("tests/*.py"), *root.glob("benchmarks/*.py")]:
        stale = {name for name in imported_modules(path) for old in moved if name == f"autograd.{old}"}
        assert not stale, f"{path.relative_to(root)} imports {sorted(stale)}"
