"""Parse a column of text cells at a time into typed values, with the parsers' own verdicts.

A column is parsed by the property's own parser (:meth:`schema.model.PropertySpec.parse`)
wherever there is doubt, and by a bulk path only where the bulk path provably gives the
same value: a million calls of a Python parser cost seconds, while ``float`` mapped over a
list, a set of the distinct texts, or a numpy check over all the cells costs milliseconds.

- Numbers (``amount``, ``fraction``, ``share``): ``float`` over the cells (for a share
  such as ``35%``, over the number before the ``%``, then divided by 100 as the parser
  does), then the bounds checked on a numpy array. A cell is given to the exact parser
  when ``float`` refuses it (``lots``), when its value is out of bounds or not finite, or
  when it holds a character the parser refuses though ``float`` takes it (``_``, non-ASCII
  digits). For every other cell the parser would return that same float.
- Unified social credit codes and LEIs: the check characters of every code computed at once
  (:func:`schema.values.uscc_check_mismatches`, :func:`schema.values.lei_valid`).
- Few distinct values (enums, booleans, dates, currencies): each distinct text parsed once
  by the exact parser.
- Text and references are kept as they are; entity references interned, since a million
  relationships name the same few hundred thousand ids.

An empty cell gives the property's default (None without one): what a record would get.
The rows with a cell the parser refused are marked ``rejected``; which problem to report
for them is left to the row-by-row validation, so that messages are those of the parser.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

from schema.model import PropertySpec
from schema.values import MAX_AMOUNT, ValueRejected, lei_valid, uscc_check_mismatches

__all__ = ["ParsedColumn", "parse_column"]

# The values each number type accepts: lowest, highest, and whether the lowest is allowed.
_BOUNDS: dict[str, tuple[float, float, bool]] = {
    "amount": (0.0, MAX_AMOUNT, True),
    "fraction": (0.0, 1.0, True),
    "share": (0.0, 1.0, False),
}


@dataclass
class ParsedColumn:
    """One column parsed: ``values[i]`` is row i's typed value (the default when the cell is
    empty, None when the parser refused it); ``empty`` and ``rejected`` mark those rows."""

    values: list[Any]
    empty: np.ndarray
    rejected: np.ndarray


def parse_column(spec: PropertySpec, texts: list[str], empty: np.ndarray) -> ParsedColumn:
    """Parse the stripped cells ``texts`` of a column of property ``spec``; ``empty`` marks
    those that are ""."""
    count = len(texts)
    if empty.all():
        return ParsedColumn([spec.default] * count, empty, np.zeros(count, bool))
    if spec.type == "entity_ref":
        values = [sys.intern(text) if text else spec.default for text in texts]
        return ParsedColumn(values, empty, np.zeros(count, bool))
    if spec.verbatim:
        return ParsedColumn([text or spec.default for text in texts], empty, np.zeros(count, bool))
    if spec.type in _BOUNDS:
        return _numbers(spec, texts, empty)
    if spec.type == "registration_id":
        codes = [text.upper() for text in texts]
        return _codes(spec, codes, empty, uscc_check_mismatches(codes))
    if spec.type == "lei":
        codes = [text.upper() for text in texts]
        return _codes(spec, codes, empty, ~empty & ~lei_valid(codes))
    return _distinct(spec, texts, empty)


def _distinct(spec: PropertySpec, texts: list[str], empty: np.ndarray) -> ParsedColumn:
    """Each distinct text parsed once."""
    parsed: dict[str, Any] = {"": spec.default}
    refused: set[str] = set()
    for text in set(texts).difference(("",)):
        try:
            parsed[text] = spec.parse(text)
        except ValueRejected:
            refused.add(text)
    values = list(map(parsed.get, texts))
    rejected = (np.fromiter((text in refused for text in texts), bool, len(texts)) if refused
                else np.zeros(len(texts), bool))
    return ParsedColumn(values, empty, rejected)


def _numbers(spec: PropertySpec, texts: list[str], empty: np.ndarray) -> ParsedColumn:
    """A column of numbers: ``float`` at once, the exact parser for each doubtful cell."""
    filled = [text for text in texts if text]
    # a share may be a percentage, which parse_share reads as the number before the '%'
    # divided by 100
    percent = (np.fromiter((t.endswith("%") for t in filled), bool, len(filled))
               if spec.type == "share" else np.zeros(len(filled), bool))
    numeric = ([t[:-1].strip() if t.endswith("%") else t for t in filled] if percent.any()
               else filled)
    try:
        array = np.array(list(map(float, numeric)), dtype=float)
    except ValueError:
        array = np.array([_float_or_nan(text) for text in numeric], dtype=float)
    array[percent] /= 100.0
    low, high, low_allowed = _BOUNDS[spec.type]
    doubtful = ~((array >= low if low_allowed else array > low) & (array <= high))  # nan too
    joined = "".join(numeric)
    if not joined.isascii() or "_" in joined:
        doubtful |= np.fromiter((not t.isascii() or "_" in t for t in numeric), bool, len(filled))
    numbers: list[Any] = array.tolist()
    rejected_filled = np.zeros(len(filled), bool)
    for at in np.flatnonzero(doubtful).tolist():
        try:
            numbers[at] = spec.parse(filled[at])
        except ValueRejected:
            numbers[at] = None
            rejected_filled[at] = True
    rejected = np.zeros(len(texts), bool)
    rejected[~empty] = rejected_filled
    given = iter(numbers)
    values = [next(given) if text else spec.default for text in texts]
    return ParsedColumn(values, empty, rejected)


def _float_or_nan(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("nan")


def _codes(spec: PropertySpec, codes: list[str], empty: np.ndarray, wrong: np.ndarray
           ) -> ParsedColumn:
    """A column of identifiers, which their parsers return in capitals when valid."""
    values: list[Any] = [code if code else spec.default for code in codes]
    for at in np.flatnonzero(wrong).tolist():
        values[at] = None
    return ParsedColumn(values, empty, wrong)
