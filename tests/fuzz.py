"""How much the fuzzers try: a few hundred cases in the suite, many more under `make fuzz`.

``GROUPGRAPH_FUZZ_EXAMPLES`` sets the examples each fuzz test draws (default 60);
``scripts/fuzz`` runs the fuzz tests again and again with new seeds for as long as it is
told, and counts what was tried from the lines the tests append to
``GROUPGRAPH_FUZZ_LOG``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

__all__ = ["FUZZ", "record"]

FUZZ = settings(
    max_examples=int(os.environ.get("GROUPGRAPH_FUZZ_EXAMPLES", "60")),
    deadline=None,                      # each case is timed by the test itself
    derandomize="GROUPGRAPH_FUZZ_LOG" not in os.environ,   # the suite: the same cases each run
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                           HealthCheck.data_too_large],
    database=None,
)


def record(fuzzer: str, outcome: str) -> None:
    """Note one case tried (for ``scripts/fuzz``'s counts)."""
    log = os.environ.get("GROUPGRAPH_FUZZ_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{fuzzer}\t{outcome}\n")
