"""The real public files in ``tests/data/public`` (its README.md gives their provenance,
licences and SHA-256), kept in the repository so that the suite needs nothing beside it."""

from __future__ import annotations

from pathlib import Path

PUBLIC = Path(__file__).resolve().parents[1] / "data" / "public"
GLEIF = PUBLIC / "01-gleif-l1-l2-vub-monoova"
BODS = PUBLIC / "03-bods04-gasgrid-finland"


def gleif_files() -> tuple[Path, Path]:
    return GLEIF / "lei-updates-data2.xml", GLEIF / "rr-updates-data2.xml"


def gasgrid_file() -> Path:
    return BODS / "bods-package-fi-soe.json"
