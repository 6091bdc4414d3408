"""Report runs: plan the pages, run their notebooks with papermill, and remember what each page
was made from.

``build_reports`` extracts the corpus once to Parquet, plans the pages (``plan_jobs``:
``corpus_overview`` and the ``review`` page once, ``partner_profile`` per partner,
``topic_explorer`` per topic, each a ``Job`` with its parameters), runs each notebook with
papermill in the kept kernel of the ``citycoop`` engine (``kernels``), exports it (``html.export_html``) and writes ``index.html``
(``html.write_index``). A notebook that fails is named with its cell and error; the others are
still written. A page whose data, notebook, parameters and code are as when it was made is not
run again (``PageRecord``).
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import dataset as ds
from ..cache import content_key
from ..meetings import meetings_path_for
from ..markup import esc
from .html import ASSETS_DIR, export_html, write_index
from .review import review_summary
from .views import (NO_KNOWN_DATE, View, corpus_view, coverage, headline_figures, mentioned_topics, partner_name,
                    partner_summary, partner_view, return_freed_memory, topic_summary, topics_mentioned)

NOTEBOOKS = ("corpus_overview", "review", "partner_profile", "topic_explorer")


# ----------------------------------------------------------------------------- pages and their record
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
        # the meetings table too: a correction that moves an article changes it
        meetings = meetings_path_for(dataset, "parquet")
        for f in ds.dataset_files(dataset) + ([meetings] if meetings.is_file() else []):
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

    package = Path(__file__).resolve().parents[1]  # citycoop, not only report/
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
    here = Path(__file__).resolve().parents[3] / "notebooks"
    return here if here.is_dir() else Path.cwd() / "notebooks"


# ----------------------------------------------------------------------------- the plan
def plan_jobs(view: View, corpus: str, partners: list[str] | None, topics: list[str] | None,
              title: str | None, overview_only: bool = False) -> list[Job]:
    """The pages to make: the overview, the review page (not with ``overview_only``), a
    partner's page for each of ``partners`` (None: every partner, most meetings first) and a
    topic's for each of ``topics`` (None: every topic an article mentions)."""
    jobs = [Job("corpus_overview", "corpus_overview",
                {"corpus": corpus, **({"title": title} if title else {})},
                summary=_overview_summary(view))]
    if not overview_only:
        jobs.append(Job("review", "review", {"corpus": corpus}, summary=review_summary(view)))
    counts = (view.parties.drop_duplicates(["id", "partner"]).groupby("partner").size()
              if len(view.parties) else pd.Series(dtype=int))
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


def topics_without_page(view: View) -> list[tuple[str, str]]:
    """(page name, label) of the topics no article mentions: a line in the index, not a page."""
    return [(f"topic_{safe_name(t)}", view.taxonomy.label(t)) for t, n in topics_mentioned(view).items() if not n]


def safe_name(name: str) -> str:
    """A file-name-safe form of a canonical name ("Xi'an" → "Xi_an", "Hong Kong" → "Hong_Kong")."""
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)


def _overview_summary(view: View) -> str:
    f = headline_figures(view)
    when = (f"meetings {esc(f['first meeting'])} – {esc(f['last meeting'])}"
            if f["first meeting"] != NO_KNOWN_DATE else "no meeting with a known year")
    return (f"{f['meetings']:,} meetings with {f['Chinese partners']:,} Chinese partners and "
            f"{f['Vietnamese localities']:,} Vietnamese localities, reported in "
            f"{esc(coverage(view.meetings).reach())}; {when}, {esc(f['meetings of unknown year'])} "
            f"of unknown year. {f['articles read (copies of a story too)']:,} articles read.")


# ----------------------------------------------------------------------------- runs
def _run_job(job: Job, out_dir: str, nb_dir: str, assets: str | None = None) -> tuple[str, str | None, int]:
    """Execute one notebook with papermill and export it; returns (name, error or None, figures)."""
    from .. import kernels  # first: it spares papermill's imports a slow unused module

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
                     [] if overview_only else topics, title, overview_only)
    stats = view.stats
    no_page = ([] if overview_only or topics is not None else
               topics_without_page(view))
    del view  # each notebook reads the dataset itself: the plan's view is not held (nor forked) meanwhile
    return_freed_memory()
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
                from .. import kernels

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
