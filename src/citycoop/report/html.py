"""Report pages as HTML: an executed notebook exported as a page that needs no network, and the
index page that lists every report.

``export_html`` drops the code cells and turns each plotly figure into a div drawn by plotly.js,
which the page loads with the map outline from the report folder's ``assets/`` (written once,
``ASSETS_DIR``) or carries inlined (a page sent on its own); no CDN, no require.js. Text taken
from articles reaches a page escaped (``markup.esc``; the tables escape their own cells).
"""
from __future__ import annotations

import copy
import functools
import html
from pathlib import Path
from typing import TYPE_CHECKING

from .. import dataset as ds
from .. import tables
from ..markup import esc

if TYPE_CHECKING:
    from .build import Job

PLOTLY_MIME = "application/vnd.plotly.v1+json"


# ----------------------------------------------------------------------------- pages
def _plotly_html(fig_json: dict, div_id: str) -> str:
    import plotly.io as pio

    return pio.to_html(fig_json, include_plotlyjs=False, full_html=False, div_id=div_id,
                       validate=False, config={"displaylogo": False, "responsive": True})


@functools.lru_cache(maxsize=1)
def _exporter():
    """One exporter per process: a new one compiled its Jinja templates again for every page."""
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="citycoop_report",
                        extra_template_basedirs=[str(Path(__file__).resolve().parents[1] / "templates")],
                        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)


def export_html(nb, out_html: Path, assets: Path | None = None) -> int:
    """Write a notebook as a page without code cells. Returns the figure count.

    ``assets``: a folder where plotly.js and the map outline are written once and which the
    page loads them from (a report folder's pages share them: 4.7 MB of plotly.js inlined in
    each of 115 pages made half a gigabyte). None: both are inlined, for a page meant to
    travel alone."""
    from plotly.offline import get_plotlyjs

    # The notebook given is left as it is: a copy of what changes (the exporter copies the rest;
    # a deep copy of every figure's data here had cost a tenth of a second a page).
    nb = copy.copy(nb)
    nb.cells = [copy.copy(cell) for cell in nb.cells]
    n_figs, has_geo = 0, False
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i}"  # papermill gives its injected cell a random id: keep pages identical
        if "outputs" not in cell:
            continue
        cell.outputs = [copy.copy(out) for out in cell.outputs]
        for out in cell.outputs:
            data = out.get("data", {})
            if PLOTLY_MIME in data:
                fig = data[PLOTLY_MIME]
                has_geo |= any(t.get("type", "").endswith("geo") for t in fig.get("data", []))
                # Stable ids: the same notebook gives the same HTML, byte for byte.
                out["data"] = {"text/html": _plotly_html(fig, f"citycoop-figure-{n_figs + 1}")}
                n_figs += 1
    exporter = _exporter()
    if assets is None:
        resources = {"citycoop_plotly_js": get_plotlyjs() if n_figs else "",
                     "citycoop_topojson": _topojson() if has_geo else ""}
    else:
        resources = {"citycoop_plotly_src": _asset(assets, PLOTLY_ASSET, out_html) if n_figs else "",
                     "citycoop_topojson_src": _asset(assets, MAP_ASSET, out_html) if has_geo else ""}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    ds.write_text_whole(out_html, body)  # a stopped run leaves the last page, not half of one
    return n_figs


ASSETS_DIR = "assets"
PLOTLY_ASSET = "plotly.min.js"
MAP_ASSET = "asia_50m.js"


def _asset_text(name: str) -> str:
    if name == PLOTLY_ASSET:
        from plotly.offline import get_plotlyjs

        return get_plotlyjs()
    return ("window.PlotlyGeoAssets = window.PlotlyGeoAssets || {topojson: {}};\n"
            f'window.PlotlyGeoAssets.topojson["asia_50m"] = {_topojson()};\n')


@functools.lru_cache(maxsize=None)
def _written_asset(path: Path) -> None:
    """Write an asset file unless it holds the text already (once per process and file)."""
    text = _asset_text(path.name)
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.write_text_whole(path, text)  # atomic: parallel pages may write it at once


def _asset(assets: Path, name: str, page: Path) -> str:
    """The page-relative address of the shared asset ``name``, written if needed."""
    import os

    path = Path(assets).resolve() / name
    _written_asset(path)
    return Path(os.path.relpath(path, Path(page).resolve().parent)).as_posix()


def _topojson() -> str:
    from ..charts import topojson_asset

    return topojson_asset("asia_50m")


# ----------------------------------------------------------------------------- index
def write_index(out: Path, plan: list[Job], results: dict, stats: dict,
                no_page: list[tuple[str, str]] = ()) -> Path:
    """``index.html``: every report with a one-line summary; failed ones marked; ``stats``: the
    extraction's counts; ``no_page``: (page name, label) of topics no article mentions."""
    def item(j: Job) -> str:
        err, n = results[j.name]
        status = (f' <span style="color:#b00"><b>failed</b>: {esc(err)}</span>' if err else "")
        return (f'<li><a href="{html.escape(j.name)}.html">{html.escape(j.name)}.html</a> — '
                f"{j.summary}{status}</li>")

    def count(key: str) -> str:
        return esc(tables.format_count(stats.get(key, "?")))

    sections = [
        ("Overview", [j for j in plan if j.notebook == "corpus_overview"]),
        ("Review", [j for j in plan if j.notebook == "review"]),
        ("Partner profiles", [j for j in plan if j.notebook == "partner_profile"]),
        ("Topic explorers", [j for j in plan if j.notebook == "topic_explorer"]),
    ]
    body = "".join(f"<h2>{esc(name)}</h2><ul>{''.join(item(j) for j in jobs)}</ul>"
                   + (f"<p>No article mentions {esc(', '.join(label for _, label in no_page))}: "
                      "no page for these topics.</p>" if name == "Topic explorers" and no_page else "")
                   for name, jobs in sections if jobs or (name == "Topic explorers" and no_page))
    stats = stats or {}
    # The dataset the pages read, as their parameters say (a data/corpus.parquet left in the
    # folder by an earlier run on a corpus is not it); inside the folder, relative to it.
    read = Path(plan[0].parameters["corpus"]) if plan else out / "data" / "corpus.parquet"
    view_data_name = read.relative_to(out).as_posix() if read.is_relative_to(out) else str(read)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>citycoop reports</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:"Noto Sans","DejaVu Sans",Arial,sans-serif;max-width:980px;margin:32px auto;
padding:0 20px;color:#222;line-height:1.5}}li{{margin:6px 0}}code{{background:#f3f3f3;padding:0 3px}}</style>
</head><body>
<h1>Vietnam–China local cooperation: reports</h1>
<p>Built by <code>citycoop report</code> from {count('files')} input files:
{count('records')} articles extracted, {count('duplicates')} duplicates,
{count('rejects')} rejected inputs. Data: <code>{esc(view_data_name)}</code>.
Each report's executed notebook sits beside it (<code>.ipynb</code>) for JupyterLab.</p>
{body}
</body></html>
"""
    path = out / "index.html"
    ds.write_text_whole(path, page)
    return path
