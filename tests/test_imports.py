"""Imports: the slow optional import jsonschema would make (rfc3987-syntax) is skipped,
and notebooks still validate; the layers import only downward (card core, render,
batch, entry points), and only the entry layer reads a batch's hand-off to its kernels."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

PROBE = ("import eperformance, sys, nbformat\n"
         "nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')]))\n"
         "print(sys.modules.get('rfc3987_syntax', 'absent') is None)")


def _probe(**env: str) -> str:
    res = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         env=dict(os.environ, **env), check=True)
    return res.stdout.strip()


def test_nbformat_validates_without_the_slow_rfc3987_import() -> None:
    assert _probe() == "True"


def test_the_package_can_be_kept() -> None:
    try:
        metadata.distribution("rfc3987-syntax")
    except metadata.PackageNotFoundError:
        pytest.skip("rfc3987-syntax is not installed")
    assert _probe(EPERF_KEEP_RFC3987="1") == "False"


# --------------------------------------------------------------------------- layering
PACKAGE = Path(__file__).resolve().parents[1] / "lib" / "eperformance"
ENTRY = ("eperformance.cli", "eperformance.notebook_entry", "eperformance.explorer")
HANDOFF_NAMES = {"NOW_ENV", "SCOPE_ENV", "CONTEXT_ENV", "SECRET_ENV"}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _modules() -> dict[str, tuple[Path, ast.Module]]:
    return {_module_name(p): (p, ast.parse(p.read_text(encoding="utf-8")))
            for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, tree: ast.Module) -> set[str]:
    """Every module ``name`` imports (at the top, in a function or for type checking)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            target = f"{base}.{node.module}" if node.level and node.module else \
                base if node.level else node.module or ""
            out.add(target)
            out.update(f"{target}.{a.name}" for a in node.names)
    return {m for m in out if m.startswith("eperformance")}


def _within(module: str, *packages: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def test_card_and_render_import_only_downward() -> None:
    """card/ imports nothing from batch, render, explorer, the CLI or the notebooks'
    entry points; render imports nothing from batch or the entry layer."""
    above_card = ("eperformance.batch", "eperformance.render", *ENTRY)
    above_render = ("eperformance.batch", *ENTRY)
    wrong = []
    for name, (path, tree) in _modules().items():
        if _within(name, "eperformance.card"):
            wrong += [(name, m) for m in _imports(name, path, tree) if _within(m, *above_card)]
        if _within(name, "eperformance.render", "eperformance.pdf", "eperformance.xlsx"):
            wrong += [(name, m) for m in _imports(name, path, tree)
                      if _within(m, *above_render)]
    assert wrong == []


def test_no_cycle_among_card_render_and_batch() -> None:
    groups = ("eperformance.card", "eperformance.render", "eperformance.batch")
    edges: set[tuple[str, str]] = set()
    for name, (path, tree) in _modules().items():
        source = next((g for g in groups if _within(name, g)), None)
        if source is None:
            continue
        for m in _imports(name, path, tree):
            target = next((g for g in groups if _within(m, g)), None)
            if target is not None and target != source:
                edges.add((source, target))
    assert not {(a, b) for a, b in edges if (b, a) in edges}, edges


def test_only_the_entry_layer_reads_the_batch_hand_off() -> None:
    """The variables a batch hands to its kernels (the run's clock, scope, slices) are
    decoded by eperformance.notebook_entry alone (KernelHandoff.from_env(os.environ))."""
    readers = []
    for name, (_path, tree) in _modules().items():
        if _within(name, *ENTRY):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr == "from_env":
                readers.append((name, "from_env"))
            arg: ast.AST | None = None
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr in ("get", "getenv", "pop") and node.args:
                arg = node.args[0]
            elif isinstance(node, ast.Subscript):
                arg = node.slice
            if isinstance(arg, ast.Name) and arg.id in HANDOFF_NAMES:
                readers.append((name, arg.id))
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and \
                    arg.value.startswith(("EPERF_NOW", "EPERF_BATCH")):
                readers.append((name, arg.value))
    # handoff.from_env decodes the mapping its caller passes
    assert {r for r in readers if r[0] != "eperformance.batch.handoff"} == set()


def test_imports_inside_functions_say_why() -> None:
    """In the card core, the batch, render and the entry points, an import inside a
    function is there for start-up time, and says so (``# lazy: <reason>``) on its line
    or on a comment line just above it."""
    checked = ("eperformance.card", "eperformance.batch", "eperformance.render",
               "eperformance.notebook_entry", "eperformance.cli")
    silent = []
    for name, (path, tree) in _modules().items():
        if not _within(name, *checked):
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for block in ast.walk(fn):
                body = getattr(block, "body", None)
                if not isinstance(body, list):
                    continue
                said = False  # a run of imports under one comment
                previous: ast.stmt | None = None
                for node in body:
                    if isinstance(node, (ast.Import, ast.ImportFrom)):
                        if not isinstance(previous, (ast.Import, ast.ImportFrom)):
                            said = any("# lazy:" in lines[i] for i in
                                       (node.lineno - 2, node.lineno - 1))
                        elif "# lazy:" in lines[node.lineno - 1]:
                            said = True
                        if not said:
                            silent.append(f"{name}:{node.lineno}")
                    previous = node
    assert silent == []
