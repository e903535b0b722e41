"""Benchmark (not a test): latency and throughput of the GraphQL API under concurrent load.

Generates a portfolio of ``--parties`` parties (100,000 by default), loads it into an
embedded store, starts ``groupgraph serve`` on it (a subprocess, ``--workers`` of them), then
runs ``--clients`` concurrent clients (asyncio + httpx, one keep-alive connection each) that
send ``--requests`` requests in all, each client one request at a time:

* **baseline**: ``GET /health`` (no GraphQL, no analysis: the cost of HTTP, FastAPI and the
  middleware in this same server), then
* **groupOf**: ``groupOf(entityId)`` of a random party with the group's exposure and its
  members (first 50) with theirs.

It prints p50/p95/p99 latency and requests per second of each, and their ratio, so that the
GraphQL cost shows against the baseline measured in the same run.

``make bench-api`` or ``.venv/bin/python scripts/bench/api_load.py [--parties N] [--clients C]
[--requests R] [--work DIR]``. With ``--work``, the portfolio and the store are kept there
and reused by the next run (generating and loading 100,000 parties takes a minute or two).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

QUERY = """query($id: ID!) { groupOf(entityId: $id) {
  id name size exposure { gross net }
  members(first: 50) { totalCount edges { node { id name exposure { gross net } } } } } }"""


def prepare(work: Path, parties: int, seed: int) -> tuple[str, list[str]]:
    """The embedded store URI holding the portfolio, and its party ids."""
    from graph.stores.embedded import EmbeddedStore
    from loaders.dataset import read_dataset
    from loaders.synthetic import generate_portfolio

    folder = work / f"portfolio-{parties}-{seed}"
    store_path = work / f"store-{parties}-{seed}.sqlite"
    store = EmbeddedStore(store_path)
    if store.info() is None:
        start = time.perf_counter()
        generate_portfolio(folder, parties=parties, seed=seed)
        dataset = read_dataset(folder)
        store.replace(dataset, source=str(folder))
        print(f"generated and loaded {parties:,} parties in {time.perf_counter() - start:.0f} s",
              file=sys.stderr)
        ids = list(dataset.entities)
    else:
        ids = list(store.read().entities)
    return f"embedded:{store_path}", ids


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(uri: str, port: int, log: Path, workers: int = 1) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GROUPGRAPH_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--store", uri, "--port", str(port),
         "--workers", str(workers)],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    start = time.perf_counter()
    while True:
        if process.poll() is not None:
            raise SystemExit(f"the server exited:\n{log.read_text(errors='replace')}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.perf_counter() - start > 900:
            process.kill()
            raise SystemExit("the server did not start in 15 minutes")
        time.sleep(0.5)
    print(f"server ready in {time.perf_counter() - start:.0f} s (read + analyse + index)",
          file=sys.stderr)
    return process


def cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of process ``pid`` and its children (the workers of
    ``serve --workers N``), from Linux ``/proc``; 0 elsewhere."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # a process that ended meanwhile
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


async def run(url: str, clients: int, requests: int, make_request, server_pid: int = 0
              ) -> dict[str, float]:
    """``requests`` requests from ``clients`` concurrent clients; latency figures in ms, and
    the server's CPU time per request (ms) when its pid is given."""
    latencies: list[float] = []
    counter = iter(range(requests))
    failures = 0

    async def client() -> None:
        nonlocal failures
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            for _ in counter:
                start = time.perf_counter()
                response = await make_request(http)
                latencies.append(time.perf_counter() - start)
                if response.status_code != 200 or b'"errors"' in response.content:
                    failures += 1

    cpu = cpu_seconds(server_pid)
    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - start
    cpu = cpu_seconds(server_pid) - cpu
    cuts = statistics.quantiles(latencies, n=100)
    return {"requests": len(latencies), "failures": failures, "seconds": elapsed,
            "rps": len(latencies) / elapsed, "p50_ms": cuts[49] * 1000, "p95_ms": cuts[94] * 1000,
            "p99_ms": cuts[98] * 1000, "mean_ms": statistics.fmean(latencies) * 1000,
            "server_cpu_ms": cpu / len(latencies) * 1000}


WRK_SCRIPT = """
ids = {%(ids)s}
body_head = [[%(head)s]]
wrong = 0
threads = {}
setup = function(thread) table.insert(threads, thread) end
request = function()
  local id = ids[math.random(#ids)]
  return wrk.format("POST", "%(path)s", {["Content-Type"] = "application/json"},
                    body_head .. id .. [["}}]])
end
response = function(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then wrong = wrong + 1 end
end
done = function(summary, latency, requests)
  -- each thread counted its own answers with errors (HTTP 200 with "errors" in GraphQL)
  for _, thread in ipairs(threads) do wrong = wrong + thread:get("wrong") end
  io.write(string.format("RESULT %%d %%d %%.1f %%.1f %%.1f %%.1f %%d\\n", summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.mean, wrong + summary.errors.status + summary.errors.timeout + summary.errors.read))
end
"""


def run_wrk(url: str, clients: int, seconds: int, ids: list[str], query: str | None,
            server_pid: int) -> dict[str, float]:
    """The same load from wrk (C, one thread per core, ``clients`` connections), which
    leaves more of the machine to the server than Python clients do. ``query`` None means
    ``GET /health``."""
    import shutil

    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found: apt-get install wrk (Debian), or use --driver httpx")
    sample = random.Random(1).sample(ids, min(len(ids), 5000))
    head = json.dumps({"query": query, "variables": {"id": ""}})[:-3] if query else ""
    script = WRK_SCRIPT % {"ids": ", ".join(json.dumps(i) for i in sample), "head": head,
                           "path": "/graphql"}
    if query is None:
        script = script.split("request = function()")[0] + script[script.index("response ="):]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    cpu = cpu_seconds(server_pid)
    out = subprocess.run(["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "-s", handle.name,
                          url + ("/graphql" if query else "/health")],
                         capture_output=True, text=True, check=True).stdout
    os.unlink(handle.name)
    fields = next(line for line in out.splitlines() if line.startswith("RESULT")).split()
    requests, micros = int(fields[1]), int(fields[2])
    return {"requests": requests, "failures": int(fields[7]), "seconds": micros / 1e6,
            "rps": requests / (micros / 1e6), "p50_ms": float(fields[3]) / 1000,
            "p95_ms": float(fields[4]) / 1000, "p99_ms": float(fields[5]) / 1000,
            "mean_ms": float(fields[6]) / 1000,
            "server_cpu_ms": (cpu_seconds(server_pid) - cpu) / requests * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parties", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, help="keep the portfolio and the store here")
    parser.add_argument("--driver", choices=("httpx", "wrk"), default="httpx",
                        help="the load generator: Python clients, or wrk (for --seconds)")
    parser.add_argument("--seconds", type=int, default=20, help="duration of each wrk run")
    parser.add_argument("--workers", type=int, default=1, help="server processes (serve --workers)")
    args = parser.parse_args()

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="groupgraph-bench-") as temp:
        work = args.work or Path(temp)
        work.mkdir(parents=True, exist_ok=True)
        uri, ids = prepare(work, args.parties, args.seed)
        port = free_port()
        server = start_server(uri, port, work / "server.log", args.workers)
        url = f"http://127.0.0.1:{port}"
        rng = random.Random(args.seed)
        try:
            async def health(http: httpx.AsyncClient) -> httpx.Response:
                return await http.get("/health")

            async def group_of(http: httpx.AsyncClient) -> httpx.Response:
                return await http.post("/graphql", json={"query": QUERY,
                                                         "variables": {"id": rng.choice(ids)}})

            asyncio.run(run(url, args.clients, 500, group_of))          # warm-up
            pid = server.pid
            if args.driver == "wrk":
                results = {"health": run_wrk(url, args.clients, args.seconds, ids, None, pid),
                           "groupOf": run_wrk(url, args.clients, args.seconds, ids, QUERY, pid)}
            else:
                results = {
                    "health": asyncio.run(run(url, args.clients, args.requests, health, pid)),
                    "groupOf": asyncio.run(run(url, args.clients, args.requests, group_of, pid))}
        finally:
            server.terminate()
            server.wait(timeout=30)

    amount = f"{args.seconds} s" if args.driver == "wrk" else f"{args.requests:,} requests"
    print(f"{args.parties:,} parties, {args.clients} concurrent clients ({args.driver}), {amount} "
          f"each, {args.workers} server worker(s) (embedded store)")
    print(f"{'':10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'mean ms':>8} {'req/s':>8} "
          f"{'server CPU ms/req':>18} {'failed':>7}")
    for name, r in results.items():
        print(f"{name:10} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['p99_ms']:8.1f} "
              f"{r['mean_ms']:8.1f} {r['rps']:8.0f} {r['server_cpu_ms']:18.2f} {r['failures']:7d}")
    print(f"machine: {os.cpu_count()} CPUs, load average before the run "
          f"{', '.join(f'{x:.2f}' for x in load_before)} (the clients share them with the server)")
    ratio = results["groupOf"]["p95_ms"] / results["health"]["p95_ms"]
    print(f"groupOf / health: p95 x{ratio:.1f}, throughput x"
          f"{results['health']['rps'] / results['groupOf']['rps']:.1f} lower")
    print(json.dumps({"parties": args.parties, "clients": args.clients, **results}))


if __name__ == "__main__":
    main()
