"""R7 with R15 and R16 on Spark: each party's exposure before (gross) and after (net)
mitigation, as :func:`graph.analysis.exposure.compute_exposures` computes them.

* A facility's own part is ``outstanding x rate`` (``off_balance``: ``ccf x`` that), its
  commitment ``ccf x undrawn x rate``; ``ccf`` its own, else the regime's default for its
  product, raised to the regime's ``ccf_floor`` (R7, R14).
* R15: the own part of an ``am_product`` or ``abs`` facility is allocated by its
  underlyings in input order, each row capped by what the rows before it left (a running
  sum clipped at the own part); a known obligor (not the borrower) whose rows reach
  ``look_through_threshold x tier 1`` takes its amount, the others stay with the borrower,
  and what no known obligor takes goes to the anonymous client ``ANONYMOUS``.
* R16, per facility, on what its borrower kept: reducing collateral, then substituting
  collateral (to its issuer), then eligible guarantees naming the facility (by guarantor
  id); each step takes ``min(running sum, value) - min(running sum before, value)``, which
  is the embedded engine's "capped by what the steps before it left". Then the guarantees
  naming no facility (by borrower, then guarantor) take from what the borrower's
  facilities have left, in total never more than it. Net is gross less what moved out plus
  what moved in, not below zero.

The per-column breakdown of R14, exemptions (R13) and product parties are not computed
here (issue 15's next slice).

>>> from graph.spark.session import spark_session
>>> from graph.spark.io import SCHEMAS, SparkDataset, _spark_schema
>>> from schema.records import Bank
>>> from schema.regime import load_regime
>>> spark = spark_session()
>>> def frame(name, rows):
...     return spark.createDataFrame(rows, _spark_schema(SCHEMAS[name]))
>>> data = SparkDataset(
...     Bank("B", "CNY", 1000.0, 1200.0, fx={"USD": 7.0}),
...     frame("entities", [("A", "A", "company", None, False, False, None, None)]),
...     frame("relationships", [(0, "GUARANTEES", "G", "A", None, None, 60.0, None, "F1", True,
...                              None, None)]),
...     frame("facilities", [(0, "F1", "A", 100.0, 50.0, 0.5, None, None, "loan"),
...                          (1, "F2", "A", 10.0, 0.0, None, None, "USD", "loan")]),
...     frame("underlyings", []), frame("collateral", []))
>>> sorted(tuple(r) for r in compute_exposures(data, load_regime("CN-2018")).collect())
[('A', 195.0, 135.0), ('G', 0.0, 60.0)]
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from graph.analysis.lookthrough import ANONYMOUS
from graph.spark.io import SparkDataset
from schema.measure import LOOKED_THROUGH, OFF_BALANCE
from schema.regime import Regime

__all__ = ["compute_exposures", "facility_values"]

_TOLERANCE = 1e-12  # graph.analysis.lookthrough's


def facility_values(data: SparkDataset, regime: Regime) -> DataFrame:
    """Per facility: ``row``, ``id``, ``borrower``, ``category``, ``rate``, ``own`` and
    ``potential`` in base currency (R7, R14)."""
    facilities = data.facilities
    products = [r["product"] for r in facilities.select("product").distinct().collect()]
    currencies = [r["currency"] for r in facilities.select("currency").distinct().collect()]
    ccf = F.coalesce(F.col("ccf"), _lookup("product", {p: regime.ccf_for(p) for p in products}))
    if regime.ccf_floor is not None:
        ccf = F.greatest(ccf, F.lit(regime.ccf_floor))
    rate = _lookup("currency", {c: data.bank.rate(c) for c in currencies})
    drawn = F.col("outstanding") * F.col("rate")
    return (
        facilities.withColumn("ccf", ccf)
        .withColumn("rate", rate)
        .select(
            "row",
            "id",
            "borrower",
            "category",
            "rate",
            F.when(F.col("category") == OFF_BALANCE, F.col("ccf") * drawn).otherwise(drawn).alias("own"),
            (F.col("ccf") * (F.col("undrawn") * F.col("rate"))).alias("potential"),
        )
    )


def compute_exposures(data: SparkDataset, regime: Regime) -> DataFrame:
    """``(party, gross, net)`` for every borrower and every party exposure moved onto."""
    values = facility_values(data, regime).localCheckpoint()
    kept, looked = _look_through(data, regime, values)
    held = values.join(kept, "id", "left").withColumn(
        "kept",
        F.when(F.col("category").isin(*LOOKED_THROUGH), F.coalesce("kept", F.lit(0.0))).otherwise(
            F.col("own")
        ),
    )
    gross = held.select(
        F.col("borrower").alias("party"), (F.col("kept") + F.col("potential")).alias("amount")
    ).unionByName(looked)
    moves = _mitigation(data, regime, held)
    changes = moves.select(F.col("source").alias("party"), (-F.col("amount")).alias("amount")).unionByName(
        moves.where(F.col("target").isNotNull()).select(F.col("target").alias("party"), "amount")
    )
    gross = gross.groupBy("party").agg(F.sum("amount").alias("gross"))
    changed = changes.groupBy("party").agg(F.sum("amount").alias("change"))
    parties = gross.join(changed, "party", "full")
    return parties.select(
        "party",
        F.coalesce("gross", F.lit(0.0)).alias("gross"),
        F.greatest(F.coalesce("gross", F.lit(0.0)) + F.coalesce("change", F.lit(0.0)), F.lit(0.0)).alias(
            "net"
        ),
    )


def _look_through(data: SparkDataset, regime: Regime, values: DataFrame) -> tuple[DataFrame, DataFrame]:
    """R15: ``(id, kept)`` per looked-through facility and ``(party, amount)`` moved to
    obligors and to the anonymous client."""
    products = values.where(F.col("category").isin(*LOOKED_THROUGH)).select(
        F.col("id").alias("facility"), "borrower", F.col("own").alias("whole"), "rate"
    )
    currencies = [
        r["currency"]
        for r in data.underlyings.select("currency").distinct().collect()
        if r["currency"] is not None
    ]
    row_rate = F.coalesce(
        _lookup("currency", {c: data.bank.rate(c) for c in currencies}, default=None), F.col("rate")
    )
    order = Window.partitionBy("facility").orderBy("row")
    rows = (
        data.underlyings.join(products, "facility")
        .withColumn("amount", F.col("amount") * row_rate)
        .withColumn("cum", F.sum("amount").over(order.rowsBetween(Window.unboundedPreceding, 0)))
        .withColumn(
            "taken",
            F.greatest(
                F.least("cum", "whole") - F.least(F.col("cum") - F.col("amount"), F.col("whole")), F.lit(0.0)
            ),
        )
    )
    by_obligor = (
        rows.where(F.col("obligor").isNotNull())
        .groupBy("facility", "borrower", "obligor")
        .agg(F.sum("taken").alias("total"))
    )
    level = F.lit(regime.look_through_threshold - _TOLERANCE)
    moves = (F.col("obligor") != F.col("borrower")) & (
        F.col("total") / F.lit(data.bank.tier1_capital) >= level
    )
    summary = by_obligor.groupBy("facility").agg(
        F.sum(F.when(~moves, F.col("total")).otherwise(0.0)).alias("kept"), F.sum("total").alias("identified")
    )
    to_obligors = by_obligor.where(moves).select(
        F.col("obligor").alias("party"), F.col("total").alias("amount")
    )
    rest = (
        products.join(summary, "facility", "left")
        .select(
            F.lit(ANONYMOUS).alias("party"),
            F.greatest(F.col("whole") - F.coalesce("identified", F.lit(0.0)), F.lit(0.0)).alias("amount"),
        )
        .where(F.col("amount") > 0.0)
    )
    kept = products.join(summary, "facility", "left").select(
        F.col("facility").alias("id"), F.coalesce("kept", F.lit(0.0)).alias("kept")
    )
    return kept, to_obligors.unionByName(rest)


def _mitigation(data: SparkDataset, regime: Regime, held: DataFrame) -> DataFrame:
    """R16: ``(source, target, amount)`` moved away from each borrower (target null for a
    reduction)."""
    mitigation = regime.mitigation
    facility = held.select(
        F.col("id").alias("facility"),
        "borrower",
        "rate",
        "row",
        (F.col("kept") + F.col("potential")).alias("value"),
    )
    c_currencies = [
        r["currency"]
        for r in data.collateral.select("currency").distinct().collect()
        if r["currency"] is not None
    ]
    c_rate = F.coalesce(
        _lookup("currency", {c: data.bank.rate(c) for c in c_currencies}, default=None), F.col("rate")
    )
    collateral = data.collateral.withColumnRenamed("value", "worth").join(
        facility.select("facility", "rate"), "facility"
    )
    steps = [
        collateral.where(F.col("kind").isin(*mitigation.get("reducing_collateral", ()))).select(
            "facility",
            F.lit(None).cast("string").alias("target"),
            (F.col("worth") * c_rate).alias("amount"),
            F.lit(0).alias("step"),
            F.lit("").alias("key"),
            "row",
        ),
        collateral.where(
            F.col("kind").isin(*mitigation.get("substituting_collateral", ())) & F.col("issuer").isNotNull()
        ).select(
            "facility",
            F.col("issuer").alias("target"),
            (F.col("worth") * c_rate).alias("amount"),
            F.lit(1).alias("step"),
            F.lit("").alias("key"),
            "row",
        ),
    ]
    guarantees = _eligible_guarantees(data, regime)
    steps.append(
        guarantees.where(F.col("facility").isNotNull()).select(
            "facility",
            F.col("source").alias("target"),
            "amount",
            F.lit(2).alias("step"),
            F.col("source").alias("key"),
            "row",
        )
    )
    ordered = (
        steps[0].unionByName(steps[1]).unionByName(steps[2]).join(facility.drop("row", "rate"), "facility")
    )
    order = Window.partitionBy("facility").orderBy("step", "key", "row")
    per_facility = _capped(ordered.withColumn("amount", F.greatest("amount", F.lit(0.0))), order, "value")
    moved = per_facility.select(F.col("borrower").alias("source"), "target", "taken", "facility")
    left = (
        facility.join(per_facility.groupBy("facility").agg(F.sum("taken").alias("used")), "facility", "left")
        .groupBy("borrower")
        .agg(F.sum(F.col("value") - F.coalesce("used", F.lit(0.0))).alias("left"))
    )
    general = (
        guarantees.where(F.col("facility").isNull())
        .select(
            F.col("target").alias("borrower"),
            F.col("source").alias("target"),
            "row",
            F.greatest("amount", F.lit(0.0)).alias("amount"),
        )
        .join(left, "borrower")
    )
    per_borrower = _capped(general, Window.partitionBy("borrower").orderBy("target", "row"), "left")
    moved = moved.drop("facility").unionByName(
        per_borrower.select(F.col("borrower").alias("source"), "target", "taken")
    )
    return moved.where(F.col("taken") > 0.0).select("source", "target", F.col("taken").alias("amount"))


def _capped(rows: DataFrame, order: Window, cap: str) -> DataFrame:
    """Each row's ``taken``: its ``amount`` capped by what the rows before it (in
    ``order``) left of ``cap``."""
    running = F.sum("amount").over(order.rowsBetween(Window.unboundedPreceding, 0))
    return rows.withColumn("cum", running).withColumn(
        "taken",
        F.greatest(F.least("cum", cap) - F.least(F.col("cum") - F.col("amount"), F.col(cap)), F.lit(0.0)),
    )


def _eligible_guarantees(data: SparkDataset, regime: Regime) -> DataFrame:
    """The current eligible ``GUARANTEES`` rows (``source`` the guarantor), with
    ``amount`` in base currency: the row's ``eligible``, else the guarantor's class."""
    rows = data.relationships.where(F.col("type") == "GUARANTEES")
    kinds = [
        tuple(r) for r in data.entities.select("kind", "is_bank", "counterparty_class").distinct().collect()
    ]
    classes = set(regime.mitigation.get("guarantor_classes", ()))
    eligible_keys = [k for k in kinds if regime.class_of(k[0], bool(k[1]), k[2]) in classes]
    eligible_guarantors = _with_class_flag(data, eligible_keys)
    currencies = [r["currency"] for r in rows.select("currency").distinct().collect()]
    rate = _lookup("currency", {c: data.bank.rate(c) for c in currencies})
    return (
        rows.join(eligible_guarantors, "source", "left")
        .where(F.coalesce(F.col("eligible"), F.coalesce(F.col("by_class"), F.lit(False))))
        .select(
            "row", "source", "target", "facility", (F.coalesce("amount", F.lit(0.0)) * rate).alias("amount")
        )
    )


def _with_class_flag(data: SparkDataset, eligible_keys: list[tuple]) -> DataFrame:
    """``(source, by_class)``: every party, and whether its class makes its guarantees
    eligible."""
    condition = F.lit(False)
    for kind, is_bank, cls in eligible_keys:
        condition = condition | (
            (F.col("kind") == kind)
            & F.col("is_bank").eqNullSafe(is_bank)
            & F.col("counterparty_class").eqNullSafe(cls)
        )
    return data.entities.select(F.col("id").alias("source"), condition.alias("by_class"))


def _lookup(column: str, values: dict, default: float | None = None) -> Column:
    """``values[column]`` as a Spark expression (a null key maps as Python's None)."""
    expression = F.lit(default).cast("double")
    for key, value in values.items():
        test = F.col(column).isNull() if key is None else (F.col(column) == key)
        expression = F.when(test, F.lit(value)).otherwise(expression)
    return expression
