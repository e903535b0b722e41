"""What an id names (a party, a group, a guarantee circle), and which subject a limit check
of it is about.

Every interface takes ids: an entity id, a group id (``G...``, :mod:`graph.analysis.groups`)
or a guarantee circle id (``circle:...``, :mod:`graph.risk.circles`). The rules for reading
them live here once, and the API's snapshot, its pages and the views call them.

A **group of one is checked as a single party** (DESIGN R8): its limit checks and flags are
its member's. :func:`checked_subject` turns any subject into the one whose checks stand for
it.

>>> from graph.analysis.groups import Group
>>> groups = {"G1": Group("G1", ("A", "B"), "A", ("A",), {}),
...           "G2": Group("G2", ("C",), "C", (), {})}
>>> checked_subject(groups, "G1"), checked_subject(groups, "G2"), checked_subject(groups, "C")
('G1', 'C', 'C')
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

import numpy as np

from graph.analysis.groups import Group
from graph.risk.circles import GuaranteeCircle
from schema.errors import GroupGraphError

__all__ = ["SubjectKind", "UnknownSubject", "checked_as_group", "checked_as_groups", "checked_subject",
           "circle_of",
           "group_of", "kind_of"]


_GROUP_CHECKED_FROM = 2
"""The fewest members a group has checks of its own with (R8)."""


class SubjectKind(StrEnum):
    """What an id names."""

    entity = "entity"
    group = "group"
    circle = "circle"


class UnknownSubject(GroupGraphError):
    """No party, group or guarantee circle has the id asked for."""


def checked_as_group(group: Group) -> bool:
    """Whether ``group`` has group checks of its own (R8): two members or more; a group of
    one is checked as its member, a single party."""
    return group.size >= _GROUP_CHECKED_FROM


def checked_as_groups(sizes: np.ndarray) -> np.ndarray:
    """:func:`checked_as_group` of many groups at once, given their sizes."""
    return np.asarray(sizes) >= _GROUP_CHECKED_FROM


def checked_subject(groups: Mapping[str, Group], subject: str) -> str:
    """The subject whose limit checks and flags stand for ``subject``: the member of a group
    of one (checked as a single party, R8), else ``subject`` itself."""
    group = groups.get(subject)
    if group is not None and not checked_as_group(group):
        return group.members[0]
    return subject


def kind_of(ident: str, *, entities: Mapping[str, object], groups: Mapping[str, Group],
            circles: Mapping[str, GuaranteeCircle]) -> SubjectKind:
    """What ``ident`` names; group ids first, then circle ids, then entity ids.

    Raises
    ------
    UnknownSubject
        When it names none of them.
    """
    if ident in groups:
        return SubjectKind.group
    if ident in circles:
        return SubjectKind.circle
    if ident in entities:
        return SubjectKind.entity
    raise UnknownSubject(f"no entity, group or guarantee circle has the id {ident!r}")


def group_of(ident: str, *, groups: Mapping[str, Group], by_member: Mapping[str, Group]
             ) -> Group | None:
    """The group ``ident`` names, or the group of the party ``ident``; None for neither."""
    return groups.get(ident) or by_member.get(ident)


def circle_of(ident: str, circles: Mapping[str, GuaranteeCircle]) -> GuaranteeCircle | None:
    """The circle ``ident`` names (circles by id), or the first circle the party ``ident``
    is in."""
    return circles.get(ident) or next((c for c in circles.values() if ident in c.members), None)
