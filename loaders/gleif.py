"""Read GLEIF golden-copy files: LEI records (Level 1) and relationship records (Level 2).

The files are XML in the Common Data File formats, LEI-CDF 2.1 [1]_ for entities and RR-CDF
1.1 [2]_ for relationships, millions of records each. They are streamed with
:func:`xml.etree.ElementTree.iterparse`, one record at a time: each record element is turned
into a schema record and then removed from the tree, so memory does not grow with the file
(about 11 MB for the parser whatever the size; the records kept are what the graph needs).
A ``.zip`` of one file, as GLEIF ships them, is read in place.

Level 1, an ``LEIRecord``, becomes an :class:`Entity` whose id is the LEI: legal name, legal
address country, ``EntityStatus`` as ``legal_status``, ``RegistrationStatus`` (ISSUED,
LAPSED, ...) as ``registration_status`` (as written; :data:`schema.public.CURRENT_STATUSES`
says which are current), the registration authority's entity id as ``registration_id``;
category, jurisdiction, legal form and registration authority go to ``extra``. Every LEI
entity is of kind ``company``.

Level 2, a ``RelationshipRecord`` of a child (``StartNode``) and a parent (``EndNode``):

=============================== ===========================================================
RR-CDF ``RelationshipType``      graph edge (parent -> child)
=============================== ===========================================================
IS_DIRECTLY_CONSOLIDATED_BY      ``CONTROLS``, basis "accounting consolidation", with the
                                 quantifier as written (``quantifier``, ``quantifier_unit``)
IS_ULTIMATELY_CONSOLIDATED_BY    ``ULTIMATE_PARENT_OF``: the declared ultimate parent, kept
                                 for reconciliation; it does not change control
IS_INTERNATIONAL_BRANCH_OF       ``CONTROLS``, basis "international branch": one legal person
IS_FUND-MANAGED_BY               ``FUND_LINK`` (``fund_relation`` manager)
IS_SUBFUND_OF                    ``FUND_LINK`` (umbrella)
IS_FEEDER_TO                     ``FUND_LINK`` (master)
=============================== ===========================================================

The ``RELATIONSHIP_PERIOD`` gives ``valid_from``/``valid_to``. A relationship whose
``RelationshipStatus`` is INACTIVE and that gives no end date is taken to have ended on its
record's ``LastUpdateDate`` (said so in ``extra``), so analysis does not count it.
Quantifiers are kept as written: the real file has ``1.00`` PERCENTAGE where 100 % is meant,
which :mod:`graph.reports.reconcile` reports rather than this loader silently "fixing" it.

Problems name the file, the record number (``unit`` "record") and the element; malformed XML
names the line and column. A source with problems is not loaded.

References
----------
.. [1] GLEIF, "LEI-CDF Format, Version 2.1" (2016), https://www.gleif.org/en/about-lei/common-data-file-format/lei-cdf-format
.. [2] GLEIF, "Relationship Record CDF Format, Version 1.1" (2017), https://www.gleif.org/en/about-lei/common-data-file-format/relationship-record-cdf-format
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path

from loaders.public import PublicSource, intern, iso_date, open_source_file, shared_extra
from schema.errors import Problem
from schema.records import Entity, Relationship
from schema.values import lei_is_valid

__all__ = ["LEI_STANDARD", "RR_STANDARD", "iter_lei_records", "iter_relationship_records",
           "read_gleif"]

LEI_STANDARD = "GLEIF LEI-CDF"
RR_STANDARD = "GLEIF RR-CDF"

Progress = Callable[[str], None]

# RR-CDF RelationshipType -> (edge type, fund_relation or basis)
_KINDS: dict[str, tuple[str, str | None]] = {
    "IS_DIRECTLY_CONSOLIDATED_BY": ("CONTROLS", "accounting consolidation"),
    "IS_ULTIMATELY_CONSOLIDATED_BY": ("ULTIMATE_PARENT_OF", None),
    "IS_INTERNATIONAL_BRANCH_OF": ("CONTROLS", "international branch (one legal person)"),
    "IS_FUND-MANAGED_BY": ("FUND_LINK", "manager"),
    "IS_SUBFUND_OF": ("FUND_LINK", "umbrella"),
    "IS_FEEDER_TO": ("FUND_LINK", "master"),
}
_PROGRESS_EVERY = 100_000


def _records(path: Path, record: str, problems: list[Problem]) -> Iterator[tuple[int, ET.Element]]:
    """Stream the ``record`` elements of an XML file, numbered from 1, freeing each one
    after use. A syntax error adds a problem with line and column and ends the stream."""
    container: ET.Element | None = None
    number = 0
    qualified, suffix = record, "}" + record
    try:
        with open_source_file(path) as handle:
            for event, element in ET.iterparse(handle, events=("start", "end")):
                if event == "end":
                    if element.tag == qualified or element.tag.endswith(suffix):
                        number += 1
                        yield number, element
                        element.clear()
                        if container is not None:
                            del container[:]  # drop the emptied record from its parent
                elif container is None and element.tag.endswith(record + "s"):
                    container = element
    except ET.ParseError as error:
        line, column = error.position
        message = re.sub(r": line \d+, column \d+$", "", error.msg)
        problems.append(Problem(path.name, line, "XML",
                                f"malformed XML at column {column + 1}: {message}"))
    except (OSError, ValueError) as error:
        problems.append(Problem(path.name, None, None, f"cannot read: {error}"))


def _namespace(tag: str) -> str:
    """``{uri}`` of a qualified tag (LEI-CDF and RR-CDF each have their own), or ""."""
    return tag[: tag.index("}") + 1] if tag.startswith("{") else ""


def _child(element: ET.Element | None, ns: str, *steps: str) -> ET.Element | None:
    """The element down ``steps`` (one tag at a time: single-tag lookups run in C, paths
    with ``/`` in Python, ten times slower)."""
    for step in steps:
        if element is None:
            return None
        element = element.find(ns + step)
    return element


def _text(element: ET.Element | None, ns: str, *steps: str) -> str | None:
    found = _child(element, ns, *steps)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _date(text: str | None, problem: Callable[[str, str], None], column: str) -> date | None:
    try:
        return iso_date(text)
    except ValueError:
        problem(column, f"expected an ISO date or date-time, got {text!r}")
        return None


def iter_lei_records(path: Path, problems: list[Problem], *,
                     progress: Progress | None = None) -> Iterator[Entity]:
    """Stream the entities of an LEI-CDF file (Level 1), one per ``LEIRecord``.

    Parameters
    ----------
    path : Path
        An LEI-CDF 2.1 XML file (or a ``.zip`` holding one).
    problems : list of Problem
        Where to add what is wrong; records with problems are not yielded.
    progress : callable, optional
        Called with a message every 100,000 records.

    Yields
    ------
    Entity
        Id and ``lei`` the LEI, ``record_id`` the LEI, ``statement_date`` the registration's
        ``LastUpdateDate``, ``origin`` ``file:record N``.
    """
    name = path.name
    ns: str | None = None
    for number, record in _records(path, "LEIRecord", problems):
        if ns is None:
            ns = _namespace(record.tag)
        found: list[Problem] = []

        def problem(column: str, message: str, number: int = number, found: list = found) -> None:
            found.append(Problem(name, number, column, message, unit="record"))

        entity = record.find(ns + "Entity")
        registration = record.find(ns + "Registration")
        authority = _child(entity, ns, "RegistrationAuthority")
        lei = _text(record, ns, "LEI")
        legal_name = _text(entity, ns, "LegalName")
        if lei is None:
            problem("LEI", "expected an LEI")
        elif not lei_is_valid(lei):
            problem("LEI", f"expected a 20-character LEI with valid ISO 7064 check digits, "
                           f"got {lei!r}")
        if legal_name is None:
            problem("LegalName", "expected the entity's legal name")
        statement_date = _date(_text(registration, ns, "LastUpdateDate"), problem,
                               "LastUpdateDate")
        if found:
            problems += found
            continue
        extra = {}
        for key, value in (("entity_category", _text(entity, ns, "EntityCategory")),
                           ("legal_jurisdiction", _text(entity, ns, "LegalJurisdiction")),
                           ("legal_form", _text(entity, ns, "LegalForm", "EntityLegalFormCode")),
                           ("registration_authority",
                            _text(authority, ns, "RegistrationAuthorityID"))):
            if value is not None:
                extra[key] = intern(value)
        yield Entity(
            id=lei, name=legal_name, kind="company", lei=lei,
            registration_id=_text(authority, ns, "RegistrationAuthorityEntityID"),
            country=intern(_text(entity, ns, "LegalAddress", "Country")),
            legal_status=intern(_text(entity, ns, "EntityStatus")),
            registration_status=intern(_text(registration, ns, "RegistrationStatus")),
            source_standard=LEI_STANDARD, record_id=lei, statement_date=statement_date,
            extra=shared_extra(extra), origin=f"{name}:record {number}",
        )
        if progress is not None and number % _PROGRESS_EVERY == 0:
            progress(f"read {number:,} LEI records of {name}")


def iter_relationship_records(path: Path, problems: list[Problem], *,
                              progress: Progress | None = None) -> Iterator[Relationship]:
    """Stream the relationships of an RR-CDF file (Level 2), one per ``RelationshipRecord``.

    Each becomes one edge from the parent (``EndNode``) to the child (``StartNode``); see the
    module docstring for the kinds. Ends are LEIs.

    Parameters
    ----------
    path : Path
        An RR-CDF 1.1 XML file (or a ``.zip`` holding one).
    problems : list of Problem
        Where to add what is wrong; records with problems are not yielded.
    progress : callable, optional
        Called with a message every 100,000 records.
    """
    name = path.name
    ns: str | None = None
    for number, record in _records(path, "RelationshipRecord", problems):
        if ns is None:
            ns = _namespace(record.tag)
        found: list[Problem] = []

        def problem(column: str, message: str, number: int = number, found: list = found) -> None:
            found.append(Problem(name, number, column, message, unit="record"))

        relationship = record.find(ns + "Relationship")
        registration = record.find(ns + "Registration")
        ends = {}
        for end in ("StartNode", "EndNode"):
            node_element = _child(relationship, ns, end)
            node = _text(node_element, ns, "NodeID")
            id_type = _text(node_element, ns, "NodeIDType")
            if node is None:
                problem(end, "expected a NodeID")
            elif id_type not in (None, "LEI"):
                problem(end, f"expected a NodeIDType of LEI, got {id_type!r}")
            elif not lei_is_valid(node):
                problem(end, f"expected an LEI with valid check digits, got {node!r}")
            ends[end] = node
        rr_type = _text(relationship, ns, "RelationshipType")
        kind = _KINDS.get(rr_type or "")
        if kind is None:
            problem("RelationshipType", f"expected one of {', '.join(_KINDS)}, got {rr_type!r}")
        elif ends["StartNode"] is not None and ends["StartNode"] == ends["EndNode"]:
            problem("EndNode", f"{rr_type} from {ends['StartNode']} to itself")
        valid_from = valid_to = None
        for period in _child(relationship, ns, "RelationshipPeriods") or ():
            if _text(period, ns, "PeriodType") == "RELATIONSHIP_PERIOD":
                valid_from = _date(_text(period, ns, "StartDate"), problem, "StartDate")
                valid_to = _date(_text(period, ns, "EndDate"), problem, "EndDate")
        statement_date = _date(_text(registration, ns, "LastUpdateDate"), problem,
                               "LastUpdateDate")
        quantifier_element = _child(relationship, ns, "RelationshipQuantifiers",
                                    "RelationshipQuantifier")
        quantifier = None
        quantifier_text = _text(quantifier_element, ns, "QuantifierAmount")
        if quantifier_text is not None:
            try:
                quantifier = float(quantifier_text)
            except ValueError:
                problem("QuantifierAmount", f"expected a number, got {quantifier_text!r}")
        if found or kind is None:
            problems += found
            continue
        extra: dict[str, str] = {"gleif_relationship_type": intern(rr_type)}
        standard = _text(relationship, ns, "RelationshipQualifiers", "RelationshipQualifier",
                         "QualifierCategory")
        if standard is not None:
            extra["accounting_standard"] = intern(standard)
        method = _text(quantifier_element, ns, "MeasurementMethod")
        if method is not None:
            extra["measurement_method"] = intern(method)
        status = _text(relationship, ns, "RelationshipStatus")
        if status is not None:
            extra["relationship_status"] = intern(status)
        if status == "INACTIVE" and valid_to is None:
            valid_to = max(d for d in (statement_date, valid_from, date.min) if d is not None)
            extra["valid_to_note"] = ("RelationshipStatus INACTIVE without an end date: taken "
                                      "as ended on the record's LastUpdateDate")
        edge_type, detail = kind
        units = _text(quantifier_element, ns, "QuantifierUnits")
        fields: dict = {}
        if edge_type == "FUND_LINK":
            fields["fund_relation"] = detail
            if quantifier is not None:
                extra["quantifier"] = quantifier_text
        else:
            fields.update(quantifier=quantifier, quantifier_unit=intern(units))
            if edge_type == "CONTROLS":
                fields["basis"] = intern(f"{detail} (GLEIF {rr_type}" + (
                    f", {standard})" if standard else ")"))
        yield Relationship(
            type=edge_type, source=ends["EndNode"], target=ends["StartNode"],
            valid_from=valid_from, valid_to=valid_to,
            source_standard=RR_STANDARD,
            record_id=f"{ends['StartNode']} {rr_type} {ends['EndNode']}",
            statement_date=statement_date,
            registration_status=intern(_text(registration, ns, "RegistrationStatus")),
            extra=shared_extra(extra), origin=f"{name}:record {number}", **fields,
        )
        if progress is not None and number % _PROGRESS_EVERY == 0:
            progress(f"read {number:,} relationship records of {name}")


def read_gleif(lei_files: Iterable[Path], rr_files: Iterable[Path] = (), *,
               progress: Progress | None = None) -> PublicSource:
    """Read GLEIF LEI files and relationship files into one :class:`PublicSource`.

    Entities are keyed by LEI. A relationship may name an LEI that none of ``lei_files``
    holds; :func:`loaders.merge.merge_sources` then looks for it among the other sources
    and the bank's entities, and reports it when it is nowhere.

    """
    lei_files, rr_files = [Path(p) for p in lei_files], [Path(p) for p in rr_files]
    source = PublicSource(name=" + ".join(p.name for p in (*lei_files, *rr_files)),
                          standard=f"{LEI_STANDARD} / {RR_STANDARD}")
    first: dict[str, str] = {}
    for path in lei_files:
        for entity in iter_lei_records(path, source.problems, progress=progress):
            if entity.id in source.entities:
                file, _, number = (entity.origin or "").partition(":record ")
                source.problems.append(Problem(
                    file, int(number), "LEI",
                    f"duplicate LEI {entity.id}, first given in {first[entity.id]}",
                    unit="record"))
                continue
            first[entity.id] = entity.origin or ""
            source.entities[entity.id] = entity
    for path in rr_files:
        source.relationships.extend(iter_relationship_records(path, source.problems,
                                                              progress=progress))
    return source
