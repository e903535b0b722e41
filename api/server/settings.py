"""Settings of the API server, read from the environment.

=============================  ===========================================================  =========
variable                       meaning                                                      default
=============================  ===========================================================  =========
``GROUPGRAPH_STORE``           the store to serve (``embedded:PATH``, ``bolt://...``)        user data
``GROUPGRAPH_API_KEYS``        ``key:role`` pairs, comma separated; roles ``reader`` and     none
                               ``loader``. When set, every request but ``/health`` needs a
                               key (header ``X-API-Key`` or ``Authorization: Bearer``)
``GROUPGRAPH_INTROSPECTION``   ``false`` turns GraphQL introspection (and GraphiQL) off      true
``GROUPGRAPH_GRAPHIQL``        ``false`` stops serving GraphiQL at ``GET /graphql``          true
``GROUPGRAPH_GRAPHIQL_HOME``   the folder ``scripts/vendor-graphiql`` put GraphiQL's files   user cache
                               in (:mod:`api.server.graphiql`)
``GROUPGRAPH_MAX_PAGE_SIZE``   the largest ``first`` a connection accepts                    100
``GROUPGRAPH_MAX_DEPTH``       the deepest field nesting a query may have                    12
``GROUPGRAPH_MAX_TOKENS``      the most tokens a query document may have                     2000
``GROUPGRAPH_MAX_ALIASES``     the most aliases a query document may have                    20
``GROUPGRAPH_MAX_COST``        the most objects an answer may hold (estimated beforehand)    50000
``GROUPGRAPH_MAX_FIELDS``      the most fields a document may hold, fragments expanded       5000
``GROUPGRAPH_MAX_STORE_CALLS`` store queries (paths, chains, neighbourhoods) per request      10
``GROUPGRAPH_RELOAD_ROOTS``    folders (``os.pathsep`` separated) under which ``reload``     none
                               may read a dataset; none means ``reload`` only re-reads
                               the store
``GROUPGRAPH_AS_OF``           analyse the relationships current on this ISO date            today
``GROUPGRAPH_REGIME``          ``CN-2018``, ``BASEL`` or a regime file                       bank.toml
=============================  ===========================================================  =========

A bad value is an error that names the variable and what was expected (as
``starlette.config`` does), raised when the settings are read, not when first used.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from api.graphql.types.connection import MAX_PAGE_SIZE
from schema.errors import GroupGraphError
from schema.values import parse_date

__all__ = ["ROLES", "InvalidSettings", "Settings"]

ROLES = ("reader", "loader")


class InvalidSettings(GroupGraphError):
    """An environment variable holds a value the server cannot use."""


def _int(env: Mapping[str, str], name: str, default: int, lowest: int = 1) -> int:
    text = env.get(name)
    if text is None or text.strip() == "":
        return default
    try:
        value = int(text)
    except ValueError:
        raise InvalidSettings(f"{name}: expected a whole number, got {text!r}") from None
    if value < lowest:
        raise InvalidSettings(f"{name}: expected at least {lowest}, got {value}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    text = env.get(name)
    if text is None or text.strip() == "":
        return default
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise InvalidSettings(f"{name}: expected true or false, got {text!r}")


def _keys(env: Mapping[str, str], name: str) -> dict[str, str]:
    """``key1:reader,key2:loader`` -> {key: role}."""
    keys: dict[str, str] = {}
    for item in (env.get(name) or "").split(","):
        item = item.strip()
        if not item:
            continue
        key, sep, role = item.rpartition(":")
        if not sep or not key:
            raise InvalidSettings(f"{name}: expected key:role pairs (role reader or loader), "
                                  f"got an item without a role")
        if role not in ROLES:
            raise InvalidSettings(f"{name}: unknown role {role!r}; expected reader or loader")
        if len(key) < 8:
            raise InvalidSettings(f"{name}: a key must have at least 8 characters")
        keys[key] = role
    return keys


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to know that is not in the store."""

    store_uri: str | None = None
    api_keys: Mapping[str, str] = field(default_factory=dict)
    introspection: bool = True
    graphiql: bool = True
    graphiql_home: Path | None = None  # None: the default cache folder (api.server.graphiql)
    max_page_size: int = MAX_PAGE_SIZE
    max_depth: int = 12
    max_tokens: int = 2000
    max_aliases: int = 20
    max_cost: int = 50_000  # objects an answer may hold, estimated before it runs (api.graphql.cost)
    max_fields: int = 5_000  # fields a document may hold with its fragments expanded (likewise)
    max_body_bytes: int = 1_000_000
    max_store_calls: int = 10
    reload_roots: tuple[Path, ...] = ()
    as_of: date | None = None
    regime: str | None = None
    # False in each of several forked workers: a reload would renew one worker's snapshot only
    reload_allowed: bool = True

    @property
    def auth_required(self) -> bool:
        """Whether requests need an API key (keys are configured)."""
        return bool(self.api_keys)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Read the settings from ``env`` (default ``os.environ``); ``overrides`` win."""
        env = os.environ if env is None else env
        as_of_text = (env.get("GROUPGRAPH_AS_OF") or "").strip()
        try:
            as_of = parse_date(as_of_text) if as_of_text else None
        except ValueError:
            raise InvalidSettings(f"GROUPGRAPH_AS_OF: expected an ISO date, got {as_of_text!r}") from None
        roots = tuple(Path(p).expanduser().resolve()
                      for p in (env.get("GROUPGRAPH_RELOAD_ROOTS") or "").split(os.pathsep)
                      if p.strip())
        values: dict[str, object] = {
            "store_uri": env.get("GROUPGRAPH_STORE") or None,
            "api_keys": _keys(env, "GROUPGRAPH_API_KEYS"),
            "introspection": _bool(env, "GROUPGRAPH_INTROSPECTION", True),
            "graphiql": _bool(env, "GROUPGRAPH_GRAPHIQL", True),
            "graphiql_home": (Path(env["GROUPGRAPH_GRAPHIQL_HOME"]).expanduser()
                              if (env.get("GROUPGRAPH_GRAPHIQL_HOME") or "").strip() else None),
            "max_page_size": _int(env, "GROUPGRAPH_MAX_PAGE_SIZE", MAX_PAGE_SIZE),
            "max_depth": _int(env, "GROUPGRAPH_MAX_DEPTH", 12),
            "max_tokens": _int(env, "GROUPGRAPH_MAX_TOKENS", 2000),
            "max_aliases": _int(env, "GROUPGRAPH_MAX_ALIASES", 20, lowest=0),
            "max_cost": _int(env, "GROUPGRAPH_MAX_COST", 50_000),
            "max_fields": _int(env, "GROUPGRAPH_MAX_FIELDS", 5_000),
            "max_body_bytes": _int(env, "GROUPGRAPH_MAX_BODY_BYTES", 1_000_000),
            "max_store_calls": _int(env, "GROUPGRAPH_MAX_STORE_CALLS", 10, lowest=0),
            "reload_roots": roots,
            "as_of": as_of,
            "regime": (env.get("GROUPGRAPH_REGIME") or "").strip() or None,
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
