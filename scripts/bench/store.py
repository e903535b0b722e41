"""Benchmark (not a test): the embedded store writing and reading a generated portfolio.

For each size: generate the portfolio and read it (``read_dataset``, not timed), hash it
(``Dataset.version``, which every load computes first), ``EmbeddedStore.replace`` it into a
new file, then, in a fresh process (so its peak memory is a reader's alone, as a server's
is), ``read`` it back and ask the first graph queries (a neighbourhood and ownership chains:
they build the adjacency indexes). Prints seconds (wall and CPU), the file's size and the
reader's peak resident memory, and checks that the dataset read back equals the one loaded.

``.venv/bin/python scripts/bench/store.py 100000`` (sizes in parties; default 10000 100000)
"""

from __future__ import annotations

import dataclasses
import gc
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def peak_mib() -> float:
    """This process's peak resident memory (VmHWM: ``ru_maxrss`` would carry the parent's
    over the fork)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed(run: Callable[[], Any]) -> tuple[Any, float, float]:
    """What ``run`` gives, and its wall and CPU seconds (garbage collected first, so that
    the collection of what came before is not counted)."""
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    result = run()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def read_one(path: Path) -> dict[str, float]:
    from graph.stores.embedded import EmbeddedStore

    store = EmbeddedStore(path)
    dataset, wall, cpu = timed(store.read)
    figures = {"read_s": wall, "read_cpu_s": cpu, "reader_peak_mib": peak_mib()}
    first = next(iter(dataset.entities))
    _, wall, cpu = timed(lambda: (store.neighbourhood(first, 2), store.ownership_chains(first)))
    figures |= {"first_queries_s": wall, "first_queries_cpu_s": cpu}
    return figures


def run_one(parties: int) -> dict[str, Any]:
    from graph.stores.embedded import EmbeddedStore
    from loaders.dataset import read_dataset
    from loaders.synthetic import generate_portfolio
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        generate_portfolio(folder / "data", parties=parties, seed=1)
        dataset = read_dataset(folder / "data")
        figures: dict[str, Any] = {"parties": parties, "relationships": len(dataset.relationships)}
        version, figures["version_s"], _ = timed(lambda: dataset.version)
        path = folder / "store.sqlite"
        _, figures["replace_s"], figures["replace_cpu_s"] = timed(
            lambda: EmbeddedStore(path).replace(dataset))
        figures["file_mb"] = path.stat().st_size / 1e6
        out = subprocess.run([sys.executable, __file__, "--read", str(path)], check=True,
                             capture_output=True, text=True).stdout
        figures |= json.loads(out.strip().splitlines()[-1])
        back = EmbeddedStore(path).read()
        # a fresh object, so that its version is hashed again rather than the stored one
        copy = dataclasses.replace(back)
        figures["same"] = back == dataset and copy.version == version
    return figures


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--read":
        print(json.dumps(read_one(Path(sys.argv[2]))))
        return
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 100_000]
    print(f"{'parties':>10} {'rels':>10} {'hash s':>7} {'replace s':>14} {'file MB':>8} "
          f"{'read s':>12} {'reader MiB':>10} {'1st queries s':>14} {'same':>5}")
    for size in sizes:
        f = run_one(size)
        print(f"{f['parties']:>10,} {f['relationships']:>10,} {f['version_s']:>7.1f} "
              f"{f['replace_s']:>6.1f} (cpu {f['replace_cpu_s']:>4.1f}) {f['file_mb']:>8.1f} "
              f"{f['read_s']:>4.1f} (cpu {f['read_cpu_s']:>4.1f}) {f['reader_peak_mib']:>10,.0f} "
              f"{f['first_queries_s']:>14.2f} {f['same']!s:>5}", flush=True)


if __name__ == "__main__":
    main()
