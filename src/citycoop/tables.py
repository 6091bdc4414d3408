"""Tables for reports: DataFrames whose cells are already safe HTML.

Everything taken from articles (titles, evidence sentences, names) is escaped here, and only
``http(s)`` links are made clickable, so a title such as ``<script>…`` shows as text.
``to_html`` renders a table for a notebook (``IPython.display.HTML``); a table of more than
SCROLL_ROWS rows scrolls in a box of about that height, its header row staying in view.

The meetings tables list a row per meeting with the articles that reported it (titles linked
to their pages, outlets, a correction marked), the article table a row per article; the review
table a row per thing to check, with the article's lead sentence and a corrections entry to copy.
A table lists at most MAX_ROWS rows and then says, under it, what was left out (the note in
``DataFrame.attrs["note"]``). The evidence and keyword tables can take the heavy column they
need for just the rows they may show (``evidence=``, ``texts=``), so a report on a large
built dataset never loads every article's text.
"""
from __future__ import annotations

import heapq
import html
import json
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .normalize import tone_style_variants
from .markup import esc, place_label
from .matching import compile_terms

MAX_ROWS = 500  # a report lists at most this many rows and says how many were left out
ARTICLES_PER_MEETING = 10  # a meeting's row lists this many of its articles, then says how many more
EVIDENCE_MIN_PER_TOPIC = 20  # with many topics, each still shows this many sentences
_KWIC_WIDTH = 70
# Past this many rows a table scrolls inside a box of about that height: at 100 000 articles a
# partner's page listed three 500-row tables, 83 000 pixels of rows around its charts.
SCROLL_ROWS = 15


def _noted(df: pd.DataFrame, note: str | None) -> pd.DataFrame:
    if note:
        df.attrs["note"] = note
    return df


_MONTH_ABBR = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_DAY_MONTH_ONLY = re.compile(r"^--(\d\d)-(\d\d)$")


def display_date(date) -> str:
    """An event date as a reader reads it: ISO when the year is known, "26 Sep (year unknown)"
    for the ISO 8601 day-and-month form ``--09-26``, "–" for none."""
    if not isinstance(date, str) or not date:
        return "–"
    m = _DAY_MONTH_ONLY.match(date)
    if m and 1 <= int(m[1]) <= 12:
        return f"{int(m[2])} {_MONTH_ABBR[int(m[1]) - 1]} (year unknown)"
    return date


def _date_cell(date) -> str:
    """An event date that does not wrap ("2022-01-\n02" in a narrow column; the report
    template's CSS for ``citycoop-date``)."""
    return f'<span class="citycoop-date">{esc(display_date(date))}</span>'


def _first_of(shown: int, total: int, what: str, order: str = "by event date") -> str | None:
    return f"The first {shown:,} of {total:,} {what}, {order}." if total > shown else None


def _link(title, url, doc_id=None) -> str:
    text = esc(title) if title and not pd.isna(title) else f"(no title: {esc(doc_id)})" if doc_id else "(no title)"
    if isinstance(url, str) and re.match(r"^https?://", url):
        return f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener">{text}</a>'
    return text


def event_order(articles: pd.DataFrame) -> np.ndarray:
    """The articles' positions in event order: dated events in time order, then those of unknown
    year (by month-day), then undated; the id breaks ties. Only these keys are sorted: sorting
    the table itself copied every column, ≈ 0.6 GB at a million articles, for tables that show
    500 rows (the evidence table did it twice, and its kernel peaked 1.3 GB higher). The keys
    are Arrow arrays sorted by Arrow (stable, UTF-8 byte order = code point order, as Python's):
    0.35 s on the million-article view, where a rank made row by row and pandas' sort took
    0.81-0.91 s (most of it now is Arrow's sort of the strings)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    date = pc.fill_null(pa.array(articles["event_date"], type=pa.string(), from_pandas=True), "")
    rank = pc.if_else(pc.utf8_is_digit(pc.utf8_slice_codeunits(date, 0, 1)), 0,
                      pc.if_else(pc.starts_with(date, "--"), 1, 2))
    keys = pa.table({"rank": rank, "date": date,
                     "id": pa.array(articles["id"], type=pa.string(), from_pandas=True)})
    return pc.sort_indices(keys, sort_keys=[("rank", "ascending"), ("date", "ascending"),
                                            ("id", "ascending")]).to_numpy()


def by_event_date(articles: pd.DataFrame, n: int | None = None) -> pd.DataFrame:
    """The articles (the first ``n``) in event order (``event_order``)."""
    return articles.iloc[event_order(articles)[:n]]


def _rows_at(articles: pd.DataFrame, positions: np.ndarray, block: int = 256):
    """The rows at ``positions`` as named tuples, taken a block at a time: a walk that stops
    early copies only the rows it met."""
    for start in range(0, len(positions), block):
        yield from articles.iloc[positions[start:start + block]].itertuples(index=False)


def _names(js: str, key: str = "name", vi: str = "name_vi") -> str:
    items = json.loads(js or "[]")
    return ", ".join(esc(place_label(i.get(vi), i.get(key))) for i in items)


def article_table(articles: pd.DataFrame, topic_ids: list[str], labels: dict[str, str]) -> pd.DataFrame:
    """Date, Vietnamese side, partner, direction, topics, title linked to its URL."""
    rows = []
    shown = by_event_date(articles, MAX_ROWS)
    # Topic counts by column, never as attributes: itertuples renames a column that is not a
    # Python name (topic_cross-border) to _5, and getattr had failed on it.
    counts = shown.reindex(columns=[f"topic_{t}" for t in topic_ids]).fillna(0).to_numpy()
    for a, row_counts in zip(shown.itertuples(index=False), counts):
        topics = [labels.get(t, t) for t, n in zip(topic_ids, row_counts) if n > 0]
        rows.append({
            "Event date": _date_cell(a.event_date),
            "Vietnamese side": _names(a.vn_localities_json),
            "Chinese partner": _names(a.partners_json) or "–",
            "Direction": esc(a.direction),
            "Topics": esc(", ".join(topics)) or "–",
            "Title": _link(a.title, a.url, a.id) + corrected_mark(getattr(a, "corrected", None),
                                                                getattr(a, "correction_note", None)),
            "Outlet": esc(a.outlet or "–"),
        })
    return _noted(pd.DataFrame(rows, columns=["Event date", "Vietnamese side", "Chinese partner",
                                              "Direction", "Topics", "Title", "Outlet"]),
                  _first_of(len(rows), len(articles), "articles"))


def corrected_mark(fields, note) -> str:
    """The mark of a row an analyst corrected (corrections.py), saying on hover what and why."""
    if not isinstance(fields, str) or not fields:
        return ""
    tip = f"corrected: {fields.replace('; ', ', ')}" + (f" — {note}" if isinstance(note, str) and note else "")
    return (f' <span class="citycoop-corrected" style="color:#a15c00;font-size:85%" '
            f'title="{html.escape(tip, quote=True)}">(corrected)</span>')


def _event_days(date, end) -> str:
    """A meeting's date cell: its day, or its first and last day (a visit of several days)."""
    if isinstance(end, str) and end and end != date:
        return f"{_date_cell(date)} – {_date_cell(end)}"
    return _date_cell(date)


def _reported_in(article_ids, by_id: dict) -> str:
    """The articles of a meeting, first reported first: each title linked to its page, its
    outlet, and the mark of a corrected one; past ARTICLES_PER_MEETING, how many more."""
    lines = []
    for doc_id in list(article_ids)[:ARTICLES_PER_MEETING]:
        a = by_id.get(doc_id, {})
        outlet = a.get("outlet")
        lines.append(_link(a.get("title"), a.get("url"), doc_id)
                     + (f' <span class="citycoop-outlet">({esc(outlet)})</span>'
                        if isinstance(outlet, str) and outlet else "")
                     + corrected_mark(a.get("corrected"), a.get("correction_note")))
    more = len(article_ids) - ARTICLES_PER_MEETING
    if more > 0:
        lines.append(f"and {more:,} more")
    return "<br>".join(("• " + line if len(lines) > 1 else line) for line in lines)


def _articles_by_id(articles: pd.DataFrame | None) -> dict:
    return {} if articles is None else {r["id"]: r for r in articles.to_dict("records")}


def meetings_table(meetings: pd.DataFrame, articles: pd.DataFrame | None, topic_ids: list[str],
                   labels: dict[str, str]) -> pd.DataFrame:
    """A row per meeting, by event date: its days, parties, direction and topics (those any of
    its articles mentions), how many articles and outlets reported it, and those articles
    (``articles``: their ``id``, ``title``, ``url``, ``outlet`` and correction columns, as
    ``report.views.meeting_articles`` reads them)."""
    cols = ["Event date", "Vietnamese side", "Chinese partner", "Direction", "Topics", "Articles", "Outlets",
            "Reported in"]
    shown = by_event_date(meetings, MAX_ROWS)
    flags = shown.reindex(columns=[f"topic_{t}" for t in topic_ids]).fillna(0).to_numpy()
    by_id = _articles_by_id(articles)
    rows = []
    for m, row_flags in zip(shown.itertuples(index=False), flags):
        topics = [labels.get(t, t) for t, n in zip(topic_ids, row_flags) if n > 0]
        rows.append({
            "Event date": _event_days(m.event_date, m.event_end),
            "Vietnamese side": _names(m.vn_localities_json) or "–",
            "Chinese partner": _names(m.partners_json) or "–",
            "Direction": esc(m.direction),
            "Topics": esc(", ".join(topics)) or "–",
            "Articles": f"{m.n_articles:,}",
            "Outlets": f"{m.n_outlets:,}",
            "Reported in": _reported_in(m.article_ids, by_id),
        })
    return _noted(pd.DataFrame(rows, columns=cols), _first_of(len(rows), len(meetings), "meetings"))


def officials_table(meetings: pd.DataFrame, articles: pd.DataFrame | None = None) -> pd.DataFrame:
    """Who met whom: the officials of each meeting, both sides, as its articles name them (the
    title the first gives), and the articles that reported it."""
    rows = []
    by_id = _articles_by_id(articles)
    for m in by_event_date(meetings, MAX_ROWS).itertuples(index=False):
        officials = json.loads(m.officials_json or "[]")
        side = lambda s: "; ".join(  # noqa: E731
            f"{esc(o['name'])}" + (f" — {esc(o['title'])}" if o.get("title") else "")
            for o in officials if o.get("side") == s) or "–"
        rows.append({"Event date": _event_days(m.event_date, m.event_end), "Vietnamese officials": side("vn"),
                     "Chinese officials": side("cn"), "Reported in": _reported_in(m.article_ids, by_id)})
    return _noted(pd.DataFrame(rows, columns=["Event date", "Vietnamese officials", "Chinese officials",
                                              "Reported in"]),
                  _first_of(len(rows), len(meetings), "meetings"))


def review_table(rows: pd.DataFrame, leads: dict[str, str], what: str, order: str = "by event date") -> pd.DataFrame:
    """The review page's rows (``report.review``): the article (title linked, id, outlet), what
    to check, its lead sentence (``leads``: id → sentence, read for the rows shown) and the
    corrections entry to copy into corrections.yml. The first MAX_ROWS, and how many there are."""
    cols = ["Article", "To check", "Lead sentence", "Corrections entry"]
    out = []
    for r in rows.head(MAX_ROWS).itertuples(index=False):
        outlet = r.outlet if isinstance(r.outlet, str) and r.outlet else None
        out.append({  # (a column's least width in its cells: pandas gives a table's columns no class)
            "Article": ('<div class="citycoop-cell">' + _link(r.title, r.url, r.id) + f'<br><code>{esc(r.id)}</code>'
                        + (f' <span class="citycoop-outlet">({esc(outlet)})</span>' if outlet else "") + "</div>"),
            "To check": f'<div class="citycoop-cell">{esc(r.check)}</div>',
            "Lead sentence": f'<div class="citycoop-cell">{esc(leads.get(r.id) or "–")}</div>',
            # spaces and newlines as character references: pandas writes two spaces in a cell as
            # no-break spaces (no YAML indentation) and a newline as backslash-n
            "Corrections entry": ('<pre class="citycoop-yaml">'
                                  + esc(r.entry).replace(" ", "&#32;").replace("\n", "&#10;") + "</pre>"),
        })
    return _noted(pd.DataFrame(out, columns=cols), _first_of(len(out), len(rows), what, order))


def evidence_cap(topics: list[str]) -> int:
    """Sentences shown per topic: MAX_ROWS shared by the topics, at least EVIDENCE_MIN_PER_TOPIC
    (so on a partner's page every topic gets its share, not only the first one)."""
    return max(EVIDENCE_MIN_PER_TOPIC, MAX_ROWS // max(1, len(topics)))


def _mentions(articles: pd.DataFrame, topic: str, order: np.ndarray) -> np.ndarray | None:
    """Which articles mention ``topic``, in ``order`` (None: no such column, every article is
    looked at)."""
    from .report.views import topic_presence  # here, not above: the views import this module

    if f"topic_{topic}" not in articles:
        return None
    return topic_presence(articles, [topic])[topic].to_numpy(bool)[order]


def evidence_articles(articles: pd.DataFrame, topics: list[str]) -> pd.DataFrame:
    """The articles ``evidence_table`` can draw sentences from: per topic, the first
    ``evidence_cap`` that mention it, by event date. An article that counts a topic has at
    least one evidence sentence for it, so these hold every sentence the table shows."""
    order = event_order(articles)
    cap = evidence_cap(topics)
    keep = np.zeros(len(order), bool)
    for t in topics:
        hits = _mentions(articles, t, order)
        if hits is not None:
            keep |= hits & (hits.cumsum() <= cap)
    return articles.iloc[order[keep]]


def evidence_table(articles: pd.DataFrame, topics: list[str], labels: dict[str, str] | None = None,
                   max_per_article: int = 3, evidence: pd.DataFrame | None = None) -> pd.DataFrame:
    """The sentences that made each article count for each topic, with the article they come
    from: per topic, up to ``evidence_cap`` sentences, earliest events first.

    ``evidence``: ``id`` and ``evidence_json`` of (at least) the ``evidence_articles``, when
    ``articles`` were read without that column; by default ``articles``' own column."""
    labels = labels or {}
    source = articles if evidence is None else evidence
    by_id = dict(zip(source["id"].tolist(), source["evidence_json"].tolist()))
    parsed: dict[str, dict] = {}
    cap = evidence_cap(topics)
    rows, capped = [], []
    order = event_order(articles)
    for t in topics:
        n = 0
        mentions = _mentions(articles, t, order)
        candidates = order[mentions] if mentions is not None else order
        # walked lazily: a common topic has tens of thousands of candidates and the cap is met early
        for i, a in enumerate(_rows_at(articles, candidates)):
            found = parsed.get(a.id)
            if found is None:
                found = parsed[a.id] = json.loads(by_id.get(a.id) or "{}")
            sentences = found.get(t, [])[:max_per_article]
            taken = sentences[:cap - n]
            for s in taken:
                rows.append({"Topic": esc(labels.get(t, t)), "Event date": _date_cell(a.event_date),
                             "Evidence": esc(s), "Article": _link(a.title, a.url, a.id)})
            n += len(taken)
            if n >= cap:
                if len(taken) < len(sentences) or i + 1 < len(candidates):  # there is more
                    capped.append(labels.get(t, t) + (f" ({int(mentions.sum()):,} articles)"
                                                       if mentions is not None else ""))
                break
    note = (f"At most {cap:,} sentences per topic, earliest events first; more in: "
            f"{', '.join(capped)}." if capped else None)
    return _noted(pd.DataFrame(rows, columns=["Topic", "Event date", "Evidence", "Article"]), note)


def kwic_table(articles: pd.DataFrame, terms: list[str], width: int = _KWIC_WIDTH,
               texts: Iterable[pd.DataFrame] | None = None) -> pd.DataFrame:
    """Keyword in context: each occurrence of a topic term with the words around it, the term
    in bold. Case-insensitive, on whole syllables, longest term first (as the extractor).
    The first MAX_ROWS occurrences by event date, and how many there are in all.

    ``texts``: DataFrames of ``id`` and ``text``, in any order and any number (a built
    dataset's rows streamed batch by batch), when ``articles`` were read without the text; by
    default ``articles``' own column. Only the best-placed articles' occurrences are held."""
    cols = ["Left", "Term", "Right", "Article"]
    if not terms:
        return pd.DataFrame(columns=cols)
    # As the extractor counts terms: on the lower-cased text, with one literal-led trie pattern
    # (3-4x faster than re.IGNORECASE on 30 000 generated texts, same matches); the rare text
    # whose lower case changes length is matched case-insensitively as it is.
    # Texts keep their authors' tone-mark style ("văn hoá"): each term in both styles.
    keys = list(dict.fromkeys(v.lower() for t in terms for v in tone_style_variants(t)))
    lowered = compile_terms(keys, literal_start=True)
    as_is = compile_terms(keys, re.IGNORECASE)
    order = event_order(articles)
    rank = {doc_id: i for i, doc_id in enumerate(articles["id"].to_numpy()[order].tolist())}
    if texts is None:
        texts = [articles[["id", "text"]]]
    held: list[tuple[int, list]] = []  # heap of (-rank, occurrences): the worst-placed on top
    n_held = total = 0
    with_terms = _texts_with_terms(keys)
    for batch in texts:
        for doc_id, text in with_terms(batch["id"], batch["text"]):
            r = rank.get(doc_id)
            if r is None or not isinstance(text, str):
                continue
            found = []
            low = text.lower()
            for m in (lowered.finditer(low) if len(low) == len(text) else as_is.finditer(text)):
                total += 1
                if len(found) < MAX_ROWS:
                    found.append((text[max(0, m.start() - width):m.start()], text[m.start():m.end()],
                                  text[m.end():m.end() + width]))
            if not found:
                continue
            heapq.heappush(held, (-r, found))
            n_held += len(found)
            while n_held - len(held[0][1]) >= MAX_ROWS:  # the better-placed ones fill the table
                n_held -= len(heapq.heappop(held)[1])
    rows = []
    for neg_rank, found in sorted(held, reverse=True):
        a = articles.iloc[order[-neg_rank]]
        for left, term, right in found[:MAX_ROWS - len(rows)]:
            rows.append({"Left": "…" + esc(left.replace("\n", " ")), "Term": f"<b>{esc(term)}</b>",
                         "Right": esc(right.replace("\n", " ")) + "…", "Article": _link(a.title, a.url, a.id)})
    return _noted(pd.DataFrame(rows, columns=cols), _first_of(len(rows), total, "occurrences"))


def _texts_with_terms(keys: list[str]):
    """A function of a batch's ids and texts (Series) giving the (id, text) pairs whose text
    contains one of ``keys`` anywhere, ignoring case. pyarrow's RE2 (a linear-time automaton
    in C++) looks for the keys as plain substrings, without the syllable boundaries, so it keeps
    every text the exact pattern can match, and more; only those are turned into Python strings
    and scanned by ``re``. (At a million generated articles the keyword table for transport took
    29.5 s, mostly that scan of every text.) Without the filter when pyarrow refuses the
    pattern, e.g. one too large for RE2's memory."""
    import pyarrow as pa
    import pyarrow.compute as pc

    pattern = "|".join(re.escape(k) for k in sorted(set(keys), key=len, reverse=True))
    try:
        pc.match_substring_regex(pa.array([""]), pattern, ignore_case=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pattern = None

    def strings(texts: pd.Series):
        """The texts as one Arrow string array (no copy when the Series is Arrow-backed), or
        None: not all text (numbers: the caller skips them) or none at all."""
        try:
            values = pa.array(texts, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return None
        return values if pa.types.is_string(values.type) or pa.types.is_large_string(values.type) else None

    def pairs(ids: pd.Series, texts: pd.Series) -> Iterable[tuple[str, object]]:
        values = strings(texts) if pattern is not None else None
        if values is None:  # every text, scanned as before
            return zip(ids.tolist(), texts.tolist())
        found = pc.match_substring_regex(values, pattern, ignore_case=True)
        at = np.flatnonzero(found.fill_null(False).to_numpy(zero_copy_only=False))
        return zip(ids.iloc[at].tolist(), values.take(pa.array(at)).to_pylist())

    return pairs


def rejects_table(rejects: pd.DataFrame) -> pd.DataFrame:
    cols = ["Source", "Reason", "Detail"]
    if rejects is None or rejects.empty:
        return pd.DataFrame(columns=cols)
    df = rejects.sort_values(["reason", "source"]).head(MAX_ROWS)
    return _noted(pd.DataFrame({"Source": df["source"].map(esc), "Reason": df["reason"].map(esc),
                                "Detail": df["detail"].fillna("").map(esc)})[cols],
                  _first_of(len(df), len(rejects), "rejected inputs", "by reason, then source"))


def duplicates_table(articles: pd.DataFrame) -> pd.DataFrame:
    cols = ["Article", "Duplicate of"]
    every = articles[articles["duplicate_of"].notna() & (articles["duplicate_of"] != "")]
    d = every.head(MAX_ROWS)
    if d.empty:
        return pd.DataFrame(columns=cols)
    return _noted(pd.DataFrame({"Article": d["id"].map(esc), "Duplicate of": d["duplicate_of"].map(esc)})[cols],
                  _first_of(len(d), len(every), "duplicates", "in corpus order"))


_QUOTED = re.compile(r"'([^']*)'")
WARNING_EXAMPLES = 3  # quoted values shown per kind of warning, most frequent first


def warnings_table(articles: pd.DataFrame) -> pd.DataFrame:
    """How often the extractor was unsure, and about what: one row per kind of warning, the
    values a warning quotes ("ambiguous place 'Hà Nam' …", "published field '2024-13-45' …")
    put together as '…' with the most frequent as examples, so that a corpus with thousands
    of different wrong dates still gives a short table."""
    # One row per warning, numbered afresh: explode repeats an article's index for each of its
    # warnings, and the quoted values below are put back by aligning on it.
    exploded = articles["warnings"].fillna("").str.split("; ").explode()
    article = pd.Series(exploded.index, dtype=object)
    w = exploded.reset_index(drop=True)
    keep = w != ""
    w, article = w[keep], article[keep]
    quoted = w.str.contains("'", regex=False)
    kinds = w.where(~quoted, w[quoted].str.replace(_QUOTED, "'…'", regex=True))
    # An article counts once per kind, however many places or values it quotes.
    per_article = pd.DataFrame({"article": article, "Warning": kinds}).drop_duplicates()
    counts = per_article["Warning"].value_counts().rename_axis("Warning").reset_index(name="Articles")
    counts = counts.sort_values(["Articles", "Warning"], ascending=[False, True]).reset_index(drop=True)
    if quoted.any():
        values = pd.DataFrame({"kind": kinds[quoted], "value": w[quoted].str.extract(_QUOTED)[0]})
        top = values.value_counts().reset_index(name="n").sort_values(["kind", "n", "value"],
                                                                      ascending=[True, False, True])
        examples = top.groupby("kind")["value"].agg(
            lambda v: ", ".join(f"'{x}'" for x in v.head(WARNING_EXAMPLES)) + (", …" if len(v) > WARNING_EXAMPLES else ""))
        counts["Examples"] = counts["Warning"].map(examples).fillna("").map(esc)
    counts["Warning"] = counts["Warning"].map(esc)
    return counts


def figures_table(figures: dict) -> pd.DataFrame:
    return pd.DataFrame({"": [esc(k) for k in figures], "value": [esc(format_count(v)) for v in figures.values()]})


def format_count(value) -> str:
    """A count as people read it (99,661); anything else as it is."""
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def to_html(df: pd.DataFrame, empty: str = "Nothing to show.") -> str:
    """HTML of a table whose cells were escaped above (so no second escaping here)."""
    if df.empty:
        return f"<p><em>{esc(empty)}</em></p>"
    note = df.attrs.get("note")
    table = df.to_html(index=False, escape=False, border=0, classes="citycoop-table")
    if len(df) > SCROLL_ROWS:
        # The height is inline so the box also scrolls in JupyterLab; the report template's
        # CSS keeps the header row in view (``.citycoop-scroll thead th``).
        table = (f'<div class="citycoop-scroll" style="max-height: {2 * SCROLL_ROWS + 2}em; '
                 f'overflow: auto;">{table}</div>')
    return table + (f'<p class="citycoop-note">{esc(note)}</p>' if note else "")
