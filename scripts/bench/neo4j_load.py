"""Benchmark (not a test): loading Neo4j in bulk, online in batches, and naively.

Generates a portfolio, then on the same server in the same run:

1. a bulk import into the emptied database (``neo4j-admin database import`` through
   ``scripts/neo4j/neo4j.sh``; only when the server is the script's, ``--no-bulk`` skips it)
   and the time to read the dataset back (``Neo4jStore.read``);
2. a full online load (``Neo4jStore.write``: entities, facilities, groups, relationships,
   the version sweep);
3. the relationships written again in batches (``UNWIND $rows ... CREATE``, the store's
   loader) and once one row per transaction (the naive loader); both rates and their ratio.

The naive loader is slow by design, so it writes only the first ``--naive-rows`` rows (or
what it manages in ``--naive-seconds``); a rate is a rate.

Run it with a server: ``scripts/with-neo4j .venv/bin/python scripts/bench/neo4j_load.py``
(``make bench-neo4j``).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from graph.stores.neo4j import DEFAULT_BATCH_SIZE, Neo4jStore, local_server_script
from loaders.dataset import read_dataset
from loaders.synthetic import generate_portfolio
from schema.errors import StoreError
from schema.records import Relationship


def delete_relationships(store: Neo4jStore) -> None:
    with store.driver.session(database=store.database) as session:
        session.run("MATCH (:Entity)-[r]->(:Entity) "
                    "CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS").consume()


def timed_write(store: Neo4jStore, rows: list[Relationship], version: str,
                batch_size: int) -> tuple[int, float]:
    start = time.perf_counter()
    store.write_relationships(rows, version, batch_size=batch_size)
    return len(rows), time.perf_counter() - start


def naive_write(store: Neo4jStore, rows: list[Relationship], version: str,
                seconds: float) -> tuple[int, float]:
    """One row per transaction until the rows or the time run out."""
    start = time.perf_counter()
    written = 0
    for chunk_start in range(0, len(rows), 500):
        store.write_relationships(rows[chunk_start:chunk_start + 500], version, batch_size=1)
        written += len(rows[chunk_start:chunk_start + 500])
        if time.perf_counter() - start > seconds:
            break
    return written, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parties", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--no-bulk", action="store_true", help="skip the bulk import")
    parser.add_argument("--naive-rows", type=int, default=20_000)
    parser.add_argument("--naive-seconds", type=float, default=120.0)
    args = parser.parse_args()
    uri = os.environ.get("NEO4J_URI")
    if not uri:
        raise SystemExit("NEO4J_URI is not set: run under scripts/with-neo4j")

    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        generate_portfolio(Path(folder), parties=args.parties, seed=1)
        dataset = read_dataset(Path(folder))
        print(f"portfolio: {len(dataset.entities):,} parties, {len(dataset.relationships):,} "
              f"relationships, {len(dataset.facilities):,} facilities "
              f"(generated and validated in {time.perf_counter() - start:.1f} s)")

    store = Neo4jStore(uri, batch_size=args.batch_size)
    store.clear()
    if not args.no_bulk:
        try:
            local_server_script(uri)
        except StoreError as error:
            print(f"bulk import skipped: {error}")
        else:
            start = time.perf_counter()
            store.bulk_import(dataset)
            print(f"bulk import (neo4j-admin, server stop and start included): "
                  f"{time.perf_counter() - start:.1f} s")
            start = time.perf_counter()
            back = store.read()
            print(f"read back ({len(back.relationships):,} relationships): "
                  f"{time.perf_counter() - start:.1f} s; equal to the loaded dataset: "
                  f"{back == dataset}")
            store.clear()
    start = time.perf_counter()
    info = store.write(dataset)
    print(f"full batched load (entities, facilities, groups, relationships, sweep): "
          f"{time.perf_counter() - start:.1f} s")
    relationships = list(dataset.relationships)

    delete_relationships(store)
    n_batched, t_batched = timed_write(store, relationships, info.version, args.batch_size)
    delete_relationships(store)
    n_naive, t_naive = naive_write(store, relationships[:args.naive_rows], info.version,
                                   args.naive_seconds)
    batched_rate, naive_rate = n_batched / t_batched, n_naive / t_naive
    print(f"batched ({args.batch_size:,} rows per transaction): {n_batched:,} relationships "
          f"in {t_batched:.1f} s = {batched_rate:,.0f} relationships/s")
    print(f"naive (1 row per transaction): {n_naive:,} relationships in {t_naive:.1f} s "
          f"= {naive_rate:,.0f} relationships/s")
    print(f"ratio batched / naive: {batched_rate / naive_rate:.1f}x")
    store.clear()
    store.close()


if __name__ == "__main__":
    main()
