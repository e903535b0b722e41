"""R6 with R17 on Spark: groups of connected clients as connected components of units, with
the ids of :func:`graph.analysis.groups.group_id`.

The graph's nodes are control units (R3, so a family is together from the start); its edges
every control link (unit -> unit of the entity it controls, R4) and every ``DEPENDS_ON``
edge with share at or above the regime's dependence threshold, leaving out any edge with a
state unit at one end (a party whose class is in ``no_grouping_through``, R17). Every
party is a member of its unit's component; a group's id is ``G`` and the first 12 hex
digits of the SHA-256 of its member ids, sorted by code point and joined by newlines (UTF-8
bytes sort as code points do, so Spark's sort is Python's).

>>> from graph.spark.session import spark_session
>>> from graph.spark.control import compute_control
>>> spark = spark_session()
>>> parties = spark.createDataFrame([(p,) for p in "ABDX"], "id string")
>>> columns = "type string, source string, target string, share double, relation string"
>>> rels = spark.createDataFrame([("OWNS", "A", "B", 0.6, None), ("DEPENDS_ON", "D", "B", 0.5, None),
...                               ("OWNS", "X", "B", 0.3, None)], columns)
>>> groups = connected_client_groups(parties, rels, compute_control(parties, rels))
>>> sorted((r.member, r.group_id) for r in groups.collect())[0]
('A', 'G32fb890ae1a9')
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from graph.analysis.groups import DEPENDENCE_THRESHOLD
from graph.spark.components import component_labels
from graph.spark.control import SparkControl

__all__ = ["connected_client_groups"]


def connected_client_groups(
    parties: DataFrame,
    relationships: DataFrame,
    control: SparkControl,
    *,
    dependence_threshold: float = DEPENDENCE_THRESHOLD,
    state_parties: DataFrame | None = None,
) -> DataFrame:
    """``(group_id, member)`` for every party (R6, R17). ``state_parties`` (column ``id``)
    are the parties whose links join no one."""
    unit_of = control.unit_of
    spark = unit_of.sparkSession
    state = (
        unit_of.join(state_parties.select(F.col("id").alias("party")), "party").select("unit").distinct()
        if state_parties is not None
        else spark.createDataFrame([], "unit string")
    )
    target_unit = unit_of.select(F.col("party").alias("target"), F.col("unit").alias("b"))
    source_unit = unit_of.select(F.col("party").alias("source"), F.col("unit").alias("a"))
    control_edges = control.links.join(target_unit, "target").select(F.col("unit").alias("a"), "b")
    dependence = (
        relationships.where((F.col("type") == "DEPENDS_ON") & (F.col("share") >= F.lit(dependence_threshold)))
        .join(source_unit, "source")
        .join(target_unit.withColumnRenamed("target", "dep_target"), F.col("target") == F.col("dep_target"))
        .select("a", "b")
    )
    edges = (
        control_edges.unionByName(dependence)
        .join(state.withColumnRenamed("unit", "a"), "a", "left_anti")
        .join(state.withColumnRenamed("unit", "b"), "b", "left_anti")
    )
    labels = component_labels(edges, unit_of.select(F.col("unit").alias("node")).distinct())
    members = unit_of.join(labels.withColumnRenamed("node", "unit"), "unit").select(
        F.col("party").alias("member"), "label"
    )
    ids = members.groupBy("label").agg(
        F.concat(
            F.lit("G"),
            F.substring(F.sha2(F.concat_ws("\n", F.array_sort(F.collect_list("member"))), 256), 1, 12),
        ).alias("group_id")
    )
    return members.join(ids, "label").select("group_id", "member")
