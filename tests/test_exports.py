"""Each package's front door, its ``__init__.py``, is empty (a docstring at most) or exports
in ``__all__`` exactly what callers import through it.

A caller is any Python file of the repository (modules, tests, scripts, doctest examples:
tests/imports.py) writing ``from package import name``, or an entry point of
pyproject.toml (``package:name``). An export nobody imports through the package, or a name
imported through it that ``__all__`` does not list, fails; so does an unsorted ``__all__``.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

from tests.imports import ROOT, imports, module_name, python_files

FRONT_DOORS = [path for path in python_files() if path.name == "__init__.py"]


def exported(front_door: Path) -> list[str] | None:
    """The names in the ``__all__`` of ``front_door``, or None without one."""
    for node in ast.parse(front_door.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            return [ast.literal_eval(element) for element in node.value.elts]
    return None


def imported_through(package: str) -> set[str]:
    """The names callers import from ``package`` itself (not those of its submodules)."""
    folder = ROOT.joinpath(*package.split("."))
    names = {name for path in python_files() for found in imports(path) if found.module == package
             for name in found.names}
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    names |= {target.partition(":")[2] for target in scripts.values() if target.partition(":")[0] == package}
    # ``from package import submodule`` names a module, not an export.
    return {name for name in names if not (folder / f"{name}.py").exists() and not (folder / name).is_dir()}


def isort_order(name: str) -> tuple[int, str]:
    """Ruff's order for ``__all__`` (RUF022): constants, then classes, then the rest."""
    return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name)


WITH_EXPORTS = [path for path in FRONT_DOORS if exported(path) is not None]


def test_there_are_front_doors_to_check():
    assert WITH_EXPORTS and len(FRONT_DOORS) > len(WITH_EXPORTS)


@pytest.mark.parametrize("front_door", WITH_EXPORTS, ids=lambda path: module_name(path))
def test_all_is_sorted_and_is_what_callers_import(front_door):
    names = exported(front_door)
    assert names, "an empty __all__: leave it out"
    assert names == sorted(names, key=isort_order)
    assert set(names) == imported_through(module_name(front_door))


@pytest.mark.parametrize("front_door", [path for path in FRONT_DOORS if path not in WITH_EXPORTS],
                         ids=lambda path: module_name(path))
def test_a_front_door_without_exports_is_empty(front_door):
    tree = ast.parse(front_door.read_text(encoding="utf-8"))
    body = tree.body[1:] if ast.get_docstring(tree) is not None else tree.body
    assert body == [], "it imports or defines something: export it in __all__, or leave it out"
