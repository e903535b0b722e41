"""The result tables of ``groupgraph analyse`` (DESIGN section 6), from either engine:
``groups`` (group_id, member), ``controllers`` (entity, controller: R5's ultimate
controllers), ``exposures`` (party, gross, net) and ``flags`` (subject, code: R8's).

:func:`embedded_tables` reads them off today's engine (:func:`graph.analysis.analyse`,
:mod:`graph.risk.limits`) as pandas frames; :func:`spark_tables` computes them on Spark
from a :class:`~graph.spark.io.SparkDataset`. :func:`write_tables` writes either as
Parquet, one file per table, rows sorted so that equal tables give equal files.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from graph.analysis import analyse
from graph.analysis.lookthrough import ANONYMOUS
from graph.risk.limits import check_limits, large_exposure_flags
from graph.spark.control import compute_control
from graph.spark.exposure import compute_exposures
from graph.spark.groups import connected_client_groups
from graph.spark.io import SparkDataset
from graph.spark.limits import limit_flags
from schema.records import Dataset
from schema.regime import Regime

__all__ = ["COLUMNS", "embedded_tables", "spark_tables", "write_tables"]

COLUMNS = {
    "groups": ["group_id", "member"],
    "controllers": ["entity", "controller"],
    "exposures": ["party", "gross", "net"],
    "flags": ["subject", "code"],
}


def embedded_tables(dataset: Dataset, *, as_of: date, regime: Regime) -> dict[str, pd.DataFrame]:
    """The four tables from the embedded engine."""
    analysis = analyse(dataset, regime=regime, as_of=as_of)
    groups = [(g.id, m) for g in analysis.groups for m in g.members]
    control = analysis.control
    controllers = [(e, c) for e in analysis.dataset.entities for c in control.ultimate_controllers(e)]
    exposures = [(p, e.gross, e.net) for p, e in analysis.exposures.parties.items()]
    checks = check_limits(analysis)
    flags = {
        (checks[row].subject, checks[row].flag(checks[row].subject, "", "").code)
        for row in checks.status_codes().nonzero()[0].tolist()
    }
    flags |= {(f.subject, f.code) for f in large_exposure_flags(analysis, analysis.groups)}
    rows = {"groups": groups, "controllers": controllers, "exposures": exposures, "flags": sorted(flags)}
    return {name: _sorted(pd.DataFrame(rows[name], columns=COLUMNS[name])) for name in COLUMNS}


def spark_tables(data: SparkDataset, *, as_of: date, regime: Regime) -> dict[str, DataFrame]:
    """The four tables from Spark."""
    day = F.lit(as_of.isoformat()).cast("date")
    current = data.relationships.where(
        (F.col("valid_from").isNull() | (F.col("valid_from") <= day))
        & (F.col("valid_to").isNull() | (day <= F.col("valid_to")))
    )
    data = SparkDataset(
        data.bank,
        data.entities,
        current.localCheckpoint(),
        data.facilities,
        data.underlyings,
        data.collateral,
    )
    exposures = compute_exposures(data, regime).localCheckpoint()
    parties = data.entities.select("id")
    # the anonymous client is a party like the others when look-through leaves it exposure
    anonymous = exposures.where(F.col("party") == ANONYMOUS).select(F.col("party").alias("id"))
    parties = parties.unionByName(anonymous.join(parties, "id", "left_anti"))
    control = compute_control(parties, current, family_relations=regime.family_relations)
    state = _state_parties(data, regime)
    groups = connected_client_groups(
        parties, current, control, dependence_threshold=regime.dependence_threshold, state_parties=state
    )
    groups = groups.localCheckpoint()
    return {
        "groups": groups,
        "controllers": control.controllers,
        "exposures": exposures,
        "flags": limit_flags(data, regime, exposures, groups),
    }


def _state_parties(data: SparkDataset, regime: Regime) -> DataFrame:
    """The parties whose class is in ``no_grouping_through`` (R17), as
    :func:`graph.analysis.groups.state_parties` finds them."""
    keys = [
        tuple(r) for r in data.entities.select("kind", "is_bank", "counterparty_class").distinct().collect()
    ]
    state = F.lit(False)
    for kind, is_bank, cls in keys:
        if regime.class_of(kind, bool(is_bank), cls) in regime.no_grouping_through:
            state = state | (
                (F.col("kind") == kind)
                & F.col("is_bank").eqNullSafe(is_bank)
                & F.col("counterparty_class").eqNullSafe(cls)
            )
    return data.entities.where(state).select("id")


def to_pandas(tables: dict[str, DataFrame]) -> dict[str, pd.DataFrame]:
    """Spark's tables collected and sorted as :func:`embedded_tables` sorts them."""
    return {name: _sorted(frame.toPandas()[COLUMNS[name]]) for name, frame in tables.items()}


def write_tables(tables: dict[str, pd.DataFrame], out: Path) -> list[Path]:
    """Each table as ``out/NAME.parquet``; the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        path = out / f"{name}.parquet"
        frame.to_parquet(path, index=False)
        written.append(path)
    return written


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)
