"""Benchmark (not a test): the full analysis (R2-R12) on generated portfolios.

For each size: generate the portfolio (seed 1), then in a fresh process (so that peak
memory is that size's read, analysis and assessment alone): read and validate it
(``read_dataset``), analyse it (control, groups, exposure: ``analyse``) and assess it
(limits, concentration, circles, contagion ranking, suspected links: ``assess``), then
print the seconds of each phase and the peak resident memory.

The baseline, in the same process and on the same files, is pandas reading the CSV tables
(:data:`TABLES`) as text: a floor that any analysis of the data pays. Each phase is also printed as a
multiple of it.

``make bench-analysis`` or ``.venv/bin/python scripts/bench/analysis.py 10000 100000 1000000``
(``--keep DIR`` keeps the generated portfolios in ``DIR/N`` and uses them on the next run).
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TABLES = ("entities", "relationships", "facilities", "groups", "underlyings", "collateral",
          "product_parties")


def generate(parties: int, folder: Path) -> int:
    """The seeded portfolio of ``parties`` in ``folder`` (kept when already there); its
    relationship rows."""
    from loaders.synthetic import generate_portfolio

    done = folder / "relationships.csv"
    # a kept portfolio without every table (of before DESIGN 3b) is written anew
    if not all((folder / f"{table}.csv").is_file() for table in TABLES):
        generate_portfolio(folder, parties=parties, seed=1)
    with done.open(encoding="utf-8") as rows:
        return sum(1 for _ in rows) - 1


def run_one(folder: Path) -> dict[str, float]:
    import pandas as pd

    from graph.analysis import analyse
    from graph.risk import assess
    from loaders.dataset import read_dataset

    figures: dict[str, float] = {}
    start = time.perf_counter()
    for table in TABLES:
        pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)
    figures["baseline_s"] = time.perf_counter() - start
    start = time.perf_counter()
    dataset = read_dataset(folder)
    figures["read_s"] = time.perf_counter() - start
    start = time.perf_counter()
    analysis = analyse(dataset)
    figures["analyse_s"] = time.perf_counter() - start
    start = time.perf_counter()
    risk = assess(analysis)
    figures["assess_s"] = time.perf_counter() - start
    figures["groups"] = len(analysis.groups)
    figures["circles"] = len(risk.circles)
    figures["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        print(json.dumps(run_one(Path(sys.argv[2]))))
        return
    args = sys.argv[1:]
    keep = None
    if "--keep" in args:   # --keep DIR: generated portfolios stay in DIR/N for the next run
        at = args.index("--keep")
        keep, args = Path(args[at + 1]), args[:at] + args[at + 2:]
    sizes = [int(a) for a in args] or [10_000, 100_000]
    print(f"{'parties':>10} {'rels':>10} {'read s':>8} {'analyse s':>10} {'assess s':>9} "
          f"{'total s':>8} {'baseline s':>10} {'x baseline':>10} {'peak MiB':>9}")
    with tempfile.TemporaryDirectory() as scratch:
        for size in sizes:
            folder = (keep or Path(scratch)) / str(size)
            relationships = generate(size, folder)
            out = subprocess.run([sys.executable, __file__, "--one", str(folder)], check=True,
                                 capture_output=True, text=True).stdout
            f = json.loads(out.strip().splitlines()[-1])
            total = f["read_s"] + f["analyse_s"] + f["assess_s"]
            print(f"{size:>10,} {relationships:>10,} {f['read_s']:>8.1f} "
                  f"{f['analyse_s']:>10.1f} {f['assess_s']:>9.1f} {total:>8.1f} "
                  f"{f['baseline_s']:>10.2f} {total / f['baseline_s']:>10.1f} "
                  f"{f['peak_rss_mib']:>9,.0f}", flush=True)
            if keep is None:
                shutil.rmtree(folder)


if __name__ == "__main__":
    main()
