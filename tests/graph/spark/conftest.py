"""One local Spark session (``local[2]``, 2 GB driver, 4 shuffle partitions) for the whole
test session: Spark takes tens of seconds to start. Skipped without pyspark or Java."""

import shutil

import pytest


@pytest.fixture(scope="session")
def spark():
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("the Spark engine needs Java 17 or 21")
    from graph.spark.session import spark_session

    return spark_session("local[2]")
