"""The doctests here run Spark: skipped where pyspark (the extra ``spark``) or Java is not
installed, as the tests of tests/graph/spark are."""

import importlib.util
import shutil

if importlib.util.find_spec("pyspark") is None or shutil.which("java") is None:
    collect_ignore_glob = ["*.py"]
