"""The structure shows the design: every module sits in one layer, and imports only from its own
layer or the layers before it (declarations → intake → checks → compute → render → shell).

A new module fails here until it is placed in a layer and named in the README's developer
section, so the map a newcomer reads stays the map of the code.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "tqd_sheets"

# In order: a module may import from its own layer and the ones above it in this list.
LAYERS: dict[str, tuple[str, ...]] = {
    # No domain knowledge: findings as values, periods, files written atomically, safe text.
    "base": (
        "findings",
        "periods",
        "oserrors",
        "atomic",
        "celltext",
        "console",
        "styles",
        "office",
        "lock",
        "progress",
    ),
    # Each domain fact once, as data.
    "declarations": (
        "units",
        "registry",
        "spec",
        "titles",
        "catalog",
        "config",
        "cau_hinh",
        "formspec",
        "results",
    ),
    # Files in, hostile input refused, grids parsed against the declarations.
    "intake": ("extent", "read", "values", "parse", "children"),
    "checks": ("validate", "history_checks"),
    # Pure arithmetic over DataFrames.
    "compute": ("indicators", "chain", "history"),
    # Workbooks out, drawn from declarations and results.
    "render": (
        "unit_words",
        "template",
        "fill",
        "formpage",
        "chart",
        "forms",
        "report",
        "registers",
        "feedback",
        "carry",
        "baocao_docx",
    ),
    # Orchestration and the command line.
    "shell": ("cache", "pipeline", "history_run", "outputs", "cli"),
}
LAYER_OF = {m: layer for layer, mods in LAYERS.items() for m in mods}
ORDER = list(LAYERS)


def modules() -> list[str]:
    return sorted(p.stem for p in SRC.glob("*.py") if p.stem != "__init__")


def imports(module: str) -> set[str]:
    """The package's modules `module` imports (relative or absolute), at any depth."""
    tree = ast.parse((SRC / f"{module}.py").read_text("utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                found.add(node.module.split(".")[0])
            elif node.level == 1:
                found.update(a.name for a in node.names)
            elif node.module and node.module.startswith("tqd_sheets."):
                found.add(node.module.split(".")[1])
            elif node.module == "tqd_sheets":
                found.update(a.name for a in node.names)
    return {m for m in found if (SRC / f"{m}.py").exists()}


def test_every_module_has_a_layer():
    assert [m for m in modules() if m not in LAYER_OF] == []
    assert [m for m in LAYER_OF if m not in modules()] == []


@pytest.mark.parametrize("module", modules())
def test_imports_go_down_the_layers(module):
    if module not in LAYER_OF:
        pytest.skip("not placed (see test_every_module_has_a_layer)")
    mine = ORDER.index(LAYER_OF[module])
    upward = {m for m in imports(module) if m in LAYER_OF and ORDER.index(LAYER_OF[m]) > mine}
    assert upward == set(), f"{module} ({LAYER_OF[module]}) imports a later layer"


def test_the_readme_maps_every_module():
    text = (ROOT / "README.md").read_text("utf-8")
    section = text[text.index("## Cho người phát triển") :]
    assert [m for m in modules() if f"`{m}`" not in section] == []


LONGEST_CLASS = 800  # lines: issue 8 asked for no class this long


@pytest.mark.parametrize("module", modules())
def test_no_class_holds_a_module(module):
    tree = ast.parse((SRC / f"{module}.py").read_text("utf-8"))
    long = {
        n.name: n.end_lineno - n.lineno + 1
        for n in ast.walk(tree)
        if isinstance(n, ast.ClassDef) and n.end_lineno - n.lineno + 1 >= LONGEST_CLASS
    }
    assert long == {}
