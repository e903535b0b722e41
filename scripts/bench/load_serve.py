"""Benchmark (not a test): `groupgraph load` into the embedded store, then `serve` of it.

For each size: generate the portfolio (seed 1) into a temporary folder, then time, as a new
user would run them,

1. ``groupgraph load FOLDER --store embedded:FILE``: wall seconds, CPU seconds, peak
   resident memory, and the store file's size;
2. ``groupgraph serve --store embedded:FILE``: seconds from start until ``GET /health``
   answers, and the server's resident memory then.

The baseline, in the same run on the same files, is pandas reading the four CSV tables as
text. ``make bench-load`` or ``.venv/bin/python scripts/bench/load_serve.py 100000 1000000``
(``--folder DIR`` uses a portfolio generated before).
"""

from __future__ import annotations

import argparse
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

GROUPGRAPH = str(Path(sys.executable).parent / "groupgraph")


def baseline(folder: Path) -> float:
    import pandas as pd

    start = time.perf_counter()
    for table in ("entities", "relationships", "facilities", "groups", "underlyings",
                  "collateral", "product_parties"):
        if (folder / f"{table}.csv").is_file():
            pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)
    return time.perf_counter() - start


def timed_load(folder: Path, store: Path) -> tuple[float, float, float]:
    """Wall and CPU seconds and peak MiB of one `groupgraph load` (a child of its own)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([GROUPGRAPH, "load", str(folder), "--store", f"embedded:{store}"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def resident_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed_serve(store: Path, timeout: float = 1800) -> tuple[float, float]:
    """Seconds until `groupgraph serve` answers /health, and its resident MiB then."""
    port = free_port()
    start = time.perf_counter()
    server = subprocess.Popen([GROUPGRAPH, "serve", "--store", f"embedded:{store}", "--port",
                               str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if server.poll() is not None:
                raise SystemExit(f"serve exited with {server.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as answer:
                    if answer.status == 200:
                        return time.perf_counter() - start, resident_mib(server.pid)
            except OSError:
                pass
            if time.perf_counter() - start > timeout:
                raise SystemExit("serve did not answer /health in time")
            time.sleep(0.2)
    finally:
        server.terminate()
        server.wait()


def run(parties: int, folder: Path | None) -> None:
    with tempfile.TemporaryDirectory() as name:
        work = Path(name)
        if folder is None:
            from loaders.synthetic import generate_portfolio

            folder = work / "book"
            generate_portfolio(folder, parties=parties, seed=1)
        base = baseline(folder)
        store = work / "store.sqlite"
        wall, cpu, peak = timed_load(folder, store)
        size = store.stat().st_size / 2**20
        up, resident = timed_serve(store)
        print(f"{parties:>10,} {base:>10.2f} {wall:>7.1f} {cpu:>7.1f} {peak:>9,.0f} {size:>8,.0f} "
              f"{wall / base:>8.1f} {up:>8.1f} {resident:>9,.0f} {up / base:>8.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[100_000])
    parser.add_argument("--folder", type=Path, help="a portfolio generated before (one size)")
    args = parser.parse_args()
    print(f"{'parties':>10} {'baseline s':>10} {'load s':>7} {'cpu s':>7} {'peak MiB':>9} "
          f"{'file MiB':>8} {'x base':>8} {'serve s':>8} {'RSS MiB':>9} {'x base':>8}")
    for size in args.sizes:
        run(size, args.folder)


if __name__ == "__main__":
    main()
