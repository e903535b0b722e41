"""``groupgraph serve --workers 2``: forked workers serve the same snapshot, stop together,
and refuse a reload that would renew one worker only."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.api.conftest import start_server


def test_two_workers_answer_alike_and_refuse_reload(sample_folder: Path, tmp_path: Path):
    server = start_server(["--data", str(sample_folder), "--workers", "2"], tmp_path / "log",
                          env={"GROUPGRAPH_API_KEYS": "loader-key-1:loader"})
    try:
        workers = subprocess.run(["pgrep", "-P", str(server.process.pid)], capture_output=True,
                                 text=True).stdout.split()
        assert len(workers) == 2
        query = "{ groupOf(entityId: \"C1\") { id size exposure { gross } } }"
        answers = {str(server.graphql(query, **{"X-API-Key": "loader-key-1"})["data"]) for _ in range(20)}
        assert len(answers) == 1                       # every worker gives the same answer
        refused = server.graphql("mutation { reload { version } }", **{"X-API-Key": "loader-key-1"})
        assert "several workers" in refused["errors"][0]["message"]
    finally:
        server.stop()
    for pid in workers:
        assert not os.path.exists(f"/proc/{pid}") or "zombie" in Path(
            f"/proc/{pid}/status").read_text().lower()
