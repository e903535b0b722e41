"""Random draws for the sample generator, and the identifiers drawn with them.

Every draw of a portfolio comes from a :class:`Rand`, in the order the generator asks for
them: the same seed gives the same portfolio. Identifiers carry real check characters: the
unified social credit code (GB 32100-2015) with its organisation code part (GB 11714-1997),
and the LEI (ISO 17442, check digits ISO 7064 MOD 97-10).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from schema.values import lei_check_digits, uscc_check_char

__all__ = ["Rand", "lei", "uscc"]

_USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015 alphabet
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


class Rand:
    """Random draws from one numpy generator, fetched in blocks and served one at a time."""

    __slots__ = ("_gen", "_u", "_z")
    _BLOCK = 16384

    def __init__(self, seed: int | Sequence[int]) -> None:
        self._gen = np.random.default_rng(seed)
        self._u: list[float] = []
        self._z: list[float] = []

    def u(self) -> float:
        """Uniform in [0, 1)."""
        try:
            return self._u.pop()
        except IndexError:
            self._u = self._gen.random(self._BLOCK).tolist()
            return self._u.pop()

    def normal(self) -> float:
        try:
            return self._z.pop()
        except IndexError:
            self._z = self._gen.standard_normal(self._BLOCK).tolist()
            return self._z.pop()

    def code(self, alphabet: str, length: int) -> str:
        """``length`` characters of ``alphabet`` from one uniform draw (at most 2**52 codes)."""
        n = int(self.u() * len(alphabet) ** length)
        chars = []
        for _ in range(length):
            n, digit = divmod(n, len(alphabet))
            chars.append(alphabet[digit])
        return "".join(chars)

    def chance(self, p: float) -> bool:
        return self.u() < p

    def below(self, n: int) -> int:
        return int(self.u() * n)

    def between(self, lo: int, hi: int) -> int:
        """Integer in [lo, hi]."""
        return lo + int(self.u() * (hi - lo + 1))

    def uniform(self, lo: float, hi: float) -> float:
        return lo + (hi - lo) * self.u()

    def pick(self, seq: Sequence[Any]) -> Any:
        return seq[int(self.u() * len(seq))]

    def lognormal(self, median: float, sigma: float) -> float:
        """Log-normal, the normal draw clipped at 3.3 sigma: heavy tails, no monsters."""
        return median * math.exp(sigma * min(3.3, max(-3.3, self.normal())))

    def lomax(self, alpha: float) -> float:
        """Pareto II (Lomax) with scale 1: heavy-tailed, >= 0."""
        return (1.0 - self.u()) ** (-1.0 / alpha) - 1.0

    def weighted(self, table: Sequence[tuple[str, float]]) -> str:
        """A name from ``(name, cumulative probability)`` pairs."""
        x = self.u()
        for name, cumulative in table:
            if x < cumulative:
                return name
        return table[-1][0]


def _org_code_check(body8: str) -> str:
    """Check character of a 9-character organisation code (GB 11714-1997)."""
    total = sum(int(c, 36) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def uscc(r: Rand, division: str, category: str = "91") -> str:
    """A unified social credit code registered in ``division``, of an enterprise (``91``)
    or of another ``category`` (``11``: a government body); its organisation code part
    carries its own GB 11714 check character."""
    body = r.code(_USCC_CHARSET, 8)
    first17 = category + division + body + _org_code_check(body)
    return first17 + uscc_check_char(first17)


def lei(r: Rand, lou: str) -> str:
    """An LEI issued by the LOU whose 6-character prefix is ``lou``."""
    base = lou + r.code(_ALNUM, 6) + r.code(_ALNUM, 6)
    return base + lei_check_digits(base)
