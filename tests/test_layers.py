"""The layers of the package, as the README's "Layout of the code" draws them: each module
imports only the layers below it (or its own), and no two modules import each other, even
through others. Read from the source (every import, those inside functions too)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "budgetplan"

#: Each top-level module or folder of budgetplan and its layer (the README's numbering).
LAYERS: dict[str, int] = {
    "core": 1,
    "compute": 2,
    "yamlio": 3,
    "xlsx": 4,
    "readback": 5,
    "diff": 5,
    "scenarios": 5,
    "recalc": 5,
    "publish": 6,
    "layout_upgrade": 6,
    "steering": 6,
    "signing": 6,
    "policy": 6,
    "runner": 6,
    "scenario": 6,
    "api": 7,
    "__init__": 7,
    "cli_said": 8,
    "cli_help": 8,
    "cli": 8,
    "addon": 8,
    "__main__": 9,
}
#: Older module names kept for scripts written against them: each is the module it names.
ALIASES = {("budgetplan.scenarios.runner", "budgetplan.runner")}


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS["__init__"] if len(parts) == 1 else LAYERS[parts[1]]


def _resolve(module: str, names: list[str], known: set[str]) -> list[str]:
    """``from module import a, b``: the submodules named, or the module itself."""
    found = [f"{module}.{n}" for n in names if f"{module}.{n}" in known]
    return found or [module]


def imports() -> dict[str, set[str]]:
    """Each module of the package and the package's modules it imports."""
    files = {_module(p): p for p in PACKAGE.rglob("*.py")}
    known = set(files)
    edges: dict[str, set[str]] = {m: set() for m in files}
    for module, path in files.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = _resolve(node.module, [a.name for a in node.names], known)
            else:
                continue
            edges[module] |= {t for t in targets if t.split(".")[0] == "budgetplan"} - {module}
    return edges


def test_every_module_has_a_layer() -> None:
    assert [m for m in imports() if m.split(".")[1:2] and m.split(".")[1] not in LAYERS] == []


def test_every_import_looks_down() -> None:
    upward = sorted(
        (module, target)
        for module, targets in imports().items()
        for target in targets
        if _layer(target) > _layer(module) and (module, target) not in ALIASES
    )
    assert upward == [], "imports against the README's layers: " + ", ".join(
        f"{m} -> {t}" for m, t in upward
    )


def test_no_module_imports_itself_through_others() -> None:
    edges = imports()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(edges.get(module, ())):
            if state.get(target) == 1:
                cycles.append(path[path.index(target) :] + [target])
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module)
    # a package's __init__ importing its own submodules is not a cycle of the code
    real = [
        c for c in cycles if not any(a.startswith(b + ".") for a, b in zip(c[1:], c, strict=False))
    ]
    assert real == [], " ; ".join(" -> ".join(c) for c in real)


#: Exceptions that never leave budgetplan: each is caught where it is raised and turned into a
#: finding (a cell's value, the fast YAML reader handing over to the exact one).
INTERNAL_EXCEPTIONS = {
    "budgetplan.xlsx.codec.CellError",
    "budgetplan.yamlio.fast.Unsure",
    "budgetplan.yamlio.fast.TooDeep",
}


def test_one_exception_tree() -> None:
    """Every error budgetplan raises to its caller is a BudgetplanError, carrying findings whose
    messages follow the user's language (as XlsxWriter's exceptions.py has one tree)."""
    import importlib

    from budgetplan.core.errors import BudgetplanError

    outside = []
    for module in imports():
        if module in ("budgetplan.__main__", "budgetplan.recalc.lo_uno"):
            continue  # the command line when imported; a script for LibreOffice's own Python
        loaded = importlib.import_module(module)
        for name, value in vars(loaded).items():
            if (
                isinstance(value, type)
                and issubclass(value, BaseException)
                and value.__module__ == module
                and not issubclass(value, BudgetplanError)
                and f"{module}.{name}" not in INTERNAL_EXCEPTIONS
            ):
                outside.append(f"{module}.{name}")
    assert outside == [], outside
