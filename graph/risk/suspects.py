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
from functools import cache

from graph.analysis import Analysis
from graph.risk.columns import Book
from schema.records import collector_paused

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


@collector_paused()
def suspected_links(analysis: Analysis) -> list[SuspectedLink]:
    """Manager-and-controller links and shared contacts across groups, sorted."""
    entities = analysis.dataset.entities
    links: set[SuspectedLink] = set()

    # what each manager controls (the entities its unit, itself or its family, controls),
    # by group, groups in the order of their first entity by id
    control, records = analysis.control, Book.of(analysis).records("MANAGES")
    controlling: dict[str, list[str]] = {}
    for person in dict.fromkeys(r.source for r in records):
        unit = control.unit_of.get(person)
        if unit in control.links and entities[person].kind == "person":
            controlling[person] = sorted(control.links[unit])
    groups = _groups_of(analysis, [c for controlled in controlling.values() for c in controlled])
    controlled_by_person: dict[str, dict[str, list[str]]] = {}
    at = 0
    for person, controlled in controlling.items():
        by_group: dict[str, list[str]] = defaultdict(list)
        for other, group in zip(controlled, groups[at:at + len(controlled)], strict=True):
            by_group[group].append(other)
        controlled_by_person[person] = by_group
        at += len(controlled)
    managing = [r for r in records if r.source in controlled_by_person]
    for r, here in zip(managing, _groups_of(analysis, [r.target for r in managing]), strict=True):
        person, managed = r.source, r.target
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
    group_of = dict(zip((e.id for e in with_extra), _groups_of(analysis, [e.id for e in with_extra]),
                        strict=True))
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
                    if group_of[a] != group_of[b]:
                        links.add(SuspectedLink(f"shared_{column}", a, b,
                                                (group_of[a], group_of[b]), value,
                                                f"{entities[a].name} [{a}] and {entities[b].name} "
                                                f"[{b}] share the {column} {value!r}"))
    return sorted(links, key=lambda link: (link.kind, link.a, link.b, link.via))


def _groups_of(analysis: Analysis, parties: list[str]) -> list[str]:
    """The id of each party's group, read from the book's arrays in one pass (no mapping of
    every member is built for the parties asked about)."""
    book = Book.of(analysis)
    ids = book.group_ids
    return [ids[k] for k in book.positions(parties).tolist()]


@collector_paused()
def declared_group_diffs(analysis: Analysis) -> list[DeclaredGroupDiff]:
    """Every declared group against its closest detected group, by declared id."""
    rows = analysis.dataset.declared_groups
    if not rows:
        return []
    declared: dict[str, dict[str, str]] = defaultdict(dict)      # member -> its detected group
    names: dict[str, str | None] = {}
    for row, group in zip(rows, _groups_of(analysis, [row.member for row in rows]), strict=True):
        declared[row.group_id][row.member] = group
        names.setdefault(row.group_id, row.group_name)
    book = Book.of(analysis)
    entities, gross, position = analysis.dataset.entities, book.gross, book.position

    @cache
    def wanted(group_id: str) -> tuple[str, ...]:
        """The members of a detected group a declaration should list: its companies, and
        the parties the bank lends to."""
        return tuple(m for m in analysis.group_by_id[group_id].members
                     if entities[m].kind == "company" or gross[position[m]] > 0)

    diffs = []
    for group_id in sorted(declared):
        members = declared[group_id]
        overlap: dict[str, int] = defaultdict(int)
        for group in members.values():
            overlap[group] += 1
        best = min(overlap, key=lambda g: (-overlap[g], g))
        diffs.append(DeclaredGroupDiff(
            group_id, names[group_id], best,
            missed=tuple(sorted(m for m in wanted(best) if m not in members)),
            unsupported=tuple(sorted(m for m, group in members.items() if group != best))))
    return diffs
