"""What the report notebooks call: a corpus read and narrowed to what a page shows.

``corpus_view`` reads a corpus (raw files, or a dataset built by ``citycoop extract -f
parquet`` without its heavy columns) into a ``View``: the selected articles
(``select_articles``), their meetings (``meetings``: a row per article × partner × side) and
the taxonomy; ``partner_view`` narrows it to one partner, named as readers name it
(``partner_name``). ``evidence`` and ``texts`` read the heavy columns for just the rows a table
shows. The headings, the headline figures and the one-line summaries at the top of a page
(and in the index) are made here too.
"""
from __future__ import annotations

import difflib
import functools
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import dataset as ds
from ..extract.topics import Taxonomy, load_taxonomy
from ..markup import esc, place_label
from ..records import CORRECTION_COLUMNS, REPORT_COLUMNS  # declared with the record's fields


# ----------------------------------------------------------------------------- views
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
        columns = (REPORT_COLUMNS + [f"topic_{t}" for t in taxonomy.ids]
                   + [c for c in CORRECTION_COLUMNS if c in ds.light_columns(source)] if light
                   else ds.light_columns(source))
    data = ds.load_dataset(corpus, settings=ds.Settings(topics_file=topics_file), columns=columns)
    articles = select_articles(data.articles, date_from=date_from, date_to=date_to,
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
        return_freed_memory()
    view = View(articles, everything, meetings(articles), rejects, taxonomy, topic_ids, stats, source)
    del articles, everything
    return_freed_memory()  # and what building the meetings left
    return view


def default_corpus() -> Path:
    """The repository's seeds/ (beside notebooks/), else ./seeds: the notebooks' corpus when their
    ``corpus`` parameter is None, so that they run from any working folder."""
    here = Path(__file__).resolve().parents[3] / "seeds"
    return here if here.is_dir() else Path.cwd() / "seeds"


def evidence(view: View, topics: list[str]) -> pd.DataFrame:
    """``id`` and ``evidence_json`` of the view's articles that ``tables.evidence_table`` can
    show for ``topics`` (read from the built dataset for those rows only)."""
    from .. import tables  # here, not above: tables imports this module (topic_presence)

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


# ----------------------------------------------------------------------------- selections and figures
def select_articles(articles: pd.DataFrame, *, date_from: str | None = None,
                    date_to: str | None = None, include_duplicates: bool = False) -> pd.DataFrame:
    """Articles to count: duplicates out (each story once) unless asked, those an analyst marked
    as no meeting out, and a date range on the event date. Events of unknown year cannot be
    placed in a range: with a range they are left out, and the overview says how many."""
    df = articles
    if not include_duplicates and "duplicate_of" in df:
        df = df[df["duplicate_of"].isna() | (df["duplicate_of"] == "")]
    if "not_a_meeting" in df:  # corrections.py: it stays in the records, not in the charts
        df = df[~df["not_a_meeting"].fillna(False).astype(bool)]
    if date_from or date_to:
        known = df["event_date"].fillna("").str.match(r"^\d{4}-")
        dates = df["event_date"].where(known)
        keep = known.copy()
        if date_from:
            keep &= dates >= date_from
        if date_to:
            keep &= dates <= date_to
        df = df[keep]
    return df.reset_index(drop=True)


MEETING_COLUMNS = ["id", "title", "url", "outlet", "event_date", "year_known", "direction", "partner",
                   "partner_vi", "partner_province", "partner_level", "partner_lat", "partner_lon",
                   "vn", "vn_vi", "vn_lat", "vn_lon"]


def meetings(articles: pd.DataFrame) -> pd.DataFrame:
    """One row per article × Chinese partner × Vietnamese side (side may be empty).

    Each distinct JSON string is parsed once (a corpus repeats the same partner sets) into
    numbers of distinct places; the loop over articles only collects row numbers, and every
    column is then taken whole: 100 000 articles in ≈ 0.4 s with 48 MB at peak beyond the
    input, against ≈ 0.8 s and 135 MB making a tuple per row (every report notebook runs it)."""
    places: dict[tuple, int] = {}  # (name, name_vi, province, level, lat, lon) → its number
    parsed: dict[str, list[int]] = {}

    def numbers(text, none: list[int]) -> list[int]:
        if not isinstance(text, str) or text in ("", "[]"):
            return none
        found = parsed.get(text)
        if found is None:  # cached as parsed: the same text may come in either column
            found = parsed[text] = [places.setdefault(
                (p["name"], p["name_vi"], p.get("province"), p.get("level"), p["lat"], p["lon"]), len(places))
                for p in json.loads(text)]
        return found or none

    article_at: list[int] = []
    partner_at: list[int] = []
    side_at: list[int] = []  # -1: no Vietnamese side named
    for i, (partners_json, vn_json) in enumerate(zip(articles["partners_json"].tolist(),
                                                     articles["vn_localities_json"].tolist())):
        partners = numbers(partners_json, [])
        if partners:
            sides = numbers(vn_json, [-1])
            for p in partners:
                article_at += [i] * len(sides)
                partner_at += [p] * len(sides)
                side_at += sides
    fields = list(zip(*places)) or [()] * 6

    def take(k: int, at: list[int], dtype):
        # the value after the last place is what index -1 (no side) takes
        values = np.asarray(list(fields[k]) + [None], dtype=object)[np.asarray(at, dtype=np.int64)]
        return pd.Series(values, dtype=dtype)

    rows = articles[["id", "title", "url", "outlet", "event_date", "direction"]].iloc[
        np.asarray(article_at, dtype=np.int64)].reset_index(drop=True)
    dates = rows["event_date"]
    out = {c: rows[c] for c in ("id", "title", "url", "outlet", "event_date")}
    out["year_known"] = dates.fillna("").str[:1].str.isdigit().astype(bool)
    out["direction"] = rows["direction"]
    for name, k, dtype in (("partner", 0, "str"), ("partner_vi", 1, "str"), ("partner_province", 2, "str"),
                           ("partner_level", 3, "str"), ("partner_lat", 4, "float64"),
                           ("partner_lon", 5, "float64")):
        out[name] = take(k, partner_at, dtype)
    for name, k, dtype in (("vn", 0, "str"), ("vn_vi", 1, "str"), ("vn_lat", 4, "float64"),
                           ("vn_lon", 5, "float64")):
        out[name] = take(k, side_at, dtype)
    return pd.DataFrame(out, columns=MEETING_COLUMNS)


def topic_presence(articles: pd.DataFrame, topic_ids: Iterable[str]) -> pd.DataFrame:
    """Boolean frame: does article i mention topic t at least once."""
    return pd.DataFrame({t: articles[f"topic_{t}"].fillna(0).astype(int) > 0 for t in topic_ids},
                        index=articles.index)


NO_KNOWN_DATE = "–"  # the first and last event of a selection with no event of known year


def headline_figures(articles: pd.DataFrame, all_articles: pd.DataFrame | None = None,
                     rejects: pd.DataFrame | None = None, meeting_rows: pd.DataFrame | None = None) -> dict:
    """The numbers at the top of the overview (``meeting_rows``: ``meetings(articles)`` if known)."""
    m = meetings(articles) if meeting_rows is None else meeting_rows
    dates = articles["event_date"].dropna()
    known = dates[dates.str.match(r"^\d{4}-")]
    n_events = int(dates.size)
    return {
        "articles": int(len(all_articles) if all_articles is not None else len(articles)),
        "stories (duplicates counted once)": int(len(articles)),
        "meetings with a Chinese partner": int(m["id"].nunique()) if len(m) else 0,
        "Chinese partners": int(m["partner"].nunique()) if len(m) else 0,
        "Vietnamese localities": int(m["vn"].dropna().nunique()) if len(m) else 0,
        "first event": known.min() if len(known) else NO_KNOWN_DATE,
        "last event": known.max() if len(known) else NO_KNOWN_DATE,
        "events with unknown year": f"{n_events - len(known):,} of {n_events:,}" if n_events else "0",
        "rejected inputs": int(len(rejects)) if rejects is not None else 0,
    }


def topics_mentioned(view: View) -> dict[str, int]:
    """Per topic of the taxonomy, how many of the view's articles mention it."""
    return {t: int((view.articles[f"topic_{t}"].fillna(0) > 0).sum()) if f"topic_{t}" in view.articles
            else 0 for t in view.taxonomy.ids}


def mentioned_topics(view: View) -> list[str]:
    """The topics that get a page when none is asked for: those some article mentions (the
    others are a line in the index, not a page of empty charts)."""
    return [t for t, n in topics_mentioned(view).items() if n]


# ----------------------------------------------------------------------------- partners by name
def _fold(name: str) -> str:
    """A name as the partner lookup compares it: NFC, one tone-mark style, case and spacing folded
    ("thượng  hải", "Thượng Hải" and the decomposed form are one key)."""
    from ..normalize import normalize_text

    return " ".join(normalize_text(name).casefold().split())


@functools.lru_cache(maxsize=1)
def _chinese_names() -> dict[str, tuple[str, ...]]:
    """Folded name → the canonical ids of the Chinese localities it names: the English id, the
    Vietnamese name and the aliases (which the gazetteer keeps only in its matcher's table of
    surface forms, prefixes such as "TP" removed)."""
    from ..gazetteer import load_gazetteer

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


# ----------------------------------------------------------------------------- headings and summaries
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


# ----------------------------------------------------------------------------- memory
def return_freed_memory() -> None:
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
