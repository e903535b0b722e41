"""The real public files in ``../shared/data/real`` (see its PROVENANCE.md), found relative
to the repository so that CI, which clones the repository beside a copy of ``shared/``,
finds them too. Absent locally, tests using them skip; under ``CI=true`` they fail."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "real"
GLEIF = "01-gleif-l1-l2-vub-monoova"
BODS = "03-bods04-gasgrid-finland"


def real_folder(name: str) -> Path:
    """The folder ``name`` of the real data, or skip (fail in CI) when it is not there."""
    folder = REAL / name
    if not folder.is_dir():
        message = (f"the real data folder {folder.resolve()} is missing: it sits beside the "
                   "repository as ../shared/data/real")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return folder


def gleif_files() -> tuple[Path, Path]:
    folder = real_folder(GLEIF)
    return folder / "lei-updates-data2.xml", folder / "rr-updates-data2.xml"


def gasgrid_file() -> Path:
    return real_folder(BODS) / "bods-package-fi-soe.json"
