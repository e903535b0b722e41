"""Regulatory regimes as data: limits, thresholds and default CCFs from a TOML file.

The package ships ``CN-2018`` and ``BASEL`` in ``schema/regimes/``; a bank may pass its own
file by path.

>>> load_regime("CN-2018").dependence_threshold
0.5
>>> load_regime("BASEL").ccf_for("revolving")
0.5
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schema.errors import InvalidModel

__all__ = ["Regime", "load_regime", "regime_reference", "shipped_regimes"]

REGIME_DIR = Path(__file__).with_name("regimes")


@dataclass(frozen=True)
class Regime:
    """One regulatory regime. ``limits`` and the thresholds are kept as the file gives them."""

    name: str
    title: str
    warning_level: float
    dependence_threshold: float
    ccf: dict[str, float]
    limits: tuple[dict[str, Any], ...] = ()
    large_exposure: dict[str, Any] = field(default_factory=dict)
    economic_dependence: dict[str, Any] = field(default_factory=dict)
    # DESIGN 3b (R13-R20); each has a `..._source` beside it in the file, kept in `sources`
    limits_apply_to: str = "net"
    interbank_classes: tuple[str, ...] = ("bank", "policy_bank", "non_bank_fi")
    look_through_threshold: float = 0.0015
    ccf_floor: float | None = None
    no_grouping_through: tuple[str, ...] = ("sovereign", "central_bank", "state_asset_agency")
    family_relations: tuple[str, ...] = ("spouse", "parent", "child", "sibling")
    ubo_threshold: float = 0.25
    rating_scale: tuple[str, ...] = ()
    exemptions: tuple[dict[str, Any], ...] = ()
    mitigation: dict[str, Any] = field(default_factory=dict)
    returns: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def class_of(self, kind: str, is_bank: bool, counterparty_class: str | None) -> str:
        """The counterparty class of a party (R13): its own, else ``bank`` when it is a bank,
        else ``individual`` for a person and ``corporate`` for a company.

        >>> regime = load_regime("CN-2018")
        >>> regime.class_of("company", False, None), regime.class_of("person", False, None)
        ('corporate', 'individual')
        >>> regime.class_of("company", True, None), regime.class_of("company", False, "sovereign")
        ('bank', 'sovereign')
        """
        if counterparty_class:
            return counterparty_class
        if is_bank:
            return "bank"
        return "individual" if kind == "person" else "corporate"

    def is_interbank_class(self, counterparty_class: str) -> bool:
        """Whether a class is interbank (同业) under this regime's limits."""
        return counterparty_class in self.interbank_classes

    def is_interbank(self, kind: str, is_bank: bool, counterparty_class: str | None) -> bool:
        """Whether a party is interbank for R8: a bank, or of an interbank class."""
        return is_bank or self.class_of(kind, is_bank, counterparty_class) in self.interbank_classes

    def ccf_for(self, product: str | None) -> float:
        """The default CCF of a product, or the regime's ``default``."""
        if product is not None and product in self.ccf:
            return self.ccf[product]
        return self.ccf["default"]


def shipped_regimes() -> list[str]:
    return sorted(p.stem for p in REGIME_DIR.glob("*.toml"))


def regime_reference(name_or_path: str, folder: Path) -> str:
    """How a dataset names its regime so that the name means the same from any working
    directory: a shipped regime's name as it is, a regime file's path made absolute. A
    regime file lies in the dataset's ``folder`` (or below it): a dataset names no file
    elsewhere on the machine that loads it (a server's reload reads only under its roots).
    Raises InvalidModel unless that regime loads.

    >>> regime_reference("CN-2018", Path("."))
    'CN-2018'
    >>> regime_reference("../elsewhere.toml", Path("data"))
    Traceback (most recent call last):
    ...
    schema.errors.InvalidModel: regime file '../elsewhere.toml': expected a file in the dataset folder
    """
    if not Path(name_or_path).suffix:
        load_regime(name_or_path)
        return name_or_path
    inside = folder.resolve()
    path = (folder / name_or_path).resolve()
    if not path.is_relative_to(inside):
        raise InvalidModel(f"regime file {name_or_path!r}: expected a file in the dataset folder")
    load_regime(path, shown=name_or_path)
    return str(path)


def _exposure_model(raw: dict[str, Any]) -> dict[str, Any]:
    """The settings of DESIGN 3b from a regime file, checked; absent ones keep their default."""
    settings: dict[str, Any] = {}
    applies = raw.get("limits_apply_to", "net")
    if applies not in ("net", "gross"):
        raise ValueError(f"limits_apply_to: expected 'net' or 'gross', got {applies!r}")
    settings["limits_apply_to"] = applies
    for key in ("interbank_classes", "no_grouping_through", "family_relations", "rating_scale"):
        if key in raw:
            if not isinstance(raw[key], list) or not all(isinstance(v, str) for v in raw[key]):
                raise ValueError(f"{key}: expected a list of text")
            settings[key] = tuple(raw[key])
    for key, low, high in (("look_through_threshold", 0.0, 1.0), ("ubo_threshold", 0.0, 1.0),
                           ("ccf_floor", 0.0, 1.0)):
        if key in raw:
            value = raw[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or not (
                    low <= value <= high):
                raise ValueError(f"{key}: expected a number from {low} to {high}, got {value!r}")
            settings[key] = float(value)
    exemptions = tuple(dict(e) for e in raw.get("exemptions", ()))
    scale = settings.get("rating_scale", ())
    for exemption in exemptions:
        if not isinstance(exemption.get("class"), str):
            raise ValueError("[[exemptions]]: each needs a class")
        if "min_rating" in exemption and exemption["min_rating"] not in scale:
            raise ValueError(f"[[exemptions]]: min_rating {exemption['min_rating']!r} is not "
                             f"on rating_scale")
    settings["exemptions"] = exemptions
    settings["mitigation"] = dict(raw.get("mitigation", {}))
    settings["returns"] = dict(raw.get("returns", {}))
    settings["sources"] = {key[:-len("_source")]: str(value) for key, value in raw.items()
                           if key.endswith("_source")}
    return settings


def load_regime(name_or_path: str | Path, *, shown: str | None = None) -> Regime:
    """A shipped regime by name (``CN-2018``) or a regime file by path. ``shown`` is how
    the user wrote it, for the error message, when that was not ``name_or_path``."""
    path = Path(name_or_path)
    looked_for = ""
    if not path.suffix:
        path = REGIME_DIR / f"{name_or_path}.toml"
    elif shown is not None:
        looked_for = f" (looked for {path})"
    if not path.is_file():
        raise InvalidModel(
            f"unknown regime {shown or str(name_or_path)!r}: expected one of "
            f"{', '.join(shipped_regimes())} or the path of a regime .toml file{looked_for}"
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InvalidModel(f"{path}: not a readable regime file: {error}") from error
    try:
        ccf = {str(k): float(v) for k, v in raw["ccf"].items()}
        if "default" not in ccf or not all(0.0 <= v <= 1.0 for v in ccf.values()):
            raise ValueError("[ccf] needs a 'default' and every factor in 0..1")
        return Regime(
            name=raw["name"],
            title=raw.get("title", raw["name"]),
            warning_level=float(raw.get("warning_level", 0.8)),
            dependence_threshold=float(raw["dependence_threshold"]),
            ccf=ccf,
            limits=tuple(raw.get("limits", ())),
            large_exposure=dict(raw.get("large_exposure", {})),
            economic_dependence=dict(raw.get("economic_dependence", {})),
            **_exposure_model(raw),
        )
    except (KeyError, ValueError, TypeError) as error:
        raise InvalidModel(f"{path}: not a valid regime file: {error}") from error
