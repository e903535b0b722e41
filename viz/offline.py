"""Writing a network as one self-contained HTML file that works with no network at all.

pyvis's own template links bootstrap and (in its default mode) vis-network from CDNs. This
module does not use it: the page is this module's template, with the vis-network script and
style that pyvis ships inside its package (``pyvis/lib/vis-9.1.2``) copied inline, and
nothing else. A Content-Security-Policy in the page forbids loading anything from anywhere
(only inline scripts and styles, ``data:`` images), so a reference that slipped in could not
load either. The only ``http(s)://`` texts in the file are inert strings inside vis-network
(licence comments, the SVG namespace): :data:`INERT_URLS`.

The graph itself travels as JSON in ``<script type="application/json" id="groupgraph-data">``
(``nodes``, ``edges``, ``options``, ``meta``), escaped so that no text can close the element.
The page exposes the vis network as ``window.network`` and marks
``<html data-view-state="ready">`` once the layout is done: physics views stabilise, then
switch physics off; hierarchical views start without physics.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pyvis
from jinja2 import Environment, select_autoescape
from markupsafe import Markup
from pyvis.network import Network

__all__ = ["INERT_URLS", "VIS_VERSION", "render_html", "vis_assets", "write_html"]

VIS_VERSION = "9.1.2"

INERT_URLS = frozenset({
    "http://almende.com",
    "http://opensource.org/licenses/MIT",
    "http://www.apache.org/licenses/LICENSE-2.0",
    "http://www.w3.org/2000/svg",
    "https://github.com/uuidjs/uuid#getrandomvalues-not-supported",
    "https://github.com/visjs",
    "https://github.com/zloirock/core-js",
    "https://github.com/zloirock/core-js/blob/v3.21.1/LICENSE",
    "https://visjs.github.io/vis-network/",
})
"""URL texts inside vis-network's script that the browser never loads (comments, an error
message, the SVG namespace name)."""

_CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
        "img-src data:; font-src data:; connect-src 'none'; frame-src 'none'; "
        "form-action 'none'; base-uri 'none'")


@cache
def vis_assets() -> tuple[str, str]:
    """vis-network's minified script and its style sheet, from the installed pyvis."""
    folder = Path(pyvis.__file__).parent / "lib" / f"vis-{VIS_VERSION}"
    script = (folder / "vis-network.min.js").read_text(encoding="utf-8")
    style = (folder / "vis-network.css").read_text(encoding="utf-8")
    for text, closer in ((script, "</script"), (style, "</style")):
        if closer in text.lower():  # pragma: no cover - a different pyvis build
            raise RuntimeError(f"vis-network {VIS_VERSION} contains {closer}: cannot inline it")
    return script, style


def _json_for_script(value: Any) -> Markup:
    """JSON that is safe inside a ``<script>`` element: ``<``, ``>`` and ``&`` escaped."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


_TEMPLATE = """<!DOCTYPE html>
<html lang="en" data-view-state="loading">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="groupgraph viz (vis-network {{ vis_version }}, inline)">
<title>{{ title }}</title>
<style>{{ vis_style }}</style>
<style>
html, body { height: 100%; margin: 0; }
body { display: flex; flex-direction: column; font: 14px/1.4 -apple-system, "Segoe UI", Roboto,
       "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; color: #1b1b1b; }
header { padding: 8px 14px; border-bottom: 1px solid #ddd; background: #fafafa; }
header h1 { font-size: 17px; margin: 0; }
header p { margin: 2px 0 0; color: #555; }
#gg-note { margin: 6px 0 0; padding: 6px 10px; background: #fff4d6; border: 1px solid #e5c66b;
           border-radius: 4px; color: #4a3b00; }
#gg-note details { margin-top: 2px; }
#gg-progress { color: #555; }
main { display: flex; flex: 1 1 auto; min-height: 300px; }
#gg-side { flex: 0 0 auto; max-width: 290px; overflow: auto; border-right: 1px solid #ddd;
           background: #fcfcfc; }
#gg-stage { position: relative; flex: 1 1 auto; }
#gg-network { position: absolute; inset: 0; }
#gg-legend { padding: 6px 10px; font-size: 12px; }
#gg-legend summary { cursor: pointer; font-weight: 600; }
#gg-legend h3 { font-size: 12px; margin: 8px 0 2px; }
#gg-legend ul { list-style: none; margin: 0; padding: 0; }
#gg-legend li { display: flex; align-items: center; gap: 6px; margin: 2px 0; }
#gg-legend .gg-hint { color: #555; display: block; }
.gg-scale { display: inline-block; width: 60px; height: 12px; border: 1px solid #999; }
div.vis-tooltip { white-space: pre-line; font-family: inherit; font-size: 12px; max-width: 420px; }
</style>
</head>
<body>
<header>
<h1>{{ title }}</h1>
<p>{{ subtitle }} <span id="gg-progress"></span></p>
{% if note %}<div id="gg-note" role="note">{{ note }}
{% if left_out %}<details><summary>Parties left out ({{ left_out|length }})</summary>
{{ left_out|join(", ") }}</details>{% endif %}
</div>{% endif %}
</header>
<main>
<aside id="gg-side">{{ legend }}</aside>
<div id="gg-stage"><div id="gg-network"></div></div>
</main>
<script type="application/json" id="groupgraph-data">{{ data }}</script>
<script>{{ vis_script }}</script>
<script>
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("groupgraph-data").textContent);
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var container = document.getElementById("gg-network");
  var progress = document.getElementById("gg-progress");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, data.options);
  window.network = network;
  window.groupgraphData = data.meta;
  function ready() {
    progress.textContent = "";
    document.documentElement.setAttribute("data-view-state", "ready");
  }
  if (data.options.physics && data.options.physics.enabled) {
    network.on("stabilizationProgress", function (p) {
      progress.textContent = "(laying out: " + Math.round(100 * p.iterations / p.total) + "%)";
    });
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({physics: {enabled: false}});
      network.fit();
      network.once("afterDrawing", ready);
      network.redraw();
    });
  } else {
    network.once("afterDrawing", ready);
    network.redraw();
  }
})();
</script>
</body>
</html>
"""

_PAGE = Environment(autoescape=select_autoescape(default=True, default_for_string=True)
                    ).from_string(_TEMPLATE)


def render_html(network: Network, *, title: str, subtitle: str = "", legend: str = "",
                note: str = "", left_out: tuple[str, ...] = (),
                meta: dict[str, Any] | None = None) -> str:
    """The page of ``network``: one HTML document with everything inline.

    ``legend`` is trusted markup (from :func:`viz.legend.legend_html`); ``title``,
    ``subtitle``, ``note`` and ``left_out`` are text. ``meta`` travels with the data (view
    kind, counts) for pages and tests.
    """
    nodes, edges, _heading, _height, _width, options = network.get_network_data()
    script, style = vis_assets()
    payload = {"nodes": nodes, "edges": edges, "options": json.loads(options),
               "meta": meta or {}}
    return _PAGE.render(
        csp=_CSP, vis_version=VIS_VERSION, title=title, subtitle=subtitle, note=note,
        left_out=left_out, legend=Markup(legend), data=_json_for_script(payload),
        vis_style=Markup(style), vis_script=Markup(script))


def write_html(html: str, path: Path) -> Path:
    """Write a page as UTF-8; returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
