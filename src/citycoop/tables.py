"""Tables for reports: DataFrames whose cells are already safe HTML.

Everything taken from articles (titles, evidence sentences, names) is escaped here, and only
``http(s)`` links are made clickable, so a title such as ``<script>…`` shows as text.
``to_html`` renders a table for a notebook (``IPython.display.HTML``).
"""
from __future__ import annotations

import html
import json
import re

import pandas as pd

from .charts import esc, place_label

MAX_ROWS = 500  # a report lists at most this many rows and says how many were left out
_KWIC_WIDTH = 70


def _link(title, url, doc_id=None) -> str:
    text = esc(title) if title and not pd.isna(title) else f"(no title: {esc(doc_id)})" if doc_id else "(no title)"
    if isinstance(url, str) and re.match(r"^https?://", url):
        return f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener">{text}</a>'
    return text


def by_event_date(articles: pd.DataFrame) -> pd.DataFrame:
    """Dated events in time order, then those of unknown year (by month-day), then undated."""
    date = articles["event_date"].fillna("")
    rank = date.map(lambda d: 0 if d[:1].isdigit() else 1 if d.startswith("--") else 2)
    return (articles.assign(_rank=rank, _date=date)
            .sort_values(["_rank", "_date", "id"], kind="stable").drop(columns=["_rank", "_date"]))


def _names(js: str, key: str = "name", vi: str = "name_vi") -> str:
    items = json.loads(js or "[]")
    return ", ".join(esc(place_label(i.get(vi), i.get(key))) for i in items)


def article_table(articles: pd.DataFrame, topic_ids: list[str], labels: dict[str, str]) -> pd.DataFrame:
    """Date, Vietnamese side, partner, direction, topics, title linked to its URL."""
    rows = []
    for a in by_event_date(articles).head(MAX_ROWS).itertuples(index=False):
        topics = [labels.get(t, t) for t in topic_ids if (getattr(a, f"topic_{t}") or 0) > 0]
        rows.append({
            "Event date": esc(a.event_date or "–"),
            "Vietnamese side": _names(a.vn_localities_json),
            "Chinese partner": _names(a.partners_json) or "–",
            "Direction": esc(a.direction),
            "Topics": esc(", ".join(topics)) or "–",
            "Title": _link(a.title, a.url, a.id),
            "Outlet": esc(a.outlet or "–"),
        })
    return pd.DataFrame(rows, columns=["Event date", "Vietnamese side", "Chinese partner",
                                       "Direction", "Topics", "Title", "Outlet"])


def officials_table(articles: pd.DataFrame) -> pd.DataFrame:
    """Who met whom: the officials of each meeting, both sides."""
    rows = []
    for a in by_event_date(articles).itertuples(index=False):
        officials = json.loads(a.officials_json or "[]")
        side = lambda s: "; ".join(  # noqa: E731
            f"{esc(o['name'])}" + (f" — {esc(o['title'])}" if o.get("title") else "")
            for o in officials if o.get("side") == s) or "–"
        rows.append({"Event date": esc(a.event_date or "–"), "Vietnamese officials": side("vn"),
                     "Chinese officials": side("cn"), "Title": _link(a.title, a.url, a.id)})
    return pd.DataFrame(rows, columns=["Event date", "Vietnamese officials", "Chinese officials", "Title"])


def evidence_table(articles: pd.DataFrame, topics: list[str], labels: dict[str, str] | None = None,
                   max_per_article: int = 3) -> pd.DataFrame:
    """The sentences that made each article count for each topic, with the article they come from."""
    labels = labels or {}
    rows = []
    ordered = by_event_date(articles)
    for t in topics:
        for a in ordered.itertuples(index=False):
            for s in json.loads(a.evidence_json or "{}").get(t, [])[:max_per_article]:
                rows.append({"Topic": esc(labels.get(t, t)), "Event date": esc(a.event_date or "–"),
                             "Evidence": esc(s), "Article": _link(a.title, a.url, a.id)})
            if len(rows) >= MAX_ROWS:
                return pd.DataFrame(rows)
    return pd.DataFrame(rows, columns=["Topic", "Event date", "Evidence", "Article"])


def kwic_table(articles: pd.DataFrame, terms: list[str], width: int = _KWIC_WIDTH) -> pd.DataFrame:
    """Keyword in context: each occurrence of a topic term with the words around it, the term
    in bold. Case-insensitive, on whole syllables, longest term first (as the extractor)."""
    if not terms:
        return pd.DataFrame(columns=["Left", "Term", "Right", "Article"])
    pattern = re.compile(r"(?<![\w])(?:%s)(?![\w])" % "|".join(
        re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    rows = []
    for a in by_event_date(articles).itertuples(index=False):
        text = a.text or ""
        for m in pattern.finditer(text):
            left = text[max(0, m.start() - width):m.start()].replace("\n", " ")
            right = text[m.end():m.end() + width].replace("\n", " ")
            rows.append({"Left": "…" + esc(left), "Term": f"<b>{esc(m.group(0))}</b>",
                         "Right": esc(right) + "…", "Article": _link(a.title, a.url, a.id)})
            if len(rows) >= MAX_ROWS:
                break
        if len(rows) >= MAX_ROWS:
            break
    return pd.DataFrame(rows, columns=["Left", "Term", "Right", "Article"])


def rejects_table(rejects: pd.DataFrame) -> pd.DataFrame:
    cols = ["Source", "Reason", "Detail"]
    if rejects is None or rejects.empty:
        return pd.DataFrame(columns=cols)
    df = rejects.sort_values(["reason", "source"]).head(MAX_ROWS)
    return pd.DataFrame({"Source": df["source"].map(esc), "Reason": df["reason"].map(esc),
                         "Detail": df["detail"].fillna("").map(esc)})[cols]


def duplicates_table(articles: pd.DataFrame) -> pd.DataFrame:
    cols = ["Article", "Duplicate of"]
    d = articles[articles["duplicate_of"].notna() & (articles["duplicate_of"] != "")].head(MAX_ROWS)
    if d.empty:
        return pd.DataFrame(columns=cols)
    return pd.DataFrame({"Article": d["id"].map(esc), "Duplicate of": d["duplicate_of"].map(esc)})[cols]


def warnings_table(articles: pd.DataFrame) -> pd.DataFrame:
    """How often the extractor was unsure, and about what."""
    w = articles["warnings"].fillna("").str.split("; ").explode()
    w = w[w != ""]
    counts = w.value_counts().rename_axis("Warning").reset_index(name="Articles")
    counts["Warning"] = counts["Warning"].map(esc)
    return counts.sort_values(["Articles", "Warning"], ascending=[False, True]).reset_index(drop=True)


def figures_table(figures: dict) -> pd.DataFrame:
    return pd.DataFrame({"": [esc(k) for k in figures], "value": [esc(v) for v in figures.values()]})


def to_html(df: pd.DataFrame, empty: str = "Nothing to show.") -> str:
    """HTML of a table whose cells were escaped above (so no second escaping here)."""
    if df.empty:
        return f"<p><em>{esc(empty)}</em></p>"
    return df.to_html(index=False, escape=False, border=0, classes="citycoop-table")
