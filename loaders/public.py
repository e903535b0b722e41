"""What a loader of a public ownership standard returns: records of one source, with notes.

A public source (a GLEIF file pair, a BODS file) is read into a :class:`PublicSource`: its
entities keyed by a source-local id (an LEI, or ``bods:`` and a BODS record id), its
relationships between those ids, and the notes the loader wants a person to read (records it
kept in another form, such as an interest whose interested party is unspecified). Every
record carries its provenance in ``source_standard``, ``record_id``, ``statement_date`` and
``origin`` (file and record or line). :func:`loaders.merge.merge_sources` turns sources, and
optionally a bank's dataset, into one :class:`schema.records.Dataset`.
"""

from __future__ import annotations

import sys
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import IO

from schema.errors import Problem
from schema.records import Entity, Relationship
from schema.values import parse_date

__all__ = ["PublicSource", "intern", "iso_date", "open_source_file", "shared_extra", "sniff"]


@dataclass
class PublicSource:
    """The records of one public source.

    Attributes
    ----------
    name : str
        The file names, for messages (``lei.xml + rr.xml``).
    standard : str
        The standard and version, e.g. ``GLEIF LEI-CDF 2.1 / RR-CDF 1.1`` or ``BODS 0.4``.
    entities : dict of str to Entity
        By source-local id.
    relationships : list of Relationship
        Ends are source-local ids, or LEIs of entities another source (or the bank) holds.
    notes : list of str
        What a reader should know about how records were kept.
    problems : list of Problem
        What is wrong with the input; a source with problems is not loaded.
    """

    name: str
    standard: str
    entities: dict[str, Entity] = field(default_factory=dict)
    relationships: list[Relationship] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def intern(text: str | None) -> str | None:
    """Share one copy of a value that repeats across millions of records (codes, statuses)."""
    return None if text is None else sys.intern(text)


def iso_date(text: str | None) -> date | None:
    """The calendar date of an ISO 8601 date or date-time as written (its local date).
    Equal dates are one shared object.

    >>> iso_date("2005-03-23T08:00:00+01:00"), iso_date(None)
    (datetime.date(2005, 3, 23), None)
    >>> iso_date("2024-W01-1")
    Traceback (most recent call last):
    ...
    schema.values.ValueRejected: expected an ISO date such as 2024-12-31, got '2024-W01-1'
    """
    if not text:
        return None
    return _date(text.strip()[:10])


@lru_cache(maxsize=1 << 16)
def _date(text: str) -> date:
    return parse_date(text)


_SHARED: dict[tuple[tuple[str, str], ...], Mapping[str, str]] = {}
_SHARED_MAX = 1 << 16


def shared_extra(values: dict[str, str]) -> Mapping[str, str]:
    """A read-only mapping of ``values``, one object for every record with the same values
    (GLEIF records repeat a few thousand combinations of category, jurisdiction and form
    millions of times). Past 65,536 combinations new ones are not shared.

    >>> shared_extra({"a": "1"}) is shared_extra({"a": "1"})
    True
    """
    key = tuple(values.items())
    found = _SHARED.get(key)
    if found is None:
        found = MappingProxyType(dict(values))
        if len(_SHARED) < _SHARED_MAX:
            _SHARED[key] = found
    return found


@contextmanager
def open_source_file(path: Path) -> Iterator[IO[bytes]]:
    """Open ``path`` for streaming, or its single member when it is a ``.zip`` (GLEIF ships
    the golden copy zipped)."""
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if not m.endswith("/")]
            if len(members) != 1:
                raise ValueError(f"expected one file in {path.name}, found {len(members)}")
            with archive.open(members[0]) as handle:
                yield handle
    else:
        with path.open("rb") as handle:
            yield handle


def sniff(path: Path) -> str | None:
    """What ``path`` holds, from its first 64 kB: ``"bank"`` (a dataset folder),
    ``"gleif-lei"``, ``"gleif-rr"``, ``"gleif-exceptions"``, ``"bods"``, or None.

    >>> sniff(Path(__file__).parent)
    'bank'
    """
    if path.is_dir():
        return "bank"
    try:
        with open_source_file(path) as handle:
            head = handle.read(1 << 16).decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    except (OSError, ValueError, zipfile.BadZipFile):
        return None
    if head.startswith("<"):
        for marker, kind in (("RelationshipData", "gleif-rr"), ("RelationshipRecord", "gleif-rr"),
                             ("ReportingExceptionData", "gleif-exceptions"),
                             ("LEIData", "gleif-lei"), ("LEIRecord", "gleif-lei")):
            if marker in head:
                return kind
        return None
    if head[:1] in ("[", "{") and any(key in head for key in (
            '"statementId"', '"statementID"', '"recordType"', '"statementType"')):
        return "bods"
    return None
