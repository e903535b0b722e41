"""The ``groupgraph`` command line: a thin layer over :mod:`api.service`.

Bad input and unreachable stores end with a message and a non-zero exit, never a
traceback. Progress and messages go to standard error; reports to standard output.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, cast

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from api import service
from api.cli.formats import (
    render_headroom,
    render_json,
    render_markdown,
    render_reconciliation,
    render_what_if,
    write_csv,
    write_xlsx,
)
from api.cli.returns import render_returns_json, write_returns_csv, write_returns_xlsx
from graph.reports.report import build_report
from graph.reports.returns import build_returns
from graph.risk import RiskAssessment
from graph.risk.headroom import headroom as headroom_of
from graph.risk.whatif import parse_proposals, what_if
from graph.stores.base import GraphStore
from graph.stores.neo4j_import import ARGS_FILE
from graph.stores.uri import open_store
from schema.errors import GroupGraphError
from schema.values import parse_date
from viz.subjects import ViewKind, view_of
from viz.truncate import MAX_NODES

__all__ = ["app", "main"]

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Explore a bank's group clients: control, groups and exposure.")
err = Console(stderr=True)


class ReportFormat(StrEnum):
    json = "json"
    md = "md"
    csv = "csv"
    xlsx = "xlsx"

StoreOption = Annotated[str | None, typer.Option(
    "--store", help="embedded:PATH or bolt://HOST:PORT (default: GROUPGRAPH_STORE or the "
                    "user's data directory)")]
AsOfOption = Annotated[str | None, typer.Option(
    "--as-of", help="Analyse the relationships current on this ISO date (default: today).")]
RegimeOption = Annotated[str | None, typer.Option(
    "--regime", help="CN-2018, BASEL or a regime .toml file (default: the one in bank.toml).")]


def _as_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return parse_date(text)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--as-of") from None


def _load(store: GraphStore, paths: list[Path], as_of: date | None,
          range_share: service.RangeShare = "minimum", bulk_import: bool = False) -> None:
    """Load ``paths`` (a dataset folder and/or GLEIF and BODS files) and say what happened."""
    with err.status("reading") as status:
        outcome = service.load(store, paths, as_of=as_of, range_share=range_share,
                               bulk_import=bulk_import, progress=status.update)
    result, info = outcome.result, outcome.summary.info
    counts = ", ".join(f"{n:,} {what}" for what, n in info.counts.items())
    if outcome.summary.unchanged:
        err.print(f"{store.uri} already holds dataset {info.version}: {counts}")
    else:
        err.print(f"loaded dataset {info.version} into {store.uri}: {counts}")
    if not result.notes and len(result.sources) == 1:
        return      # a bank folder alone: nothing was matched or merged
    err.print(f"sources: {'; '.join(result.sources)}")
    err.print(f"{result.count('matched'):,} parties matched by LEI or registration id, "
              f"{result.count('corroborated'):,} links stated by two sources, "
              f"{result.count('conflict'):,} conflicts")
    for note in [n for n in result.notes if n.kind in ("conflict", "note")][:50]:
        err.print(Text(f"  {note}"), highlight=False)


def _assess(store: GraphStore, as_of: date | None, regime: str | None) -> RiskAssessment:
    with err.status("reading the store") as status:
        return service.assess_store(store, as_of=as_of, regime=regime, progress=status.update)


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(
        metavar="PATH...", help="A dataset folder (see the README), and/or GLEIF LEI-CDF and "
                                "RR-CDF XML files and BODS JSON files (.zip of one is fine), "
                                "recognised by their content.")],
    store: StoreOption = None,
    as_of: AsOfOption = None,
    range_share: Annotated[str, typer.Option(
        "--range-share", help="For a BODS share given as a range: which end counts for "
                              "ownership and control (minimum, maximum or midpoint).")
    ] = "minimum",
    bulk_import: Annotated[bool, typer.Option(
        "--bulk-import", help="A first load into an empty Neo4j database that "
                              "scripts/neo4j/neo4j.sh runs here, through neo4j-admin database "
                              "import (the server restarts).")] = False,
) -> None:
    """Validate and load a dataset folder and/or public ownership files (GLEIF, BODS) into
    the store, replacing what it held. Parties are matched by LEI or registration id."""
    if range_share not in ("minimum", "maximum", "midpoint"):
        raise typer.BadParameter(f"expected minimum, maximum or midpoint, got {range_share!r}",
                                 param_hint="--range-share")
    with open_store(store) as target:
        _load(target, paths, _as_of(as_of), cast(service.RangeShare, range_share),
              bulk_import)


@app.command("neo4j-import-files")
def neo4j_import_files(
    paths: Annotated[list[Path], typer.Argument(
        metavar="PATH...", help="What `groupgraph load` takes: a dataset folder and/or GLEIF "
                                "and BODS files.")],
    out: Annotated[Path, typer.Option("--out", help="The folder to write the files into.")],
    as_of: AsOfOption = None,
) -> None:
    """Validate PATH... and write it as the files of `neo4j-admin database import`, for a
    Neo4j server this machine does not run (README, "Neo4j in bulk")."""
    with err.status("reading") as status:
        info = service.write_neo4j_import(paths, out, as_of=_as_of(as_of), progress=status.update)
    counts = ", ".join(f"{n:,} {what}" for what, n in info.counts.items())
    err.print(f"wrote dataset {info.version} ({counts}) into {out}; with the server stopped run:")
    sys.stdout.write("neo4j-admin database import full neo4j --overwrite-destination=true "
                     f"@{out / ARGS_FILE}\n")


@app.command()
def reconcile(
    store: StoreOption = None,
    output_format: Annotated[str, typer.Option("--format", help="json or md")] = "json",
    as_of: AsOfOption = None,
    regime: RegimeOption = None,
) -> None:
    """Compare what public data declares (GLEIF ultimate parents, BODS indirect interests)
    with the computed ultimate controllers and integrated ownership; print every agreement
    and mismatch with its reasons."""
    if output_format not in ("json", "md"):
        raise typer.BadParameter(f"expected json or md, got {output_format!r}",
                                 param_hint="--format")
    with open_store(store) as source, err.status("reading the store") as status:
        result = service.reconcile_store(source, as_of=_as_of(as_of), regime=regime,
                                         progress=status.update)
    if output_format == "md":
        sys.stdout.write(render_reconciliation(result))
    else:
        sys.stdout.write(render_json(result.to_dict()) + "\n")
    summary = result.summary
    err.print(f"{summary['declarations']:,} declarations: {summary['agree']:,} agree, "
              f"{summary['mismatch']:,} mismatch")


@app.command()
def report(
    store: StoreOption = None,
    output_format: Annotated[ReportFormat, typer.Option(
        "--format", help="json or md (printed unless -o), csv (-o FOLDER) or xlsx (-o FILE)")
    ] = ReportFormat.json,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write here.")] = None,
    as_of: AsOfOption = None,
    regime: RegimeOption = None,
) -> None:
    """Report on the stored dataset: groups with controllers and evidence, exposures, limits,
    large exposures, concentration, guarantee circles, suspected links, systemic parties."""
    if output_format in ("csv", "xlsx") and output is None:
        raise typer.BadParameter(f"--format {output_format} needs -o "
                                 f"({'a folder' if output_format == 'csv' else 'a .xlsx file'})",
                                 param_hint="-o")
    with open_store(store) as source:
        result = build_report(_assess(source, _as_of(as_of), regime))
    if output_format == "csv":
        written = write_csv(result, output)
        err.print(f"wrote {len(written)} CSV files to {output}")
    elif output_format == "xlsx":
        write_xlsx(result, output)
        err.print(f"wrote {output}")
    else:
        text = (render_markdown(result) if output_format == "md"
                else render_json(result) + "\n")
        if output is None:
            sys.stdout.write(text)
        else:
            output.write_text(text, encoding="utf-8")
            err.print(f"wrote {output}")


class TextFormat(StrEnum):
    json = "json"
    md = "md"


TextFormatOption = Annotated[TextFormat, typer.Option("--format", help="json or md")]


def _print(data: dict, output_format: TextFormat, markdown: Callable[[dict], str]) -> None:
    sys.stdout.write(markdown(data) if output_format == TextFormat.md else render_json(data) + "\n")


@app.command()
def headroom(
    ident: Annotated[str, typer.Argument(metavar="ID", help="A party id.")],
    store: StoreOption = None,
    output_format: TextFormatOption = TextFormat.json,
    as_of: AsOfOption = None,
    regime: RegimeOption = None,
) -> None:
    """Headroom (R19): for each limit of the party and of its group, the limit amount, the
    exposure after and before mitigation and what is left under it; and the binding one."""
    with open_store(store) as source:
        assessment = _assess(source, _as_of(as_of), regime)
    _print(headroom_of(assessment, ident).to_dict(), output_format, render_headroom)


@app.command()
def whatif(
    file: Annotated[Path | None, typer.Argument(
        metavar="[FILE.csv]", help="Proposed facilities as a table (CSV, Excel, Parquet) in the "
                                   "columns of facilities.csv (id optional), with guarantor and "
                                   "guarantee_amount; or one proposal as the options below.")
                    ] = None,
    borrower: Annotated[str | None, typer.Option(help="The borrower of one proposed facility.")
                        ] = None,
    outstanding: Annotated[str | None, typer.Option(help="Its drawn balance.")] = None,
    undrawn: Annotated[str | None, typer.Option(help="Its undrawn commitment.")] = None,
    ccf: Annotated[str | None, typer.Option(help="Its credit conversion factor (0 to 1).")] = None,
    category: Annotated[str | None, typer.Option(help="Its category (default loan).")] = None,
    product: Annotated[str | None, typer.Option(help="Its product.")] = None,
    currency: Annotated[str | None, typer.Option(help="Its currency (default base).")] = None,
    facility_id: Annotated[str | None, typer.Option(
        "--id", help="Its id (default WHATIF-1, ...).")] = None,
    guarantor: Annotated[str | None, typer.Option(
        help="A party giving an eligible guarantee of it.")] = None,
    guarantee_amount: Annotated[str | None, typer.Option(
        help="The guaranteed amount, in the facility's currency.")] = None,
    store: StoreOption = None,
    output_format: TextFormatOption = TextFormat.json,
    as_of: AsOfOption = None,
    regime: RegimeOption = None,
) -> None:
    """What-if (R19): the limit checks and flags of the parties and groups that proposed
    facilities touch, before and after, computed on a copy of the book. The store is never
    changed."""
    given = {"id": facility_id, "borrower": borrower, "outstanding": outstanding,
             "undrawn": undrawn, "ccf": ccf, "category": category, "product": product,
             "currency": currency, "guarantor": guarantor, "guarantee_amount": guarantee_amount}
    options = {k: v for k, v in given.items() if v is not None}
    if (file is None) == (not options):
        raise typer.BadParameter("give a table of proposals (FILE.csv) or one proposal as "
                                 "options (--borrower, --outstanding, ...), not both",
                                 param_hint="FILE.csv")
    rows = service.read_proposals(file) if file is not None else [options]
    with open_store(store) as source:
        assessment = _assess(source, _as_of(as_of), regime)
    proposals = parse_proposals(rows, assessment.analysis.dataset,
                                source=file.name if file is not None else "what-if")
    with err.status("assessing the book with the proposals"):
        result = what_if(assessment, proposals)
    _print(result.to_dict(), output_format, render_what_if)
    err.print(f"{len(proposals)} proposal(s): {result.to_dict()['new_flags']} new flag(s); "
              f"the store is unchanged")


class ReturnsFormat(StrEnum):
    xlsx = "xlsx"
    csv = "csv"
    json = "json"


@app.command()
def returns(
    output: Annotated[Path, typer.Option(
        "-o", "--output", help="The .xlsx or .json file, or the folder of CSV files.")],
    store: StoreOption = None,
    output_format: Annotated[ReturnsFormat, typer.Option(
        "--format", help="xlsx (one sheet per part), csv (one file per part) or json")
    ] = ReturnsFormat.xlsx,
    as_of: AsOfOption = None,
    regime: RegimeOption = None,
) -> None:
    """Write the large-exposure return of the dataset's regime (R20): CN-2018 the parts of
    G14 in 万元, BASEL the four lists of LEX20.4, as the regime file defines them."""
    with open_store(store) as source, err.status("reading the store") as status:
        result = service.returns_store(source, as_of=_as_of(as_of), regime=regime,
                                       progress=status.update)
    if output_format == "csv":
        written = write_returns_csv(result, output)
        err.print(f"wrote {len(written)} CSV files to {output}")
    else:
        if output_format == "xlsx":
            write_returns_xlsx(result, output)
        else:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(render_returns_json(result), encoding="utf-8")
        err.print(f"wrote {output}")
    counts = ", ".join(f"{p.key} {len(p.rows)}" for p in result.parts)
    err.print(f"{result.definition.title}, as of {result.as_of}: rows per part: {counts}")


@app.command()
def view(
    ident: Annotated[str, typer.Argument(
        metavar="ID", help="An entity id, a group id (G...) or a guarantee circle id "
                           "(circle:...); for --kind contagion, the initial defaults (A,B).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The HTML file to write.")],
    store: StoreOption = None,
    hops: Annotated[int, typer.Option(help="Radius of a neighbourhood, 1 to 6.")] = 2,
    kind: Annotated[ViewKind | None, typer.Option(
        "--kind", help="Default: group for a group id, circle for a circle id, neighbourhood "
                       "for an entity.")] = None,
    max_nodes: Annotated[int, typer.Option(
        "--max-nodes", min=1, help="Most parties to show; the most relevant are kept.")] = MAX_NODES,
    as_of: AsOfOption = None,
    regime: RegimeOption = None,
) -> None:
    """Write an interactive network view: one HTML file that opens with no network."""
    day = _as_of(as_of)
    with open_store(store) as source:
        assessment = _assess(source, day, regime)
        with err.status("drawing the view"):
            drawn = view_of(assessment, ident, kind, hops=hops, max_nodes=max_nodes,
                            neighbourhood=lambda i, h: source.neighbourhood(i, h, as_of=day))
            drawn.write(output)
    size = output.stat().st_size
    err.print(Text(f"wrote {output} ({size / 1e6:.1f} MB): {drawn.title}; "
                   f"{drawn.node_count:,} parties, {drawn.edge_count:,} relationships"),
              soft_wrap=True)
    if drawn.cut.truncated:
        err.print(Text("truncated: ", style="yellow") + Text(drawn.cut.note()), soft_wrap=True)


@app.command()
def serve(
    data: Annotated[Path | None, typer.Option(
        "--data", help="Load this dataset folder into a fresh embedded store (a temporary "
                       "file, removed on exit) and serve that.")] = None,
    store: StoreOption = None,
    host: Annotated[str, typer.Option(help="The interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="The port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(
        min=1, max=64, help="Processes serving one shared snapshot (reload needs 1).")] = 1,
    as_of: AsOfOption = None,
    regime: RegimeOption = None,
) -> None:
    """Serve the GraphQL API (/graphql, GraphiQL in a browser), the analyst pages (/) and
    /health. API keys, limits and reload folders come from GROUPGRAPH_* variables (README)."""
    import tempfile

    from api.server.app import serve as run_server
    from api.server.settings import Settings

    if data is not None and store is not None:
        raise typer.BadParameter("give --data or --store, not both", param_hint="--data")
    day = _as_of(as_of)
    overrides: dict[str, object] = {"as_of": day} if day else {}
    if regime:
        overrides["regime"] = regime
    if data is None:
        if store:
            overrides["store_uri"] = store
        run_server(Settings.from_env(**overrides), host=host, port=port, workers=workers)
        return
    with tempfile.TemporaryDirectory(prefix="groupgraph-serve-") as folder:
        uri = f"embedded:{Path(folder) / 'store.sqlite'}"
        with open_store(uri) as target:
            _load(target, [data], day)
        run_server(Settings.from_env(store_uri=uri, **overrides), host=host, port=port,
                   workers=workers)


@app.command()
def demo(
    folder: Annotated[Path, typer.Option(help="Where to write the sample portfolio.")] = Path(
        "demo-output"),
    parties: Annotated[int, typer.Option(help="Size of the sample portfolio.")] = 120,
    seed: Annotated[int, typer.Option(help="Seed of the generator.")] = 7,
    top: Annotated[int, typer.Option(help="Groups to show.")] = 10,
) -> None:
    """Generate a sample portfolio, load it into an embedded store, report on it and draw
    the largest groups and the guarantee circles as offline views."""
    data = folder / "portfolio"
    service.generate_sample(data, parties=parties, seed=seed)
    err.print(f"wrote a sample portfolio of {parties} parties to {data}")
    store_uri = f"embedded:{folder / 'store.sqlite'}"
    with open_store(store_uri) as store:
        _load(store, [data], None)
        assessment = _assess(store, None, None)
    result = build_report(assessment)
    report_file = folder / "report.json"
    report_file.write_text(render_json(result), encoding="utf-8")
    (folder / "report.md").write_text(render_markdown(result), encoding="utf-8")
    returns_file = folder / "returns.xlsx"
    write_returns_xlsx(build_returns(assessment.analysis), returns_file)
    views = folder / "views"
    views.mkdir(exist_ok=True)
    subjects = [g["id"] for g in result["groups"][:3]] + [c["id"] for c in result["guarantee_circles"]]
    for subject in subjects:
        view_of(assessment, subject).write(views / f"{subject.replace(':', '-')}.html")
    _print_summary(result, top)
    err.print(f"report: {report_file} and {folder / 'report.md'}; large-exposure return: "
              f"{returns_file}; {len(subjects)} network views "
              f"in {views}; explore further with: groupgraph view ID --store {store_uri} -o FILE")


class Engine(StrEnum):
    embedded = "embedded"
    spark = "spark"


@app.command("export")
def export(
    parquet: Annotated[Path, typer.Option("--parquet", help="Write the dataset's tables here as Parquet.")],
    store: StoreOption = None,
) -> None:
    """Write the stored dataset as Parquet tables (entities, relationships, facilities,
    underlyings, collateral, and bank.json): the input of `analyse --engine spark`."""
    from graph.spark.io import write_parquet

    with open_store(store) as source:
        _info, dataset = service.read_store(source)
    written = write_parquet(dataset, parquet)
    err.print(f"wrote {len(written)} files to {parquet}")


@app.command("analyse")
def analyse_command(
    out: Annotated[Path, typer.Option("--out", help="Write the result tables here as Parquet.")],
    engine: Annotated[Engine, typer.Option("--engine", help="spark or embedded")] = Engine.spark,
    store: StoreOption = None,
    parquet: Annotated[Path | None, typer.Option(
        "--parquet", help="Read the dataset from these Parquet tables instead of a store.")] = None,
    master: Annotated[str | None, typer.Option(
        "--master", help="Spark master URL (default GROUPGRAPH_SPARK_MASTER or local[2]).")] = None,
    as_of: AsOfOption = None,
    regime: RegimeOption = None,
) -> None:
    """R3-R8 and R15-R17 on Spark or the embedded engine, into the Parquet tables groups,
    controllers, exposures and flags (DESIGN section 6)."""
    import tempfile

    from graph.spark import io
    from graph.spark.tables import embedded_tables, spark_tables, to_pandas, write_tables
    from schema.regime import load_regime

    day = _as_of(as_of) or date.today()
    with tempfile.TemporaryDirectory() as scratch:
        folder = parquet
        if folder is None:
            with open_store(store) as source:
                _info, dataset = service.read_store(source)
            if engine == Engine.spark:
                folder = Path(scratch)
                io.write_parquet(dataset, folder)
        else:
            dataset = io.read_dataset(folder) if engine == Engine.embedded else None
        if engine == Engine.embedded:
            tables = embedded_tables(dataset, as_of=day, regime=load_regime(regime or dataset.bank.regime))
        else:
            from graph.spark.session import spark_session

            spark = spark_session(master)
            data = io.read_parquet(spark, folder)
            tables = to_pandas(spark_tables(data, as_of=day, regime=load_regime(regime or data.bank.regime)))
    written = write_tables(tables, out)
    err.print(f"wrote {', '.join(p.stem for p in written)} to {out}")


def _print_summary(result: dict, top: int) -> None:
    dataset, summary = result["dataset"], result["summary"]
    out = Console()
    out.print(
        f"[bold]{dataset['bank']}[/bold]: {summary['parties']:,} parties, "
        f"{summary['facilities']:,} facilities, {summary['groups']:,} groups "
        f"({summary['groups_with_more_than_one_member']:,} with more than one member); "
        f"tier 1 capital {dataset['tier1_capital']:,.0f} {dataset['base_currency']}, "
        f"regime {dataset['regime']}, as of {dataset['as_of']}"
    )
    currency = dataset["base_currency"]
    table = Table(title=f"Top {top} groups by gross exposure, in millions of {currency}")
    table.add_column("#", justify="right")
    table.add_column("group", overflow="fold")
    table.add_column("size", justify="right")
    table.add_column("controllers", overflow="fold")
    table.add_column("gross", justify="right")
    table.add_column("net", justify="right")
    # what the limits see: after mitigation without exempt exposure, unless the regime
    # checks gross (R8 as amended)
    checked_net = summary["limits_apply_to"] == "net"
    table.add_column("checked % tier 1" if checked_net else "% tier 1", justify="right")
    for rank, group in enumerate(result["groups"][:top], start=1):
        controllers = "\n".join(c["name"] for c in group["controllers"]) or "(independent)"
        breakdown = group["breakdown"]
        checked = breakdown["non_exempt"] if checked_net else group["exposure"]["gross"]
        share = f"{checked / dataset['tier1_capital']:.1%}"
        table.add_row(str(rank), f"{group['name']}\n[dim]{group['id']}[/dim]", str(group["size"]),
                      controllers, f"{group['exposure']['gross'] / 1e6:,.1f}",
                      f"{group['exposure']['net'] / 1e6:,.1f}",
                      f"{share}\n[dim]exempt[/dim]" if breakdown["exempt"] else share)
    out.print(table)


def main() -> None:
    """Entry point: run the app, turning groupgraph's errors into messages (exit 1); click
    reports usage errors itself (exit 2)."""
    try:
        app()
    except GroupGraphError as error:
        err.print(Text("error: ", style="bold red") + Text(str(error)), highlight=False)
        sys.exit(1)


if __name__ == "__main__":
    main()

