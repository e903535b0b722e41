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
from dataclasses import dataclass

import numpy as np

from graph.analysis import Analysis
from graph.risk.columns import Book

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


def suspected_links(analysis: Analysis) -> list[SuspectedLink]:
    """Manager-and-controller links and shared contacts across groups, sorted."""
    by_member = analysis.group_by_member
    entities = analysis.dataset.entities
    links: set[SuspectedLink] = set()

    # what each manager controls: the entities its unit (itself, or its family) controls
    control, records = analysis.control, Book.of(analysis).records("MANAGES")
    controlled_by_person: dict[str, list[str]] = {}
    for person in dict.fromkeys(r.source for r in records):
        unit = control.unit_of.get(person)
        if unit in control.links and entities[person].kind == "person":
            controlled_by_person[person] = sorted(control.links[unit])
    managing = [r for r in records if r.source in controlled_by_person]
    for r in managing:
        person, managed = r.source, r.target
        elsewhere: dict[str, list[str]] = defaultdict(list)
        here = by_member[managed].id
        for other in controlled_by_person[person]:
            if by_member[other].id != here:
                elsewhere[by_member[other].id].append(other)
        for other_group, controlled in elsewhere.items():
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
                    if by_member[a].id != by_member[b].id:
                        links.add(SuspectedLink(f"shared_{column}", a, b,
                                                (by_member[a].id, by_member[b].id), value,
                                                f"{entities[a].name} [{a}] and {entities[b].name} "
                                                f"[{b}] share the {column} {value!r}"))
    return sorted(links, key=lambda link: (link.kind, link.a, link.b, link.via))


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
    # the members a declaration should list: companies, and parties the bank lends to
    kinds = (e.kind for e in analysis.dataset.entities.values())
    relevant = np.fromiter((k == "company" for k in kinds), dtype=bool, count=len(book.parties))
    relevant |= book.gross > 0
    position, by_member = book.position, analysis.group_by_member
    diffs = []
    for group_id in sorted(declared):
        members = set(declared[group_id])
        overlap: dict[str, int] = defaultdict(int)
        for m in members:
            overlap[by_member[m].id] += 1
        best = min(overlap, key=lambda g: (-overlap[g], g))
        detected = analysis.group_by_id[best]
        wanted = {m for m in detected.members if relevant[position[m]]}
        diffs.append(DeclaredGroupDiff(
            group_id, names[group_id], best,
            missed=tuple(sorted(wanted - members)),
            unsupported=tuple(sorted(members - set(detected.members)))))
    return diffs
