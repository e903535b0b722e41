"""What a regime's returns are (R20), read from its regime file's ``[returns]`` table.

The file names the parts (tables) of the return, which subjects each lists, how many, in
what order, with which columns and titles, and the unit of its amounts (CN-2018: G14 in
万元; BASEL: the four lists of LEX20.4). This module checks that table and turns it into
typed values; :mod:`graph.reports.returns.build` fills the parts with figures.

Columns are named by key; the key says what the value is (the figures of
:class:`graph.reports.returns.build.ReturnFigures`), the file gives its titles:

==========================  ========  ======================================================
key                         kind      value
==========================  ========  ======================================================
``rank``                    count     the row's place, from 1
``item``                    text      the population of a totals row
``count``                   count     the subjects a totals row sums
``id``, ``name``            text      the party's or group's id and name
``type``                    text      its subject type (``[returns.subject_types]``)
``total``                   money     exposure after mitigation (R16), exempt included
``non_exempt``              money     of which non-exempt (R13): the figure limits check
``exempt``                  money     the exempt part
``share_of_tier1``          ratio     ``non_exempt`` / tier 1
``exempt_share_of_tier1``   ratio     ``exempt`` / tier 1
``general`` ... ``other``   money     the six columns of R14, after mitigation
``mitigation_out``          money     moved out by mitigation less moved in (转出; 转入 negative)
``total_before``            money     exposure before mitigation
``non_exempt_before``       money     of which non-exempt, before mitigation
``share_of_tier1_before``   ratio     ``non_exempt_before`` / tier 1
==========================  ========  ======================================================

>>> from schema.regime import load_regime
>>> returns = read_definition(load_regime("CN-2018"))
>>> returns.unit, returns.divisor, [p.key for p in returns.parts][:2]
('万元', 10000.0, ['totals', 'large_exposure_clients'])
>>> [c.title for c in returns.part("non_interbank_single").columns][:4]
['序号', '客户代码', '客户名称', '风险暴露总和']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from schema.errors import InvalidModel
from schema.regime import Regime

__all__ = ["CATEGORIES", "COLUMN_KINDS", "FIGURES", "SUBJECTS", "InvalidReturns", "ReturnColumn",
           "ReturnPart", "ReturnsDefinition", "Selection", "TotalsRow", "read_definition"]

CATEGORIES = ("general", "specific", "trading", "counterparty", "potential", "other")
"""The six columns of R14, in the order of G14."""

COLUMN_KINDS: dict[str, str] = {
    "rank": "count", "item": "text", "count": "count", "id": "text", "name": "text",
    "type": "text", "total": "money", "non_exempt": "money", "exempt": "money",
    "share_of_tier1": "ratio", "exempt_share_of_tier1": "ratio",
    **dict.fromkeys(CATEGORIES, "money"), "mitigation_out": "money", "total_before": "money",
    "non_exempt_before": "money", "share_of_tier1_before": "ratio",
}
"""Every column key a part may name, with the kind of its values."""

FIGURES = ("total", "non_exempt", "exempt", "total_before", "non_exempt_before")
"""The figures a part may select (``min_share_of``) and rank (``order``) by."""

SUBJECTS = ("party", "group", "any", "counterparty")
"""Which subjects a part lists: parties; groups of two or more; both; or counterparties in
the sense of LEX20 (groups of two or more, and the parties in no such group)."""

_SUBJECT_TYPES = ("non_interbank_single", "non_interbank_group", "interbank_single",
                  "interbank_group")
_TOTALS_COLUMNS = {"item", "count"}
_LIST_COLUMNS = {"rank", "id", "name", "type"}


class InvalidReturns(InvalidModel):
    """A regime file's ``[returns]`` table is missing or says something this module cannot
    build."""


@dataclass(frozen=True)
class ReturnColumn:
    """One column of a part: its key (what the value is), its titles and its kind
    (``text``, ``count``, ``money`` or ``ratio``)."""

    key: str
    title: str
    title_en: str
    kind: str


@dataclass(frozen=True)
class Selection:
    """Which subjects a list (or a totals row) takes, and how many.

    ``subjects`` is one of :data:`SUBJECTS`; ``interbank`` keeps one side when not None;
    ``large_only`` keeps the large exposures (the regime's ``[large_exposure]`` on the
    figure its limits apply to); ``min_share`` keeps those whose ``min_share_of`` figure is
    at least that share of tier 1; ``exclude`` leaves out the subjects listed by those
    parts; ``order`` ranks (largest first, then id) and ``top`` keeps the first N.
    """

    subjects: str
    interbank: bool | None = None
    large_only: bool = False
    min_share: float | None = None
    min_share_of: str = "non_exempt"
    exclude: tuple[str, ...] = ()
    order: str = "non_exempt"
    top: int | None = None


@dataclass(frozen=True)
class TotalsRow:
    """One row of a totals part: a population and its titles; the row sums the subjects
    the selection takes (without ``top``)."""

    item: str
    item_en: str
    selection: Selection


@dataclass(frozen=True)
class ReturnPart:
    """One table of the return: a list of subjects, or (``rows`` given) totals."""

    key: str
    title: str
    title_en: str
    source: str
    columns: tuple[ReturnColumn, ...]
    selection: Selection | None = None
    rows: tuple[TotalsRow, ...] = ()

    @property
    def is_totals(self) -> bool:
        return self.selection is None


@dataclass(frozen=True)
class ReturnsDefinition:
    """A regime's return: its template, amount unit (amounts are divided by ``divisor`` and
    shown to ``decimals`` places), parts in order and the titles of subject types."""

    regime: str
    template: str
    title: str
    title_en: str
    unit: str
    unit_en: str
    divisor: float
    decimals: int
    source: str
    parts: tuple[ReturnPart, ...]
    subject_types: dict[str, tuple[str, str]]

    def part(self, key: str) -> ReturnPart:
        """The part of this key; InvalidReturns naming the parts there are."""
        for part in self.parts:
            if part.key == key:
                return part
        raise InvalidReturns(f"{self.regime} returns: no part {key!r}; the parts are "
                             f"{', '.join(p.key for p in self.parts)}")


def read_definition(regime: Regime) -> ReturnsDefinition:
    """The ``[returns]`` table of ``regime``, checked.

    Raises
    ------
    InvalidReturns
        Naming the regime, the part and what is wrong: no ``[returns]`` table, a key
        missing or of the wrong type, an unknown column, subject or figure, a column
        without titles, a part ``exclude`` names that does not come before it.

    >>> from dataclasses import replace
    >>> from schema.regime import load_regime
    >>> read_definition(replace(load_regime("BASEL"), returns={}))
    Traceback (most recent call last):
    ...
    graph.reports.returns.definition.InvalidReturns: BASEL: the regime file has no [returns] table
    """
    raw = regime.returns
    if not raw:
        raise InvalidReturns(f"{regime.name}: the regime file has no [returns] table")
    where = f"{regime.name} [returns]"
    titles = _table(raw, "columns", where)
    types = _table(raw, "subject_types", where)
    subject_types = {}
    for key in _SUBJECT_TYPES:
        entry = _table(types, key, f"{where} subject_types")
        subject_types[key] = (_text(entry, "title", f"{where} subject_types.{key}"),
                              _text(entry, "title_en", f"{where} subject_types.{key}"))
    parts: list[ReturnPart] = []
    raw_parts = raw.get("parts")
    if not isinstance(raw_parts, list) or not raw_parts:
        raise InvalidReturns(f"{where}: expected [[returns.parts]] entries")
    for number, entry in enumerate(raw_parts, start=1):
        if not isinstance(entry, dict):
            raise InvalidReturns(f"{where}: part {number} is not a table")
        parts.append(_part(entry, f"{where} part {number}", titles, [p.key for p in parts]))
    divisor = raw.get("divisor", 1)
    decimals = raw.get("decimals", 2)
    if isinstance(divisor, bool) or not isinstance(divisor, int | float) or divisor <= 0:
        raise InvalidReturns(f"{where}: divisor: expected a positive number, got {divisor!r}")
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 6:
        raise InvalidReturns(f"{where}: decimals: expected a whole number from 0 to 6, "
                             f"got {decimals!r}")
    return ReturnsDefinition(
        regime=regime.name, template=_text(raw, "template", where), title=_text(raw, "title", where),
        title_en=_text(raw, "title_en", where), unit=_text(raw, "unit", where),
        unit_en=_text(raw, "unit_en", where), divisor=float(divisor), decimals=decimals,
        source=_text(raw, "source", where), parts=tuple(parts), subject_types=subject_types)


def _part(raw: dict[str, Any], where: str, titles: dict[str, Any], before: list[str]) -> ReturnPart:
    key = _text(raw, "key", where)
    where = f"{where} ({key})"
    if key in before:
        raise InvalidReturns(f"{where}: a second part with this key")
    columns = raw.get("columns")
    if not isinstance(columns, list) or not columns or not all(isinstance(c, str) for c in columns):
        raise InvalidReturns(f"{where}: columns: expected a list of column keys")
    rows = raw.get("rows")
    totals = rows is not None
    allowed = set(COLUMN_KINDS) - (_LIST_COLUMNS if totals else _TOTALS_COLUMNS)
    for column in columns:
        if column not in allowed:
            raise InvalidReturns(f"{where}: unknown column {column!r} for a "
                                 f"{'totals' if totals else 'list'} part; expected one of "
                                 f"{', '.join(k for k in COLUMN_KINDS if k in allowed)}")
        entry = titles.get(column)
        if not isinstance(entry, dict):
            raise InvalidReturns(f"{where}: column {column!r} has no titles in [returns.columns]")
    made = tuple(ReturnColumn(c, _text(titles[c], "title", f"columns.{c}"),
                              _text(titles[c], "title_en", f"columns.{c}"), COLUMN_KINDS[c])
                 for c in columns)
    common = {"key": key, "title": _text(raw, "title", where), "title_en": _text(raw, "title_en", where),
              "source": _text(raw, "source", where), "columns": made}
    if not totals:
        return ReturnPart(**common, selection=_selection(raw, where, before))
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        raise InvalidReturns(f"{where}: rows: expected a list of tables")
    return ReturnPart(**common, rows=tuple(
        TotalsRow(_text(r, "item", f"{where} row {n}"), _text(r, "item_en", f"{where} row {n}"),
                  _selection(r, f"{where} row {n}", before))
        for n, r in enumerate(rows, start=1)))


def _selection(raw: dict[str, Any], where: str, before: list[str]) -> Selection:
    subjects = raw.get("subjects")
    if subjects not in SUBJECTS:
        raise InvalidReturns(f"{where}: subjects: expected one of {', '.join(SUBJECTS)}, "
                             f"got {subjects!r}")
    interbank = raw.get("interbank")
    if interbank is not None and not isinstance(interbank, bool):
        raise InvalidReturns(f"{where}: interbank: expected true or false, got {interbank!r}")
    large_only = raw.get("large_only", False)
    if not isinstance(large_only, bool):
        raise InvalidReturns(f"{where}: large_only: expected true or false, got {large_only!r}")
    min_share = raw.get("min_share")
    if min_share is not None and (isinstance(min_share, bool) or not isinstance(min_share, int | float)
                                  or not 0 <= min_share <= 1):
        raise InvalidReturns(f"{where}: min_share: expected a share from 0 to 1, got {min_share!r}")
    figures = {}
    for name in ("min_share_of", "order"):
        figures[name] = raw.get(name, "non_exempt")
        if figures[name] not in FIGURES:
            raise InvalidReturns(f"{where}: {name}: expected one of {', '.join(FIGURES)}, "
                                 f"got {figures[name]!r}")
    exclude = raw.get("exclude", [])
    if not isinstance(exclude, list) or any(e not in before for e in exclude):
        raise InvalidReturns(f"{where}: exclude: expected keys of parts before this one "
                             f"({', '.join(before) or 'none'}), got {exclude!r}")
    top = raw.get("top")
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise InvalidReturns(f"{where}: top: expected a whole number of at least 1, got {top!r}")
    return Selection(subjects, interbank, large_only,
                     None if min_share is None else float(min_share), figures["min_share_of"],
                     tuple(exclude), figures["order"], top)


def _table(raw: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = raw.get(key)
    if not isinstance(value, dict):
        raise InvalidReturns(f"{where}: expected a table {key!r}")
    return value


def _text(raw: dict[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise InvalidReturns(f"{where}: {key}: expected text, got {value!r}")
    return value
