"""Benchmark (not a test): the risk assessment (R8-R12, suspected links), whole and per rule.

Generates a portfolio once into a folder (kept for later runs), reads and analyses it, then
times :func:`graph.risk.assess` on the fresh analysis, and each rule it runs after it. Since
the rules share one :class:`graph.risk.columns.Book` per analysis, built by the first of
them, the per-rule figures exclude it; ``book`` times building its arrays on their own.

Run it against another checkout to compare, in the same session::

    PYTHONPATH=. .venv/bin/python scripts/bench/risk.py [parties] [folder]
    PYTHONPATH=/path/to/other/checkout .venv/bin/python scripts/bench/risk.py ...

Defaults: 100000 parties in ``/tmp/p100k-r``. Each line gives wall and CPU seconds;
``--repeat N`` takes the run of least CPU among N of each rule (default 3); ``--profile``
prints the cProfile of one ``assess`` instead.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from collections.abc import Callable
from pathlib import Path


def _timed(call: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds of one call (CPU time is what a busy machine disturbs least)."""
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return time.perf_counter() - wall, time.process_time() - cpu


def _report(label: str, call: Callable[[], object], repeat: int) -> None:
    wall, cpu = min((_timed(call) for _ in range(repeat)), key=lambda t: t[1])
    print(f"{label:<24} {wall:8.3f} s wall {cpu:8.3f} s cpu", flush=True)


def main() -> None:
    from graph.analysis import analyse
    from graph.risk import assess
    from graph.risk.circles import cross_holdings, guarantee_chains, guarantee_circles
    from graph.risk.concentration import DIMENSIONS, concentration_by
    from graph.risk.contagion import cascade, impact_matrix, systemic_ranking
    from graph.risk.limits import check_limits, large_exposure_flags
    from graph.risk.suspects import declared_group_diffs, suspected_links
    from loaders.dataset import read_dataset
    from loaders.synthetic import generate_portfolio

    parser = argparse.ArgumentParser()
    parser.add_argument("parties", type=int, nargs="?", default=100_000)
    parser.add_argument("folder", type=Path, nargs="?")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    repeat = args.repeat
    folder = args.folder or Path(f"/tmp/p{args.parties // 1000}k-r")
    if not (folder / "entities.csv").exists():
        generate_portfolio(folder, parties=args.parties, seed=1)
    analysis = analyse(read_dataset(folder))
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(assess, analysis)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        return
    found: list = []
    _report("assess (first call)", lambda: found.append(assess(analysis)), 1)
    risk = found[0]
    try:
        from graph.risk.columns import Book, collector_paused
    except ImportError:
        pass
    else:
        def build() -> None:
            book = Book(analysis)
            for name in ("gross", "group_index", "exposed_positions", "net_assets"):
                getattr(book, name)
            for flag in ("is_bank", "is_gsib"):
                book.entity_flag(flag)
            for kind in ("GUARANTEES", "OWNS"):
                book.edges(kind)
        _report("book", collector_paused(build), repeat)   # as the rules build it
    relationships, bank = analysis.relationships, analysis.dataset.bank
    defaulted = [party for party, _ in risk.systemic[:3]]
    rules: dict[str, Callable[[], object]] = {
        "check_limits": lambda: check_limits(analysis),
        "large_exposure_flags": lambda: large_exposure_flags(analysis, analysis.groups),
        "guarantee_circles": lambda: guarantee_circles(relationships, bank),
        "guarantee_chains": lambda: guarantee_chains(relationships, 10),
        "cross_holdings": lambda: cross_holdings(relationships),
        "concentration_by": lambda: [concentration_by(analysis, d, 10) for d in DIMENSIONS],
        "impact_matrix": lambda: impact_matrix(analysis),
        "systemic_ranking": lambda: systemic_ranking(analysis, 10, matrix=risk.impact),
        "cascade": lambda: cascade(analysis, defaulted),
        "suspected_links": lambda: suspected_links(analysis),
        "declared_group_diffs": lambda: declared_group_diffs(analysis),
    }
    for label, call in rules.items():
        _report(label, call, repeat)


if __name__ == "__main__":
    main()
