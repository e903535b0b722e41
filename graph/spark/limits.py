"""R8 on Spark: the flags :mod:`graph.risk.limits` raises, as ``(subject, code)`` rows:
``LIMIT_BREACH`` and ``LIMIT_WARNING`` of every check that applies, ``LARGE_EXPOSURE`` and
``DEPENDENCE_REVIEW``.

The checks, their subjects and figures are the embedded engine's (see its module
docstring): every party with an exposure entry, then every group of two or more with
exposure; ``single_party`` and ``single_party_loans`` for a party that is not interbank,
``group`` for a group that is not interbank, ``interbank`` for an interbank party or a
group whose borrowing members all are, ``gsib`` for G-SIB subjects of a G-SIB bank,
``any`` for all. The figure checked is net without exempt exposure (R13) under
``limits_apply_to = "net"``, else gross; loans are the drawn balances of ``loan``
facilities of the check's ``loan_products`` (or none). Status: breach above the limit,
warning from ``warning_level`` of it (tolerance 1e-12 as there). Which parties are exempt
or interbank is decided on the driver, once per distinct (kind, is_bank, class, country,
rating), with :func:`graph.analysis.exemptions.is_exempt` and the regime's classes.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from graph.analysis.exemptions import is_exempt
from graph.risk.limits import CHECKS
from graph.spark.io import SparkDataset
from schema.errors import InvalidModel
from schema.records import Entity
from schema.regime import Regime

__all__ = ["limit_flags"]

_TOLERANCE = 1e-12
_KEYS = ["kind", "is_bank", "counterparty_class", "country", "rating"]


def limit_flags(data: SparkDataset, regime: Regime, exposures: DataFrame, groups: DataFrame) -> DataFrame:
    """``(subject, code)`` of every R8 flag, from ``exposures`` (party, gross, net) and
    ``groups`` (group_id, member)."""
    for limit in regime.limits:
        if limit.get("check") not in CHECKS:
            raise InvalidModel(f"regime {regime.name}: unknown check {limit.get('check')!r}")
    bank = data.bank
    net_basis = regime.limits_apply_to == "net"
    parties = (
        exposures.join(_attributes(data, regime).withColumnRenamed("id", "party"), "party", "left")
        .join(_loans(data, regime), "party", "left")
        .fillna(False, ["exempt", "interbank", "is_gsib"])
    )
    checked = F.when(F.col("exempt"), F.lit(0.0)).otherwise(F.col("net")) if net_basis else F.col("gross")
    parties = parties.withColumn("checked", checked).localCheckpoint()
    denominators = {"tier1_capital": bank.tier1_capital, "net_capital": bank.net_capital}

    flags = []
    single = ~F.col("interbank")
    party_applies = {
        "single_party": single,
        "single_party_loans": single,
        "group": F.lit(False),
        "interbank": F.col("interbank"),
        "gsib": F.col("is_gsib") & F.lit(bank.is_gsib),
        "any": F.lit(True),
    }
    for k, limit in enumerate(regime.limits):
        figure = F.col("checked")
        if limit["check"] == "single_party_loans":
            figure = F.coalesce(F.col(f"loans{k}"), F.lit(0.0))
            if net_basis:
                figure = F.when(F.col("exempt"), F.lit(0.0)).otherwise(figure)
        flags.append(
            _status(
                parties.where(party_applies[limit["check"]]).select(
                    F.col("party").alias("subject"), figure.alias("figure")
                ),
                limit,
                denominators,
                regime,
            )
        )

    members = groups.join(parties, groups.member == parties.party, "left").fillna(
        {"gross": 0.0, "net": 0.0, "checked": 0.0, "interbank": False, "is_gsib": False}
    )
    borrowing = F.col("gross") > 0
    sized = (
        members.groupBy("group_id")
        .agg(
            F.count("member").alias("size"),
            F.sum("gross").alias("gross"),
            F.sum("net").alias("net"),
            F.sum("checked").alias("checked"),
            F.sum(borrowing.cast("int")).alias("borrowers"),
            F.sum((borrowing & F.col("interbank")).cast("int")).alias("interbank_borrowers"),
            F.max(F.col("is_gsib").cast("int")).alias("gsib"),
        )
        .where(F.col("size") >= 2)
        .localCheckpoint()
    )
    exposed = sized.where((F.col("gross") != 0) | (F.col("net") != 0))
    interbank = (F.col("borrowers") > 0) & (F.col("interbank_borrowers") == F.col("borrowers"))
    group_applies = {
        "single_party": F.lit(False),
        "single_party_loans": F.lit(False),
        "group": ~interbank,
        "interbank": interbank,
        "gsib": (F.col("gsib") == 1) & F.lit(bank.is_gsib),
        "any": F.lit(True),
    }
    for limit in regime.limits:
        flags.append(
            _status(
                exposed.where(group_applies[limit["check"]]).select(
                    F.col("group_id").alias("subject"), F.col("checked").alias("figure")
                ),
                limit,
                denominators,
                regime,
            )
        )

    ratio = F.col("checked") / F.lit(bank.tier1_capital)
    subjects = parties.select(
        F.col("party").alias("subject"), ratio.alias("ratio"), F.lit(True).alias("party")
    ).unionByName(
        sized.select(F.col("group_id").alias("subject"), ratio.alias("ratio"), F.lit(False).alias("party"))
    )
    large = regime.large_exposure
    if large:
        threshold = float(large["threshold"])
        hit = (
            (F.col("ratio") >= threshold - _TOLERANCE)
            if large.get("inclusive", False)
            else (F.col("ratio") > threshold + _TOLERANCE)
        )
        flags.append(subjects.where(hit).select("subject", F.lit("LARGE_EXPOSURE").alias("code")))
    review = regime.economic_dependence
    if review:
        level = float(review["review_above"])
        flags.append(
            subjects.where(F.col("party") & (F.col("ratio") > level + _TOLERANCE)).select(
                "subject", F.lit("DEPENDENCE_REVIEW").alias("code")
            )
        )
    found = flags[0]
    for more in flags[1:]:
        found = found.unionByName(more)
    return found.distinct()


def _status(rows: DataFrame, limit: dict, denominators: dict[str, float], regime: Regime) -> DataFrame:
    """The LIMIT_BREACH and LIMIT_WARNING rows of one check on ``rows`` (subject, figure)."""
    ratio = F.col("figure") / F.lit(denominators[limit["of"]])
    value = float(limit["limit"])
    code: Column = F.when(ratio > value + _TOLERANCE, F.lit("LIMIT_BREACH")).when(
        ratio >= value * regime.warning_level - _TOLERANCE, F.lit("LIMIT_WARNING")
    )
    return rows.select("subject", code.alias("code")).where(F.col("code").isNotNull())


def _attributes(data: SparkDataset, regime: Regime) -> DataFrame:
    """``(id, exempt, interbank, is_gsib)`` of every entity."""
    keys = [tuple(r) for r in data.entities.select(*_KEYS).distinct().collect()]
    classes = set(regime.interbank_classes)
    exempt, interbank = F.lit(False), F.lit(False)
    for key in keys:
        kind, is_bank, cls, country, rating = key
        entity = Entity(
            "", "", kind, is_bank=bool(is_bank), counterparty_class=cls, country=country, rating=rating
        )
        match = F.lit(True)
        for column, value in zip(_KEYS, key, strict=True):
            match = match & F.col(column).eqNullSafe(F.lit(value))
        if is_exempt(entity, regime):
            exempt = exempt | match
        if regime.class_of(kind, bool(is_bank), cls) in classes or is_bank:
            interbank = interbank | match
    return data.entities.select(
        "id",
        exempt.alias("exempt"),
        interbank.alias("interbank"),
        F.coalesce("is_gsib", F.lit(False)).alias("is_gsib"),
    )


def _loans(data: SparkDataset, regime: Regime) -> DataFrame:
    """``(party, loans0, loans1, ...)``: per ``single_party_loans`` check k, the drawn
    balances of the party's ``loan`` facilities of the check's products (or none)."""
    facilities = data.facilities.where(F.col("category") == "loan")
    currencies = [r["currency"] for r in facilities.select("currency").distinct().collect()]
    rate = F.lit(1.0)
    for c in currencies:
        rate = F.when(F.col("currency").eqNullSafe(F.lit(c)), F.lit(data.bank.rate(c))).otherwise(rate)
    sums = [
        F.sum(
            F.when(
                F.col("product").isNull() | F.col("product").isin(*limit.get("loan_products", ("loan",))),
                F.col("outstanding") * rate,
            ).otherwise(0.0)
        ).alias(f"loans{k}")
        for k, limit in enumerate(regime.limits)
        if limit["check"] == "single_party_loans"
    ]
    if not sums:
        return facilities.select(F.col("borrower").alias("party")).limit(0)
    return facilities.groupBy(F.col("borrower").alias("party")).agg(*sums)
