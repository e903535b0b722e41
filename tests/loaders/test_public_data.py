"""The public files in tests/data/public are the bytes their README lists: each file's
SHA-256 matches, and every file there is listed (a file added without provenance fails)."""

from __future__ import annotations

import hashlib
import re

from tests.loaders.real_data import PUBLIC

# Lines of the README's SHA-256 block, in sha256sum's format: "<hex>  <path>".
HASH_LINE = re.compile(r"^([0-9a-f]{64})  (\S+)$", re.MULTILINE)
# What the folder holds beside the data: the provenance itself and git's settings for it.
NOT_DATA = {"README.md", ".gitattributes"}


def listed() -> dict[str, str]:
    return {path: digest for digest, path in HASH_LINE.findall((PUBLIC / "README.md").read_text("utf-8"))}


def test_the_readme_lists_every_file_there_and_only_those():
    present = {p.relative_to(PUBLIC).as_posix() for p in PUBLIC.rglob("*")
               if p.is_file() and p.name not in NOT_DATA}
    assert present and set(listed()) == present


def test_every_file_has_the_hash_the_readme_lists():
    for path, digest in listed().items():
        assert hashlib.sha256((PUBLIC / path).read_bytes()).hexdigest() == digest, path
