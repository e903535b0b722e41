"""Suspected links between groups: reported for an analyst to judge, never merged.

* **Manager and controller**: a person who manages a company in one group and controls
  parties in another: one link per managed company and other group, naming the first
  controlled party and listing up to five.
* **Shared contact**: parties of different groups sharing a registration address or a phone
  number, when the entities table has an ``address`` or ``phone`` column (compared after
  trimming, case folding and collapsing spaces).
* **Declared groups**: each group the bank declared (``groups.csv``) against the detected
  group that shares most members with it: members the bank missed (companies, or parties it
  lends to, that the rules put in the group) and members no rule supports.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from graph.analysis import Analysis
from graph.risk.columns import Book, collector_paused

__all__ = ["DeclaredGroupDiff", "SuspectedLink", "declared_group_diffs", "suspected_links"]

CONTACT_COLUMNS = ("address", "phone")


@dataclass(frozen=True)
class SuspectedLink:
    """Two parties of different groups that something ties together."""

    kind: str
    a: str
    b: str
    groups: tuple[str, str]
    via: str
    detail: str


@dataclass(frozen=True)
class DeclaredGroupDiff:
    """A declared group compared with the detected group most like it."""

    declared_id: str
    declared_name: str | None
    detected_id: str | None
    missed: tuple[str, ...]
    unsupported: tuple[str, ...]

    @property
    def agrees(self) -> bool:
        return not self.missed and not self.unsupported


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().casefold())


@collector_paused
def suspected_links(analysis: Analysis) -> list[SuspectedLink]:
    """Manager-and-controller links and shared contacts across groups, sorted."""
    group_of = _group_of(analysis)
    entities = analysis.dataset.entities
    links: set[SuspectedLink] = set()

    # what each manager controls (the entities its unit, itself or its family, controls),
    # by group, groups in the order of their first entity by id
    control, records = analysis.control, Book.of(analysis).records("MANAGES")
    controlled_by_person: dict[str, dict[str, list[str]]] = {}
    for person in dict.fromkeys(r.source for r in records):
        unit = control.unit_of.get(person)
        if unit in control.links and entities[person].kind == "person":
            by_group: dict[str, list[str]] = defaultdict(list)
            for other in sorted(control.links[unit]):
                by_group[group_of(other)].append(other)
            controlled_by_person[person] = by_group
    for r in records:
        if r.source not in controlled_by_person:
            continue
        person, managed = r.source, r.target
        here = group_of(managed)
        for other_group, controlled in controlled_by_person[person].items():
            if other_group == here:
                continue
            listed = ", ".join(f"{entities[c].name} [{c}]" for c in controlled[:5])
            more = f" and {len(controlled) - 5} more" if len(controlled) > 5 else ""
            links.add(SuspectedLink(
                "manager_controller", managed, controlled[0], (here, other_group),
                person,
                f"{entities[person].name} [{person}] is {r.role} of {entities[managed].name} "
                f"[{managed}] and controls {listed}{more}"))

    with_extra = [e for e in entities.values() if e.extra]
    for column in CONTACT_COLUMNS:
        holders: dict[str, list[str]] = defaultdict(list)
        for entity in with_extra:
            value = entity.extra.get(column)
            if value:
                holders[_normalise(value)].append(entity.id)
        for value, parties in holders.items():
            parties.sort()
            for i, a in enumerate(parties):
                for b in parties[i + 1:]:
                    if group_of(a) != group_of(b):
                        links.add(SuspectedLink(f"shared_{column}", a, b,
                                                (group_of(a), group_of(b)), value,
                                                f"{entities[a].name} [{a}] and {entities[b].name} "
                                                f"[{b}] share the {column} {value!r}"))
    return sorted(links, key=lambda link: (link.kind, link.a, link.b, link.via))


def _group_of(analysis: Analysis) -> Callable[[str], str]:
    """The id of a party's group, read from the book's arrays (no mapping of every member
    is built for the few parties asked about)."""
    book = Book.of(analysis)
    ids, position = book.group_ids, book.position
    return lambda party: ids[position[party]]


@collector_paused
def declared_group_diffs(analysis: Analysis) -> list[DeclaredGroupDiff]:
    """Every declared group against its closest detected group, by declared id."""
    declared: dict[str, list[str]] = defaultdict(list)
    names: dict[str, str | None] = {}
    for row in analysis.dataset.declared_groups:
        declared[row.group_id].append(row.member)
        names.setdefault(row.group_id, row.group_name)
    if not declared:
        return []
    book = Book.of(analysis)
    entities, gross, position = analysis.dataset.entities, book.gross, book.position
    group_of = _group_of(analysis)

    @cache
    def detected(group_id: str) -> tuple[frozenset[str], frozenset[str]]:
        """The members of a detected group, and those a declaration should list: its
        companies, and the parties the bank lends to."""
        members = analysis.group_by_id[group_id].members
        return frozenset(members), frozenset(m for m in members if entities[m].kind == "company"
                                             or gross[position[m]] > 0)

    diffs = []
    for group_id in sorted(declared):
        members = set(declared[group_id])
        overlap: dict[str, int] = defaultdict(int)
        for m in members:
            overlap[group_of(m)] += 1
        best = min(overlap, key=lambda g: (-overlap[g], g))
        everyone, wanted = detected(best)
        diffs.append(DeclaredGroupDiff(
            group_id, names[group_id], best,
            missed=tuple(sorted(wanted - members)),
            unsupported=tuple(sorted(members - everyone))))
    return diffs
