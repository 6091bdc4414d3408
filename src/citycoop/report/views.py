"""What the report notebooks call: a corpus read and narrowed to what a page shows.

``corpus_view`` reads a corpus (raw files, or a dataset built by ``citycoop extract -f
parquet`` without its heavy columns) into a ``View``. The reports count **meetings**: one event,
reported by one or more articles (``meetings.py`` groups them by parties, direction and date).
A view holds the selected meetings (``load_meetings``: the built dataset's meetings table, else
grouped now; ``select_meetings``), their parties (``parties``: a row per meeting × Chinese
partner × Vietnamese side, what the place charts count), the selected articles
(``select_articles``, for the article tables) and the taxonomy; ``partner_view`` narrows it to
one partner's meetings, the partner named as readers name it (``partner_name``). ``evidence``,
``texts`` and ``meeting_articles`` read what a table shows for just its rows. The headings, the
headline figures, how widely meetings were reported (``coverage``) and the one-line summaries
at the top of a page (and in the index) are made here too.
"""
from __future__ import annotations

import difflib
import functools
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import dataset as ds
from .. import meetings as grouping
from ..extract.dates import year_known, years_known  # the one rule for a known year
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
    """What a notebook shows: the selected meetings and their parties, the selected articles and
    the taxonomy."""

    articles: pd.DataFrame
    all_articles: pd.DataFrame  # every article, duplicates too (``light``: only id and duplicate_of)
    meetings: pd.DataFrame  # one row per meeting (MEETING_COLUMNS and a topic_<id> flag per topic)
    parties: pd.DataFrame  # one row per meeting × Chinese partner × Vietnamese side (PARTY_COLUMNS)
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
    kept beside the selection. ``corpus`` None: the repository's seeds (``default_corpus``).

    The meetings are selected by their own event date (``select_meetings``), the articles by
    theirs (``select_articles``); ``include_duplicates`` concerns the articles only (a meeting
    counts every article that reports it, copies too)."""
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
    # before the whole table is slimmed: the meetings take their first article's title from it
    meetings = select_meetings(load_meetings(source, data.articles, taxonomy.ids),
                               date_from=date_from, date_to=date_to)
    everything, rejects, stats = data.articles, data.rejects, data.stats
    del data
    if light:
        # Of the whole table the reports count the rows and list the duplicates: holding all its
        # columns beside the selection (a copy) cost ≈ 0.6 KB an article, 0.6 GB a kernel at a
        # million articles.
        everything = everything[["id", "duplicate_of"]]
        # Reading and selecting leave freed heap behind: handed back before the parties are
        # built, a million-article view peaks at 1.8 GB instead of 2.3 GB, and a kernel holds
        # 1.1 GB with it, not 1.95 GB.
        return_freed_memory()
    view = View(articles, everything, meetings, parties(meetings), rejects, taxonomy, topic_ids, stats, source)
    del articles, everything, meetings
    return_freed_memory()  # and what building the parties left
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


def meeting_articles(view: View, meetings: pd.DataFrame | None = None) -> pd.DataFrame:
    """``id``, ``title``, ``url``, ``outlet`` (and the correction columns, when the dataset has
    them) of the articles ``tables.meetings_table`` and ``tables.officials_table`` list for
    ``meetings`` (by default the view's): the first ``MAX_ROWS`` meetings by event date, at most
    ``ARTICLES_PER_MEETING`` articles each. The view's articles give most; a copy of a story
    (left out of them) is read from the built dataset, for those rows only."""
    from .. import tables  # here, not above: tables imports this module (topic_presence)

    shown = tables.by_event_date(view.meetings if meetings is None else meetings, tables.MAX_ROWS)
    ids = list(dict.fromkeys(i for listed in shown["article_ids"] for i in listed[:tables.ARTICLES_PER_MEETING]))
    columns = ["id", "title", "url", "outlet"] + [c for c in CORRECTION_COLUMNS[:2] if c in view.articles]
    have = view.articles.loc[view.articles["id"].isin(ids), columns]
    missing = sorted(set(ids) - set(have["id"]))
    if missing:
        rest = (view.all_articles.loc[view.all_articles["id"].isin(missing), columns] if view.source is None
                else ds.read_rows(view.source, columns[1:], missing))
        have = pd.concat([have, rest], ignore_index=True)
    return have.reset_index(drop=True)


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
        known = years_known(df["event_date"])
        dates = df["event_date"].where(known)
        keep = known.copy()
        if date_from:
            keep &= dates >= date_from
        if date_to:
            keep &= dates <= date_to
        df = df[keep]
    return df.reset_index(drop=True)


# A built dataset's meetings table (meetings.flat_meeting) as a view reads it: evidence left out.
MEETING_TABLE_COLUMNS = ["meeting_id", "event_date", "event_end", "date_precision", "direction",
                         "vn_localities_json", "partners_json", "officials_json", "topics", "n_articles",
                         "n_outlets", "outlets", "first_report", "last_report", "article_ids_json", "warnings"]
# ``View.meetings``: the table's columns, the meeting's id as ``id`` and its article ids as a list,
# its first article's title and URL, whether its year is known; then topic_<id> (1: an article of
# the meeting mentions the topic).
MEETING_COLUMNS = ["id", "event_date", "event_end", "date_precision", "year_known", "direction", "title", "url",
                   "vn_localities_json", "partners_json", "officials_json", "topics", "n_articles", "n_outlets",
                   "outlets", "first_report", "last_report", "article_ids", "warnings"]


def load_meetings(source: Path | None, articles: pd.DataFrame, topic_ids: Iterable[str]) -> pd.DataFrame:
    """The corpus's meetings, a row each (MEETING_COLUMNS): the meetings table ``citycoop
    extract`` wrote beside the built dataset ``source`` (``meetings.meetings_path_for``), or,
    without one (raw files read in memory, a dataset built before meetings were), the records
    grouped now by ``meetings.group``, as the table would hold them. ``articles``: the records
    (at least ``id``, ``title`` and ``url``; every column ``meetings.group`` reads when there is
    no table), for each meeting's first article's title."""
    table = grouping.meetings_path_for(source, "parquet") if source is not None else None
    if table is not None and table.is_file():
        flat = pd.read_parquet(table, columns=MEETING_TABLE_COLUMNS)
    else:
        if source is not None:  # read by columns: the texts are not loaded
            reports = grouping.reports_of_output(source, "parquet")
        else:
            wanted = [c for c in articles.columns if c in grouping.ROW_COLUMNS or c.startswith("topic_")]
            reports = (grouping.Report.of_row(row) for row in articles[wanted].to_dict("records"))
        # through Arrow, as the table is written and read: the same columns and dtypes
        flat = grouping.flat_table(grouping.group(reports)).select(MEETING_TABLE_COLUMNS).to_pandas()
    m = flat.rename(columns={"meeting_id": "id"}).reset_index(drop=True)
    m["article_ids"] = [json.loads(s) if isinstance(s, str) and s else [] for s in m.pop("article_ids_json")]
    first = (articles[["id", "title", "url"]].drop_duplicates("id").set_index("id")
             .reindex([listed[0] if listed else None for listed in m["article_ids"]]))
    m["title"], m["url"] = first["title"].to_numpy(), first["url"].to_numpy()
    m["year_known"] = years_known(m["event_date"]).astype(bool)
    m["n_articles"], m["n_outlets"] = m["n_articles"].astype("int64"), m["n_outlets"].astype("int64")
    topics = m["topics"].fillna("")
    flags = {f"topic_{t}": topics.str.contains(rf"(?:^|; ){re.escape(t)}(?:;|$)").astype("int64")
             for t in topic_ids}
    return pd.concat([m[MEETING_COLUMNS], pd.DataFrame(flags, index=m.index)], axis=1)


def select_meetings(meetings: pd.DataFrame, *, date_from: str | None = None,
                    date_to: str | None = None) -> pd.DataFrame:
    """The meetings in a date range, by their event date (the day most of their articles give).
    A meeting of unknown year cannot be placed in a range: with one it is left out, and the
    overview says how many there are."""
    keep = pd.Series(True, index=meetings.index)
    if date_from or date_to:
        dates = meetings["event_date"].where(meetings["year_known"])
        keep = meetings["year_known"].astype(bool)
        if date_from:
            keep &= dates >= date_from
        if date_to:
            keep &= dates <= date_to
    return meetings[keep].reset_index(drop=True)


PARTY_COLUMNS = ["id", "title", "event_date", "year_known", "direction", "n_articles", "n_outlets", "outlets",
                 "partner", "partner_vi", "partner_province", "partner_level", "partner_lat", "partner_lon",
                 "vn", "vn_vi", "vn_lat", "vn_lon"]


def parties(meetings: pd.DataFrame) -> pd.DataFrame:
    """One row per meeting × Chinese partner × Vietnamese side (side may be empty): what the
    charts of places count, ``id`` being the meeting's.

    Each distinct JSON string is parsed once (a corpus repeats the same partner sets) into
    numbers of distinct places; the loop over meetings only collects row numbers, and every
    column is then taken whole: 100 000 rows in ≈ 0.4 s with 48 MB at peak beyond the input,
    against ≈ 0.8 s and 135 MB making a tuple per row (every report notebook runs it)."""
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

    meeting_at: list[int] = []
    partner_at: list[int] = []
    side_at: list[int] = []  # -1: no Vietnamese side named
    for i, (partners_json, vn_json) in enumerate(zip(meetings["partners_json"].tolist(),
                                                     meetings["vn_localities_json"].tolist())):
        partners = numbers(partners_json, [])
        if partners:
            sides = numbers(vn_json, [-1])
            for p in partners:
                meeting_at += [i] * len(sides)
                partner_at += [p] * len(sides)
                side_at += sides
    fields = list(zip(*places)) or [()] * 6

    def take(k: int, at: list[int], dtype):
        # the value after the last place is what index -1 (no side) takes
        values = np.asarray(list(fields[k]) + [None], dtype=object)[np.asarray(at, dtype=np.int64)]
        return pd.Series(values, dtype=dtype)

    kept = PARTY_COLUMNS[:8]
    rows = meetings[kept].iloc[np.asarray(meeting_at, dtype=np.int64)].reset_index(drop=True)
    out = {c: rows[c] for c in kept}
    out["year_known"] = rows["year_known"].astype(bool)
    for name, k, dtype in (("partner", 0, "str"), ("partner_vi", 1, "str"), ("partner_province", 2, "str"),
                           ("partner_level", 3, "str"), ("partner_lat", 4, "float64"),
                           ("partner_lon", 5, "float64")):
        out[name] = take(k, partner_at, dtype)
    for name, k, dtype in (("vn", 0, "str"), ("vn_vi", 1, "str"), ("vn_lat", 4, "float64"),
                           ("vn_lon", 5, "float64")):
        out[name] = take(k, side_at, dtype)
    return pd.DataFrame(out, columns=PARTY_COLUMNS)


def topic_presence(articles: pd.DataFrame, topic_ids: Iterable[str]) -> pd.DataFrame:
    """Boolean frame: does article i mention topic t at least once."""
    return pd.DataFrame({t: articles[f"topic_{t}"].fillna(0).astype(int) > 0 for t in topic_ids},
                        index=articles.index)


NO_KNOWN_DATE = "–"  # the first and last meeting of a selection with no meeting of known year


@dataclass(frozen=True)
class Coverage:
    """How widely some meetings were reported: by how many articles, and outlets. An article that
    names no outlet may be any outlet: ``meetings.py`` counts it as one of its own in a
    meeting's ``n_outlets``; here it is counted apart (``unnamed``), so that a corpus of
    scraped texts without outlets does not read as reported by as many outlets as articles."""

    meetings: int
    articles: int
    outlets: int  # outlets named, each once
    unnamed: int  # articles that name no outlet

    def reach(self) -> str:
        """"31 articles by 9 outlets" (and those of unknown outlet)."""
        said = f"{_count(self.articles, 'article')}"
        if not self.unnamed:
            return f"{said} by {_count(self.outlets, 'outlet')}"
        if not self.outlets:
            return f"{said}, no outlet named"
        return f"{said} by {_count(self.outlets, 'outlet')} and {self.unnamed:,} of unknown outlet"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def coverage(meetings: pd.DataFrame) -> Coverage:
    """The coverage of the meetings of a frame with ``id``, ``n_articles``, ``n_outlets`` and
    ``outlets`` (a meeting's row, or its parties' rows: each meeting counts once)."""
    m = meetings.drop_duplicates("id")
    named: set[str] = set()
    unnamed = 0
    for outlets, n in zip(m["outlets"].tolist(), m["n_outlets"].tolist()):
        names = [o for o in outlets.split("; ") if o] if isinstance(outlets, str) else []
        named.update(names)
        unnamed += int(n) - len(names)
    return Coverage(len(m), int(m["n_articles"].sum()), len(named), unnamed)


def coverage_line(view: View) -> str:
    """The overview's first figure, as a sentence (safe HTML): "12 meetings, reported in 31
    articles by 9 outlets"."""
    c = coverage(view.meetings)
    return (f'<p class="citycoop-lead"><b>{_count(c.meetings, "meeting")}</b>, reported in '
            f"{esc(c.reach())}.</p>")


def headline_figures(view: View) -> dict:
    """The numbers at the top of the overview: meetings and their coverage, their parties and
    dates, then the articles read and the inputs rejected."""
    m, p = view.meetings, view.parties
    c = coverage(m)
    dates = m["event_date"].dropna()
    known = dates[m.loc[dates.index, "year_known"]]
    return {
        "meetings": c.meetings,
        "articles reporting them": c.articles,
        "outlets reporting them": c.outlets,
        "articles of unknown outlet": c.unnamed,
        "meetings reported by two or more articles": int((m["n_articles"] > 1).sum()),
        "Chinese partners": int(p["partner"].nunique()),
        "Vietnamese localities": int(p["vn"].dropna().nunique()),
        "first meeting": known.min() if len(known) else NO_KNOWN_DATE,
        "last meeting": known.max() if len(known) else NO_KNOWN_DATE,
        "meetings of unknown year": f"{len(dates) - len(known):,} of {len(dates):,}" if len(dates) else "0",
        "articles read (copies of a story too)": int(len(view.all_articles)),
        "rejected inputs": int(len(view.rejects)) if view.rejects is not None else 0,
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
    known = sorted(view.parties["partner"].unique())
    if partner in known:
        return partner
    listed = f"partners in this corpus are {', '.join(known) or 'none'}"
    # The corpus's own spellings first: they decide between namesakes of the gazetteer.
    names: dict[str, list[str]] = {}
    spellings: dict[str, str] = {}  # folded → as an error message shows it
    pairs = view.parties[["partner", "partner_vi"]].drop_duplicates()
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
    """The same view narrowed to the meetings that name one partner, and their articles;
    ``partner`` as ``partner_name`` reads it (English id, Vietnamese name or alias)."""
    partner = partner_name(view, partner)
    mine = view.parties["partner"] == partner
    meetings = view.meetings[view.meetings["id"].isin(set(view.parties.loc[mine, "id"]))].reset_index(drop=True)
    reported = {i for listed in meetings["article_ids"] for i in listed}
    articles = view.articles[view.articles["id"].isin(reported)].reset_index(drop=True)
    return View(articles, view.all_articles, meetings, view.parties[mine].reset_index(drop=True), view.rejects,
                view.taxonomy, view.topic_ids, view.stats, view.source)


# ----------------------------------------------------------------------------- headings and summaries
def heading(title: str, lead: str = "") -> "object":
    from IPython.display import HTML

    return HTML(f"<h1>{esc(title)}</h1>" + (f'<p class="citycoop-lead">{lead}</p>' if lead else ""))


def html_block(markup: str):
    from IPython.display import HTML

    return HTML(markup)


def partner_label(view: View, partner: str) -> str:
    """"Trùng Khánh (Chongqing)": the partner as Vietnamese readers know it, with its id."""
    p = view.parties
    # the view's own id, so that a partner asked for by its Vietnamese name reads the same
    return place_label(p["partner_vi"].iloc[0], p["partner"].iloc[0]) if len(p) else partner


# A partner's one-line summary names at most this many Vietnamese localities, most meetings
# first: at 100 000 articles Xiamen had met 32, and the page's first line listed them all.
LEAD_PLACES = 6


def partner_summary(view: View, partner: str) -> str:
    """One line (safe HTML) on a partner: meetings, dates, how widely reported, who met them."""
    p = view.parties
    if p.empty:
        return ""
    label = partner_label(view, partner)
    dates = view.meetings["event_date"].dropna()
    known = sorted(d for d in dates if year_known(d))
    span = f", {known[0]} – {known[-1]}" if known else ""
    unknown = len(dates) - len(known)
    return (f"<b>{esc(label)}</b>, {esc(p['partner_province'].iloc[0])}: {p['id'].nunique():,} meeting(s)"
            f"{esc(span)}{f' ({unknown:,} with the year not stated)' if unknown else ''}, reported in "
            f"{esc(coverage(view.meetings).reach())}; with {esc(_who_met(p))}.")


def _who_met(parties: pd.DataFrame) -> str:
    """The Vietnamese localities of a partner's meetings: all of them, in alphabetical order,
    or past LEAD_PLACES the most frequent, with their counts of meetings."""
    named = parties[parties["vn"].fillna("") != ""].drop_duplicates(["id", "vn"])
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
    """One line (safe HTML) on a topic: the meetings that discussed it (an article of theirs
    mentions it), and the articles that mention it."""
    n, k = len(view.meetings), int((view.meetings[f"topic_{topic}"] > 0).sum()) if len(view.meetings) else 0
    n_articles = len(view.articles)
    k_articles = int((view.articles[f"topic_{topic}"].fillna(0) > 0).sum()) if n_articles else 0
    terms = view.taxonomy.counted_terms(topic)
    line = (f"<b>{esc(view.taxonomy.label(topic))}</b> (<code>{esc(topic)}</code>): discussed in {k:,} of "
            f"{_count(n, 'meeting')}; mentioned in {k_articles:,} of {_count(n_articles, 'article')}.")
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
