"""The imports of the repository's Python files, read with :mod:`ast` (nothing is imported),
for the tests that hold the layout (tests/test_layout.py) and the front doors
(tests/test_exports.py).

An import inside a function counts as much as one at the top, and so does one in a doctest
example: each is a dependency the package takes on.
"""

from __future__ import annotations

import ast
import doctest
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The packages of the product, in the order of DESIGN section 1; tests/ and scripts/ only use them.
PACKAGES = ("schema", "loaders", "graph", "viz", "api")


@dataclass(frozen=True)
class Import:
    """One import statement: ``import module`` (no names) or ``from module import names``."""

    path: Path
    line: int
    module: str
    names: tuple[str, ...]

    def where(self) -> str:
        return f"{self.path.relative_to(ROOT).as_posix()}:{self.line}"


def python_files() -> list[Path]:
    """Every Python file of the repository: modules, tests, and the scripts, some of which
    are Python without a ``.py`` name (found by their ``#!`` line)."""
    files = [path for path in ROOT.rglob("*.py") if not _outside(path)]
    files += [path for path in (ROOT / "scripts").rglob("*")
              if path.is_file() and path.suffix == "" and _python_script(path)]
    return sorted(files)


def _outside(path: Path) -> bool:
    # Hidden folders hold the virtual environment and tools' caches, not the project's code.
    parts = path.relative_to(ROOT).parts[:-1]
    return any(part.startswith(".") or part == "build" or part.endswith(".egg-info") for part in parts)


def _python_script(path: Path) -> bool:
    with path.open("rb") as handle:
        first = handle.readline()
    return first.startswith(b"#!") and b"python" in first


def module_name(path: Path) -> str:
    """``graph/risk/limits.py`` -> ``graph.risk.limits``; a package's ``__init__.py`` is the package."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> Iterator[Import]:
    """The imports of ``path``, its doctest examples' included, with relative imports made absolute."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    yield from _statements(tree, path, 0)
    parser = doctest.DocTestParser()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            docstring = ast.get_docstring(node, clean=False)
            for example in parser.get_examples(docstring or ""):
                # Line 1 of the example is its line in the docstring, the node's first statement.
                start = node.body[0].lineno + example.lineno - 1
                yield from _statements(ast.parse(example.source), path, start)


def _statements(tree: ast.AST, path: Path, offset: int) -> Iterator[Import]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(path, offset + node.lineno, alias.name, ())
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(node, path)
            yield Import(path, offset + node.lineno, module, tuple(alias.name for alias in node.names))


def _absolute(node: ast.ImportFrom, path: Path) -> str:
    if not node.level:
        return node.module or ""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[:len(package) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)
