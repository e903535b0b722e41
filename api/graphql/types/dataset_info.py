"""``DatasetInfo``: which dataset the server answers from, and how it was analysed."""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath

import strawberry
from strawberry.types import Info

from api.graphql.snapshot import Snapshot
from api.graphql.types import common
from api.graphql.types.exposure import Exposure

__all__ = ["DatasetInfo", "shown_source", "shown_store"]


def shown_store(uri: str, role: str | None) -> str:
    """The store as a caller of ``role`` may see it: the whole URI (a file path, a host) to
    a ``loader`` key only, else its kind. File paths and hosts are the operator's, not the
    readers'.

    >>> shown_store("embedded:/srv/bank.sqlite", "loader"), shown_store("embedded:/srv/x", None)
    ('embedded:/srv/bank.sqlite', 'embedded')
    >>> shown_store("bolt://db.internal:7687", "reader")
    'neo4j'
    """
    if role == "loader":
        return uri
    return "embedded" if uri.startswith("embedded:") else "neo4j"


def shown_source(source: str, role: str | None) -> str:
    """Where the dataset came from as a caller of ``role`` may see it: to all but a
    ``loader`` key, each source (``groupgraph load`` joins them with `` + ``) that is a path
    by its last name only. Public files are recorded by their names already.

    >>> shown_source("/srv/in/my data/2024-12 + GLEIF: lei.xml + rr.xml", "reader")
    '2024-12 + GLEIF: lei.xml + rr.xml'
    >>> shown_source(r"C:\\Users\\Li Wei\\bank data", None), shown_source("data/sub/x", None)
    ('bank data', 'x')
    """
    if role == "loader":
        return source
    return " + ".join(_last_name(part) for part in source.split(" + "))


def _last_name(part: str) -> str:
    if "/" in part or "\\" in part:
        return PureWindowsPath(part).name if "\\" in part else PurePosixPath(part).name
    return part


@strawberry.type(description="The dataset being served: its version (a content hash), the "
                             "bank, the regime, the analysis date, the store and the counts.")
class DatasetInfo:
    snapshot: strawberry.Private[Snapshot]

    @strawberry.field(description="Content hash of the dataset: the same data gives the same "
                                  "version, whatever store holds it.")
    def version(self) -> str:
        return self.snapshot.version

    @strawberry.field(description="The reporting bank.")
    def bank(self) -> str:
        return self.snapshot.dataset.bank.name

    @strawberry.field(description="The bank's base currency: every amount is in it.")
    def base_currency(self) -> str:
        return self.snapshot.dataset.bank.base_currency

    @strawberry.field(description="Tier 1 capital (一级资本净额), base currency.")
    def tier1_capital(self) -> float:
        return self.snapshot.dataset.bank.tier1_capital

    @strawberry.field(description="Net capital (资本净额), base currency.")
    def net_capital(self) -> float:
        return self.snapshot.dataset.bank.net_capital

    @strawberry.field(description="The regulatory regime of the limits (CN-2018, BASEL).")
    def regime(self) -> str:
        return self.snapshot.analysis.regime.name

    @strawberry.field(description="The relationships current on this day were analysed.")
    def as_of(self) -> str:
        return self.snapshot.as_of.isoformat()

    @strawberry.field(description="The store served: embedded:PATH or a Neo4j URI to an API "
                                  "key of the loader role, else its kind (embedded, neo4j).")
    def store(self, info: Info) -> str:
        return shown_store(self.snapshot.store_uri, common.context(info).role)

    @strawberry.field(description="When the dataset was loaded into the store (ISO, UTC).")
    def loaded_at(self) -> str | None:
        return self.snapshot.info.loaded_at if self.snapshot.info else None

    @strawberry.field(description="Where the dataset was loaded from: whole paths to an API "
                                  "key of the loader role, else file and folder names.")
    def source(self, info: Info) -> str | None:
        if self.snapshot.info is None:
            return None
        return shown_source(self.snapshot.info.source, common.context(info).role)

    @strawberry.field(description="When the server analysed it (ISO, UTC).")
    def analysed_at(self) -> str:
        return self.snapshot.built_at

    @strawberry.field(description="Seconds the read and analysis took.")
    def analysis_seconds(self) -> float:
        return round(self.snapshot.build_seconds, 3)

    @strawberry.field(description="The number of parties.")
    def parties(self) -> int:
        return len(self.snapshot.dataset.entities)

    @strawberry.field(description="The number of relationships loaded (current or not).")
    def relationships(self) -> int:
        return len(self.snapshot.dataset.relationships)

    @strawberry.field(description="The number of facilities.")
    def facilities(self) -> int:
        return len(self.snapshot.dataset.facilities)

    @strawberry.field(description="The number of groups of connected clients (groups of one "
                                  "included).")
    def groups(self) -> int:
        return len(self.snapshot.analysis.groups)

    @strawberry.field(description="The bank's total exposure to the book.")
    def exposure(self) -> Exposure:
        bank = self.snapshot.dataset.bank
        return Exposure.of(self.snapshot.total_exposure, bank.base_currency, bank.tier1_capital)
