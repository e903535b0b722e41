"""Export time, file size and time to a usable page of large network views.

    .venv/bin/python scripts/bench/views.py [PARTIES] [--browser]

Generates a seeded sample portfolio of PARTIES parties (default 100,000), analyses it, and
exports the largest group and a three-hop neighbourhood of its first controller (cut to
2,000 parties), timing the export (building the view and writing the HTML). With
``--browser`` it also opens each file in headless Chromium (/usr/bin/chromium) with every
non-file request blocked and times until the layout is done (``data-view-state=ready``).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from graph.analysis import analyse
from graph.risk import assess
from loaders.dataset import read_dataset
from loaders.synthetic import generate_portfolio
from viz.subjects import view_of

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _browser_seconds(files: list[Path]) -> dict[Path, tuple[float, int]]:
    from playwright.sync_api import sync_playwright

    timings = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for file in files:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.route("**/*", lambda route: route.continue_()
                       if route.request.url.startswith("file://") else route.abort())
            start = time.perf_counter()
            page.goto(file.as_uri())
            page.wait_for_selector("html[data-view-state=ready]", timeout=300_000)
            nodes = page.evaluate("window.network.body.data.nodes.length")
            timings[file] = (time.perf_counter() - start, nodes)
            page.close()
        browser.close()
    return timings


def main(argv: list[str]) -> None:
    parties = int(next((a for a in argv if a.isdigit()), "100000"))
    work = Path(tempfile.mkdtemp(prefix="groupgraph-bench-views-"))
    start = time.perf_counter()
    generate_portfolio(work / "data", parties=parties, seed=7)
    assessment = assess(analyse(read_dataset(work / "data")))
    print(f"{parties:,} parties generated, read, analysed and assessed in "
          f"{time.perf_counter() - start:.1f} s", file=sys.stderr)
    analysis = assessment.analysis
    top = analysis.groups[0]
    centre = top.controllers[0] if top.controllers else top.members[0]
    cases = [("group", top.id, {}), ("neighbourhood", centre, {"hops": 3})]
    rows = []
    for kind, ident, extra in cases:
        start = time.perf_counter()
        view = view_of(assessment, ident, kind, **extra)
        path = view.write(work / f"{kind}.html")
        seconds = time.perf_counter() - start
        rows.append((kind, ident, view, path, seconds))
    timings = _browser_seconds([r[3] for r in rows]) if "--browser" in argv else {}
    print("| view | parties shown (of) | relationships shown (of) | export s | file MB | "
          "browser ready s |")
    print("| --- | --- | --- | --- | --- | --- |")
    for kind, ident, view, path, seconds in rows:
        ready = f"{timings[path][0]:.1f}" if path in timings else "-"
        print(f"| {kind} {ident} | {view.node_count:,} ({view.cut.total_nodes:,}) | "
              f"{view.edge_count:,} ({view.cut.total_edges:,}) | {seconds:.2f} | "
              f"{path.stat().st_size / 1e6:.2f} | {ready} |")


if __name__ == "__main__":
    main(sys.argv[1:])
