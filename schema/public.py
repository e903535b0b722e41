"""Codes of the public ownership standards that both the loaders and the reports interpret.

``loaders/bods.py`` turns BODS interests into edges and ends closed records;
``graph/reports/reconcile.py`` decides from the same codes whether a declared indirect
interest claims shares or control and whether a record is still current. They are defined
here because ``graph/`` may not import ``loaders/`` (DESIGN section 1: ``loaders -> schema``,
``graph -> schema``), and as Python constants rather than data in ``model.toml`` because they
are the standards' own code lists (BODS 0.4 ``interestType`` and ``recordStatus``, GLEIF
``RegistrationStatus``), fixed by each standard's version, not words of the bank's model.

References
----------
.. [1] Open Ownership, "Beneficial Ownership Data Standard 0.4.0" (2024), codelists
   ``interestType.csv`` and ``recordStatus.csv``, https://standard.openownership.org/en/0.4.0/
.. [2] GLEIF, "LEI-CDF Format, Version 2.1" (2016) and "Relationship Record CDF Format,
   Version 1.1" (2017), ``RegistrationStatus``,
   https://www.gleif.org/en/about-lei/common-data-file-format
"""

from __future__ import annotations

__all__ = ["BODS_CLOSED", "CONTROL_INTERESTS", "CURRENT_STATUSES", "SHAREHOLDING",
           "VOTING_RIGHTS"]

SHAREHOLDING = "shareholding"
"""BODS interest in the subject's shares: ownership (``OWNS``) when direct."""

VOTING_RIGHTS = "votingRights"
"""BODS interest in the subject's votes: control when above half, else only declared."""

CONTROL_INTERESTS = frozenset({"otherInfluenceOrControl", "appointmentOfBoard",
                               "controlViaCompanyRulesOrArticles", "controlByLegalFramework"})
"""BODS interests that are control whatever the share (``CONTROLS`` when direct)."""

BODS_CLOSED = "closed"
"""BODS ``recordStatus`` of a record that has ended (its statement date is the end)."""

CURRENT_STATUSES = frozenset({
    "ISSUED",                                   # GLEIF LEI records
    "PUBLISHED",                                # GLEIF relationship records
    "PENDING_VALIDATION", "PENDING_TRANSFER",   # GLEIF, both kinds
    "new", "updated",                           # BODS recordStatus
})
"""Record statuses that mean "current"; any other (GLEIF LAPSED, RETIRED, ...; BODS
:data:`BODS_CLOSED`) marks a record whose data may be out of date."""
