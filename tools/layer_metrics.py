#!/usr/bin/env python3
"""Layer metrics of the eperformance package (issue 15), from the source alone (stdlib ``ast``).

Prints:

* the import cycles: strongly connected components of more than one module in the graph of
  the package's own imports, module-level and inside functions alike (``TYPE_CHECKING``
  imports included: they are edges of the design even if not of the run);
* the number of ``import`` statements inside functions (all of them, and those of the
  package's own modules), with ``--list`` each one and its ``# lazy:`` reason if any;
* the modules over 500 lines.

Usage: ``python tools/layer_metrics.py [--root lib/eperformance] [--list]``
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

LONG_MODULE = 500


def module_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def resolve_from(node: ast.ImportFrom, current: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = current.split(".")
    if not is_package:
        base = base[:-1]
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def nearest_module(name: str, modules: set[str]) -> str | None:
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


class Collector(ast.NodeVisitor):
    def __init__(self) -> None:
        self.depth = 0
        self.imports: list[tuple[ast.Import | ast.ImportFrom, bool]] = []

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    def visit_Import(self, node: ast.Import) -> None:
        self.imports.append((node, self.depth > 0))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self.imports.append((node, self.depth > 0))


def tarjan(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    counter = 0

    def strong(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            result.append(sorted(comp))

    sys.setrecursionlimit(max(10000, sys.getrecursionlimit()))
    for v in sorted(graph):
        if v not in index:
            strong(v)
    return result


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=here / "lib" / "eperformance")
    ap.add_argument("--list", action="store_true", help="list every import inside a function")
    ap.add_argument("--parents", action="store_true",
                    help="also count the edges to the parent packages an import runs first "
                         "(importing a.b.c runs a/__init__ and a/b/__init__)")
    args = ap.parse_args(argv)
    root: Path = args.root.resolve()

    files = {module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    modules = set(files)
    package = root.name
    graph: dict[str, set[str]] = {m: set() for m in modules}
    lazy_all: list[tuple[str, int, str, str]] = []
    lazy_own = 0
    long_modules: list[tuple[str, int]] = []

    for mod, path in files.items():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        if len(lines) > LONG_MODULE:
            long_modules.append((str(path.relative_to(root.parent.parent)), len(lines)))
        col = Collector()
        col.visit(ast.parse(text, filename=str(path)))
        is_pkg = path.name == "__init__.py"
        for node, in_function in col.imports:
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                base = resolve_from(node, mod, is_pkg)
                for a in node.names:
                    sub = f"{base}.{a.name}"
                    targets.append(sub if sub in modules else base)
            own = [t for t in targets if t == package or t.startswith(package + ".")]
            for t in own:
                hit = nearest_module(t, modules)
                if hit and hit != mod:
                    graph[mod].add(hit)
                while args.parents and hit and "." in hit:
                    hit = hit.rpartition(".")[0]
                    if hit != package and hit != mod and not mod.startswith(hit + "."):
                        graph[mod].add(hit)
            if in_function:
                line = lines[node.lineno - 1]
                reason = line.partition("# lazy:")[2].strip() if "# lazy:" in line else ""
                lazy_all.append((str(path.relative_to(root.parent.parent)), node.lineno,
                                 ast.unparse(node), reason))
                if own:
                    lazy_own += 1

    cycles = [c for c in tarjan(graph) if len(c) > 1]
    edges = sum(len(v) for v in graph.values())
    print(f"modules: {len(modules)}, import edges (own package): {edges}")
    print(f"import cycles (SCCs of size > 1): {len(cycles)}")
    for c in sorted(cycles, key=len, reverse=True):
        print(f"  [{len(c)}] " + ", ".join(c))
    print(f"imports inside functions: {len(lazy_all)} (of the package's own modules: {lazy_own})")
    if args.list:
        for path_s, lineno, src, reason in lazy_all:
            print(f"  {path_s}:{lineno}: {src}" + (f"  # lazy: {reason}" if reason else ""))
    print(f"modules over {LONG_MODULE} lines: {len(long_modules)}")
    for path_s, n in sorted(long_modules, key=lambda x: -x[1]):
        print(f"  {n:5d} {path_s}")
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except BrokenPipeError:  # piped into head
        sys.stderr.close()
        raise SystemExit(0) from None
