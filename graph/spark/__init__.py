"""The rules on Apache Spark (DESIGN section 6, issue 15): the same answers as the embedded
engine (:mod:`graph.analysis`, :mod:`graph.risk`) as DataFrame jobs, for books no single
process holds.

:mod:`graph.spark.session` starts Spark, :mod:`graph.spark.io` writes and reads a dataset
as Parquet, :mod:`graph.spark.control` computes R3-R5, :mod:`graph.spark.groups` R6 with
R17, :mod:`graph.spark.exposure` R7 with R15 and R16 (gross, and net after
look-through, collateral and eligible guarantees), :mod:`graph.spark.limits` R8's flags,
and :mod:`graph.spark.tables` the result tables of
``groupgraph analyse`` from either engine. ``pyspark`` is the optional extra ``spark``.
"""
