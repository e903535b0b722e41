"""From an id to a view: what the command line and the API show for ``ID``.

An id names an entity, a group (``G...``) or a guarantee circle (``circle:...``). Without a
``kind`` the view is the natural one for the id (an entity's neighbourhood, a group, a
circle); with one, an entity stands for its group, the circle it belongs to, or the
initial default of a contagion. Inputs come from a :class:`graph.risk.RiskAssessment`
(exposures, flags, circles, cascade and DebtRank); the neighbourhood from the function given
(a store's ``neighbourhood``, whose answers the parity suite holds equal to
:func:`graph.stores.queries.neighbourhood` on the analysed dataset, the default).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from enum import StrEnum

from graph.analysis import Analysis
from graph.risk import RiskAssessment
from graph.risk.contagion import cascade, debt_rank
from graph.risk.subjects import SubjectKind, UnknownSubject
from graph.stores import queries
from schema.errors import GroupGraphError
from viz.truncate import MAX_NODES
from viz.views import View, circle_view, contagion_view, group_view, neighbourhood_view

__all__ = ["GrossExposure", "ViewError", "ViewKind", "flag_codes", "view_of"]

Neighbourhood = Callable[[str, int], queries.Subgraph]


class ViewKind(StrEnum):
    """The views the command line and the API offer."""

    group = "group"
    neighbourhood = "neighbourhood"
    circle = "circle"
    contagion = "contagion"


_VIEW_OF_SUBJECT = {SubjectKind.group: ViewKind.group, SubjectKind.circle: ViewKind.circle,
                    SubjectKind.entity: ViewKind.neighbourhood}
"""The natural view of what an id names."""


class ViewError(GroupGraphError):
    """The view asked for cannot be drawn: unknown id, no such circle, bad hop count."""


class GrossExposure(Mapping[str, float]):
    """Each party's gross exposure, read from the analysis when asked (no copy of a book
    of a million parties for a view of a hundred)."""

    def __init__(self, analysis: Analysis) -> None:
        self._parties = analysis.exposures.parties

    def __getitem__(self, party: str) -> float:
        return self._parties[party].gross

    def __iter__(self) -> Iterator[str]:
        return iter(self._parties)

    def __len__(self) -> int:
        return len(self._parties)


def flag_codes(assessment: RiskAssessment) -> dict[str, list[str]]:
    """Flag codes by party (and by group id for group checks)."""
    return {subject: list(dict.fromkeys(f.code for f in flags))
            for subject, flags in assessment.flags.items() if flags}


def view_of(assessment: RiskAssessment, ident: str, kind: ViewKind | str | None = None, *,
            hops: int = 2, max_nodes: int = MAX_NODES,
            neighbourhood: Neighbourhood | None = None) -> View:
    """The view of ``ident``. For a contagion, ``ident`` is one entity id or several joined
    by commas: the initial defaults. Raises :class:`ViewError` when it cannot be drawn."""
    analysis = assessment.analysis
    dataset = analysis.dataset
    entities = dataset.entities
    if kind:
        chosen = ViewKind(kind)
    else:
        try:
            chosen = _VIEW_OF_SUBJECT[assessment.kind_of(ident)]
        except UnknownSubject as error:
            raise ViewError(str(error)) from None
    common = {"exposure": GrossExposure(analysis), "flags": flag_codes(assessment),
              "currency": dataset.bank.base_currency, "max_nodes": max_nodes}

    if chosen is ViewKind.contagion:
        initial = [p.strip() for p in ident.split(",") if p.strip()]
        unknown = [p for p in initial if p not in entities]
        if not initial:
            raise ViewError("a contagion starts from entity ids (A or A,B); none given")
        if unknown:
            raise ViewError(f"a contagion starts from entity ids; unknown: {', '.join(unknown)}")
        result = cascade(analysis, initial)
        stress = debt_rank(analysis, initial, matrix=assessment.impact).stress
        return contagion_view(entities, analysis.relationships, rounds=result.rounds_of,
                              stress=stress, title=f"Contagion from {', '.join(initial)}",
                              **common)

    if chosen is ViewKind.group:
        group = assessment.group_of(ident)
        if group is None:
            raise ViewError(f"no group or entity has the id {ident!r}")
        checked_as_group = assessment.checked_subject(group.id) == group.id
        group_flags = [f.code for f in assessment.flags_of(group.id)] if checked_as_group else []
        return group_view(group, entities, analysis.relationships, name=analysis.group_name(group),
                          group_flags=group_flags, **common)

    if chosen is ViewKind.circle:
        circle = assessment.circle_of(ident)
        if circle is None:
            what = "is in no guarantee circle" if ident in entities else "names no guarantee circle"
            raise ViewError(f"{ident!r} {what}")
        return circle_view(circle, entities, analysis.relationships, **common)

    if ident not in entities:
        raise ViewError(f"a neighbourhood is drawn around an entity; {ident!r} is not one")
    try:
        queries.check_hops(hops)
    except ValueError as error:
        raise ViewError(str(error)) from None
    find = neighbourhood or (lambda i, h: queries.neighbourhood(dataset, i, h, as_of=analysis.as_of))
    sub = find(ident, hops)
    return neighbourhood_view(ident, sub.entities, sub.relationships, hops=hops, **common)
