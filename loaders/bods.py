"""Read Beneficial Ownership Data Standard (BODS) statements into schema records.

BODS 0.4 [1]_ publishes *records* (``recordType`` entity, person or relationship) as
statements; the statement with the latest ``statementDate`` of a ``recordId`` is its current
version, and ``recordStatus`` "closed" ends it. The older statement types of BODS 0.2/0.3
[2]_ (``entityStatement``, ``personStatement``, ``ownershipOrControlStatement``, linked by
``statementID`` and retired by ``replacesStatements``) are read too. Files are a JSON array or
JSON Lines, streamed one statement at a time (:mod:`loaders.jsonstream`): memory holds the
records kept, not the file.

Entities and persons become :class:`Entity` records (persons of kind ``person``, every
entity type, states and state bodies included, of kind ``company``); the id is the LEI when
the record has an ``XI-LEI`` identifier (so GLEIF and BODS data about one company meet), else
``bods:`` and the record id. The first other identifier is the ``registration_id``.

A relationship's interests, each ``direct`` (or ``unknown``: taken as direct, the cautious
reading for grouping), become edges from the interested party to the subject:

==================================== =========================================================
interest                             edge
==================================== =========================================================
shareholding with a share            ``OWNS``; a range keeps both ends (``share_min``,
                                     ``share_max``) and uses the minimum as ``share`` unless
                                     ``range_share`` says otherwise
votingRights above 50 %              ``CONTROLS``, basis "majority of voting rights"
otherInfluenceOrControl,             ``CONTROLS``, basis the interest types
appointmentOfBoard,
controlViaCompanyRulesOrArticles,
controlByLegalFramework
boardMember, boardChair,             ``MANAGES`` (director, chairman, key_person) when the
seniorManagingOfficial               interested party is a person
==================================== =========================================================

Everything else, and every ``indirect`` interest, is kept on one ``DECLARED_INTEREST`` edge
per relationship record, which analysis does not count: a declared indirect interest is
checked against the computed integrated ownership (:mod:`graph.reports.reconcile`), never added.
Votes of 50 % or less stay declared rather than being added to shares (R4b counts shares).
An exclusive minimum (UK "more than 25 %") is used as that bound plus 0.0001 percentage
points, so "more than 50 %" is control. BODS ``endDate`` is the day an interest ceased, so
``valid_to`` is the day before. An unspecified interested party gives no edge; it is noted on
the subject (``extra['unspecified_interested_party']``) and in the source's notes.

Open Ownership publishes GLEIF Level 2 as BODS 0.2 with ``details`` "LEI RelationshipType:
IS_…"; such interests are mapped as :mod:`loaders.gleif` maps the XML, so both give one graph.

References
----------
.. [1] Open Ownership, "Beneficial Ownership Data Standard 0.4.0" (2024), schema files
   ``entity-record.json``, ``person-record.json``, ``relationship-record.json``,
   https://standard.openownership.org/en/0.4.0/
.. [2] Open Ownership, "Beneficial Ownership Data Standard 0.2.0" (2019),
   https://standard.openownership.org/en/0.2.0/
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from loaders.jsonstream import iter_json_values
from loaders.public import PublicSource, intern, iso_date, open_source_file
from schema.errors import Problem
from schema.public import BODS_CLOSED, CONTROL_INTERESTS, SHAREHOLDING, VOTING_RIGHTS
from schema.records import Entity, Relationship
from schema.values import lei_is_valid

__all__ = ["RangeShare", "read_bods"]

RangeShare = Literal["minimum", "maximum", "midpoint"]
Progress = Callable[[str], None]

_ROLES = {"boardChair": "chairman", "boardMember": "director", "seniorManagingOfficial": "key_person"}
_OLD_NAMES = {  # BODS 0.2/0.3 interest codes whose 0.4 name is not their camelCase
    "settlor-of-trust": "settlor", "trustee-of-trust": "trustee", "protector-of-trust": "protector",
    "beneficiary-of-trust": "beneficiaryOfLegalArrangement",
    "other-influence-or-control-of-trust": "otherInfluenceOrControl",
    "rights-to-surplus-assets": "rightsToSurplusAssetsOnDissolution",
}
_GLEIF_DETAILS = "LEI RelationshipType: "
_EXCLUSIVE_STEP = 1e-6  # 0.0001 percentage points
_PROGRESS_EVERY = 100_000


@dataclass
class _Interest:
    type: str
    level: str
    exact: float | None
    low: float | None
    high: float | None
    low_exclusive: bool
    start: date | None
    end: date | None   # last day held
    details: str | None
    raw: dict[str, Any]


@dataclass
class _Link:
    """A relationship statement, kept compact until every party is known."""

    file: str
    line: int
    subject: Any
    party: Any
    interests: list[_Interest]
    standard: str
    record_id: str
    statement_date: date | None
    status: str | None
    rank: tuple[str, int]
    component_records: list[str] = field(default_factory=list)


@dataclass
class _Party:
    entity: Entity
    rank: tuple[str, int]


def _camel(code: str) -> str:
    if code in _OLD_NAMES:
        return _OLD_NAMES[code]
    head, *rest = code.split("-")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


class _Reader:
    """Turns statements into parties and links, keeping the current version of each."""

    def __init__(self, source: PublicSource, range_share: RangeShare) -> None:
        self.name = ""  # the file being read
        self.source = source
        self.range_share = range_share
        self.parties: dict[str, _Party] = {}
        self.links: dict[str, _Link] = {}
        self.replaced: set[str] = set()
        self.superseded = 0

    def problem(self, line: int, column: str | None, message: str, file: str = "") -> None:
        self.source.problems.append(Problem(file or self.name, line, column, message))

    # -- one statement ------------------------------------------------------------------

    def statement(self, line: int, seq: int, statement: Any) -> None:
        if not isinstance(statement, dict):
            self.problem(line, None, "expected a BODS statement (a JSON object)")
            return
        if "recordType" in statement:
            self._v04(line, seq, statement)
        elif "statementType" in statement:
            self._v02(line, seq, statement)
        else:
            self.problem(line, None, "expected a BODS statement: an object with recordType "
                                     "(BODS 0.4) or statementType (BODS 0.2/0.3)")

    def _standard(self, statement: dict, default: str) -> str:
        version = (statement.get("publicationDetails") or {}).get("bodsVersion") or default
        return intern(f"BODS {version}")

    def _date(self, line: int, column: str, text: Any) -> date | None:
        if text in (None, ""):
            return None
        try:
            return iso_date(str(text))
        except ValueError:
            self.problem(line, column, f"expected an ISO date such as 2022-02-14, got {text!r}")
            return None

    def _v04(self, line: int, seq: int, s: dict) -> None:
        record_id = s.get("recordId")
        details = s.get("recordDetails")
        if not isinstance(record_id, str) or not record_id:
            self.problem(line, "recordId", "expected the record's id")
            return
        if not isinstance(details, dict):
            self.problem(line, "recordDetails", "expected the record's details (an object)")
            return
        statement_date = self._date(line, "statementDate", s.get("statementDate"))
        rank = (statement_date.isoformat() if statement_date else "", seq)
        common = dict(standard=self._standard(s, "0.4"), record_id=record_id,
                      statement_date=statement_date, status=intern(s.get("recordStatus")),
                      statement_id=s.get("statementId"))
        kind = s.get("recordType")
        if kind in ("entity", "person"):
            current = self.parties.get(record_id)
            if current is not None and current.rank >= rank:
                self.superseded += 1
                return
            entity = self._entity(line, kind == "person", details, **common)
            if entity is not None:
                self.superseded += current is not None
                self.parties[record_id] = _Party(entity, rank)
        elif kind == "relationship":
            current = self.links.get(record_id)
            if current is not None and current.rank >= rank:
                self.superseded += 1
                return
            link = self._link(line, details.get("subject"), details.get("interestedParty"),
                              details.get("interests"), rank, **common)
            if link is not None:
                link.component_records = [str(c) for c in details.get("componentRecords") or ()]
                self.superseded += current is not None
                self.links[record_id] = link
        else:
            self.problem(line, "recordType", f"expected entity, person or relationship, got {kind!r}")

    def _v02(self, line: int, seq: int, s: dict) -> None:
        statement_id = s.get("statementID") or s.get("statementId")
        if not isinstance(statement_id, str) or not statement_id:
            self.problem(line, "statementID", "expected the statement's id")
            return
        self.replaced.update(str(r) for r in s.get("replacesStatements") or ())
        statement_date = self._date(line, "statementDate", s.get("statementDate"))
        common = dict(standard=self._standard(s, "0.2"), record_id=statement_id,
                      statement_date=statement_date, status=None, statement_id=statement_id)
        kind = s.get("statementType")
        if kind in ("entityStatement", "personStatement"):
            entity = self._entity(line, kind == "personStatement", s, **common)
            if entity is not None:
                self.parties[statement_id] = _Party(entity, ("", seq))
        elif kind == "ownershipOrControlStatement":
            subject = (s.get("subject") or {}).get("describedByEntityStatement")
            party_ref = s.get("interestedParty") or {}
            party = (party_ref.get("describedByEntityStatement")
                     or party_ref.get("describedByPersonStatement")
                     or party_ref.get("unspecified") or party_ref)
            link = self._link(line, subject, party, s.get("interests"), ("", seq), **common)
            if link is not None:
                link.component_records = [str(c) for c in s.get("componentStatementIDs") or ()]
                self.links[statement_id] = link
        else:
            self.problem(line, "statementType", "expected entityStatement, personStatement or "
                                                f"ownershipOrControlStatement, got {kind!r}")

    # -- parties ------------------------------------------------------------------------

    def _entity(self, line: int, is_person: bool, d: dict, *, standard: str, record_id: str,
                statement_date: date | None, status: str | None,
                statement_id: str | None) -> Entity | None:
        lei = registration_id = scheme = None
        for identifier in d.get("identifiers") or ():
            value = str(identifier.get("id") or "").strip()
            if not value:
                continue
            if identifier.get("scheme") == "XI-LEI":
                if not lei_is_valid(value):
                    self.problem(line, "identifiers", f"expected an LEI with valid ISO 7064 "
                                                      f"check digits, got {value!r}")
                    return None
                lei = lei or value
            elif registration_id is None:
                registration_id = value
                scheme = identifier.get("scheme") or identifier.get("schemeName")
        extra: dict[str, str] = {}
        if is_person:
            name = _person_name(d.get("names") or ())
            country = next((n.get("code") for n in d.get("nationalities") or () if n.get("code")),
                           None)
            kind_text = d.get("personType")
        else:
            name = d.get("name")
            jurisdiction = d.get("jurisdiction") or d.get("incorporatedInJurisdiction") or {}
            country = jurisdiction.get("code")
            entity_type = d.get("entityType")
            if isinstance(entity_type, dict):
                kind_text = "/".join(str(v) for v in (entity_type.get("type"),
                                                       entity_type.get("subtype")) if v)
            else:
                kind_text = entity_type
            alternates = [str(a) for a in d.get("alternateNames") or ()]
            if alternates:
                extra["alternate_names"] = "; ".join(alternates)
        if kind_text:
            extra["bods_type"] = intern(str(kind_text))
        if scheme:
            extra["registration_scheme"] = intern(str(scheme))
        if statement_id and statement_id != record_id:
            extra["statement_id"] = statement_id
        if not name:
            name = f"({kind_text or ('person' if is_person else 'entity')} without a name, "\
                   f"BODS record {record_id})"
        return Entity(
            id=lei or f"bods:{record_id}", name=str(name),
            kind="person" if is_person else "company", lei=lei,
            registration_id=registration_id, country=intern(country),
            registration_status=status, source_standard=standard, record_id=record_id,
            statement_date=statement_date, extra=extra, origin=f"{self.name}:{line}",
        )

    # -- relationships ------------------------------------------------------------------

    def _link(self, line: int, subject: Any, party: Any, interests: Any, rank: tuple[str, int], *,
              standard: str, record_id: str, statement_date: date | None, status: str | None,
              statement_id: str | None) -> _Link | None:
        if not isinstance(subject, str) or not subject:
            self.problem(line, "subject", "expected the subject's record id (an unspecified "
                                          "subject cannot be placed in the graph)")
            return None
        parsed = []
        for i, raw in enumerate(interests or ()):
            interest = self._interest(line, f"interests[{i}]", raw, statement_date, status)
            if interest is not None:
                parsed.append(interest)
        if len(parsed) != len(interests or ()):
            return None
        return _Link(self.name, line, subject, party, parsed, standard, record_id, statement_date,
                     status, rank)

    def _interest(self, line: int, where: str, raw: Any, statement_date: date | None,
                  status: str | None) -> _Interest | None:
        if not isinstance(raw, dict) or not raw.get("type"):
            self.problem(line, where, "expected an interest with a type")
            return None
        share = raw.get("share") or {}
        values: dict[str, float] = {}
        for key in ("exact", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            value = share.get(key)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
                self.problem(line, f"{where}.share.{key}",
                             f"expected a percentage from 0 to 100, got {value!r}")
                return None
            values[key] = value / 100.0
        low = values.get("minimum", values.get("exclusiveMinimum"))
        high = values.get("maximum", values.get("exclusiveMaximum"))
        exact = values.get("exact")
        if low is not None and high is not None and low > high:
            self.problem(line, f"{where}.share", f"the minimum {low:.4%} is above the maximum "
                                                 f"{high:.4%}")
            return None
        start = self._date(line, f"{where}.startDate", raw.get("startDate"))
        ceased = self._date(line, f"{where}.endDate", raw.get("endDate"))
        if ceased is None and status == BODS_CLOSED:
            ceased = statement_date
        end = None if ceased is None else ceased - timedelta(days=1)
        if start is not None and end is not None and end < start:
            end = start
        level = raw.get("directOrIndirect") or raw.get("interestLevel") or "unknown"
        return _Interest(
            type=_camel(str(raw["type"])), level=intern(str(level)), exact=exact, low=low,
            high=high, low_exclusive="minimum" not in values and "exclusiveMinimum" in values,
            start=start, end=end, details=raw.get("details"), raw=raw)

    def _share_used(self, i: _Interest) -> float | None:
        """The share that counts for ownership and control, or None when none is usable."""
        if i.exact is not None:
            return i.exact if i.exact > 0 else None
        low = i.low
        if low is not None and i.low_exclusive:
            low += _EXCLUSIVE_STEP
        if self.range_share == "maximum":
            chosen = i.high
        elif self.range_share == "midpoint":
            chosen = None if low is None or i.high is None else (low + i.high) / 2
        else:
            chosen = low
        return min(chosen, 1.0) if chosen is not None and chosen > 0 else None

    # -- the end: resolve references, make edges ----------------------------------------

    def finish(self) -> None:
        source = self.source
        ids: dict[str, str] = {}
        for ref, party in self.parties.items():
            if ref in self.replaced:
                continue
            entity = party.entity
            if entity.id in source.entities:
                source.notes.append(f"{entity.origin}: BODS record {ref} describes LEI "
                                    f"{entity.id} again; the first record is kept")
            else:
                source.entities[entity.id] = entity
            ids[ref] = entity.id
        unspecified: dict[str, list[str]] = {}
        for ref, link in self.links.items():
            if ref in self.replaced:
                continue
            subject = ids.get(link.subject)
            if subject is None:
                self.problem(link.line, "subject", f"unknown entity record {link.subject!r}",
                             link.file)
                continue
            if source.entities[subject].kind != "company":
                self.problem(link.line, "subject", f"record {link.subject!r} is a person: the "
                                                   "subject of a relationship is an entity",
                             link.file)
                continue
            if isinstance(link.party, dict):
                reason = link.party.get("reason") or "no reason given"
                text = f"{reason}" + (f": {link.party['description']}"
                                      if link.party.get("description") else "")
                unspecified.setdefault(subject, []).append(f"{text} (record {link.record_id})")
                source.notes.append(f"{link.file}:{link.line}: record {link.record_id}: the "
                                    f"interested party of {subject} is unspecified ({text}); "
                                    "no edge")
                continue
            party = ids.get(str(link.party))
            if party is None:
                self.problem(link.line, "interestedParty",
                             f"unknown entity or person record {link.party!r}", link.file)
                continue
            if party == subject:
                self.problem(link.line, "interestedParty", f"{subject} has an interest in itself",
                             link.file)
                continue
            source.relationships.extend(self._edges(link, party, subject))
        for subject, texts in unspecified.items():
            entity = source.entities[subject]
            extra = {**entity.extra, "unspecified_interested_party": "; ".join(texts)}
            source.entities[subject] = replace(entity, extra=extra)
        if self.superseded:
            source.notes.append(f"{source.name}: {self.superseded:,} older statement(s) of a record "
                                "superseded by a later one")
        if self.replaced:
            dropped = sum(1 for r in self.replaced if r in self.parties or r in self.links)
            if dropped:
                source.notes.append(f"{source.name}: {dropped:,} statement(s) retired by "
                                    "replacesStatements")

    def _edges(self, link: _Link, party: str, subject: str) -> list[Relationship]:
        is_person = self.source.entities[party].kind == "person"
        common = dict(source=party, target=subject, source_standard=link.standard,
                      record_id=link.record_id, statement_date=link.statement_date,
                      registration_status=link.status, origin=f"{link.file}:{link.line}")
        edges: list[Relationship] = []
        declared: list[_Interest] = []
        owned_from: set[date | None] = set()
        control: list[_Interest] = []
        managed = False
        for i in link.interests:
            if i.level == "indirect":
                declared.append(i)
                continue
            if i.details and str(i.details).startswith(_GLEIF_DETAILS):
                edge = _gleif_edge(str(i.details)[len(_GLEIF_DETAILS):], i, common)
                if edge is not None:
                    edges.append(edge)
                    continue
            share = self._share_used(i) if i.type in (SHAREHOLDING, VOTING_RIGHTS) else None
            if i.type == SHAREHOLDING and share is not None and i.start not in owned_from:
                owned_from.add(i.start)
                edges.append(Relationship(
                    type="OWNS", share=share, valid_from=i.start, valid_to=i.end,
                    share_min=None if i.exact is not None else i.low,
                    share_max=None if i.exact is not None else i.high,
                    extra=_level_note(i), **common))
            elif i.type in CONTROL_INTERESTS or (i.type == VOTING_RIGHTS and share is not None
                                        and share > 0.5 + 1e-9):
                control.append(i)
            elif i.type in _ROLES and is_person and not managed:
                managed = True
                edges.append(Relationship(type="MANAGES", role=_ROLES[i.type], valid_from=i.start,
                                          valid_to=i.end, extra=_level_note(i), **common))
            else:
                declared.append(i)
        if control:
            voting = next((i for i in control if i.type == VOTING_RIGHTS), None)
            low = high = None
            if voting is not None:
                low = voting.exact if voting.exact is not None else voting.low
                high = voting.exact if voting.exact is not None else voting.high
            kinds = sorted({i.type for i in control})
            basis = ", ".join("majority of voting rights" if k == VOTING_RIGHTS else k for k in kinds)
            details = "; ".join(str(i.details) for i in control if i.details)
            edges.append(Relationship(
                type="CONTROLS", basis=f"{basis} (BODS)" + (f": {details}" if details else ""),
                share_min=low, share_max=high, **_period(control), extra=_level_note(*control),
                **common))
        if declared:
            main = next((i for i in declared if i.type == SHAREHOLDING and
                         (i.exact is not None or i.low is not None)), declared[0])
            levels = {i.level for i in declared}
            share = main.exact if main.exact is not None else (
                self._share_used(main) if main.low is not None or main.high is not None else None)
            extra = {"interests": json.dumps([i.raw for i in declared], ensure_ascii=False,
                                             sort_keys=True)}
            if link.component_records:
                extra["component_records"] = ", ".join(link.component_records)
            edges.append(Relationship(
                type="DECLARED_INTEREST",
                interest_type=", ".join(dict.fromkeys(i.type for i in declared)),
                interest_level=levels.pop() if len(levels) == 1 else "unknown",
                share=share if share is not None and 0 < share <= 1 else None,
                share_min=None if main.exact is not None else main.low,
                share_max=None if main.exact is not None else main.high,
                **_period(declared), extra=extra, **common))
        return edges


def _person_name(names: Any) -> str | None:
    for n in names:
        if n.get("fullName"):
            return str(n["fullName"])
        parts = [n.get(k) for k in ("givenName", "patronymicName", "familyName") if n.get(k)]
        if parts:
            return " ".join(str(p) for p in parts)
    return None


def _level_note(*interests: _Interest) -> dict[str, str]:
    if any(i.level == "unknown" for i in interests):
        return {"interest_level": "unknown (taken as direct)"}
    return {}


def _period(interests: list[_Interest]) -> dict[str, date | None]:
    """From the first start to the last end; open when any interest is."""
    starts = [i.start for i in interests if i.start is not None]
    ends = [i.end for i in interests if i.end is not None]
    return {"valid_from": min(starts) if len(starts) == len(interests) else None,
            "valid_to": max(ends) if len(ends) == len(interests) else None}


def _gleif_edge(rr_type: str, i: _Interest, common: dict) -> Relationship | None:
    """The edge :mod:`loaders.gleif` makes of an RR-CDF type (Open Ownership's rendering)."""
    extra = {"gleif_relationship_type": rr_type}
    if rr_type == "IS_DIRECTLY_CONSOLIDATED_BY":
        return Relationship(type="CONTROLS", basis=f"accounting consolidation (GLEIF {rr_type})",
                            valid_from=i.start, valid_to=i.end, extra=extra, **common)
    if rr_type == "IS_ULTIMATELY_CONSOLIDATED_BY":
        return Relationship(type="ULTIMATE_PARENT_OF", valid_from=i.start, valid_to=i.end,
                            extra=extra, **common)
    relation = {"IS_FUND-MANAGED_BY": "manager", "IS_SUBFUND_OF": "umbrella",
                "IS_FEEDER_TO": "master"}.get(rr_type)
    if relation is not None:
        return Relationship(type="FUND_LINK", fund_relation=relation, valid_from=i.start,
                            valid_to=i.end, extra=extra, **common)
    return None


def read_bods(paths: Path | Iterable[Path], *, range_share: RangeShare = "minimum",
              progress: Progress | None = None) -> PublicSource:
    """Read BODS files (JSON arrays or JSON Lines; 0.4 records or 0.2/0.3 statements) as one
    source: a statement in one file may refer to a record in another.

    Parameters
    ----------
    paths : Path or iterable of Path
        The files (each may be a ``.zip`` holding one).
    range_share : {"minimum", "maximum", "midpoint"}
        Which value of a share given as a range counts for ownership and control. Both ends
        are kept whichever is chosen.
    progress : callable, optional
        Called with a message every 100,000 statements.

    Returns
    -------
    PublicSource
        With ``problems`` when a file breaks the standard; nothing is then loaded.
    """
    paths = [Path(paths)] if isinstance(paths, str | Path) else [Path(p) for p in paths]
    source = PublicSource(name=" + ".join(p.name for p in paths), standard="BODS")
    reader = _Reader(source, range_share)
    seq = 0
    for path in paths:
        reader.name = path.name
        try:
            with open_source_file(path) as handle:
                text = io.TextIOWrapper(handle, encoding="utf-8-sig")
                for line, statement in iter_json_values(text, path.name, source.problems):
                    seq += 1
                    reader.statement(line, seq, statement)
                    if progress is not None and seq % _PROGRESS_EVERY == 0:
                        progress(f"read {seq:,} BODS statements")
        except (OSError, ValueError) as error:  # UnicodeDecodeError is a ValueError
            source.problems.append(Problem(path.name, None, None,
                                           f"cannot read as UTF-8 JSON: {error}"))
    if source.problems:
        return source
    reader.finish()
    versions = sorted({e.source_standard for e in source.entities.values() if e.source_standard})
    source.standard = ", ".join(versions) or "BODS"
    return source
