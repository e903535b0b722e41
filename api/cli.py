"""The ``groupgraph`` command line: a thin layer over loaders, graph and schema.

Bad input and unreachable stores end with a message and a non-zero exit, never a
traceback. Progress and messages go to standard error; reports to standard output.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from graph.analysis import Analysis, analyse
from graph.report import build_report
from graph.store import GraphStore, open_store
from loaders.dataset import read_dataset
from loaders.synthetic import generate_portfolio
from schema.errors import GroupGraphError
from schema.regime import load_regime

__all__ = ["app", "main"]

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Explore a bank's group clients: control, groups and exposure.")
err = Console(stderr=True)

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
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"expected an ISO date such as 2024-12-31, got {text!r}",
                                 param_hint="--as-of") from None


def _load(store: GraphStore, folder: Path, as_of: date | None) -> None:
    with err.status(f"reading {folder}") as status:
        dataset = read_dataset(folder, as_of=as_of, progress=lambda m: status.update(m))
        status.update(f"writing {len(dataset.entities):,} parties to {store.uri}")
        summary = store.replace(dataset, source=str(folder.resolve()))
    counts = ", ".join(f"{n:,} {what}" for what, n in summary.info.counts.items())
    if summary.unchanged:
        err.print(f"{store.uri} already holds dataset {summary.info.version}: {counts}")
    else:
        err.print(f"loaded dataset {summary.info.version} into {store.uri}: {counts}")


def _analysis(store: GraphStore, as_of: date | None, regime: str | None) -> Analysis:
    with err.status("analysing"):
        dataset = store.read()
        return analyse(dataset, as_of=as_of, regime=load_regime(regime) if regime else None)


@app.command()
def load(
    path: Annotated[Path, typer.Argument(help="A dataset folder (see the README).")],
    store: StoreOption = None,
    as_of: AsOfOption = None,
) -> None:
    """Validate a dataset folder and load it into the store, replacing what it held."""
    with open_store(store) as target:
        _load(target, path, _as_of(as_of))


@app.command()
def report(
    store: StoreOption = None,
    output_format: Annotated[str, typer.Option("--format", help="json")] = "json",
    as_of: AsOfOption = None,
    regime: RegimeOption = None,
) -> None:
    """Print the report of the stored dataset: groups, controllers, evidence, exposure."""
    if output_format != "json":
        raise typer.BadParameter(f"expected json, got {output_format!r}", param_hint="--format")
    with open_store(store) as source:
        result = build_report(_analysis(source, _as_of(as_of), regime))
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


@app.command()
def demo(
    folder: Annotated[Path, typer.Option(help="Where to write the sample portfolio.")] = Path(
        "demo-output"),
    parties: Annotated[int, typer.Option(help="Size of the sample portfolio.")] = 120,
    seed: Annotated[int, typer.Option(help="Seed of the generator.")] = 7,
    top: Annotated[int, typer.Option(help="Groups to show.")] = 10,
) -> None:
    """Generate a sample portfolio, load it into an embedded store and summarise it."""
    data = folder / "portfolio"
    generate_portfolio(data, parties=parties, seed=seed)
    err.print(f"wrote a sample portfolio of about {parties} parties to {data}")
    with open_store(f"embedded:{folder / 'store.sqlite'}") as store:
        _load(store, data, None)
        result = build_report(_analysis(store, None, None))
    report_file = folder / "report.json"
    report_file.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    _print_summary(result, top)
    err.print(f"full report: {report_file}")


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
    table.add_column("% tier 1", justify="right")
    for rank, group in enumerate(result["groups"][:top], start=1):
        controllers = "\n".join(c["name"] for c in group["controllers"]) or "(independent)"
        table.add_row(str(rank), f"{group['name']}\n[dim]{group['id']}[/dim]", str(group["size"]),
                      controllers, f"{group['exposure']['gross'] / 1e6:,.1f}",
                      f"{group['exposure']['net'] / 1e6:,.1f}",
                      f"{group['share_of_tier1']['gross']:.1%}")
    out.print(table)


def main() -> None:
    """Entry point: run the app, turning groupgraph's errors into messages."""
    try:
        app(standalone_mode=False)
    except GroupGraphError as error:
        err.print(Text("error: ", style="bold red") + Text(str(error)), highlight=False)
        sys.exit(1)
    except typer.Abort:
        sys.exit(130)
    except Exception as error:  # click's usage errors
        import click

        if isinstance(error, click.ClickException):
            error.show()
            sys.exit(error.exit_code)
        raise


if __name__ == "__main__":
    main()

