"""A Spark session for the rules: ``local[2]`` unless told otherwise.

Settings come from the environment so that a cluster's are not in code:
``GROUPGRAPH_SPARK_MASTER`` (default ``local[2]``; ``--master`` wins),
``GROUPGRAPH_SPARK_DRIVER_MEMORY`` (default ``2g``) and
``GROUPGRAPH_SPARK_SHUFFLE_PARTITIONS`` (default ``4``: the rules' joins are many and
small on one machine; a cluster wants some hundreds). Any other Spark setting is read
by Spark itself from ``SPARK_CONF_DIR`` / ``spark-defaults.conf`` as usual.
"""

from __future__ import annotations

import os

from pyspark.sql import SparkSession

__all__ = ["DEFAULT_MASTER", "spark_session"]

DEFAULT_MASTER = "local[2]"


def spark_session(master: str | None = None, *, app_name: str = "groupgraph") -> SparkSession:
    """The session (created once per process, as Spark allows one), with small local
    settings: no UI, few shuffle partitions, a modest driver."""
    env = os.environ
    builder = (
        SparkSession.builder.appName(app_name)
        .master(master or env.get("GROUPGRAPH_SPARK_MASTER", DEFAULT_MASTER))
        .config("spark.driver.memory", env.get("GROUPGRAPH_SPARK_DRIVER_MEMORY", "2g"))
        .config("spark.sql.shuffle.partitions", env.get("GROUPGRAPH_SPARK_SHUFFLE_PARTITIONS", "4"))
        .config("spark.default.parallelism", env.get("GROUPGRAPH_SPARK_SHUFFLE_PARTITIONS", "4"))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.adaptive.enabled", "true")
        # the fixpoints' plans grow each round; they are cut by local checkpoints
        .config("spark.sql.session.timeZone", "UTC")
    )
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
