"""Benchmark (not a test): the full analysis (R2-R12) on generated portfolios.

For each size, in a fresh process (so peak memory is that size's alone): generate the
portfolio, read and validate it (``read_dataset``), analyse it (control, groups, exposure:
``analyse``) and assess it (limits, concentration, circles, contagion ranking, suspected
links: ``assess``), then print the seconds of each phase and the peak resident memory.

The baseline, in the same process and on the same files, is pandas reading the four CSV
tables as text: a floor that any analysis of the data pays. Each phase is also printed as a
multiple of it.

``make bench-analysis`` or ``.venv/bin/python scripts/bench/analysis.py 10000 100000 1000000``
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_one(parties: int) -> dict[str, float]:
    import pandas as pd

    from graph.analysis import analyse
    from graph.risk import assess
    from loaders.dataset import read_dataset
    from loaders.synthetic import generate_portfolio

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        start = time.perf_counter()
        summary = generate_portfolio(folder, parties=parties, seed=1)
        figures = {"parties": parties, "relationships": summary.relationship_rows,
                   "generate_s": time.perf_counter() - start}
        start = time.perf_counter()
        for table in ("entities", "relationships", "facilities", "groups"):
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
        print(json.dumps(run_one(int(sys.argv[2]))))
        return
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 100_000]
    print(f"{'parties':>10} {'rels':>10} {'read s':>8} {'analyse s':>10} {'assess s':>9} "
          f"{'total s':>8} {'baseline s':>10} {'x baseline':>10} {'peak MiB':>9}")
    for size in sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(size)], check=True,
                             capture_output=True, text=True).stdout
        f = json.loads(out.strip().splitlines()[-1])
        total = f["read_s"] + f["analyse_s"] + f["assess_s"]
        print(f"{f['parties']:>10,} {f['relationships']:>10,} {f['read_s']:>8.1f} "
              f"{f['analyse_s']:>10.1f} {f['assess_s']:>9.1f} {total:>8.1f} "
              f"{f['baseline_s']:>10.2f} {total / f['baseline_s']:>10.1f} "
              f"{f['peak_rss_mib']:>9,.0f}", flush=True)


if __name__ == "__main__":
    main()
