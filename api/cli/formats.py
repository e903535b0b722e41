"""The report in other formats: tables (CSV files, Excel sheets) and Markdown.

:func:`report_tables` flattens the JSON report (``graph.reports.report.build_report``) into one
table per section; CSV writes one file per table, Excel one sheet per table. Markdown is
written for a person: the summary, then each risk section, then the largest groups with the
evidence for every member.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from graph.reports.reconcile import Reconciliation, percent_text

__all__ = ["render_headroom", "render_json", "render_markdown", "render_reconciliation",
           "render_what_if", "report_tables", "write_csv", "write_xlsx"]

Table = list[dict[str, Any]]


def _codes(flags: list[dict[str, Any]]) -> str:
    return ", ".join(f["code"] for f in flags)


def report_tables(report: dict[str, Any]) -> dict[str, Table]:
    """One table per section, in reading order."""
    dataset, summary = report["dataset"], report["summary"]
    summary_rows = [{"item": k, "value": v} for k, v in dataset.items()]
    for key, value in summary.items():
        if isinstance(value, dict):
            summary_rows += [{"item": f"{key}_{k}", "value": v} for k, v in value.items()]
        else:
            summary_rows.append({"item": key, "value": value})
    return {
        "summary": summary_rows,
        "groups": [
            {"rank": rank, "id": g["id"], "name": g["name"], "size": g["size"],
             "controllers": "; ".join(c["name"] for c in g["controllers"]),
             "gross": g["exposure"]["gross"], "net": g["exposure"]["net"],
             "share_of_tier1": g["share_of_tier1"]["gross"], "limit_usage": g["limit_usage"],
             "flags": _codes(g["flags"])}
            for rank, g in enumerate(report["groups"], start=1)
        ],
        "members": [
            {"group": g["id"], "member": m["id"], "name": m["name"], "kind": m["kind"],
             "gross": m["exposure"]["gross"], "net": m["exposure"]["net"],
             "evidence": " -> ".join(step["text"] for step in m["evidence"])}
            for g in report["groups"] for m in g["members"]
        ],
        "parties": [
            {"id": p["id"], "name": p["name"], "kind": p["kind"], "group": p["group"],
             "ultimate_controllers": "; ".join(p["ultimate_controllers"]),
             "gross": p["exposure"]["gross"], "net": p["exposure"]["net"],
             "flags": _codes(p["flags"])}
            for p in report["parties"]
        ],
        "limits": list(report["limits"]),
        "large_exposures": [{k: v for k, v in row.items() if k != "message"}
                            for row in report["large_exposures"]],
        "concentration": [
            {"dimension": dimension, "hhi": c["hhi"], "top_share": c["top_share"],
             "rank": rank, "key": item["key"], "name": item["name"],
             "exposure": item["exposure"], "share": item["share"]}
            for dimension, c in report["concentration"].items()
            for rank, item in enumerate(c["items"], start=1)
        ],
        "guarantee_circles": [
            {"id": c["id"], "members": "; ".join(f"{m['name']} [{m['id']}]" for m in c["members"]),
             "total_guaranteed": c["total_guaranteed"], "gross": c["exposure"]["gross"],
             "net": c["exposure"]["net"]}
            for c in report["guarantee_circles"]
        ],
        "guarantee_chains": [{"length": c["length"], "steps": " -> ".join(c["steps"])}
                             for c in report["guarantee_chains"]],
        "cross_holdings": [{"ring": "; ".join(ring)} for ring in report["cross_holdings"]],
        "suspected_links": [{**row, "groups": "; ".join(row["groups"])}
                            for row in report["suspected_links"]],
        "declared_groups": [
            {**row, "missed": "; ".join(row["missed"]), "unsupported": "; ".join(row["unsupported"])}
            for row in report["declared_groups"]
        ],
        "systemic": list(report["systemic"]),
    }


def write_csv(report: dict[str, Any], folder: Path) -> list[Path]:
    """One UTF-8 CSV file (with BOM, so Excel reads Chinese names) per table."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in report_tables(report).items():
        path = folder / f"{name}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            columns = list(rows[0]) if rows else ["(none)"]
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
        written.append(path)
    return written


def write_xlsx(report: dict[str, Any], path: Path) -> None:
    """An Excel workbook with one sheet per table."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in report_tables(report).items():
        sheet = book.create_sheet(name[:31])
        columns = list(rows[0]) if rows else ["(none)"]
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(c) for c in columns])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def _md_table(headers: Sequence[str], rows: list[Sequence[Any]]) -> str:
    def cell(value: Any) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _money(value: float) -> str:
    return f"{value:,.0f}"


def _pct(value: float) -> str:
    return f"{value:.2%}"


def render_markdown(report: dict[str, Any], top: int = 10) -> str:
    """The report as Markdown a risk officer can read as it is."""
    d, s = report["dataset"], report["summary"]
    ccy = d["base_currency"]
    out = [
        f"# Group clients report: {d['bank']}",
        "",
        f"As of {d['as_of']}, regime {d['regime']} ({d['regime_title']}). Tier 1 capital "
        f"{_money(d['tier1_capital'])} {ccy}, net capital {_money(d['net_capital'])} {ccy}. "
        f"Dataset version `{d['version']}`. Amounts in {ccy}.",
        "",
        "## Summary",
        "",
        _md_table(["", ""], [
            ["parties", f"{s['parties']:,}"], ["facilities", f"{s['facilities']:,}"],
            ["groups of connected clients", f"{s['groups']:,} "
             f"({s['groups_with_more_than_one_member']:,} with more than one member)"],
            ["gross exposure", _money(s["exposure"]["gross"])],
            ["net exposure", _money(s["exposure"]["net"])],
            ["limit breaches (gross)", s["limit_breaches"]],
            ["limit warnings (gross)", s["limit_warnings"]],
            ["large exposures", s["large_exposures"]],
            ["guarantee circles", s["guarantee_circles"]],
        ]),
        "",
        "## Limit breaches and warnings",
        "",
    ]
    if report["limits"]:
        out.append(_md_table(
            ["subject", "check", "limit", "gross", "% of capital", "status", "net %", "net status",
             "source"],
            [[f"{r['name']} `{r['subject']}`", r["description"],
              f"{_pct(r['limit'])} of {r['denominator_label']}", _money(r["gross"]), _pct(r["gross_ratio"]),
              r["gross_status"].upper(), _pct(r["net_ratio"]), r["net_status"], r["source"]]
             for r in report["limits"]]))
    else:
        out.append("No limit is breached or at warning level.")
    out += ["", "## Large exposures", ""]
    out.append(_md_table(["subject", "kind", "gross", "% of tier 1"],
                         [[f"{r['name']} `{r['subject']}`", r["kind"], _money(r["gross"]),
                           _pct(r["share_of_tier1"])] for r in report["large_exposures"]])
               if report["large_exposures"] else "None.")
    out += ["", "## Concentration", ""]
    for dimension, c in report["concentration"].items():
        out += [f"**By {dimension}**: HHI {c['hhi']:,.0f}; the top {c['top']} hold "
                f"{_pct(c['top_share'])} of gross exposure.", ""]
        out.append(_md_table(["#", dimension, "gross", "share"],
                             [[i, item["name"], _money(item["exposure"]), _pct(item["share"])]
                              for i, item in enumerate(c["items"][:5], start=1)]))
        out.append("")
    out += ["## Guarantee circles", ""]
    out.append(_md_table(
        ["circle", "members", "guaranteed among them", "gross exposure riding on it"],
        [[c["id"], ", ".join(m["name"] for m in c["members"]), _money(c["total_guaranteed"]),
          _money(c["exposure"]["gross"])] for c in report["guarantee_circles"]])
        if report["guarantee_circles"] else "None.")
    out += ["", "Longest guarantee chains:", ""]
    out += [f"- {c['length']} steps: {' -> '.join(c['steps'])}" for c in report["guarantee_chains"]]
    if report["cross_holdings"]:
        out += ["", "Cross-holdings (ownership rings): "
                + "; ".join(", ".join(ring) for ring in report["cross_holdings"])]
    out += ["", "## Suspected links (reported, not merged)", ""]
    out += [f"- {row['detail']} (groups {' and '.join(row['groups'])})"
            for row in report["suspected_links"]] or ["None."]
    differing = [r for r in report["declared_groups"] if not r["agrees"]]
    out += ["", "## Declared groups against detected groups", "",
            f"{len(report['declared_groups']) - len(differing)} declared groups agree with the "
            f"detected ones; {len(differing)} differ.", ""]
    if differing:
        out.append(_md_table(
            ["declared group", "detected group", "members the bank missed", "members no rule supports"],
            [[f"{r['declared_name'] or ''} `{r['declared_id']}`", f"`{r['detected_id']}`",
              ", ".join(r["missed"]) or "-", ", ".join(r["unsupported"]) or "-"] for r in differing]))
    out += ["", "## Systemic parties (DebtRank if each alone defaults)", ""]
    out.append(_md_table(["party", "gross", "DebtRank"],
                         [[f"{r['name']} `{r['id']}`", _money(r["gross"]), f"{r['debt_rank']:.4f}"]
                          for r in report["systemic"]]) if report["systemic"] else "None.")
    out += ["", f"## The {top} largest groups", ""]
    for rank, g in enumerate(report["groups"][:top], start=1):
        controllers = ", ".join(f"{c['name']} `{c['id']}`" for c in g["controllers"]) or "none"
        out += [f"### {rank}. {g['name']} `{g['id']}`", "",
                f"Gross {_money(g['exposure']['gross'])}, net {_money(g['exposure']['net'])} "
                f"({_pct(g['share_of_tier1']['gross'])} of tier 1; {_pct(g['limit_usage'])} of "
                f"its limit). Controllers: {controllers}.", ""]
        out += [f"- **{f['code']}**: {f['message']}" for f in g["flags"]]
        out += ["", _md_table(["member", "gross", "net", "why it is in the group"],
                              [[f"{m['name']} `{m['id']}`", _money(m["exposure"]["gross"]),
                                _money(m["exposure"]["net"]),
                                "; ".join(step["text"] for step in m["evidence"]) or "root of the group"]
                               for m in g["members"]]), ""]
    return "\n".join(out) + "\n"


def render_reconciliation(result: Reconciliation) -> str:
    """The reconciliation (:func:`graph.reports.reconcile.reconcile`) as a Markdown table,
    one row per declaration."""
    s = result.summary
    lines = [f"# Reconciliation of declared ownership, as of {result.as_of}", "",
             f"{s['declarations']} declarations: {s['agree']} agree, "
             f"{s['mismatch']} mismatch.", "",
             "| check | subject | declared | computed | status | reasons | declared by |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in result.rows:
        cells = [r.check, f"{r.subject_name} [{r.subject}]",
                 _declaration(r.declared, r.party, r.party_name),
                 _declaration(r.computed, None, None, r.computed_names) + (
                     f" (through control: {percent_text(r.computed_through_control)})"
                     if r.computed_through_control is not None else ""),
                 f"**{r.status}**", "<br>".join(r.reasons),
                 " ".join(v for v in (r.source.get("standard"), r.source.get("record_id"),
                                      r.source.get("origin")) if v)]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


_LIMIT_HEADER = ["| subject | check | limit | limit amount | after mitigation | before mitigation "
                 "| checked | headroom |", "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |"]


def _limit_row(limit: dict[str, Any]) -> str:
    cells = [f"{limit['subject_kind']} {limit['subject']}", limit["check"],
             f"{limit['limit']:.1%} of {limit['denominator'].replace('tier1', 'tier 1').replace('_', ' ')}",
             f"{limit['limit_amount']:,.2f}", f"{limit['exposure']['after_mitigation']:,.2f}",
             f"{limit['exposure']['before_mitigation']:,.2f}",
             f"{limit['checked_exposure']:,.2f}", f"{limit['headroom']:,.2f}"]
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def render_headroom(room: dict[str, Any]) -> str:
    """R19 headroom (:meth:`graph.risk.headroom.Headroom.to_dict`) as Markdown: one row per
    limit, then the binding one."""
    lines = [f"# Headroom of {room['entity']}", "",
             f"Amounts in {room['base_currency']}; limits apply to exposure "
             f"{'after' if room['limits_apply_to'] == 'net' else 'before'} mitigation.", ""]
    if not room["limits"]:
        return "\n".join([*lines, "No limit applies: the bank has no exposure to it."]) + "\n"
    lines += _LIMIT_HEADER + [_limit_row(limit) for limit in room["limits"]]
    binding = room["binding"]
    lines += ["", f"Binding: **{binding['check']}** of {binding['subject_kind']} "
                  f"{binding['subject']}, headroom {binding['headroom']:,.2f}."]
    return "\n".join(lines) + "\n"


def render_what_if(result: dict[str, Any]) -> str:
    """A what-if (:meth:`graph.risk.whatif.WhatIf.to_dict`) as Markdown: per party and group
    touched, the checks before and after, and the flags the proposals would raise."""
    proposals = ", ".join(f"{p['id']} to {p['borrower']}"
                          + (f" guaranteed by {p['guarantor']}" if p["guarantor"] else "")
                          for p in result["proposals"])
    lines = [f"# What-if: {proposals}", "", f"Amounts in {result['base_currency']}; "
             f"{result['new_flags']} new flag(s).", ""]
    for subject in result["subjects"]:
        lines += [f"## {subject['subject_kind']} {subject['subject']}", ""]
        for when in ("before", "after"):
            lines += [f"{when.capitalize()}:", ""]
            rows = [_limit_row(limit) for limit in subject[when]]
            lines += (_LIMIT_HEADER + rows) if rows else ["no limit checks (no exposure)"]
            lines.append("")
        new = subject["new_flags"]
        lines += [f"- **{f['code']}**: {f['message']}" for f in new] or ["No new flags."]
        lines.append("")
    return "\n".join(lines)


def _declaration(value: Any, party: str | None, name: str | None, names: tuple[str, ...] = ()
                 ) -> str:
    """A declared or computed value of a reconciliation row: control, a share, a range of
    shares or a list of controllers."""
    who = f"{name} [{party}]: " if party else ""
    if value is None:
        return who + "—"
    if isinstance(value, bool):
        return who + ("controls" if value else "does not control")
    if isinstance(value, float):
        return who + percent_text(value)
    if isinstance(value, list) and value and all(isinstance(v, float) for v in value):
        return who + f"{percent_text(value[0])} to {percent_text(value[1])}"
    if isinstance(value, list):
        if not value:
            return "(no one: independent)"
        if names:
            return ", ".join(f"{n} [{v}]" for n, v in zip(names, value, strict=True))
        if party:
            return f"{name} [{party}]"
        return ", ".join(value)
    return f"{name} [{party}]" if party else str(value)


def render_json(report: Any) -> str:
    r"""A report (or any of its parts) as indented JSON text.

    Raises ValueError on a NaN or an infinity rather than writing ``NaN`` or ``Infinity``,
    which are not JSON (strict parsers refuse the file) and mean nothing to a reader. The
    loaders refuse the inputs that would make one (amounts and capital are bounded, capital
    is at least one unit), so one here is a bug, and it fails loudly.

    >>> render_json({"share": 0.5})
    '{\n  "share": 0.5\n}'
    >>> render_json({"share": float("nan")})
    Traceback (most recent call last):
    ...
    ValueError: Out of range float values are not JSON compliant...
    """
    return json.dumps(report, ensure_ascii=False, indent=2, allow_nan=False)
