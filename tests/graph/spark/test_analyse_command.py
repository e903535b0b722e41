"""`groupgraph export --parquet` and `groupgraph analyse --engine spark|embedded` on the
sample portfolio of 10,000 parties: both engines write the same four Parquet tables
(groups with their ids, controllers, exposures to 1e-9 of their size, flags). Run
in-process (typer's runner), so the Spark session of the test session is reused."""

import pandas as pd
import pytest
from typer.testing import CliRunner

from api.cli.commands import app
from loaders.synthetic import DEFAULT_AS_OF, generate_portfolio

TABLES = ("groups", "controllers", "exposures", "flags")


def invoke(*args):
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.usefixtures("spark")
def test_both_engines_write_the_same_tables_for_10k_parties(tmp_path):
    generate_portfolio(tmp_path / "data", parties=10_000, seed=1)
    store = f"embedded:{tmp_path / 'store.sqlite'}"
    invoke("load", str(tmp_path / "data"), "--store", store)
    invoke("export", "--parquet", str(tmp_path / "parquet"), "--store", store)
    day = DEFAULT_AS_OF.isoformat()
    invoke("analyse", "--engine", "embedded", "--store", store, "--out", str(tmp_path / "embedded"),
           "--as-of", day)
    invoke("analyse", "--engine", "spark", "--parquet", str(tmp_path / "parquet"), "--out",
           str(tmp_path / "spark"), "--as-of", day, "--master", "local[2]")
    read = {engine: {name: pd.read_parquet(tmp_path / engine / f"{name}.parquet") for name in TABLES}
            for engine in ("embedded", "spark")}
    groups = read["embedded"]["groups"]
    # every party is in one group, the anonymous client of look-through too
    assert len(groups) == groups.member.nunique() == 10_000 + ("ANONYMOUS" in set(groups.member))
    for name in TABLES:
        assert len(read["embedded"][name]) > 0, name
        pd.testing.assert_frame_equal(read["embedded"][name], read["spark"][name], check_dtype=False,
                                      rtol=1e-9, atol=1e-9)


def test_analyse_without_tables_says_what_is_missing(tmp_path):
    result = CliRunner().invoke(app, ["analyse", "--engine", "embedded", "--parquet", str(tmp_path),
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code != 0
    assert "no bank.json" in str(result.exception or result.output)
