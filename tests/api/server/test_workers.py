"""``groupgraph serve --workers 2``: forked workers serve the same snapshot, are dealt the
connections in turn, stop together, and refuse a reload that would renew one worker only."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import httpx

from tests.api.conftest import start_server


def established_connections(pid: int, port: int) -> int:
    """How many established TCP connections to ``port`` process ``pid`` holds (Linux /proc)."""
    local = f":{port:04X}"
    inodes = {line.split()[9] for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
              if line.split()[1].endswith(local) and line.split()[3] == "01"}
    held = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd) if fd.is_symlink() else ""
        held += target.startswith("socket:[") and target[8:-1] in inodes
    return held


def test_two_workers_answer_alike_and_refuse_reload(sample_folder: Path, tmp_path: Path):
    server = start_server(["--data", str(sample_folder), "--workers", "2"], tmp_path / "log",
                          env={"GROUPGRAPH_API_KEYS": "loader-key-1:loader"})
    try:
        workers = subprocess.run(["pgrep", "-P", str(server.process.pid)], capture_output=True,
                                 text=True).stdout.split()
        assert len(workers) == 2
        query = ("{ groupOf(entityId: \"C1\") { id size exposure { gross } } "
                 "paths(fromId: \"C1\", toId: \"C3\") { length } }")   # paths: the store
        answers = [server.graphql(query, **{"X-API-Key": "loader-key-1"}) for _ in range(20)]
        assert all("errors" not in a for a in answers) and answers[0]["data"]["paths"]
        assert len({str(a["data"]) for a in answers}) == 1   # every worker, the same answer
        refused = server.graphql("mutation { reload { version } }", **{"X-API-Key": "loader-key-1"})
        assert "several workers" in refused["errors"][0]["message"]
    finally:
        server.stop()
    for pid in workers:
        assert not os.path.exists(f"/proc/{pid}") or "zombie" in Path(
            f"/proc/{pid}/status").read_text().lower()


def test_connections_are_dealt_to_the_workers_in_turn(sample_folder: Path, tmp_path: Path):
    """Ten keep-alive clients end up five on each worker, whatever the timing: with one
    shared listening socket the kernel had split such bursts 17 to 3."""
    server = start_server(["--data", str(sample_folder), "--workers", "2"], tmp_path / "log")
    clients = [httpx.Client(base_url=server.url) for _ in range(10)]
    try:
        for client in clients:
            assert client.get("/health").json()["parties"] > 0
        workers = subprocess.run(["pgrep", "-P", str(server.process.pid)], capture_output=True,
                                 text=True).stdout.split()
        port = int(server.url.rsplit(":", 1)[1])
        assert sorted(established_connections(int(pid), port) for pid in workers) == [5, 5]
    finally:
        for client in clients:
            client.close()
        server.stop()
