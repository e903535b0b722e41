"""Property types of the model: how a raw text cell becomes a typed value.

Each parser takes the cell as text (never empty: empty cells are handled by the caller as
missing) and returns the value, or raises :class:`ValueRejected` saying what was expected.
The model file names these types; :data:`PARSERS` is the lookup.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

import numpy as np

__all__ = [
    "MAX_AMOUNT",
    "PARSERS",
    "ValueRejected",
    "lei_check_digits",
    "lei_is_valid",
    "lei_valid",
    "parse_share",
    "uscc_check_char",
    "uscc_check_mismatches",
]


MAX_AMOUNT = 1e15
"""The largest amount of money the data may hold, in any column and in capital: a
quadrillion units. No facility, guarantee or bank capital comes near it (the largest bank's
tier 1 capital is about 4e12 CNY, its whole balance sheet 5e13 CNY; 4e14 JPY for the largest
in yen), and below it a float still holds every whole unit (exactly up to 2**53, about
9.0e15). Bounding every amount keeps the sums of a book, products with exchange rates and
ratios to capital finite: 1.7e308 is a finite float, but two of them add up to infinity. In
a currency of very small units (IDR, VND, IRR), where a large balance sheet may pass the
bound, figures are given in thousands."""


class ValueRejected(ValueError):
    """A cell does not hold a value of its column's type. The message says what was expected."""


def _number(text: str, expected: str) -> float:
    """A plain decimal number. ``float`` alone would also take ``nan``, ``inf``, ``1_000``
    and non-ASCII digits, none of which a bank export means as an amount."""
    try:
        value = float(text)
    except ValueError:
        raise ValueRejected(f"expected {expected}, got {text!r}") from None
    if not math.isfinite(value) or "_" in text or not text.isascii():
        raise ValueRejected(f"expected {expected}, got {text!r}")
    return value


def parse_text(text: str) -> str:
    return text


def parse_amount(text: str) -> float:
    """A non-negative amount of money written as a plain number, e.g. ``1234.5``, of at most
    :data:`MAX_AMOUNT`."""
    value = _number(text, "a non-negative number such as 1234.56")
    if value < 0:
        raise ValueRejected(f"expected a non-negative amount, got {text!r}")
    if value > MAX_AMOUNT:
        raise ValueRejected(f"expected an amount of at most 1e15, got {text!r}")
    return value


def parse_fraction(text: str) -> float:
    """A number from 0 to 1 inclusive."""
    value = _number(text, "a number from 0 to 1")
    if not 0.0 <= value <= 1.0:
        raise ValueRejected(f"expected a number from 0 to 1, got {text!r}")
    return value


def parse_share(text: str) -> float:
    """A share in (0, 1]: a fraction such as ``0.35`` or a percentage such as ``35%``.

    A bare number above 1 is rejected: 35 could mean 35 % or be a typo.

    >>> parse_share("35.5 %"), parse_share("0.6"), parse_share("100%")
    (0.355, 0.6, 1.0)
    """
    stripped = text.strip()
    if stripped.endswith("%"):
        value = _number(stripped[:-1].strip(), "a percentage such as 35%") / 100.0
    else:
        value = _number(stripped, "a share such as 0.35 or 35%")
        if value > 1.0:
            raise ValueRejected(
                f"expected a share as a fraction in (0, 1] or a percentage such as 35%; "
                f"the bare number {text!r} is ambiguous"
            )
    if not 0.0 < value <= 1.0:
        raise ValueRejected(f"expected a share in (0, 1] (0% < share <= 100%), got {text!r}")
    return value


_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


def parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueRejected(f"expected true or false, got {text!r}")


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(text: str) -> date:
    """A calendar date written YYYY-MM-DD. ``date.fromisoformat`` alone would also take
    week dates (``2024-W01-1``) and the basic format (``20240101``), which no export means."""
    stripped = text.strip()
    if _DATE.fullmatch(stripped):
        try:
            return date.fromisoformat(stripped)
        except ValueError:   # the shape of a date, but no such day: 2024-02-30
            pass
    raise ValueRejected(f"expected an ISO date such as 2024-12-31, got {text!r}")


_CURRENCY = re.compile(r"[A-Z]{3}")


def parse_currency(text: str) -> str:
    code = text.strip().upper()
    if not _CURRENCY.fullmatch(code):
        raise ValueRejected(f"expected a three-letter currency code such as CNY, got {text!r}")
    return code


# GB 32100-2015: the unified social credit code has 17 characters and a check character.
_USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_VALUE = {c: i for i, c in enumerate(_USCC_CHARSET)}
_USCC_SHAPE = re.compile(rf"[{_USCC_CHARSET}]{{18}}")


def uscc_check_char(first17: str) -> str:
    """Check character of a unified social credit code (统一社会信用代码, GB 32100-2015).

    Parameters
    ----------
    first17 : str
        The first 17 characters of the code, from the alphabet
        ``0123456789ABCDEFGHJKLMNPQRTUWXY``.

    Returns
    -------
    str
        The 18th character: ``(31 - sum(value * weight) mod 31) mod 31`` in that alphabet,
        with weights ``3**i mod 31``.

    Raises
    ------
    ValueError
        If ``first17`` is not 17 characters of the alphabet.

    Examples
    --------
    >>> uscc_check_char("91350100M000100Y4")
    '3'
    """
    if len(first17) != 17:
        raise ValueError(f"expected the first 17 characters of a USCC, got {first17!r}")
    try:
        total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    except KeyError as error:
        raise ValueError(f"character {error.args[0]!r} is not allowed in a USCC") from None
    return _USCC_CHARSET[(31 - total % 31) % 31]


# each byte's value in the USCC alphabet, -1 for a byte outside it
_USCC_BYTE_VALUE = np.full(256, -1, np.int64)
_USCC_BYTE_VALUE[np.frombuffer(_USCC_CHARSET.encode("ascii"), np.uint8)] = np.arange(len(_USCC_CHARSET))


def _character_values(codes: Sequence[str], width: int, value_of_byte: np.ndarray
                      ) -> tuple[list[int], np.ndarray]:
    """The positions of the ``codes`` of ``width`` ASCII characters, and a row of character
    values (``value_of_byte`` of each byte, -1 outside the alphabet) for each of them."""
    shaped = [at for at, code in enumerate(codes) if len(code) == width and code.isascii()]
    text = "".join(codes[at] for at in shaped).encode("ascii")
    return shaped, value_of_byte[np.frombuffer(text, np.uint8).reshape(-1, width)]


def uscc_check_mismatches(codes: Sequence[str]) -> np.ndarray:
    """Which of ``codes`` (in capitals) have the shape of a unified social credit code (18
    characters of its alphabet) and the wrong check character: the codes
    :func:`parse_registration_id` refuses, found for many codes at once (a million calls of
    :func:`uscc_check_char` take seconds; the same sums over a numpy array, milliseconds).

    >>> uscc_check_mismatches(["91350100M000100Y43", "91350100M000100Y44", "X", ""]).tolist()
    [False, True, False, False]
    """
    wrong = np.zeros(len(codes), bool)
    shaped, values = _character_values(codes, 18, _USCC_BYTE_VALUE)
    if not shaped:
        return wrong
    in_alphabet = (values >= 0).all(axis=1)
    check = (31 - values[:, :17] @ np.array(_USCC_WEIGHTS) % 31) % 31
    wrong[np.array(shaped)[in_alphabet & (check != values[:, 17])]] = True
    return wrong


def lei_check_digits(base: str) -> str:
    """Check digits of a Legal Entity Identifier (ISO 17442, ISO 7064 MOD 97-10).

    Parameters
    ----------
    base : str
        The first 18 characters of the LEI (digits and upper-case letters).

    Returns
    -------
    str
        Two digits: ``98 - (N mod 97)`` where N is ``base`` with letters replaced by
        10..35 and ``00`` appended.

    Raises
    ------
    ValueError
        If ``base`` is not 18 digits or upper-case letters.

    Examples
    --------
    >>> lei_check_digits("5493001KJTIIGC8Y1R")
    '12'
    """
    if len(base) != 18 or not all(c.isdigit() or "A" <= c <= "Z" for c in base):
        raise ValueError(f"expected 18 digits or upper-case letters, got {base!r}")
    number = int("".join(str(int(c, 36)) for c in base) + "00")
    return f"{98 - number % 97:02d}"



def parse_registration_id(text: str) -> str:
    """A register number. One that has the shape of a unified social credit code (18
    characters from its alphabet) must carry the right check character; other formats
    (foreign registers, old 15-digit numbers) are kept as they are."""
    code = text.strip().upper()
    if _USCC_SHAPE.fullmatch(code) and uscc_check_char(code[:17]) != code[17]:
        raise ValueRejected(
            f"expected a unified social credit code with a valid check character "
            f"(GB 32100-2015), got {text!r}: the check character should be "
            f"{uscc_check_char(code[:17])!r}"
        )
    return code


_LEI_SHAPE = re.compile(r"[0-9A-Z]{18}[0-9]{2}")


def lei_is_valid(lei: str) -> bool:
    """Whether ``lei`` is a well-formed ISO 17442 LEI (ISO 7064 mod 97-10 check digits).

    >>> lei_is_valid("5493001KJTIIGC8Y1R12"), lei_is_valid("5493001KJTIIGC8Y1R13")
    (True, False)
    """
    return bool(_LEI_SHAPE.fullmatch(lei)) and lei_check_digits(lei[:18]) == lei[18:]


# each byte's value in an LEI: digits 0-9, capitals 10-35, -1 for any other byte
_LEI_BYTE_VALUE = np.full(256, -1, np.int64)
_LEI_BYTE_VALUE[np.frombuffer(b"0123456789", np.uint8)] = np.arange(10)
_LEI_BYTE_VALUE[np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", np.uint8)] = np.arange(10, 36)


def lei_valid(codes: Sequence[str]) -> np.ndarray:
    """Which of ``codes`` are well-formed LEIs (:func:`lei_is_valid`), found for many codes at
    once: the number of :func:`lei_check_digits` is taken modulo 97 a character at a time,
    as a numpy array over all the codes.

    >>> lei_valid(["5493001KJTIIGC8Y1R12", "5493001KJTIIGC8Y1R13", "5493001kjtiigc8y1r12", ""]).tolist()
    [True, False, False, False]
    """
    valid = np.zeros(len(codes), bool)
    shaped, values = _character_values(codes, 20, _LEI_BYTE_VALUE)
    if not shaped:
        return valid
    in_shape = (values[:, :18] >= 0).all(axis=1) & (values[:, 18:] >= 0).all(axis=1) & (
        values[:, 18:] < 10).all(axis=1)
    remainder = np.zeros(len(shaped), np.int64)
    for column in range(18):     # a digit adds one decimal digit to the number, a letter two
        value = values[:, column]
        remainder = (remainder * np.where(value < 10, 10, 100) + value) % 97
    check = 98 - remainder * 100 % 97
    valid[np.array(shaped)[in_shape & (values[:, 18] * 10 + values[:, 19] == check)]] = True
    return valid


def parse_lei(text: str) -> str:
    code = text.strip().upper()
    if not lei_is_valid(code):
        raise ValueRejected(
            f"expected a 20-character LEI with valid ISO 7064 check digits, got {text!r}"
        )
    return code


PARSERS: dict[str, Callable[[str], Any]] = {
    "text": parse_text,
    "entity_ref": parse_text,
    "facility_ref": parse_text,
    "amount": parse_amount,
    "fraction": parse_fraction,
    "share": parse_share,
    "bool": parse_bool,
    "date": parse_date,
    "currency": parse_currency,
    "registration_id": parse_registration_id,
    "lei": parse_lei,
    # "enum" is checked against the property's own values in schema.model.
}
