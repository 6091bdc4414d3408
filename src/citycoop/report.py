"""Reports: the notebooks' data helpers, papermill runs, offline HTML export and the index page.

``build_reports`` extracts the corpus once to Parquet, runs ``corpus_overview`` once,
``partner_profile`` per partner and ``topic_explorer`` per topic (papermill, with parameters),
exports each to an HTML page that needs no network (plotly.js and the map outline in the
folder's ``assets/``, or inlined with ``self_contained``; no CDN, no require.js) and writes
``index.html``. A notebook that fails is named with its cell and error; the others are
still written. A page whose data, notebook, parameters and code are as when it was made is not
run again (``PageRecord``).
"""
from __future__ import annotations

import copy
import difflib
import functools
import hashlib
import html
import json
import os
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import dataset as ds
from .cache import content_key
from . import tables
from .markup import esc, place_label
from .extract.topics import Taxonomy, load_taxonomy

PLOTLY_MIME = "application/vnd.plotly.v1+json"
NOTEBOOKS = ("corpus_overview", "partner_profile", "topic_explorer")


# ----------------------------------------------------------------------------- notebook side
def setup_notebook() -> None:
    """Figures are stored as plotly JSON (JupyterLab draws it; nbval compares it; HTML export
    inlines plotly.js once), never as 4.7 MB of embedded JavaScript per notebook."""
    import plotly.io as pio

    pio.renderers.default = "plotly_mimetype"
    pd.set_option("display.max_colwidth", 200)


@dataclass
class View:
    """What a notebook shows: the selected articles, their meetings and the taxonomy."""

    articles: pd.DataFrame
    all_articles: pd.DataFrame  # every article, duplicates too (``light``: only id and duplicate_of)
    meetings: pd.DataFrame
    rejects: pd.DataFrame
    taxonomy: Taxonomy
    topic_ids: list[str]
    stats: dict = field(default_factory=dict)
    # The built dataset the articles were read from, without its heavy columns (text, evidence,
    # mentions): ``evidence`` and ``texts`` read those for the rows a table shows. None: the
    # articles were extracted in memory and have every column.
    source: Path | None = None

    @property
    def labels(self) -> dict[str, str]:
        return {t: self.taxonomy.label(t) for t in self.taxonomy.ids}


REPORT_COLUMNS = ["id", "title", "url", "outlet", "event_date", "direction", "duplicate_of", "warnings",
                  "vn_localities_json", "partners_json", "officials_json"]


def corpus_view(corpus, *, date_from=None, date_to=None, topics=None, include_duplicates=False,
                topics_file=None, light: bool = False) -> View:
    """Load a corpus (raw files or a built Parquet dataset) and select what to show.

    From a built dataset the heavy columns are not read (``light``: only the columns the
    reports use, REPORT_COLUMNS and the topics): the texts, evidence sentences and mention
    lists, most of a dataset's bytes, are read later for just the rows a table shows
    (``evidence``, ``texts``). Raw files are extracted in memory, every column kept. With
    ``light``, of the whole table (duplicates included) only ``id`` and ``duplicate_of`` are
    kept beside the selection. ``corpus`` None: the repository's seeds (``default_corpus``)."""
    if corpus is None:
        corpus = default_corpus()
    taxonomy = load_taxonomy(topics_file)
    columns, source = None, None
    if isinstance(corpus, (str, Path)) and ds.is_built_dataset(corpus):
        source = Path(corpus).resolve()
        columns = (REPORT_COLUMNS + [f"topic_{t}" for t in taxonomy.ids] if light
                   else ds.light_columns(source))
    data = ds.load_dataset(corpus, settings=ds.Settings(topics_file=topics_file), columns=columns)
    articles = ds.select_articles(data.articles, date_from=date_from, date_to=date_to,
                                  include_duplicates=include_duplicates)
    topic_ids = [t for t in (topics or taxonomy.ids)]
    unknown = [t for t in topic_ids if f"topic_{t}" not in articles.columns]
    if unknown:
        raise ValueError(f"unknown topic(s) {unknown}; the taxonomy has: {', '.join(taxonomy.ids)}")
    everything, rejects, stats = data.articles, data.rejects, data.stats
    del data
    if light:
        # Of the whole table the reports count the rows and list the duplicates: holding all its
        # columns beside the selection (a copy) cost ≈ 0.6 KB an article, 0.6 GB a kernel at a
        # million articles.
        everything = everything[["id", "duplicate_of"]]
        # Reading and selecting leave freed heap behind: handed back before the meetings are
        # built, a million-article view peaks at 1.8 GB instead of 2.3 GB, and a kernel holds
        # 1.1 GB with it, not 1.95 GB.
        _return_freed_memory()
    view = View(articles, everything, ds.meetings(articles), rejects, taxonomy, topic_ids, stats, source)
    del articles, everything
    _return_freed_memory()  # and what building the meetings left
    return view


def evidence(view: View, topics: list[str]) -> pd.DataFrame:
    """``id`` and ``evidence_json`` of the view's articles that ``tables.evidence_table`` can
    show for ``topics`` (read from the built dataset for those rows only)."""
    shown = tables.evidence_articles(view.articles, topics)
    if view.source is None:
        return shown[["id", "evidence_json"]]
    return ds.read_rows(view.source, ["evidence_json"], shown["id"].tolist())


def texts(view: View):
    """The view's articles' texts for ``tables.kwic_table``: ``id`` and ``text`` DataFrames,
    streamed from the built dataset a batch at a time (or the in-memory column)."""
    if view.source is None:
        return [view.articles[["id", "text"]]]
    return ds.iter_rows(view.source, ["text"], view.articles["id"].tolist())


def _fold(name: str) -> str:
    """A name as the partner lookup compares it: NFC, one tone-mark style, case and spacing folded
    ("thượng  hải", "Thượng Hải" and the decomposed form are one key)."""
    from .normalize import normalize_text

    return " ".join(normalize_text(name).casefold().split())


@functools.lru_cache(maxsize=1)
def _chinese_names() -> dict[str, tuple[str, ...]]:
    """Folded name → the canonical ids of the Chinese localities it names: the English id, the
    Vietnamese name and the aliases (which the gazetteer keeps only in its matcher's table of
    surface forms, prefixes such as "TP" removed)."""
    from .gazetteer import load_gazetteer

    gaz = load_gazetteer()
    names: dict[str, list[str]] = {}

    def add(form: str, canonical: str) -> None:
        ids = names.setdefault(_fold(form), [])
        if canonical not in ids:
            ids.append(canonical)

    for loc in gaz.localities:
        if loc.country == "cn":
            add(loc.name, loc.name)
            add(loc.name.split(" (")[0], loc.name)  # "Taizhou" for "Taizhou (Zhejiang)"
            add(loc.name_vi, loc.name)
    for surface, candidates in gaz._surfaces.items():
        for loc in candidates:
            if loc.country == "cn":
                add(surface, loc.name)
    return {k: tuple(v) for k, v in names.items()}


def partner_name(view: View, partner: str) -> str:
    """The canonical id of the partner ``partner`` names in this view: the English id
    ("Shanghai") or the Vietnamese name or an alias ("Thượng Hải", "thượng hải", "Trùng Khánh"),
    in any case and tone-mark style. A name that means no partner of this corpus raises
    ValueError naming the close matches and the corpus's partners."""
    known = sorted(view.meetings["partner"].unique())
    if partner in known:
        return partner
    listed = f"partners in this corpus are {', '.join(known) or 'none'}"
    # The corpus's own spellings first: they decide between namesakes of the gazetteer.
    names: dict[str, list[str]] = {}
    spellings: dict[str, str] = {}  # folded → as an error message shows it
    pairs = view.meetings[["partner", "partner_vi"]].drop_duplicates()
    for canonical, vi in pairs.itertuples(index=False):
        for form, shown in ((canonical, canonical), (vi, f"{vi} ({canonical})")):
            if isinstance(form, str) and form:
                ids = names.setdefault(_fold(form), [])
                ids += [canonical] if canonical not in ids else []
                spellings.setdefault(_fold(form), shown)
    key = _fold(partner)
    meant = names.get(key) or _chinese_names().get(key, ())
    present = [c for c in meant if c in known]
    if len(present) == 1:
        return present[0]
    if len(present) > 1:
        raise ValueError(f"partner {partner!r} is ambiguous: it names {', '.join(present)}; "
                         f"give the English name")
    if meant:
        raise ValueError(f"{partner!r} ({', '.join(meant)}) is not a partner in this corpus: {listed}")
    close = [spellings[k] for k in difflib.get_close_matches(key, spellings, n=5, cutoff=0.6)]
    hint = f"did you mean {', '.join(close)}? " if close else ""
    raise ValueError(f"unknown partner {partner!r}: {hint}{listed}")


def partner_view(view: View, partner: str) -> View:
    """The same view narrowed to one partner's meetings; ``partner`` as ``partner_name`` reads it
    (English id, Vietnamese name or alias)."""
    partner = partner_name(view, partner)
    ids = set(view.meetings.loc[view.meetings["partner"] == partner, "id"])
    arts = view.articles[view.articles["id"].isin(ids)].reset_index(drop=True)
    meet = view.meetings[view.meetings["partner"] == partner].reset_index(drop=True)
    return View(arts, view.all_articles, meet, view.rejects, view.taxonomy, view.topic_ids, view.stats,
                view.source)


def heading(title: str, lead: str = "") -> "object":
    from IPython.display import HTML

    return HTML(f"<h1>{esc(title)}</h1>" + (f'<p class="citycoop-lead">{lead}</p>' if lead else ""))


def html_block(markup: str):
    from IPython.display import HTML

    return HTML(markup)


def partner_label(view: View, partner: str) -> str:
    """"Trùng Khánh (Chongqing)": the partner as Vietnamese readers know it, with its id."""
    m = view.meetings
    # the view's own id, so that a partner asked for by its Vietnamese name reads the same
    return place_label(m["partner_vi"].iloc[0], m["partner"].iloc[0]) if len(m) else partner


# A partner's one-line summary names at most this many Vietnamese localities, most meetings
# first: at 100 000 articles Xiamen had met 32, and the page's first line listed them all.
LEAD_PLACES = 6


def partner_summary(view: View, partner: str) -> str:
    """One line (safe HTML) on a partner: meetings, dates, who met them."""
    m = view.meetings
    if m.empty:
        return ""
    label = partner_label(view, partner)
    dates = m.drop_duplicates("id")["event_date"].dropna()
    known = sorted(d for d in dates if d[:1].isdigit())
    span = f", {known[0]} – {known[-1]}" if known else ""
    unknown = len(dates) - len(known)
    return (f"<b>{esc(label)}</b>, {esc(m['partner_province'].iloc[0])}: {m['id'].nunique():,} meeting(s)"
            f"{esc(span)}{f' ({unknown:,} with the year not stated)' if unknown else ''}; "
            f"with {esc(_who_met(m))}.")


def _who_met(meetings: pd.DataFrame) -> str:
    """The Vietnamese localities of a partner's meetings: all of them, in alphabetical order,
    or past LEAD_PLACES the most frequent, with their counts of meetings (articles)."""
    named = meetings[meetings["vn"].fillna("") != ""].drop_duplicates(["id", "vn"])
    if named.empty:
        return "no Vietnamese locality named"
    counts = Counter(place_label(v, n) for v, n in zip(named["vn_vi"], named["vn"]))
    if len(counts) <= LEAD_PLACES:
        return ", ".join(sorted(counts))
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:LEAD_PLACES]
    most = ", ".join(f"{n} with {place}" if i else f"{n} meeting(s) with {place}"
                     for i, (place, n) in enumerate(top))
    return f"{len(counts)} Vietnamese localities: {most}, and {len(counts) - LEAD_PLACES} others"


def topic_summary(view: View, topic: str, with_terms: bool = True) -> str:
    n = len(view.articles)
    k = int((view.articles[f"topic_{topic}"].fillna(0) > 0).sum()) if n else 0
    terms = view.taxonomy.counted_terms(topic)
    line = (f"<b>{esc(view.taxonomy.label(topic))}</b> (<code>{esc(topic)}</code>): mentioned in {k:,} of "
            f"{n:,} articles.")
    return line + (f" Terms counted: {esc(', '.join(terms))}." if with_terms else "")


# ----------------------------------------------------------------------------- HTML export
def _plotly_html(fig_json: dict, div_id: str) -> str:
    import plotly.io as pio

    return pio.to_html(fig_json, include_plotlyjs=False, full_html=False, div_id=div_id,
                       validate=False, config={"displaylogo": False, "responsive": True})


@functools.lru_cache(maxsize=1)
def _exporter():
    """One exporter per process: a new one compiled its Jinja templates again for every page."""
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="citycoop_report",
                        extra_template_basedirs=[str(Path(__file__).parent / "templates")],
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
    from .charts import topojson_asset

    return topojson_asset("asia_50m")


# ----------------------------------------------------------------------------- runs
@dataclass
class Job:
    name: str  # output stem: corpus_overview, partner_Chongqing, topic_metro
    notebook: str
    parameters: dict
    summary: str = ""
    error: str | None = None  # a page an earlier run failed to make (listed in the index)


@dataclass
class ReportResult:
    index_path: Path | None  # None when no page was built (``nothing``)
    written: list[str]  # pages that are there: run now, or up to date
    failures: list[str]
    up_to_date: list[str] = field(default_factory=list)  # pages not run again (``PageRecord``)
    removed: list[str] = field(default_factory=list)  # pages of partners or topics gone from the data
    extraction: ds.RunStats | None = None  # the counts of the extraction (None: a built dataset given)
    extraction_kept: bool = False  # no input changed since the dataset was written: kept as is
    nothing: str | None = None  # why no page was built: the corpus has no record (index_path is then None)


class PageRecord:
    """Which pages are up to date, as ``make`` would tell: ``.citycoop-pages.json`` in the
    output folder holds, per page, a hash of everything it is made from — the dataset's files
    (by content: a re-extraction that gives the same rows changes nothing), the notebook,
    the page's parameters, the topics file, citycoop's own code, data and templates, and the
    versions of the libraries that run and draw it. A page whose hash is as recorded, and
    whose files are there, is not run again: at 100 000 articles each page costs seconds of
    reading the dataset, and ``citycoop report`` makes one for every partner and topic.

    A dataset file whose size and mtime are as recorded is not hashed again."""

    FILE = ".citycoop-pages.json"
    LIBRARIES = ("pandas", "pyarrow", "plotly", "papermill", "nbconvert", "nbformat", "ipykernel")

    def __init__(self, out: Path):
        self.path = out / self.FILE
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            saved = {}
        saved = saved if isinstance(saved, dict) else {}
        self.pages: dict = saved.get("pages", {}) if isinstance(saved.get("pages"), dict) else {}
        self._files: dict = saved.get("files", {}) if isinstance(saved.get("files"), dict) else {}
        self._common = ""  # both set by ``prepare``
        self._notebooks: dict[str, str] = {}

    def prepare(self, dataset: Path, nb_dir: Path, topics_file, self_contained: bool = False) -> None:
        """Hash what every page shares: the dataset, the code, the libraries, the topics, and
        whether plotly.js is inlined or shared."""
        h = hashlib.blake2b(digest_size=16)
        h.update(b"inlined\n" if self_contained else b"assets\n")
        files = {}
        for f in ds.dataset_files(dataset):
            try:
                st = f.stat()
            except FileNotFoundError:
                h.update(f"{f.name}: missing\n".encode())
                continue
            known = self._files.get(str(f))
            digest = (known[2] if isinstance(known, list) and known[:2] == [st.st_size, st.st_mtime_ns]
                      else content_key(f))
            files[str(f)] = [st.st_size, st.st_mtime_ns, digest]
            h.update(f"{f.name}: {digest}\n".encode())
        self._files = files
        h.update(_code_hash().encode())
        if topics_file:
            h.update(content_key(Path(topics_file)).encode())
        self._common = h.hexdigest()
        self._notebooks = {name: content_key(nb_dir / f"{name}.ipynb") for name in NOTEBOOKS
                           if (nb_dir / f"{name}.ipynb").is_file()}

    def key(self, job: Job) -> str:
        h = hashlib.blake2b(self._common.encode(), digest_size=16)
        h.update(self._notebooks.get(job.notebook, "missing").encode())
        h.update(json.dumps(job.parameters, sort_keys=True, ensure_ascii=False).encode())
        return h.hexdigest()

    def up_to_date(self, job: Job, out: Path) -> bool:
        page = self.pages.get(job.name)
        return (isinstance(page, dict) and page.get("key") == self.key(job) and not page.get("error")
                and (out / f"{job.name}.html").is_file() and (out / f"{job.name}.ipynb").is_file())

    def figures(self, job: Job) -> int:
        return int(self.pages[job.name].get("figures", 0))

    def forget(self, jobs: list[Job]) -> None:
        """Before pages are run: a run killed while it writes them leaves them unrecorded, so the
        next run makes them again (their files may be half new)."""
        dropped = [self.pages.pop(j.name) for j in jobs if j.name in self.pages]
        if dropped:
            self._write()

    def remove_unplanned(self, plan: list[Job], out: Path) -> list[str]:
        """After a run that made every page the data call for: the pages this record says a
        run made, of partners or topics no longer in the data (another corpus, a file
        deleted), are removed, so the folder holds no page the index does not list. Files
        the record does not know are left."""
        planned = {j.name for j in plan}
        gone = sorted(name for name in self.pages if name not in planned)
        for name in gone:
            for suffix in (".html", ".ipynb"):
                (out / f"{name}{suffix}").unlink(missing_ok=True)
            del self.pages[name]
        return gone

    def save(self, plan: list[Job], results: dict) -> None:
        """Record the plan's pages; a failed one with its error, so that the index keeps
        listing it (its page shows where it stopped) and the next run makes it again."""
        for j in plan:
            err, n = results[j.name]
            self.pages[j.name] = {"key": self.key(j), "figures": n, "notebook": j.notebook,
                                  "summary": j.summary, **({"error": err} if err else {})}
        self._write()

    def other_pages(self, plan: list[Job], out: Path) -> list[Job]:
        """The pages an earlier run made that are in the folder and not in ``plan``."""
        planned = {j.name for j in plan}
        return [Job(name, page.get("notebook", ""), {}, page.get("summary", ""), page.get("error"))
                for name, page in sorted(self.pages.items())
                if name not in planned and isinstance(page, dict) and (out / f"{name}.html").is_file()]

    def _write(self) -> None:
        ds.write_text_whole(self.path, json.dumps({"files": self._files, "pages": self.pages}, indent=1))


@functools.lru_cache(maxsize=1)
def _code_hash() -> str:
    """citycoop's package files (code, data, templates), Python's and the page-making libraries'
    versions."""
    from importlib.metadata import PackageNotFoundError, version

    package = Path(__file__).resolve().parent
    h = hashlib.blake2b(digest_size=16)
    for f in sorted(package.rglob("*")):
        if f.is_file() and "__pycache__" not in f.parts:
            h.update(f"{f.relative_to(package).as_posix()}: {content_key(f)}\n".encode())
    h.update(f"python {sys.version}\n".encode())
    for lib in PageRecord.LIBRARIES:
        try:
            h.update(f"{lib} {version(lib)}\n".encode())
        except PackageNotFoundError:
            h.update(f"{lib} -\n".encode())
    return h.hexdigest()


def notebooks_dir() -> Path:
    """The repository's notebooks/ (src layout: two levels above the package), else ./notebooks."""
    here = Path(__file__).resolve().parents[2] / "notebooks"
    return here if here.is_dir() else Path.cwd() / "notebooks"


def default_corpus() -> Path:
    """The repository's seeds/ (beside notebooks/), else ./seeds: the notebooks' corpus when their
    ``corpus`` parameter is None, so that they run from any working folder."""
    here = Path(__file__).resolve().parents[2] / "seeds"
    return here if here.is_dir() else Path.cwd() / "seeds"


def _run_job(job: Job, out_dir: str, nb_dir: str, assets: str | None = None) -> tuple[str, str | None, int]:
    """Execute one notebook with papermill and export it; returns (name, error or None, figures)."""
    from . import kernels  # first: it spares papermill's imports a slow unused module

    import nbformat
    import papermill as pm

    out_ipynb = Path(out_dir) / f"{job.name}.ipynb"
    error = None
    try:
        # the engine keeps its kernel for this process's next page (``kernels``)
        pm.execute_notebook(str(Path(nb_dir) / f"{job.notebook}.ipynb"), str(out_ipynb),
                            parameters=job.parameters, cwd=nb_dir, progress_bar=False,
                            kernel_name="python3", log_output=False, engine_name=kernels.ENGINE,
                            # the kernel's own log (TCP warning, shutdown noise) is not the user's concern
                            extra_arguments=["--IPKernelApp.log_level=CRITICAL"])
    except pm.PapermillExecutionError as exc:
        error = (f"{job.name} ({job.notebook}.ipynb, parameters {job.parameters}): "
                 f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}")
    except Exception as exc:  # kernel died, notebook missing ...
        error = f"{job.name} ({job.notebook}.ipynb): {type(exc).__name__}: {exc}"
    n = 0
    if out_ipynb.exists():
        n = export_html(nbformat.read(out_ipynb, as_version=4), Path(out_dir) / f"{job.name}.html",
                        assets=Path(assets) if assets else None)
    return job.name, error, n


def plan_jobs(view: View, corpus: str, partners: list[str] | None, topics: list[str] | None,
              title: str | None) -> list[Job]:
    jobs = [Job("corpus_overview", "corpus_overview",
                {"corpus": corpus, **({"title": title} if title else {})},
                summary=_overview_summary(view))]
    counts = (view.meetings.drop_duplicates(["id", "partner"]).groupby("partner").size()
              if len(view.meetings) else pd.Series(dtype=int))
    if partners is None:
        partners = sorted(counts.index, key=lambda p: (-counts[p], p))
    for p in partners:
        try:
            # one page per partner however it is named: "Thượng Hải" is partner_Shanghai
            p = partner_name(view, p)
        except ValueError:  # the notebook fails with the message; the other pages are still made
            summary = f"{esc(p)}: not a partner in this corpus"
        else:
            summary = partner_summary(partner_view(view, p), p)
        if any(j.name == f"partner_{safe_name(p)}" for j in jobs):
            continue
        jobs.append(Job(f"partner_{safe_name(p)}", "partner_profile", {"corpus": corpus, "partner": p},
                        summary=summary))
    for t in mentioned_topics(view) if topics is None else topics:
        jobs.append(Job(f"topic_{safe_name(t)}", "topic_explorer", {"corpus": corpus, "topic": t},
                        summary=topic_summary(view, t, with_terms=False) if t in view.taxonomy.topics
                        else f"{esc(t)}: not a topic of the taxonomy"))
    return jobs


def topics_mentioned(view: View) -> dict[str, int]:
    """Per topic of the taxonomy, how many of the view's articles mention it."""
    return {t: int((view.articles[f"topic_{t}"].fillna(0) > 0).sum()) if f"topic_{t}" in view.articles
            else 0 for t in view.taxonomy.ids}


def mentioned_topics(view: View) -> list[str]:
    """The topics that get a page when none is asked for: those some article mentions (the
    others are a line in the index, not a page of empty charts)."""
    return [t for t, n in topics_mentioned(view).items() if n]


def topics_without_page(view: View) -> list[tuple[str, str]]:
    """(page name, label) of the topics no article mentions: a line in the index, not a page."""
    return [(f"topic_{safe_name(t)}", view.taxonomy.label(t)) for t, n in topics_mentioned(view).items() if not n]


def _return_freed_memory() -> None:
    """Hand the heap that freed objects leave back to the system (glibc only; elsewhere a
    no-op). Freed, the 100 000-article planning view still left this process at 346 MB for the
    whole run, its notebooks' kernels beside it; after ``malloc_trim`` 177 MB."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def safe_name(name: str) -> str:
    """A file-name-safe form of a canonical name ("Xi'an" → "Xi_an", "Hong Kong" → "Hong_Kong")."""
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)


def _overview_summary(view: View) -> str:
    f = ds.headline_figures(view.articles, view.all_articles, view.rejects, view.meetings)
    when = (f"events {esc(f['first event'])} – {esc(f['last event'])}"
            if f["first event"] != ds.NO_KNOWN_DATE else "no event with a known year")
    return (f"{f['articles']:,} articles, {f['meetings with a Chinese partner']:,} meetings with "
            f"{f['Chinese partners']:,} Chinese partners and {f['Vietnamese localities']:,} Vietnamese "
            f"localities; {when}, {esc(f['events with unknown year'])} of unknown year.")


def is_built_dataset(paths) -> bool:
    """A single Parquet file or folder made by ``citycoop extract -f parquet`` (or Dask)."""
    paths = list(paths)
    return len(paths) == 1 and ds.is_built_dataset(paths[0])


def build_reports(paths, *, out_dir="reports", settings: ds.Settings | None = None, partners=None,
                  topics=None, jobs: int = 1, extract_jobs: int = 0, cache=None, title=None,
                  progress: bool = True, nb_dir: str | Path | None = None,
                  overview_only: bool = False, force: bool = False, on_reject=None,
                  self_contained: bool = False) -> ReportResult:
    """Extract ``paths`` (or take the built dataset given) and write the pages and their index
    into ``out_dir``. A page whose inputs are as when it was made is not run again
    (``PageRecord``) unless ``force``. ``on_reject(reject)`` is called for each input the
    extraction rejects, as in ``dataset.write_dataset``. The pages share plotly.js and the map
    outline in ``out_dir/assets/``; ``self_contained`` inlines them in every page instead."""
    out = Path(out_dir).resolve()
    (out / "data").mkdir(parents=True, exist_ok=True)
    with ds.output_lock(out, out / ".citycoop.lock"):  # one report run writes these pages at a time
        return _build_reports(paths, out, settings=settings or ds.Settings(), partners=partners,
                              topics=topics, jobs=jobs, extract_jobs=extract_jobs, cache=cache,
                              title=title, progress=progress, nb_dir=nb_dir, overview_only=overview_only,
                              force=force, on_reject=on_reject, self_contained=self_contained)


def _build_reports(paths, out: Path, *, settings: ds.Settings, partners, topics, jobs: int,
                   extract_jobs: int, cache, title, progress: bool, nb_dir,
                   overview_only: bool, force: bool, on_reject, self_contained: bool) -> ReportResult:
    nb_dir = Path(nb_dir or notebooks_dir()).resolve()
    extraction, kept = None, False
    if is_built_dataset(paths):  # a corpus extracted elsewhere: report on it as it is
        parquet = Path(paths[0]).resolve()
    else:
        parquet = out / "data" / "corpus.parquet"
        extraction, kept = ds.write_dataset(paths, parquet, settings, jobs=extract_jobs, cache=cache,
                                         progress=progress, on_reject=on_reject)
    view = corpus_view(parquet, topics_file=settings.topics_file, light=True)
    if not len(view.all_articles):  # pages of empty charts help nobody: none is built, and the run fails
        why = (extraction.nothing_extracted() if extraction is not None else None) or (
            "no input files" if extraction is not None and not extraction.files else f"{parquet} holds no record")
        return ReportResult(None, [], [], extraction=extraction, extraction_kept=kept, nothing=why)
    plan = plan_jobs(view, str(parquet), [] if overview_only else partners,
                     [] if overview_only else topics, title)
    stats = view.stats
    no_page = ([] if overview_only or topics is not None else
               topics_without_page(view))
    del view  # each notebook reads the dataset itself: the plan's view is not held (nor forked) meanwhile
    _return_freed_memory()
    if settings.topics_file:
        for j in plan:
            j.parameters["topics_file"] = str(Path(settings.topics_file).resolve())
    record = PageRecord(out)
    record.prepare(parquet, nb_dir, settings.topics_file, self_contained)
    assets = None if self_contained else str(out / ASSETS_DIR)
    up_to_date = [] if force else [j for j in plan if record.up_to_date(j, out)]
    results: dict[str, tuple[str | None, int]] = {j.name: (None, record.figures(j)) for j in up_to_date}
    to_run = [j for j in plan if j.name not in results]
    record.forget(to_run)
    bar = None
    if progress and to_run:
        from tqdm import tqdm

        bar = tqdm(total=len(to_run), unit="notebook", desc="report", file=sys.stderr)
    if jobs > 1 and len(to_run) > 1:
        with ProcessPoolExecutor(max_workers=min(jobs, len(to_run)), initializer=ds.init_worker_process,
                                 initargs=(os.getpid(),)) as pool:
            try:
                futures = [pool.submit(_run_job, j, str(out), str(nb_dir), assets) for j in to_run]
                for fut in as_completed(futures):
                    name, err, n = fut.result()
                    results[name] = (err, n)
                    if bar is not None:
                        bar.update(1)
            except KeyboardInterrupt:  # stopped: the notebooks running are not waited for
                ds.terminate_pool_processes([pool])
                raise
    else:
        try:
            for j in to_run:
                name, err, n = _run_job(j, str(out), str(nb_dir), assets)
                results[name] = (err, n)
                if bar is not None:
                    bar.update(1)
        finally:
            if to_run:  # (nothing to run: papermill is not even imported)
                from . import kernels

                kernels.shutdown()  # the pages' kernel, kept from page to page
    if bar is not None:
        bar.close()
    failures = [results[j.name][0] for j in plan if results[j.name][0]]
    whole_plan = partners is None and topics is None and not overview_only
    removed = record.remove_unplanned(plan, out) if whole_plan else []
    record.save(plan, results)
    # A run limited to some pages lists the folder's other pages too, as an earlier run left them.
    earlier = [] if whole_plan else record.other_pages(plan, out)
    index = write_index(out, plan + earlier, {**results, **{j.name: (j.error, 0) for j in earlier}},
                        stats, no_page)
    return ReportResult(index, [j.name for j in plan if not results[j.name][0]], failures,
                        [j.name for j in up_to_date], removed, extraction, kept)



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
