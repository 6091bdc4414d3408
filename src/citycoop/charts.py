"""Chart builders: pure functions, DataFrame in, ``plotly.graph_objects.Figure`` out.

The charts count meetings — one event, reported by one or more articles — from the view's
meetings (a row each: ``report.views.MEETING_COLUMNS``) or their parties (a row per meeting ×
Chinese partner × Vietnamese side: ``report.views.PARTY_COLUMNS``), and say in their hover
labels how many articles (and outlets) reported them.
One template (``citycoop``) for every chart; English axis titles; place names shown the way
Vietnamese readers know them, with the English name beside ("Trùng Khánh (Chongqing)").
Text that came from the web (titles) is HTML-escaped (``markup.esc``) before it reaches a hover label.
Large corpora are aggregated (counts per partner, per month) rather than drawn point by point.
"""
from __future__ import annotations

import calendar
import math
from importlib import resources

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from .markup import esc, place_label

TEMPLATE_NAME = "citycoop"
# A fixed qualitative palette: colours follow sorted names, never chance. As many colours as the
# partner chart has bars (TOP_PARTNERS), so no two provinces there share one (with 14 colours,
# Fujian and Zhejiang were both blue at 100 000 articles).
PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
           "#17becf", "#bcbd22", "#7f7f7f", "#393b79", "#ad494a", "#637939", "#e7ba52",
           "#aec7e8", "#ff9896", "#98df8a", "#ffbb78", "#c5b0d5", "#c49c94", "#f7b6d2",
           "#9edae5", "#dbdb8d", "#843c39", "#7b4173"]
DIRECTION_COLORS = {"inbound": "#1f77b4", "outbound": "#d62728", "unknown": "#7f7f7f"}
MAX_TIMELINE_POINTS = 400  # above this, the timeline shows monthly counts instead of points
TOP_PARTNERS = 25
TIMELINE_STACKED = 10  # partners with a colour of their own in the monthly bars; the rest grey
OTHER_PARTNERS, OTHER_COLOR = "\x00other", "#b0b0b0"  # a key no partner name can be
MAP_LABELS = 12  # place names written on the map per side (Chinese, Vietnamese) at most
MAP_HEIGHT = 760  # px; the map fills the figure's height, its width follows the projection
# The map's own height: the figure less title (60), legend (40) and margin (10), as plotly lays
# it out (measured on the rendered overview: 511 px of map for a 620 px figure).
MAP_PLOT_PX = MAP_HEIGHT - 110
MAP_LABEL_FONT = 11  # px
# Size of a name on the map as Chromium draws it at MAP_LABEL_FONT, whichever of the template's
# fonts the machine has: the widest advance per character of any gazetteer name (Noto Sans
# 5.56 px on average, 6.54 at most; DejaVu Sans 5.98 and 6.81) and the line height (15, 13).
LABEL_CHAR_PX, LABEL_LINE_PX = 6.85, 15.0
LABEL_GAP_PX = 2.0  # between a circle and its name, and kept free around every name
# Where a name may go, in order of preference (plotly's textposition values).
LABEL_POSITIONS = ("top center", "bottom center", "middle right", "middle left")
# Map circles: diameter in px from MARKER_PX[0] (no meeting) to MARKER_PX[1] (the most-met
# place), growing with the square root of the meetings, so the area tells the count; scaled to
# at least MARKER_FULL_SCALE meetings, so a place of a small corpus keeps a small circle.
MARKER_PX = (7, 26)
MARKER_FULL_SCALE = 10
# The map's least extent (degrees of latitude, longitude): a partner met by places along one
# meridian (Chongqing: Hanoi, Ho Chi Minh City) had drawn a strip 190 px wide with no context.
MAP_LEAST_SPAN = (16, 28)

pio.templates[TEMPLATE_NAME] = go.layout.Template(
    layout=go.Layout(
        font=dict(family="Noto Sans, DejaVu Sans, Arial, sans-serif", size=13, color="#222"),
        title=dict(font=dict(size=17), x=0.0, xanchor="left"),
        colorway=PALETTE,
        plot_bgcolor="white", paper_bgcolor="white",
        xaxis=dict(showgrid=True, gridcolor="#eee", zeroline=False, linecolor="#999", automargin=True),
        yaxis=dict(showgrid=True, gridcolor="#eee", zeroline=False, linecolor="#999", automargin=True),
        margin=dict(l=60, r=30, t=70, b=50),
        hoverlabel=dict(font=dict(family="Noto Sans, DejaVu Sans, Arial, sans-serif")),
        legend=dict(bgcolor="rgba(255,255,255,0.8)"),
    )
)


def color_map(keys) -> dict:
    return {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(sorted({k for k in keys if k}))}


def _figure(title: str, **layout) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(template=TEMPLATE_NAME, title=title, **layout)
    return fig


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _empty(title: str, message: str) -> go.Figure:
    fig = _figure(title, height=260)
    fig.add_annotation(text=esc(message), showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                       font=dict(size=15, color="#666"))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


# ------------------------------------------------------------------------- partners
def _reach(parties: pd.DataFrame) -> str:
    """"7 articles by 4 outlets": the coverage of the meetings of some rows (``views.coverage``)."""
    from .report.views import coverage  # here: the report package imports the charts' neighbours

    return coverage(parties).reach()


def partners_bar(parties: pd.DataFrame, top: int = TOP_PARTNERS) -> go.Figure:
    """Chinese partners ranked by number of meetings, coloured by province; the hover says how
    many articles and outlets reported them."""
    title = "Chinese partner localities, by number of meetings"
    if parties.empty:
        return _empty(title, "No meeting with a Chinese partner in this selection")
    g = (parties.groupby(["partner", "partner_vi", "partner_province"], as_index=False)
         .agg(meetings=("id", "nunique"), last=("event_date", "max")))
    if len(g) > top:
        title = f"{title} (the {top} with most)"
    g = g.sort_values(["meetings", "partner"], ascending=[False, True]).head(top)
    g = g.iloc[::-1]  # largest on top of a horizontal bar chart
    reach = {p: _reach(rows) for p, rows in parties[parties["partner"].isin(g["partner"])].groupby("partner")}
    colors = color_map(g["partner_province"])
    fig = _figure(title, height=max(260, 60 + 32 * len(g)), xaxis_title="Meetings",
                  yaxis_title=None, legend_title_text="Province")
    for prov in sorted(g["partner_province"].unique()):
        sub = g[g["partner_province"] == prov]
        fig.add_bar(
            x=sub["meetings"], y=[place_label(v, n) for v, n in zip(sub["partner_vi"], sub["partner"])],
            orientation="h", name=prov, marker_color=colors[prov],
            customdata=list(zip(sub["partner_province"], sub["last"].fillna("–"),
                                [reach[p] for p in sub["partner"]])),
            hovertemplate="%{y}<br>province: %{customdata[0]}<br>meetings: %{x}, reported in %{customdata[2]}"
                          "<br>latest: %{customdata[1]}<extra></extra>")
    # "stack" keeps each bar full width (one province a row); plotly then lists a stacked
    # chart's legend bottom-up (Z to A here): "normal" lists the provinces A to Z.
    fig.update_layout(barmode="stack", legend_traceorder="normal", yaxis=dict(
        categoryorder="array", categoryarray=[place_label(v, n) for v, n in zip(g["partner_vi"], g["partner"])]))
    fig.update_xaxes(dtick=1 if g["meetings"].max() <= 10 else None)
    return fig


def marker_sizes(counts: pd.Series) -> list[float]:
    """Circle diameters (px) for places met ``counts`` times: beyond the smallest circle, the
    diameter grows with the square root of the count relative to the most-met place's, so the
    area follows the count. (A size that grew with the count and stopped at 10 drew
    every place of a large corpus at the same, largest size: a blot of 98 equal circles.)"""
    small, large = MARKER_PX
    scale = max(float(counts.max()) if len(counts) else 0.0, MARKER_FULL_SCALE)
    return [round(small + (large - small) * math.sqrt(n / scale), 1) for n in counts]


def _mercator(lat: float) -> float:
    """The y of plotly's Mercator projection (scope "asia"), in degrees of longitude."""
    return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


def map_label_positions(places: pd.DataFrame, lat_range: tuple[float, float],
                        lon_range: tuple[float, float], plot_px: float = MAP_PLOT_PX,
                        most: int = MAP_LABELS) -> list[str | None]:
    """Where each place's name goes on the map ("top center", "bottom center", "middle right",
    "middle left"), or None: not written, its hover label only.

    ``places`` has one row per circle: ``lat``, ``lon``, ``label``, ``n`` (meetings), ``size``
    (diameter, px) and ``group`` (at most ``most`` names per group). The most-met places are
    named first; a name goes in the first position where it covers no name already placed, no
    other circle's middle, and stays on the map, else nowhere. (Names above the twelve most-met
    places of each side, placed blindly, were an illegible pile in southern China and northern
    Vietnam on a large corpus.) Positions are computed in pixels of the Mercator map fitted to
    ``plot_px`` in height, the way plotly fits it when the page is wider than the map."""
    if places.empty:
        return []
    top, bottom = _mercator(lat_range[1]), _mercator(lat_range[0])
    scale = plot_px / (top - bottom)
    width = (lon_range[1] - lon_range[0]) * scale
    xs = [(lon - lon_range[0]) * scale for lon in places["lon"]]
    ys = [(top - _mercator(lat)) * scale for lat in places["lat"]]
    radii = [s / 2 for s in places["size"]]
    # A circle's middle (a square inside it) is never covered: the circle must stay findable.
    circles = [(x - 0.6 * r, y - 0.6 * r, x + 0.6 * r, y + 0.6 * r) for x, y, r in zip(xs, ys, radii)]

    def box(i: int, position: str) -> tuple[float, float, float, float]:
        x, y, r = xs[i], ys[i], radii[i] + LABEL_GAP_PX
        w, h = LABEL_CHAR_PX * len(places["label"].iat[i]), LABEL_LINE_PX
        return {"top center": (x - w / 2, y - r - h, x + w / 2, y - r),
                "bottom center": (x - w / 2, y + r, x + w / 2, y + r + h),
                "middle right": (x + r, y - h / 2, x + r + w, y + h / 2),
                "middle left": (x - r - w, y - h / 2, x - r, y + h / 2)}[position]

    def overlaps(a, b) -> bool:
        g = LABEL_GAP_PX
        return a[0] < b[2] + g and b[0] < a[2] + g and a[1] < b[3] + g and b[1] < a[3] + g

    order = sorted(range(len(places)), key=lambda i: (-places["n"].iat[i], places["label"].iat[i]))
    placed: list[tuple] = []
    named = dict.fromkeys(places["group"], 0)
    positions: list[str | None] = [None] * len(places)
    for i in order:
        if named[places["group"].iat[i]] >= most:
            continue
        for position in LABEL_POSITIONS:
            b = box(i, position)
            if (b[0] >= 0 and b[1] >= 0 and b[2] <= width and b[3] <= plot_px
                    and not any(overlaps(b, p) for p in placed)
                    and not any(overlaps(b, c) for j, c in enumerate(circles) if j != i)):
                positions[i] = position
                placed.append(b)
                named[places["group"].iat[i]] += 1
                break
    return positions


def _map_span(values: pd.Series, pad: float, least: float, limits: tuple[float, float]) -> tuple[float, float]:
    """The map's range on one axis: the places plus ``pad`` degrees, at least ``least`` degrees
    wide (about its middle), within ``limits``."""
    lo, hi = values.min() - pad, values.max() + pad
    if hi - lo < least:
        mid = (lo + hi) / 2
        lo, hi = mid - least / 2, mid + least / 2
    return max(lo, limits[0]), min(hi, limits[1])


def _met(parties: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per place (or pair) of ``keys``: its meetings ``n`` and the articles reporting them."""
    once = parties.drop_duplicates(["id", *keys])  # a meeting counts once per place
    return once.groupby(keys, as_index=False, dropna=False).agg(n=("id", "size"), articles=("n_articles", "sum"))


def meeting_map(parties: pd.DataFrame) -> go.Figure:
    """Partner localities (red) and Vietnamese localities (blue), a line per meeting pair whose
    width grows with the number of meetings; the names of the most-met places that fit without
    covering each other (``map_label_positions``). Hover labels give the meetings and the
    articles that reported them."""
    title = "Who met whom: Vietnamese localities and their Chinese partners"
    if parties.empty:
        return _empty(title, "No meeting with a Chinese partner in this selection")
    # dropna=False: a place the gazetteer gives no coordinates is named in the title, not lost
    cn = _met(parties, ["partner", "partner_vi", "partner_province", "partner_lat", "partner_lon"])
    vn = _met(parties.dropna(subset=["vn"]), ["vn", "vn_vi", "vn_lat", "vn_lon"])
    places = pd.concat([
        pd.DataFrame({"group": "cn", "lat": cn["partner_lat"], "lon": cn["partner_lon"], "n": cn["n"],
                      "articles": cn["articles"],
                      "label": [place_label(v, n) for v, n in zip(cn["partner_vi"], cn["partner"])],
                      "size": marker_sizes(cn["n"])}),
        pd.DataFrame({"group": "vn", "lat": vn["vn_lat"], "lon": vn["vn_lon"], "n": vn["n"],
                      "articles": vn["articles"],
                      "label": [place_label(v, n) for v, n in zip(vn["vn_vi"], vn["vn"])],
                      "size": marker_sizes(vn["n"])}),
    ], ignore_index=True)
    unplaced = sorted(places.loc[places["lat"].isna() | places["lon"].isna(), "label"])
    places = places.dropna(subset=["lat", "lon"])
    if places.empty:
        return _empty(title, "No place of these meetings has coordinates in the gazetteer: "
                             + ", ".join(unplaced))
    if unplaced:
        title += (f" (not drawn, no coordinates in the gazetteer: {', '.join(unplaced[:5])}"
                  + (f" and {len(unplaced) - 5} more" if len(unplaced) > 5 else "") + ")")
    fig = _figure(esc(title), height=MAP_HEIGHT, showlegend=True)
    pairs = _met(parties.dropna(subset=["vn", "vn_lat", "vn_lon", "partner_lat", "partner_lon"]),
                 ["vn", "vn_vi", "vn_lat", "vn_lon", "partner", "partner_vi", "partner_lat", "partner_lon"])
    pairs = pairs.sort_values(["n", "vn", "partner"], ascending=[False, True, True]).head(300)
    top = max(pairs["n"].max(), 1) if len(pairs) else 1
    for i, p in enumerate(pairs.itertuples(index=False)):
        fig.add_scattergeo(
            lon=[p.vn_lon, p.partner_lon], lat=[p.vn_lat, p.partner_lat], mode="lines",
            # Thin and see-through: a large corpus draws hundreds of pairs over each other.
            line=dict(width=0.5 + 4.5 * p.n / top, color="rgba(90,90,90,0.4)"),
            name="meeting pair", legendgroup="pairs", showlegend=i == 0,
            hoverinfo="text",
            text=f"{esc(place_label(p.vn_vi, p.vn))} – {esc(place_label(p.partner_vi, p.partner))}: "
                 f"{_plural(p.n, 'meeting')} ({_plural(p.articles, 'article')})")
    lat_range = _map_span(places["lat"], 4, MAP_LEAST_SPAN[0], (-10, 60))
    lon_range = _map_span(places["lon"], 6, MAP_LEAST_SPAN[1], (60, 150))
    places["position"] = [p or "" for p in map_label_positions(places, lat_range, lon_range)]
    for group, color, name in (("cn", "#d62728", "Chinese partner"), ("vn", "#1f77b4", "Vietnamese locality")):
        df = places[places["group"] == group]
        labels = [esc(t) for t in df["label"]]
        fig.add_scattergeo(
            lon=df["lon"], lat=df["lat"], mode="markers+text", name=name,
            marker=dict(size=list(df["size"]), color=color, opacity=0.85, line=dict(width=1, color="white")),
            text=[t if p else "" for t, p in zip(labels, df["position"])], hovertext=labels,
            textposition=[p or "top center" for p in df["position"]],
            textfont=dict(size=MAP_LABEL_FONT),
            customdata=list(zip(df["n"], df["articles"])),
            hovertemplate="%{hovertext}<br>meetings: %{customdata[0]} (%{customdata[1]} articles)<extra></extra>")
    fig.update_geos(
        scope="asia", resolution=50, showcountries=True, countrycolor="#999", showland=True,
        landcolor="#f4f1ea", showocean=True, oceancolor="#e8f1f8", showlakes=False,
        lataxis_range=list(lat_range), lonaxis_range=list(lon_range),
    )
    fig.update_layout(margin=dict(l=10, r=10, t=60, b=10),
                      legend=dict(orientation="h", y=-0.02))
    return fig


# ------------------------------------------------------------------------- topics
def topic_share_bar(meetings: pd.DataFrame, labels: dict[str, str], topic_ids: list[str]) -> go.Figure:
    """Share of meetings that discussed each topic (an article of the meeting mentions it)."""
    title = "Topics: share of meetings discussing each"
    if meetings.empty:
        return _empty(title, "No meeting in this selection")
    n = len(meetings)
    rows = [(t, labels.get(t, t), int((meetings[f"topic_{t}"].fillna(0) > 0).sum())) for t in topic_ids]
    df = pd.DataFrame(rows, columns=["topic", "label", "meetings"])
    df["share"] = df["meetings"] / n
    df = df.sort_values(["share", "topic"], ascending=[True, False])
    fig = _figure(title, height=max(280, 60 + 28 * len(df)), xaxis_title="Share of meetings",
                  showlegend=False)
    fig.add_bar(x=df["share"], y=df["label"], orientation="h", marker_color=PALETTE[0],
                customdata=list(zip(df["meetings"], [n] * len(df), df["topic"])),
                text=[f"{a} of {n}" for a in df["meetings"]], textposition="outside",
                hovertemplate="%{y} (%{customdata[2]})<br>%{customdata[0]} of %{customdata[1]} meetings"
                              "<extra></extra>")
    fig.update_xaxes(tickformat=".0%", range=[0, 1.15])
    return fig


def share_text(k: int, n: int) -> str:
    """A heatmap cell's text: ``k`` of ``n`` as a whole percentage ("<1%" when rounding would
    say 0 of a count that is not), blank for none, so the cells that matter stand out."""
    if k == 0:
        return ""
    pct = math.floor(100 * k / n + 0.5)  # half up, as readers round (round() gives 0 for 0.5)
    return "<1%" if pct == 0 else f"{pct}%"


def partner_topic_heatmap(meetings: pd.DataFrame, parties: pd.DataFrame, labels: dict[str, str],
                          topic_ids: list[str], top: int = TOP_PARTNERS) -> go.Figure:
    """For each partner, the share of its meetings that discussed each topic. A cell writes the
    share and its hover the count; the number after a partner's name is its meetings. (Counts
    in the cells, "657 of 1010", were shrunk by plotly to an unreadable size in cells of a large
    corpus, and "0 of 1010" filled every empty one.)"""
    title = "What each partner's meetings were about: share of its meetings discussing each topic"
    if parties.empty:
        return _empty(title, "No meeting with a Chinese partner in this selection")
    pairs = parties[["id", "partner", "partner_vi"]].drop_duplicates()
    counts = pairs.groupby(["partner", "partner_vi"]).size().rename("n").reset_index()
    counts = counts.sort_values(["n", "partner"], ascending=[False, True]).head(top)
    flags = meetings.set_index("id")[[f"topic_{t}" for t in topic_ids]].gt(0)
    z, text, hover, names = [], [], [], []
    for p in counts.itertuples(index=False):
        mine = flags.loc[flags.index.intersection(pairs.loc[pairs["partner"] == p.partner, "id"])]
        n = len(mine)
        k = [int(mine[f"topic_{t}"].sum()) for t in topic_ids]
        z.append([c / n if n else 0.0 for c in k])
        text.append([share_text(c, n) for c in k])
        hover.append([f"{c} of {n}" for c in k])
        names.append(f"{place_label(p.partner_vi, p.partner)} · {n}")
    fig = _figure(title, height=max(300, 120 + 30 * len(counts)))
    fig.add_heatmap(
        z=z, x=[labels.get(t, t) for t in topic_ids], y=names,
        colorscale="Blues", zmin=0, zmax=1, text=text, texttemplate="%{text}", textfont=dict(size=11),
        customdata=hover, colorbar=dict(title="share", tickformat=".0%"),
        hovertemplate="%{y} meetings<br>%{x}: %{customdata} (%{z:.0%})<extra></extra>")
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickangle=-35)
    return fig


def topic_profile(meetings: pd.DataFrame, partner_ids: set[str], labels: dict[str, str],
                  topic_ids: list[str], partner_label: str) -> go.Figure:
    """A partner's topic shares (of its meetings, ``partner_ids``) beside those of all meetings."""
    title = f"Topics in meetings with {partner_label} compared with all meetings"
    flags = meetings[[f"topic_{t}" for t in topic_ids]].gt(0)
    mine = flags[meetings["id"].isin(partner_ids)]
    if mine.empty:
        return _empty(title, "No meeting with this partner")
    fig = _figure(title, height=420, yaxis_title="Share of meetings", barmode="group")
    x = [labels.get(t, t) for t in topic_ids]
    fig.add_bar(x=x, y=mine.mean().values, name=esc(partner_label), marker_color=PALETTE[1],
                hovertemplate="%{x}: %{y:.0%}<extra>" + esc(partner_label) + "</extra>")
    fig.add_bar(x=x, y=flags.mean().values, name="all meetings", marker_color="#bbbbbb",
                hovertemplate="%{x}: %{y:.0%}<extra>all meetings</extra>")
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
    fig.update_xaxes(tickangle=-35)
    return fig


# ------------------------------------------------------------------------- time
def _hover_title(row) -> str:
    """A meeting's mark: its first article's title, its date, and how widely it was reported."""
    from .report.views import Coverage

    named = len([o for o in row.outlets.split("; ") if o]) if isinstance(row.outlets, str) else 0
    reach = Coverage(1, int(row.n_articles), named, int(row.n_outlets) - named).reach()
    return f"{esc(row.title) or '(no title)'}<br>{esc(row.event_date) or 'no date'}<br>reported in {esc(reach)}"


def timeline_marker_sizes(n_articles: pd.Series) -> list[float]:
    """A meeting's mark on the timeline: 11 px for one article, growing with the square root of
    its articles (so the area follows them) to at most 27 px at 17 articles and more."""
    return [round(11 + 4 * (math.sqrt(min(max(int(n), 1), 17)) - 1), 1) for n in n_articles]


def partial_months(dates: pd.Series) -> dict[str, str]:
    """The first and last months of ``dates`` (ISO days) that the dates cover only in part —
    the earliest event after the 1st, the latest before the month's last day — so their bars
    are drawn hatched and not read as a fall in meetings (a corpus scraped to 1 November draws
    November as a bar a thirtieth of the others). Month ("2025-11") → the chart's note on it."""
    dates = dates.dropna()
    dates = dates[dates.str.len() >= 10]  # whole days only (a month alone says nothing of its days)
    if dates.empty:
        return {}
    first, last = dates.min(), dates.max()
    if first[:7] == last[:7]:
        return {}

    def note(date: str, which: str) -> str:
        y, m, d = int(date[:4]), int(date[5:7]), int(date[8:10])
        return f"hatched: {calendar.month_abbr[m]} {y}, data {which} {d} {calendar.month_abbr[m]}"

    out = {}
    if int(first[8:10]) > 1:
        out[first[:7]] = note(first, "from")
    if int(last[8:10]) < calendar.monthrange(int(last[:4]), int(last[5:7]))[1]:
        out[last[:7]] = note(last, "up to")
    return out


TIMELINE_LEAST_DAYS = 30  # the shortest span of dates the timeline's axis shows


def meetings_timeline(parties: pd.DataFrame) -> go.Figure:
    """Meetings by date, one row per partner, a mark per meeting sized by the articles that
    reported it. Meetings whose year no article gives are drawn in their own lane by day and
    month only — never placed on a guessed year."""
    title = "Timeline of meetings"
    m = (parties.sort_values(["event_date", "id", "partner"], kind="stable")
         .drop_duplicates(["id", "partner"]))
    undated = int(m["event_date"].isna().sum())
    m = m.dropna(subset=["event_date"])
    if m.empty:
        return _empty(title, "No dated meeting in this selection"
                             + (f" ({undated:,} without a date)" if undated else ""))
    known, unknown = m[m["year_known"]], m[~m["year_known"]]
    order = sorted(m["partner"].unique(), key=lambda p: p)
    ylabels = {r.partner: place_label(r.partner_vi, r.partner) for r in m.itertuples(index=False)}
    aggregate = len(m) > MAX_TIMELINE_POINTS
    if aggregate and len(order) > TIMELINE_STACKED:
        # Stacked monthly bars: the partners with most meetings each in a colour of its own
        # (25 stacked partners had repeated the 14 colours), the others together in grey, so a
        # bar's height is still every meeting of the month.
        top = m["partner"].value_counts().sort_index().sort_values(ascending=False, kind="stable")
        order = sorted(top.index[:TIMELINE_STACKED])
        others = len(top) - len(order)
        title = f"{title} (the {len(order)} partners with most meetings; the other {others} in grey)"
        ylabels[OTHER_PARTNERS] = f"{others} other partners"
        rest = ~m["partner"].isin(order)
        m = m.assign(partner=m["partner"].where(~rest, OTHER_PARTNERS))
        known, unknown = m[m["year_known"]], m[~m["year_known"]]
        order.append(OTHER_PARTNERS)
    if undated:  # said, not dropped without a word
        title += f" — not shown: {undated:,} meeting{'s' if undated > 1 else ''} without a date"
    colors = {**color_map(p for p in order if p != OTHER_PARTNERS), OTHER_PARTNERS: OTHER_COLOR}
    # a lane only when it has meetings: an empty "Year known" panel above a partner whose
    # articles never give the year would look like missing data
    partial = partial_months(known["event_date"]) if aggregate else {}
    known_lane = "Year known" + "".join(f"; {note}" for note in partial.values())
    lanes = ([known_lane] if len(known) else []) + (
        ["Year not stated in the text (day and month only)"] if len(unknown) else [])
    rows = len(lanes)
    unknown_row = rows  # the lane of unknown years is the last one
    fig = make_subplots(rows=rows, cols=1, vertical_spacing=0.28, subplot_titles=lanes)
    fig.update_layout(template=TEMPLATE_NAME, title=title,
                      height=max(320, 140 + 28 * len(order)) * (1.6 if rows == 2 else 1),
                      legend_title_text="Partner")
    for p in order:
        k = known[known["partner"] == p]
        if len(k):
            if aggregate:
                per = k.assign(month=k["event_date"].str[:7]).groupby("month").size()
                fig.add_bar(x=pd.to_datetime(per.index + "-01"), y=per.values, name=ylabels[p],
                            legendgroup=p, row=1, col=1,
                            marker=dict(color=colors[p], pattern=dict(
                                shape=["/" if month in partial else "" for month in per.index])),
                            customdata=[partial.get(month, "") for month in per.index],
                            hovertemplate=esc(ylabels[p]) + "<br>%{x|%b %Y}: %{y} meetings<br>%{customdata}"
                                          "<extra></extra>")
            else:
                fig.add_scatter(
                    x=pd.to_datetime(k["event_date"]), y=[ylabels[p]] * len(k), mode="markers",
                    name=ylabels[p], legendgroup=p,
                    marker=dict(size=timeline_marker_sizes(k["n_articles"]), color=colors[p], opacity=0.85),
                    text=[_hover_title(r) for r in k.itertuples(index=False)],
                    hovertemplate="%{text}<extra>" + esc(ylabels[p]) + "</extra>", row=1, col=1)
        u = unknown[unknown["partner"] == p]
        if len(u):
            md = pd.to_datetime("2000" + u["event_date"].str[1:], format="%Y-%m-%d")
            if aggregate:  # counts per month, still in the lane of unknown years
                per = md.dt.strftime("2000-%m-01").value_counts().sort_index()
                fig.add_bar(x=pd.to_datetime(per.index), y=per.values, name=ylabels[p], legendgroup=p,
                            showlegend=not len(k), marker_color=colors[p], row=unknown_row, col=1,
                            hovertemplate=esc(ylabels[p]) + "<br>%{x|%b}, year unknown: %{y} meetings<extra></extra>")
                continue
            fig.add_scatter(
                x=md, y=[ylabels[p]] * len(u), mode="markers", name=ylabels[p], legendgroup=p,
                showlegend=not len(k), marker=dict(size=timeline_marker_sizes(u["n_articles"]), color=colors[p],
                                                   symbol="diamond-open", line=dict(width=2)),
                text=[_hover_title(r) for r in u.itertuples(index=False)],
                hovertemplate="%{text}<extra>" + esc(ylabels[p]) + "</extra>", row=unknown_row, col=1)
    if aggregate:
        fig.update_layout(barmode="stack")
        fig.update_yaxes(title_text="Meetings per month")
    elif len(known):
        # A few meetings close together: at least a month around them, ticks in days (plotly's
        # automatic range around one date ticks in milliseconds: "23:59:59.999 Jun 10, 2024").
        first, last = pd.to_datetime(known["event_date"].min()), pd.to_datetime(known["event_date"].max())
        if last - first < pd.Timedelta(days=TIMELINE_LEAST_DAYS):
            middle = first + (last - first) / 2
            half = pd.Timedelta(days=TIMELINE_LEAST_DAYS / 2)
            fig.update_xaxes(range=[middle - half, middle + half], tickformat="%d %b %Y", row=1, col=1)
    fig.update_layout(showlegend=True)  # one partner's name is still said
    if len(unknown):
        fig.update_xaxes(tickformat="%d %b", range=["2000-01-01", "2000-12-31"],
                         title_text="Day and month (year unknown)", row=unknown_row, col=1)
    return fig


def direction_over_time(meetings: pd.DataFrame) -> go.Figure:
    """Meetings per year: inbound (Chinese delegation in Vietnam) vs outbound (Vietnamese
    delegation in China)."""
    title = "Who travelled: inbound vs outbound meetings per year"
    df = meetings[meetings["direction"].isin(["inbound", "outbound", "unknown"])]
    if df.empty:
        return _empty(title, "No Vietnam–China meeting in this selection")
    year = df["event_date"].fillna("").str.extract(r"^(\d{4})")[0].fillna("year unknown")
    g = df.assign(year=year).groupby(["year", "direction"]).size().rename("n").reset_index()
    years = sorted(y for y in g["year"].unique() if y != "year unknown")
    if (g["year"] == "year unknown").any():
        years.append("year unknown")
    # showlegend: with one direction only, plotly would hide the legend that says which it is
    fig = _figure(title, height=380, barmode="stack", xaxis_title="Year of the meeting",
                  yaxis_title="Meetings", legend_title_text="Direction", showlegend=True)
    names = {"inbound": "inbound (received in Vietnam)", "outbound": "outbound (visit to China)",
             "unknown": "direction not stated"}
    for d in ("inbound", "outbound", "unknown"):
        sub = g[g["direction"] == d].set_index("year").reindex(years)["n"].fillna(0)
        if sub.sum():
            fig.add_bar(x=years, y=sub.values, name=names[d], marker_color=DIRECTION_COLORS[d],
                        hovertemplate="%{x}: %{y} meetings, " + d + "<extra></extra>")
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=years)
    fig.update_yaxes(dtick=1 if g.groupby("year")["n"].sum().max() <= 10 else None)
    return fig


def topic_over_time(meetings: pd.DataFrame, topic: str, label: str) -> go.Figure:
    """Meetings that discussed a topic, per year (those of unknown year in their own column)."""
    title = f"Meetings discussing {label}, by year of the meeting"
    df = meetings[meetings[f"topic_{topic}"].fillna(0) > 0]
    if df.empty:
        return _empty(title, f"No meeting discussed {label}")
    year = df["event_date"].fillna("").str.extract(r"^(\d{4})")[0].fillna("year unknown")
    counts = year.value_counts()
    years = sorted(y for y in counts.index if y != "year unknown") + (
        ["year unknown"] if "year unknown" in counts.index else [])
    fig = _figure(title, height=340, xaxis_title="Year of the meeting", yaxis_title="Meetings",
                  showlegend=False)
    fig.add_bar(x=years, y=[int(counts[y]) for y in years], marker_color=PALETTE[0],
                hovertemplate="%{x}: %{y} meetings<extra></extra>")
    fig.update_xaxes(type="category")
    fig.update_yaxes(dtick=1 if counts.max() <= 10 else None)
    return fig


def topic_by_place(meetings: pd.DataFrame, parties: pd.DataFrame, topic: str, label: str,
                   top: int = TOP_PARTNERS) -> go.Figure:
    """Which partners and Vietnamese localities discuss a topic (their meetings that did)."""
    title = f"Who discusses {label}: meetings discussing it, per locality"
    ids = set(meetings.loc[meetings[f"topic_{topic}"].fillna(0) > 0, "id"])
    m = parties[parties["id"].isin(ids)]
    if m.empty:
        return _empty(title, f"No meeting discussed {label}")
    cn = m.drop_duplicates(["id", "partner"]).groupby(["partner", "partner_vi"]).size().rename("n").reset_index()
    vn = m.dropna(subset=["vn"]).drop_duplicates(["id", "vn"]).groupby(["vn", "vn_vi"]).size().rename("n").reset_index()
    sides = []
    for name, df, key in (("Chinese partners", cn, "partner"), ("Vietnamese localities", vn, "vn")):
        # The bars shown set the height: sized on all of them, 98 partners at 100 000 articles
        # had drawn 25 bars a hundred pixels thick.
        sides.append((f"{name} (the {top} with most)" if len(df) > top else name,
                      df.sort_values(["n", key], ascending=[True, False]).tail(top)))
    fig = make_subplots(rows=1, cols=2, subplot_titles=[t for t, _ in sides], horizontal_spacing=0.25)
    fig.update_layout(template=TEMPLATE_NAME, title=title, showlegend=False,
                      height=max(300, 100 + 30 * max(len(sides[0][1]), len(sides[1][1]), 1)))
    for col, (_, df), key, vi, color in zip((1, 2), sides, ("partner", "vn"), ("partner_vi", "vn_vi"),
                                            ("#d62728", "#1f77b4")):
        fig.add_bar(x=df["n"], y=[place_label(v, k) for v, k in zip(df[vi], df[key])], orientation="h",
                    marker_color=color, row=1, col=col, hovertemplate="%{y}: %{x} meetings<extra></extra>")
        fig.update_xaxes(title_text="Meetings", row=1, col=col,
                         dtick=1 if len(df) and df["n"].max() <= 10 else None)
    return fig


def topojson_asset(name: str = "asia_50m") -> str:
    """The map outline plotly.js needs, for inlining into offline HTML."""
    return resources.files("citycoop.data").joinpath("topojson", f"{name}.json").read_text(encoding="utf-8")
