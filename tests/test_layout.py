"""The layout of DESIGN section 1 holds: dependencies point one way, and the README's Layout
table names only what is there.

``loaders -> schema``, ``graph -> schema``, ``viz -> graph, schema``,
``api -> graph, viz, schema``, and ``api/service.py`` alone also imports ``loaders``;
``schema`` imports nothing of ours. Every import counts, inside functions and doctests too
(tests/imports.py).
"""

from __future__ import annotations

import re

import pytest

from tests.imports import PACKAGES, ROOT, Import, imports, python_files

# What each package may import of ours besides itself. api's loaders are held apart, to
# api/service.py alone, by test_only_the_service_imports_loaders.
MAY_IMPORT = {
    "schema": set(),
    "loaders": {"schema"},
    "graph": {"schema"},
    "viz": {"graph", "schema"},
    "api": {"graph", "viz", "schema", "loaders"},
}
OURS = {*PACKAGES, "tests"}
SERVICE = ROOT / "api" / "service.py"


def imports_of(package: str) -> list[Import]:
    """The imports of our packages made by the modules of ``package``."""
    found = [found for path in python_files() if path.is_relative_to(ROOT / package)
             for found in imports(path) if found.module.partition(".")[0] in OURS]
    assert found, f"no module of {package}/ imports anything of ours: is the walk broken?"
    return found


def test_every_package_has_its_rule():
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")} - {"tests"}
    assert packages == set(MAY_IMPORT) == set(PACKAGES)


@pytest.mark.parametrize("package", PACKAGES)
def test_dependencies_point_one_way(package):
    allowed = {package, *MAY_IMPORT[package]}
    wrong = [f"{found.where()} imports {found.module}" for found in imports_of(package)
             if found.module.partition(".")[0] not in allowed]
    assert wrong == []


def test_only_the_service_imports_loaders():
    wrong = [f"{found.where()} imports {found.module}" for found in imports_of("api")
             if found.module.partition(".")[0] == "loaders" and found.path != SERVICE]
    assert wrong == []


def layout_rows() -> list[tuple[str, str]]:
    """The rows (folder, what is in it) of the table in the README's section '## Layout'."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([^`]+)` \| (.*) \|$", section, re.MULTILINE)
    assert rows, "no rows in the README's Layout table"
    return rows


def test_the_readme_layout_names_only_what_exists():
    """A row's folder is a path from the top; in its description, a name in backticks with a
    ``/`` or a ``.`` is a path inside that folder (``*`` as in a glob), other names in
    backticks (commands, classes) are not paths."""
    missing = []
    for folder, description in layout_rows():
        if not (ROOT / folder).is_dir():
            missing.append(folder)
        for name in re.findall(r"`([^`]+)`", description):
            if ("/" in name or "." in name) and not any((ROOT / folder).glob(name.rstrip("/"))):
                missing.append(folder + name)
    assert missing == []

