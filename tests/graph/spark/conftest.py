"""One local Spark session (``local[2]``, 2 GB driver, 4 shuffle partitions) for the whole
test session: Spark takes tens of seconds to start. Without pyspark (the extra ``spark``)
or Java these tests are not collected, and say so, except under ``CI=true``."""

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

_MISSING = ("pyspark" if importlib.util.find_spec("pyspark") is None
            else "java" if shutil.which("java") is None else None)
if _MISSING is not None:
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"the Spark tests need {_MISSING}: `make setup` installs pyspark; Java 17 or 21")
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="session")
def spark():
    from graph.spark.session import spark_session

    return spark_session("local[2]")


# pyspark 4.3 warns that it does not fully support pandas 3 (it converts these tables fine)
_QUIET = [pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas"),
          pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")]
_HERE = Path(__file__).parent


def pytest_collection_modifyitems(items):
    for item in items:
        if _HERE in Path(item.path).parents:
            for mark in _QUIET:
                item.add_marker(mark)
