"""Benchmark (not a test): the risk assessment (R8-R12, suspected links) alone, per function.

Generates a portfolio once into a folder (kept for later runs), reads and analyses it, then
times :func:`graph.risk.assess` and each of the functions it calls, on the same analysis.

``.venv/bin/python scripts/bench/risk.py [parties] [folder]`` (default 100000,
``/tmp/p{parties}-r``); ``--profile`` prints the cProfile of one ``assess`` instead.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path


def _timed(label: str, call: Callable[[], object]) -> object:
    start = time.perf_counter()
    result = call()
    print(f"{label:<24} {time.perf_counter() - start:8.3f} s", flush=True)
    return result


def main() -> None:
    from graph.analysis import analyse
    from graph.risk import assess
    from graph.risk.circles import cross_holdings, guarantee_chains, guarantee_circles
    from graph.risk.concentration import DIMENSIONS, concentration_by
    from graph.risk.contagion import impact_matrix, systemic_ranking
    from graph.risk.limits import check_limits, large_exposure_flags
    from graph.risk.suspects import declared_group_diffs, suspected_links
    from loaders.dataset import read_dataset
    from loaders.synthetic import generate_portfolio

    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    parties = int(args[0]) if args else 100_000
    folder = Path(args[1]) if len(args) > 1 else Path(f"/tmp/p{parties // 1000}k-r")
    if not (folder / "entities.csv").exists():
        _timed("generate", lambda: generate_portfolio(folder, parties=parties, seed=1))
    dataset = _timed("read", lambda: read_dataset(folder))
    analysis = _timed("analyse", lambda: analyse(dataset))
    if "--profile" in sys.argv:
        profile = cProfile.Profile()
        profile.runcall(assess, analysis)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        return
    _timed("assess", lambda: assess(analysis))
    _timed("check_limits", lambda: check_limits(analysis))
    _timed("large_exposure_flags", lambda: large_exposure_flags(analysis, analysis.groups))
    _timed("guarantee_circles", lambda: guarantee_circles(analysis.relationships, analysis.dataset.bank))
    _timed("guarantee_chains", lambda: guarantee_chains(analysis.relationships, 10))
    _timed("cross_holdings", lambda: cross_holdings(analysis.relationships))
    _timed("concentration_by", lambda: [concentration_by(analysis, d, 10) for d in DIMENSIONS])
    matrix = _timed("impact_matrix", lambda: impact_matrix(analysis))
    _timed("systemic_ranking", lambda: systemic_ranking(analysis, 10, matrix=matrix))
    _timed("suspected_links", lambda: suspected_links(analysis))
    _timed("declared_group_diffs", lambda: declared_group_diffs(analysis))


if __name__ == "__main__":
    main()
