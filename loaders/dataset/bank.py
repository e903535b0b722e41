"""``bank.toml``: the reporting bank, its capital, regime and exchange rates."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from schema.errors import InvalidModel, Problem
from schema.records import (
    Bank,
)
from schema.regime import regime_reference, shipped_regimes
from schema.values import MAX_AMOUNT

__all__ = ["BANK_FILE", "read_bank"]

BANK_FILE = "bank.toml"


MIN_RATE, MAX_RATE = 1e-9, 1e9


def read_bank(path: Path, problems: list[Problem]) -> Bank | None:
    """Read ``bank.toml``; on failure add problems and return None."""
    name = path.name
    if not path.is_file():
        problems.append(Problem(name, None, None, f"missing: expected {path}"))
        return None
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        problems.append(Problem(name, None, None, f"expected valid TOML: {error}"))
        return None
    found: list[Problem] = []

    def need(key: str, kind: type) -> Any:
        value = raw.get(key)
        if value is None:
            found.append(Problem(name, None, key, "missing required setting"))
            return None
        if not isinstance(value, kind):
            found.append(Problem(name, None, key, f"expected text, got {value!r}"))
            return None
        return value

    def number(key: str, value: Any, low: float, high: float, expected: str) -> float | None:
        """``value`` as a float from ``low`` to ``high``, else None (and a problem). TOML
        reads ``nan``, ``inf`` and ``1e400`` (infinity) as floats, and integers of any size."""
        if value is None:
            found.append(Problem(name, None, key, "missing required setting"))
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not (
                low <= value <= high):   # false for nan too
            found.append(Problem(name, None, key, f"expected {expected}, got {value!r}"))
            return None
        return float(value)

    # Capital is at least one unit: below it every ratio to capital (shares of tier 1,
    # limit usage) grows without bound; 1e-300 made them infinite.
    capital = "a number from 1 to 1e15 (units of the base currency)"
    bank_name = need("name", str)
    base = need("base_currency", str)
    tier1 = number("tier1_capital", raw.get("tier1_capital"), 1.0, MAX_AMOUNT, capital)
    net_capital = number("net_capital", raw.get("net_capital"), 1.0, MAX_AMOUNT, capital)
    regime = _regime(path, raw.get("regime", "CN-2018"), found)
    is_gsib = raw.get("is_gsib", False)
    if not isinstance(is_gsib, bool):
        found.append(Problem(name, None, "is_gsib", f"expected true or false, got {is_gsib!r}"))
    fx: dict[str, float] = {}
    for currency, rate in dict(raw.get("fx", {})).items():
        # no pair of currencies is 1e9 apart; the bound keeps converted amounts (at most
        # 1e15 x 1e9) and their sums finite
        per_unit = f"units of {base.upper() if isinstance(base, str) else 'the base currency'} " \
                   f"per unit of {currency.upper()}"
        value = number(f"fx.{currency}", rate, MIN_RATE, MAX_RATE,
                       f"a rate from 1e-9 to 1e9 ({per_unit})")
        if value is not None:
            fx[currency.upper()] = value
    problems += found
    if found:
        return None
    return Bank(name=bank_name, base_currency=base.upper(), tier1_capital=tier1,
                net_capital=net_capital, regime=regime, fx=fx, is_gsib=is_gsib)


def _regime(bank_file: Path, value: Any, found: list[Problem]) -> str:
    """The regime ``bank.toml`` names, checked now rather than when a report or the server
    first needs it (see :func:`schema.regime.regime_reference`)."""
    if not isinstance(value, str) or not value:
        found.append(Problem(bank_file.name, None, "regime",
                             f"expected one of {', '.join(shipped_regimes())} or the path of a "
                             f"regime .toml file, got {value!r}"))
        return ""
    try:
        return regime_reference(value, bank_file.parent)
    except InvalidModel as error:
        found.append(Problem(bank_file.name, None, "regime", str(error)))
        return value
