"""R3-R5 on Spark: family units, the control fixpoint as iterated joins, the top units and
the ultimate controllers. The definitions are those of :mod:`graph.analysis.control`.

R3  Families are the connected components of the ``RELATIVE_OF`` ties whose relation is in
    the regime's ``family_relations`` (R17). A family's key is ``family:`` and its least
    member id; any other party is a unit of its own, keyed by its id.
R4  Each round, a unit's holders are its members and the entities it controls so far; it
    controls every entity (not one of its members) that a holder has a ``CONTROLS`` edge
    to, or whose shares held by its holders sum to more than 0.5 (with the embedded
    engine's tolerance: more than 0.5 + 1e-9; the sum is taken in decimals, exact where the
    embedded engine takes ``math.fsum``). Control only grows, so the rounds stop when one
    adds nothing: the least fixpoint, which the embedded engine's worklist also reaches.
R5  A unit is on top when it controls something and no unit outside its control ring
    controls it. Control is transitive (what a controlled entity controls, its controller
    controls), so the ring of U is the units U controls that control U back, and U is on
    top when every unit controlling it is controlled by it. The ultimate controllers of an
    entity are the members of the top units controlling it, its own unit excepted.

A difference from the embedded engine, rare in data: an entity that controls a person
who is in a family (a ``CONTROLS`` edge to a person) does not control what the family
controls, so transitivity does not hold through it; the embedded engine reads rings from
the strongly connected components of the unit graph and may then rank that entity
differently.

>>> from graph.spark.session import spark_session
>>> spark = spark_session()
>>> parties = spark.createDataFrame([(p,) for p in ["P1", "P2", "C1", "C2", "C3"]], "id string")
>>> rels = spark.createDataFrame([
...     ("RELATIVE_OF", "P1", "P2", None, "spouse"), ("OWNS", "P1", "C1", 0.40, None),
...     ("OWNS", "P2", "C1", 0.15, None), ("OWNS", "C1", "C2", 0.60, None),
...     ("OWNS", "C1", "C3", 0.30, None), ("OWNS", "C2", "C3", 0.25, None)],
...     "type string, source string, target string, share double, relation string")
>>> control = compute_control(parties, rels)
>>> sorted(tuple(r) for r in control.controllers.where("entity = 'C3'").collect())
[('C3', 'P1'), ('C3', 'P2')]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from graph.analysis.control import CONTROL_THRESHOLD, FAMILY_RELATIONS
from graph.spark.components import component_labels

__all__ = ["SparkControl", "compute_control", "family_units"]

_EPSILON = 1e-9
_SHARE = "decimal(38,18)"
MAX_ROUNDS = 10_000


@dataclass(frozen=True)
class SparkControl:
    """``unit_of`` (party, unit), ``links`` (unit, target: the unit controls the entity),
    ``top`` (unit) and ``controllers`` (entity, controller: R5, as parties)."""

    unit_of: DataFrame
    links: DataFrame
    top: DataFrame
    controllers: DataFrame


def family_units(
    parties: DataFrame, relationships: DataFrame, *, family_relations: Sequence[str] = FAMILY_RELATIONS
) -> DataFrame:
    """R3: ``(party, unit)`` for every party of ``parties`` (column ``id``) and every person
    of a family tie."""
    ties = relationships.where(
        (F.col("type") == "RELATIVE_OF") & F.col("relation").isin(list(family_relations))
    ).select(F.col("source").alias("a"), F.col("target").alias("b"))
    families = component_labels(ties).select(
        F.col("node").alias("party"), F.concat(F.lit("family:"), "label").alias("unit")
    )
    singles = (
        parties.select(F.col("id").alias("party"))
        .distinct()
        .join(families, "party", "left_anti")
        .select("party", F.col("party").alias("unit"))
    )
    return families.unionByName(singles).localCheckpoint()


def compute_control(
    parties: DataFrame, relationships: DataFrame, *, family_relations: Sequence[str] = FAMILY_RELATIONS
) -> SparkControl:
    """R3-R5 on the current ``relationships`` (columns ``type``, ``source``, ``target``,
    ``share``, ``relation``) of ``parties`` (column ``id``)."""
    unit_of = family_units(parties, relationships, family_relations=family_relations)
    holdings = (
        relationships.where(F.col("type").isin("OWNS", "CONTROLS"))
        .select(
            F.col("source").alias("holder"),
            F.col("target"),
            (F.col("type") == "CONTROLS").alias("controls"),
            F.coalesce("share", F.lit(0.0)).cast(_SHARE).alias("share"),
        )
        .localCheckpoint()
    )
    target_unit = unit_of.select(F.col("party").alias("target"), F.col("unit").alias("target_unit"))
    members = unit_of.select("unit", F.col("party").alias("holder"))
    threshold = F.lit(CONTROL_THRESHOLD + _EPSILON).cast(_SHARE)
    links = members.sparkSession.createDataFrame([], "unit string, target string")
    count = 0
    for _ in range(MAX_ROUNDS):
        holders = members.unionByName(links.select("unit", F.col("target").alias("holder"))).distinct()
        found = (
            holders.join(holdings, "holder")
            .join(target_unit, "target", "left")
            .where(F.col("target_unit").isNull() | (F.col("target_unit") != F.col("unit")))
            .groupBy("unit", "target")
            .agg(F.max(F.col("controls").cast("int")).alias("controls"), F.sum("share").alias("share"))
            .where((F.col("controls") == 1) | (F.col("share") > threshold))
            .select("unit", "target")
        )
        links = found.localCheckpoint()
        new_count = links.count()
        if new_count == count:
            break
        count = new_count
    else:  # pragma: no cover - a round adds at least one link, and there are finitely many
        raise RuntimeError("the control fixpoint did not converge")
    top = _top(links, unit_of)
    own = unit_of.select(F.col("party").alias("entity"), F.col("unit").alias("own"))
    controllers = (
        links.join(top, "unit")
        .select(F.col("target").alias("entity"), "unit")
        .join(own, "entity", "left")
        .where(F.col("own").isNull() | (F.col("own") != F.col("unit")))
        .join(unit_of.select("unit", F.col("party").alias("controller")), "unit")
        .select("entity", "controller")
        .distinct()
    )
    return SparkControl(unit_of, links, top, controllers)


def _top(links: DataFrame, unit_of: DataFrame) -> DataFrame:
    """R5: the units that control something and are controlled only by units they control
    back (see the module's note on transitivity)."""
    edges = (
        links.join(unit_of.select(F.col("party").alias("target"), F.col("unit").alias("b")), "target")
        .select(F.col("unit").alias("a"), "b")
        .distinct()
    )
    back = edges.select(F.col("b").alias("a"), F.col("a").alias("b"))
    # an edge v -> u with no u -> v: u is controlled from outside its ring
    entered = edges.join(back, ["a", "b"], "left_anti").select(F.col("b").alias("unit")).distinct()
    return edges.select(F.col("a").alias("unit")).distinct().join(entered, "unit", "left_anti")
