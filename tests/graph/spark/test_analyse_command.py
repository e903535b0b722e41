"""`groupgraph export --parquet` and `groupgraph analyse --engine spark|embedded`: the same
four Parquet tables from both engines, from a store and from its export. Run in-process
(typer's runner), so the Spark session of the test session is reused."""

import pandas as pd
import pytest
from typer.testing import CliRunner

from api.cli.commands import app
from loaders.synthetic import generate_portfolio

TABLES = ("groups", "controllers", "exposures", "flags")


def invoke(*args):
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.usefixtures("spark")
def test_both_engines_write_the_same_tables(tmp_path):
    generate_portfolio(tmp_path / "data", parties=300, seed=3)
    store = f"embedded:{tmp_path / 'store.sqlite'}"
    invoke("load", str(tmp_path / "data"), "--store", store)
    invoke("export", "--parquet", str(tmp_path / "parquet"), "--store", store)
    day = "2024-12-31"
    invoke("analyse", "--engine", "embedded", "--store", store, "--out", str(tmp_path / "embedded"),
           "--as-of", day)
    invoke("analyse", "--engine", "spark", "--parquet", str(tmp_path / "parquet"), "--out",
           str(tmp_path / "spark"), "--as-of", day, "--master", "local[2]")
    for name in TABLES:
        embedded = pd.read_parquet(tmp_path / "embedded" / f"{name}.parquet")
        spark = pd.read_parquet(tmp_path / "spark" / f"{name}.parquet")
        assert len(embedded) > 0, name     # a book of 300 has some of each
        pd.testing.assert_frame_equal(embedded, spark, check_dtype=False, rtol=1e-9, atol=1e-9)


def test_analyse_without_tables_says_what_is_missing(tmp_path):
    result = CliRunner().invoke(app, ["analyse", "--engine", "embedded", "--parquet", str(tmp_path),
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code != 0
    assert "no bank.json" in str(result.exception or result.output)
