"""Connected components of a DataFrame of edges, by the alternating large-star and
small-star rounds of Kiveris et al., "Connected Components in MapReduce and Beyond"
(SoCC 2014): O(log^2 n) rounds of joins, each component ending as a star around its least
node, which labels it.

GraphFrames' connected components would do this; its jar did not resolve from Maven
Central for Spark 4 (``io.graphframes:graphframes-spark4_2.13:0.10.0``), so the rounds are
written here as plain DataFrame jobs (issue 15 allows either).

Large star: every node links its larger neighbours to the least of its neighbourhood
(itself included). Small star: every node links itself and its smaller neighbours to the
least of them. Both keep the components; when a large star changes nothing, every
component is a star.

>>> from graph.spark.session import spark_session
>>> spark = spark_session()
>>> edges = spark.createDataFrame([("b", "a"), ("c", "b"), ("x", "y")], "a string, b string")
>>> sorted(tuple(r) for r in component_labels(edges).collect())
[('a', 'a'), ('b', 'a'), ('c', 'a'), ('x', 'x'), ('y', 'x')]
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

__all__ = ["component_labels"]

MAX_ROUNDS = 200


def component_labels(edges: DataFrame, nodes: DataFrame | None = None) -> DataFrame:
    """``(node, label)`` for every node of ``edges`` (columns ``a``, ``b``, undirected) and
    of ``nodes`` (column ``node``): label is the least node of its component (a node with
    no edge is its own)."""
    current = (
        edges.where(F.col("a") != F.col("b"))
        .select(F.greatest("a", "b").alias("a"), F.least("a", "b").alias("b"))
        .distinct()
        .localCheckpoint()
    )
    for _ in range(MAX_ROUNDS):
        large = _large_star(current).localCheckpoint()
        changed = large.exceptAll(current).limit(1).count() + current.exceptAll(large).limit(1).count()
        current = _small_star(large).localCheckpoint()
        if not changed:
            break
    else:  # pragma: no cover - log^2 of any real graph is far below
        raise RuntimeError(f"connected components did not converge in {MAX_ROUNDS} rounds")
    labels = current.select(F.col("a").alias("node"), F.col("b").alias("label"))
    roots = current.select(F.col("b").alias("node"), F.col("b").alias("label"))
    found = labels.unionByName(roots)
    if nodes is not None:
        found = found.unionByName(nodes.select("node", F.col("node").alias("label")))
    return found.groupBy("node").agg(F.min("label").alias("label"))


def _neighbours(edges: DataFrame) -> DataFrame:
    """Both directions of every edge: ``(u, v)``."""
    return edges.select(F.col("a").alias("u"), F.col("b").alias("v")).unionByName(
        edges.select(F.col("b").alias("u"), F.col("a").alias("v"))
    )


def _large_star(edges: DataFrame) -> DataFrame:
    both = _neighbours(edges)
    least = both.groupBy("u").agg(F.least(F.min("v"), F.first("u")).alias("m"))
    return (
        both.where(F.col("v") > F.col("u"))
        .join(least, "u")
        .select(F.col("v").alias("a"), F.col("m").alias("b"))
        .distinct()
    )


def _small_star(edges: DataFrame) -> DataFrame:
    # edges are stored (larger, smaller): each node u's smaller neighbours are its rows
    least = edges.groupBy("a").agg(F.min("b").alias("m"))
    joined = edges.join(least, "a")
    return (
        joined.select(F.col("b").alias("a"), F.col("m").alias("b"))
        .unionByName(joined.select("a", F.col("m").alias("b")))
        .where(F.col("a") != F.col("b"))
        .select(F.greatest("a", "b").alias("a"), F.least("a", "b").alias("b"))
        .distinct()
    )
