"""Merge public ownership data (GLEIF, BODS) with a bank's own dataset into one Dataset.

Parties are matched, in this order:

1. by LEI (ISO 17442), exactly;
2. by registration id, compared without spaces and punctuation and in upper case
   (``106 249 852`` is ``106249852``), only between parties of the same kind whose countries
   do not disagree (register numbers are unique within a register, not across countries);
   a registration id that fits several parties is reported and matches none.

A matched party keeps the id and the fields of the party it matched (the bank's data comes
first, then the sources in the order given); its empty fields (LEI, registration id,
country, statuses) are filled from the public record, and the public record's provenance is
listed in ``extra['matched_records']``. Differences (another country, a person matched to a
company) are reported as conflicts; a different spelling of the name only as a note.

Relationships keep their own provenance. The same link stated twice (same type, ends and
facility) by two sources is kept once, as the first source states it, with the other's
provenance in ``extra['also_stated_by']``; when the two disagree (another share, say) the
conflict is reported and the other value kept in ``extra['conflicting_statement']``. Within
one source, statements of one link with other start dates are history and all kept.

The bank's own tables (facilities, declared groups, and the underlyings, collateral and
product parties of DESIGN 3b) are kept as its folder gives them: a load reads at most one
bank folder and public sources hold none of them, so there is nothing to join or to find
twice, and since a matched party keeps the bank's id every reference in them still holds.

A public-data-only load has no bank: :func:`placeholder_bank` stands in, named so, with base
currency ``XXX`` (ISO 4217: no currency) and a tier 1 and net capital of 1 that are *not
given* figures: there are no facilities, so every exposure and limit ratio is zero.

Like a dataset folder, the merge lands whole or not at all: every problem (a party no source
holds, shares of one company above 100 % (R1), an edge between parties of the wrong kind)
is raised together in one :class:`schema.errors.InvalidDataset`.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import cast, get_args

from loaders.bods import RangeShare, read_bods
from loaders.dataset import SHARE_TOLERANCE, read_dataset
from loaders.gleif import read_gleif
from loaders.public import PublicSource, sniff
from schema.errors import InvalidDataset, Problem
from schema.model import load_model
from schema.records import Bank, Dataset, Entity, Relationship

__all__ = ["LoadResult", "MergeNote", "load_paths", "merge_sources", "placeholder_bank",
           "registration_key"]

Progress = Callable[[str], None]

_FILLED = ("lei", "registration_id", "country", "legal_status", "registration_status")
# compared when both sources give them (``basis`` is free wording, not compared)
_COMPARED = ("share", "share_min", "share_max", "role", "relation", "amount", "currency",
             "fund_relation", "interest_type", "interest_level", "quantifier")


@dataclass(frozen=True)
class MergeNote:
    """Something a reader of the load should know. ``kind`` is ``matched`` (a public party
    matched one already there), ``conflict`` (two sources disagree, or a match is doubtful),
    ``corroborated`` (a link stated again by another source) or ``note`` (from a loader)."""

    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


@dataclass
class LoadResult:
    """The merged dataset, the sources it came from and every note of the merge."""

    dataset: Dataset
    sources: list[str] = field(default_factory=list)
    notes: list[MergeNote] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for n in self.notes if n.kind == kind)


def placeholder_bank(sources: Sequence[PublicSource]) -> Bank:
    """The stand-in bank of a public-data-only load (see the module docstring).

    >>> placeholder_bank([]).base_currency
    'XXX'
    """
    names = ", ".join(s.standard for s in sources) or "public data"
    return Bank(name=f"No bank: public ownership data only ({names}); capital not given",
                base_currency="XXX", tier1_capital=1.0, net_capital=1.0, regime="CN-2018")


def registration_key(text: str | None) -> str | None:
    """A registration id compared without spaces and punctuation, in upper case.

    >>> registration_key("106 249 852"), registration_key("3007894-1"), registration_key(" ")
    ('106249852', '30078941', None)
    """
    if not text:
        return None
    key = re.sub(r"[^0-9A-Z]", "", text.upper())
    return key or None


def _where(origin: str | None) -> tuple[str, int | None, str]:
    """File, position and unit of an origin such as ``rr.xml:record 5`` or ``x.json:12``."""
    file, _, position = (origin or "?").rpartition(":")
    if position.startswith("record "):
        return file, int(position[7:]), "record"
    if position.isdigit():
        return file, int(position), "line"
    return origin or "?", None, "line"


def _problem(origin: str | None, column: str | None, message: str) -> Problem:
    file, line, unit = _where(origin)
    return Problem(file, line, column, message, unit)


def _provenance(record: Entity | Relationship) -> str:
    parts = [record.source_standard or "bank data", record.record_id or "",
             f"({record.origin})" if record.origin else "",
             record.statement_date.isoformat() if record.statement_date else ""]
    return " ".join(p for p in parts if p)


class _Merger:
    def __init__(self, base: Dataset | None) -> None:
        self.entities: dict[str, Entity] = dict(base.entities) if base else {}
        self.by_lei: dict[str, str] = {}
        self.by_registration: dict[str, list[str]] = defaultdict(list)
        for entity in self.entities.values():
            self._index(entity)
        self.relationships: list[Relationship] = list(base.relationships) if base else []
        # which source each relationship came from (-1: the bank), and where each link is:
        # a position, or a list of them when one source gives the link's history
        self.source_of: list[int] = [-1] * len(self.relationships)
        self.keys: dict[tuple[str, str, str, str], int | list[int]] = {}
        for position, r in enumerate(self.relationships):
            self._remember(self._key(r), position)
        self.notes: list[MergeNote] = []
        self.problems: list[Problem] = []
        self.model = load_model()

    def _index(self, entity: Entity) -> None:
        if entity.lei:
            self.by_lei.setdefault(entity.lei, entity.id)
        key = registration_key(entity.registration_id)
        if key and entity.id not in self.by_registration[key]:
            self.by_registration[key].append(entity.id)

    def index(self, ids: Iterable[str]) -> None:
        """Make these parties matchable by the sources that come after."""
        for entity_id in ids:
            self._index(self.entities[entity_id])

    @staticmethod
    def _key(r: Relationship) -> tuple[str, str, str, str]:
        return (r.type, r.source, r.target, r.facility or "")

    def _remember(self, key: tuple[str, str, str, str], position: int) -> None:
        found = self.keys.get(key)
        if found is None:
            self.keys[key] = position
        elif isinstance(found, int):
            self.keys[key] = [found, position]
        else:
            found.append(position)

    # -- entities -----------------------------------------------------------------------

    def _match(self, entity: Entity) -> str | None:
        by_lei = self.by_lei.get(entity.lei) if entity.lei else None
        key = registration_key(entity.registration_id)
        candidates = [
            i for i in self.by_registration.get(key, ()) if key
            and self.entities[i].kind == entity.kind
            and (not entity.country or not self.entities[i].country
                 or self.entities[i].country == entity.country)
            and not (entity.lei and self.entities[i].lei and self.entities[i].lei != entity.lei)
        ]
        where = _provenance(entity)
        if by_lei is not None:
            others = [c for c in candidates if c != by_lei]
            if others:
                self.notes.append(MergeNote("conflict", (
                    f"{where}: LEI {entity.lei} matches {by_lei} but its registration id "
                    f"{entity.registration_id} matches {', '.join(others)}; matched by LEI")))
            return by_lei
        if len(candidates) > 1:
            self.notes.append(MergeNote("conflict", (
                f"{where}: registration id {entity.registration_id} fits {len(candidates)} "
                f"parties ({', '.join(candidates)}); matched none, added as a party of its own")))
            return None
        return candidates[0] if candidates else None

    def add_entity(self, entity: Entity) -> str:
        target = self._match(entity)
        if target is None:
            new_id = entity.id
            if new_id in self.entities:
                suffix = 2
                while f"{entity.id}~{suffix}" in self.entities:
                    suffix += 1
                new_id = f"{entity.id}~{suffix}"
                self.notes.append(MergeNote("conflict", (
                    f"{_provenance(entity)}: id {entity.id} is already another party's "
                    f"({self.entities[entity.id].name}); added as {new_id}")))
                entity = replace(entity, id=new_id)
            self.entities[new_id] = entity
            return new_id
        kept = self.entities[target]
        how = "LEI" if entity.lei and kept.lei == entity.lei else "registration id"
        if kept.kind != entity.kind:
            self.notes.append(MergeNote("conflict", (
                f"{_provenance(entity)}: {entity.name} is a {entity.kind} but matches the "
                f"{kept.kind} {kept.name} [{target}] by {how}")))
        if entity.country and kept.country and entity.country != kept.country:
            self.notes.append(MergeNote("conflict", (
                f"{_provenance(entity)}: country {entity.country} but {target} has "
                f"{kept.country}; kept {kept.country}")))
        filled = {f: getattr(entity, f) for f in _FILLED
                  if getattr(kept, f) is None and getattr(entity, f) is not None}
        matched = "; ".join(x for x in (kept.extra.get("matched_records"), _provenance(entity)) if x)
        self.entities[target] = replace(kept, **filled, extra={**kept.extra,
                                                               "matched_records": matched})
        same_name = " ".join(entity.name.casefold().split()) == " ".join(kept.name.casefold().split())
        self.notes.append(MergeNote("matched", (
            f"{_provenance(entity)} {entity.name!r} is {target} {kept.name!r} (by {how})"
            + ("" if same_name else "; the names differ")
            + (f"; filled {', '.join(filled)}" if filled else ""))))
        return target

    # -- relationships ------------------------------------------------------------------

    def add_relationship(self, r: Relationship, ids: dict[str, str], source_index: int) -> None:
        ends = {}
        for end in ("source", "target"):
            local = getattr(r, end)
            found = ids.get(local) or self.by_lei.get(local)
            if found is None:
                self.problems.append(_problem(r.origin, end, (
                    f"{r.type} {end} {local} is in none of the files loaded (nor the bank's "
                    "entities): load the file that describes it")))
                return
            ends[end] = found
        kind = self.model.relationships[r.type]
        ok = True
        for end, allowed in (("source", kind.source_kinds), ("target", kind.target_kinds)):
            party = self.entities[ends[end]]
            if party.kind not in allowed:
                self.problems.append(_problem(r.origin, end, (
                    f"{r.type} {end} must be a {' or '.join(allowed)}; {party.name} "
                    f"[{party.id}] is a {party.kind}")))
                ok = False
        if not ok:
            return
        if ends["source"] == ends["target"]:
            self.notes.append(MergeNote("conflict", (
                f"{_provenance(r)}: {r.type} {r.source} -> {r.target} joins two records matched "
                f"to one party {ends['source']}; not added")))
            return
        if ends["source"] != r.source or ends["target"] != r.target:
            r = replace(r, **ends)  # no copy when the ids stay: millions of GLEIF edges
        key = self._key(r)
        found = self.keys.get(key)
        for position in (found,) if isinstance(found, int) else found or ():
            kept = self.relationships[position]
            if self.source_of[position] == source_index and kept.identity != r.identity:
                continue  # the same source's history of the link: keep both
            self._combine(position, kept, r)
            return
        self._remember(key, len(self.relationships))
        self.relationships.append(r)
        self.source_of.append(source_index)

    def _combine(self, position: int, kept: Relationship, again: Relationship) -> None:
        differs = [f for f in _COMPARED if _disagree(getattr(kept, f), getattr(again, f))]
        what = f"{kept.type} {kept.source} -> {kept.target}"
        extra = dict(kept.extra)
        if differs:
            detail = ", ".join(f"{f} {getattr(kept, f)!r} against {getattr(again, f)!r}"
                               for f in differs)
            self.notes.append(MergeNote("conflict", (
                f"{what}: {_provenance(kept)} and {_provenance(again)} disagree ({detail}); kept "
                "the first")))
            statement = "; ".join(f"{f}={getattr(again, f)!r}" for f in differs)
            extra["conflicting_statement"] = "; ".join(
                x for x in (extra.get("conflicting_statement"),
                            f"{_provenance(again)}: {statement}") if x)
        else:
            self.notes.append(MergeNote("corroborated", (
                f"{what}: stated by {_provenance(kept)} and again by {_provenance(again)}")))
        extra["also_stated_by"] = "; ".join(
            x for x in (extra.get("also_stated_by"), _provenance(again)) if x)
        self.relationships[position] = replace(kept, extra=extra)

    def check_shares(self, as_of: date) -> None:
        """R1 on the merged data: current OWNS shares in each company sum to at most 1."""
        held: dict[str, list[Relationship]] = defaultdict(list)
        for r in self.relationships:
            if r.type == "OWNS" and r.is_current(as_of):
                held[r.target].append(r)
        for company, rows in held.items():
            total = math.fsum(r.share or 0.0 for r in rows)
            if total > 1.0 + SHARE_TOLERANCE:
                origins = ", ".join(f"{r.source} {r.share:.4%} ({r.origin})" for r in rows)
                self.problems.append(_problem(rows[-1].origin, "share", (
                    f"the shares held in {company!r} ({self.entities[company].name}) sum to "
                    f"{total:.4%}, more than 100% (R1): {origins}")))


def _disagree(first: object, second: object) -> bool:
    """Both give a value and the values differ (floats beyond 1e-9)."""
    if first is None or second is None:
        return False
    if isinstance(first, float) and isinstance(second, float):
        return not math.isclose(first, second, abs_tol=1e-9)
    return first != second


def merge_sources(sources: Sequence[PublicSource], base: Dataset | None = None, *,
                  as_of: date | None = None) -> LoadResult:
    """Merge public sources into ``base`` (a bank's dataset), or into an empty dataset with
    the :func:`placeholder_bank`.

    Parameters
    ----------
    sources : sequence of PublicSource
        In order of precedence after the bank's data.
    base : Dataset, optional
        The bank's own validated dataset.
    as_of : date, optional
        The day R1 (shares of a company sum to at most 100 %) is checked on; default today.

    Raises
    ------
    InvalidDataset
        With every problem of every source and of the merge.
    """
    problems = [p for s in sources for p in s.problems]
    if problems:
        raise InvalidDataset(problems)
    merger = _Merger(base)
    for source in sources:
        merger.notes += [MergeNote("note", n) for n in source.notes]
    id_maps = []
    for position, source in enumerate(sources):
        # a party matches parties of the bank and of earlier sources, never of its own
        # source: one register number can belong to two parties of one file (GLEIF lists
        # it per registration authority)
        ids = {local: merger.add_entity(e) for local, e in source.entities.items()}
        if position < len(sources) - 1:
            merger.index(ids.values())
        id_maps.append(ids)
    for index, (source, ids) in enumerate(zip(sources, id_maps, strict=True)):
        for r in source.relationships:
            merger.add_relationship(r, ids, index)
    merger.check_shares(as_of or date.today())
    if merger.problems:
        raise InvalidDataset(merger.problems)
    # the bank's own tables (facilities, declared groups, underlyings, collateral, product
    # parties) come from its one folder as they are: public sources add none, and matching
    # keeps the ids of the bank's parties, so every reference in them still holds
    dataset = (replace(base, entities=merger.entities, relationships=tuple(merger.relationships))
               if base is not None else
               Dataset(placeholder_bank(sources), merger.entities, tuple(merger.relationships), ()))
    names = ([f"bank dataset ({base.bank.name})"] if base is not None else []) + [
        f"{s.standard}: {s.name}" for s in sources]
    return LoadResult(dataset, names, merger.notes)


def load_paths(paths: Iterable[Path], *, as_of: date | None = None,
               range_share: str = "minimum", progress: Progress | None = None) -> LoadResult:
    """Read and merge what ``paths`` hold: at most one bank dataset folder, GLEIF LEI and
    relationship files (read as one source), BODS files (read as one source), each
    recognised by its content (:func:`loaders.public.sniff`).

    Raises
    ------
    InvalidDataset
        With every problem found, or when a path is none of these.
    """
    if range_share not in get_args(RangeShare):
        raise ValueError(f"range_share: expected one of {get_args(RangeShare)}, got {range_share!r}")
    groups: dict[str, list[Path]] = defaultdict(list)
    problems = []
    for path in (Path(p) for p in paths):
        if not path.exists():
            problems.append(Problem(str(path), None, None, "no such file or folder"))
            continue
        kind = sniff(path)
        if kind is None:
            problems.append(Problem(str(path), None, None, (
                "expected a dataset folder, a GLEIF LEI-CDF or RR-CDF XML file, or a BODS JSON "
                "file (a .zip of one is fine)")))
        elif kind == "gleif-exceptions":
            problems.append(Problem(str(path), None, None, (
                "GLEIF reporting exceptions (Level 2 reasons for a missing parent) are not "
                "loaded yet")))
        else:
            groups[kind].append(path)
    if len(groups.get("bank", ())) > 1:
        problems.append(Problem(", ".join(str(p) for p in groups["bank"]), None, None,
                                "expected at most one bank dataset folder"))
    if problems:
        raise InvalidDataset(problems)
    say = progress or (lambda _message: None)
    base = None
    if groups.get("bank"):
        folder = groups["bank"][0]
        base = read_dataset(folder, as_of=as_of, progress=progress)
        if len(groups) == 1:    # the bank's data alone: nothing to match or merge
            return LoadResult(base, [str(folder.resolve())])
    sources: list[PublicSource] = []
    if groups.get("gleif-lei") or groups.get("gleif-rr"):
        say("reading GLEIF files")
        sources.append(read_gleif(groups.get("gleif-lei", ()), groups.get("gleif-rr", ()),
                                  progress=progress))
    if groups.get("bods"):
        say("reading BODS files")
        sources.append(read_bods(groups["bods"], range_share=cast(RangeShare, range_share),
                                 progress=progress))
    say("merging")
    return merge_sources(sources, base, as_of=as_of)
