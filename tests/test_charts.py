"""Chart builders are pure functions: DataFrame in, Figure out — tested without a kernel. They
count meetings (a row each) and their parties (a row per meeting × partner × Vietnamese side)."""

import pandas as pd
import plotly.graph_objects as go
import pytest

from citycoop import charts, tables
from citycoop.meetings import meeting_id
from citycoop.report import views
from conftest import SEEDS


@pytest.fixture(scope="module")
def data():
    """The seeds' meetings (five, an article each), their parties and the view."""
    view = views.corpus_view(SEEDS)
    return view.meetings, view.parties, view


LABELS = {"transport": "Transport", "logistics": "Logistics", "metro": "Metro & urban rail",
          "tourism": "Tourism"}
TOPICS = list(LABELS)


def test_partners_bar_counts_meetings_per_partner(data):
    _, meet, _ = data
    fig = charts.partners_bar(meet)
    assert isinstance(fig, go.Figure)
    counts = {}
    for tr in fig.data:
        for x, y in zip(tr.x, tr.y):
            counts[y] = x
    assert counts == {"Trùng Khánh (Chongqing)": 2, "Quảng Châu (Guangzhou)": 1,
                      "Thượng Hải (Shanghai)": 1, "Tân Cương (Xinjiang)": 1}
    assert {tr.name for tr in fig.data} == {"Chongqing", "Guangdong", "Shanghai", "Xinjiang"}
    # The legend lists the provinces A to Z (plotly lists a stacked chart's bottom-up by default)
    assert [tr.name for tr in fig.data] == sorted(tr.name for tr in fig.data)
    assert fig.layout.legend.traceorder == "normal"


def test_timeline_keeps_unknown_years_in_their_own_lane(data):
    _, meet, _ = data
    fig = charts.meetings_timeline(meet)
    known = [tr for tr in fig.data if tr.xaxis == "x"]
    unknown = [tr for tr in fig.data if tr.xaxis == "x2"]
    assert sum(len(tr.x) for tr in known) == 2  # 2023-10-13 and 2025-10-24
    assert sum(len(tr.x) for tr in unknown) == 3  # --09-26, --03-26, --11-26
    assert "Year not stated" in fig.layout.annotations[1].text


def test_timeline_draws_no_empty_lane_when_no_year_is_known(data):
    """Xinjiang's only seed article gives a day and month but no year: one lane, not an empty
    "Year known" panel above it."""
    _, meet, _ = data
    fig = charts.meetings_timeline(meet[meet["partner"] == "Xinjiang"])
    assert [a.text for a in fig.layout.annotations] == ["Year not stated in the text (day and month only)"]
    assert {tr.xaxis for tr in fig.data} == {"x"} and sum(len(tr.x) for tr in fig.data) == 1
    assert fig.layout.xaxis.title.text == "Day and month (year unknown)"
    dated = charts.meetings_timeline(meet[meet["year_known"]])
    assert [a.text for a in dated.layout.annotations] == ["Year known"]


def test_topic_share_bar_shares(data):
    meetings, _, _ = data
    fig = charts.topic_share_bar(meetings, LABELS, TOPICS)
    shares = dict(zip(fig.data[0].y, fig.data[0].x))
    assert shares == {"Transport": 0.6, "Logistics": 0.8, "Metro & urban rail": 0.2, "Tourism": 0.6}


def test_heatmap_map_direction_profile_and_topic_charts_build(data):
    arts, meet, _ = data  # (the seeds' meetings: one article each)
    heat = charts.partner_topic_heatmap(arts, meet, LABELS, TOPICS)
    assert len(heat.data[0].z) == 4 and len(heat.data[0].z[0]) == 4
    geo = charts.meeting_map(meet)
    assert any(tr.type == "scattergeo" for tr in geo.data) and geo.layout.geo.scope == "asia"
    lines = [tr for tr in geo.data if tr.mode == "lines"]
    assert len(lines) == 5  # one per Vietnamese–Chinese pair
    direction = charts.direction_over_time(arts)
    assert sum(sum(tr.y) for tr in direction.data) == 5
    prof = charts.topic_profile(arts, {meeting_id("000_77aec2281c3530ce.txt")}, LABELS, TOPICS, "Chongqing")
    assert list(prof.data[0].y) == [1.0, 1.0, 0.0, 1.0]
    assert charts.topic_over_time(arts, "metro", "Metro").data[0].y == (1,)
    assert charts.topic_by_place(arts, meet, "metro", "Metro").data[0].x == (1,)
    assert "Meetings" in (direction.layout.yaxis.title.text, prof.layout.yaxis.title.text)


def test_empty_selection_gives_a_message_not_an_error(data):
    _, meet, _ = data
    empty = meet.iloc[0:0]
    for fig in (charts.partners_bar(empty), charts.meeting_map(empty), charts.meetings_timeline(empty)):
        assert fig.layout.annotations and "No" in fig.layout.annotations[0].text


def test_same_input_same_figure(data):
    _, meet, _ = data
    a = charts.meetings_timeline(meet).to_json()
    b = charts.meetings_timeline(meet.sample(frac=1, random_state=1)).to_json()
    assert a == b


def test_large_timeline_is_aggregated_per_month():
    rows = [_meeting(f"a{i}", f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", "Nanning")
            for i in range(charts.MAX_TIMELINE_POINTS + 100)]
    fig = charts.meetings_timeline(pd.DataFrame(rows))
    assert fig.data[0].type == "bar" and len(fig.data[0].x) == 12


def test_web_text_is_escaped_in_hover_and_tables(data):
    _, meet, view = data
    evil = meet.copy()
    evil["title"] = "<img src=x onerror=alert(1)>"
    fig = charts.meetings_timeline(evil)
    as_json = fig.to_json().replace("\\u003c", "<").replace("\\u003e", ">").replace("\\u0026", "&")
    assert "<img" not in as_json and "&lt;img src=x" in as_json
    a = view.articles.copy()
    a["title"] = "<script>alert(1)</script>"
    a["url"] = "javascript:alert(1)"
    html = tables.to_html(tables.article_table(a, TOPICS, LABELS))
    assert "<script>" not in html and "&lt;script&gt;" in html and "javascript:" not in html


def test_place_charts_past_their_cap_say_so_and_size_to_the_bars_shown():
    """40 partners and 30 Vietnamese localities discussing a topic: each side shows its 25
    busiest, says so, and the figure is as tall as 25 bars need (not 40)."""
    rows = [{"id": f"a{i}-{j}", "event_date": "2024-05-01", "partner": f"P{i:02d}", "partner_vi": f"P{i:02d}",
             "partner_province": "Guangxi", "vn": f"V{i % 30:02d}", "vn_vi": f"V{i % 30:02d}",
             "n_articles": 1, "n_outlets": 1, "outlets": "Báo X"}
            for i in range(40) for j in range(i + 1)]  # partner Pi has i + 1 meetings
    meet = pd.DataFrame(rows)
    arts = pd.DataFrame({"id": meet["id"], "topic_metro": 1})  # the meetings, each discussing metro
    top = charts.TOP_PARTNERS
    fig = charts.topic_by_place(arts, meet, "metro", "Metro")
    partners, places = fig.data
    assert len(partners.y) == top and list(partners.y)[-1] == "P39" and list(partners.x)[-1] == 40
    assert len(places.y) == top
    assert [a.text for a in fig.layout.annotations] == [f"Chinese partners (the {top} with most)",
                                                        f"Vietnamese localities (the {top} with most)"]
    assert fig.layout.height == 100 + 30 * top
    few = meet[meet["partner"] < "P05"]
    fig = charts.topic_by_place(arts, few, "metro", "Metro")
    assert [a.text for a in fig.layout.annotations] == ["Chinese partners", "Vietnamese localities"]
    assert fig.layout.height == 300
    bar = charts.partners_bar(meet)
    assert bar.layout.title.text.endswith(f"(the {top} with most)") and sum(len(t.y) for t in bar.data) == top
    assert "with most" not in charts.partners_bar(few).layout.title.text


def test_map_circles_grow_with_meetings_at_any_corpus_size(data):
    """A large corpus: every place has more than ten meetings, yet the most-met place draws
    the largest circle and one met a tenth as often a clearly smaller one (sizes had stopped
    growing at ten meetings: a corpus of 100 000 drew 98 equal, overlapping circles)."""
    _, meet, _ = data
    one = meet.iloc[[0]]
    rows = []
    for k, (partner, n) in enumerate((("Beijing", 1000), ("Shanghai", 500), ("Chongqing", 100),
                                      ("Xinjiang", 12))):
        for i in range(n):
            rows.append(one.assign(partner=partner, partner_vi=partner, id=f"{partner}-{i}",
                                   partner_lat=30.0 + k, partner_lon=110.0 + k))
    big = pd.concat(rows, ignore_index=True)
    geo = charts.meeting_map(big)
    (cn,) = [tr for tr in geo.data if tr.name == "Chinese partner"]
    size = dict(zip(cn.hovertext, cn.marker.size))
    assert size["Beijing"] == charts.MARKER_PX[1]
    assert size["Beijing"] > size["Shanghai"] > size["Chongqing"] > size["Xinjiang"] >= charts.MARKER_PX[0]
    assert size["Chongqing"] < 0.6 * size["Beijing"]
    # Area tells the count: twice the meetings, about twice the area above the smallest circle.
    extra = {k: v - charts.MARKER_PX[0] for k, v in size.items()}
    assert extra["Beijing"] ** 2 / extra["Shanghai"] ** 2 == pytest.approx(2, rel=0.02)


def test_map_circles_of_a_small_corpus_stay_small(data):
    _, meet, _ = data
    geo = charts.meeting_map(meet)
    for tr in geo.data:
        if tr.mode == "markers+text":
            assert all(charts.MARKER_PX[0] < s < 0.7 * charts.MARKER_PX[1] for s in tr.marker.size)


def _meeting(meeting: str, event_date: str, partner: str, n_articles: int = 1, outlets: str = "Báo Lạng Sơn",
             vn: str = "Lang Son") -> dict:
    """A party row (``views.PARTY_COLUMNS``) of a dated inbound visit of ``partner``, a Guangxi
    city, to ``vn`` (Lạng Sơn), reported by ``n_articles`` articles of ``outlets``."""
    return {"id": meeting, "title": "t", "event_date": event_date, "year_known": True, "direction": "inbound",
            "n_articles": n_articles, "n_outlets": len(outlets.split("; ")), "outlets": outlets,
            "partner": partner, "partner_vi": partner, "partner_province": "Guangxi", "partner_level": "city",
            "partner_lat": 22.8, "partner_lon": 108.3, "vn": vn, "vn_vi": vn, "vn_lat": 21.8, "vn_lon": 106.7}

def test_large_timeline_stacks_the_top_partners_and_the_rest_in_grey():
    """30 partners: the 10 with most meetings get colours of their own, no two alike, and the
    other 20 one grey bar, so each month's bar still counts every meeting."""
    meet = pd.DataFrame([_meeting(f"a{k}-{i}", f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", f"P{k:02d}")
                         for k in range(30) for i in range(40 - k)])  # P00 has most meetings, P29 fewest
    assert len(meet) > charts.MAX_TIMELINE_POINTS
    fig = charts.meetings_timeline(meet)
    assert {tr.type for tr in fig.data} == {"bar"}
    names = [tr.name for tr in fig.data]
    assert names[:-1] == [f"P{k:02d}" for k in range(10)]
    assert names[-1] == "20 other partners" and fig.data[-1].marker.color == charts.OTHER_COLOR
    colors = [tr.marker.color for tr in fig.data[:-1]]
    assert len(set(colors)) == 10 and charts.OTHER_COLOR not in colors
    assert sum(sum(tr.y) for tr in fig.data) == len(meet)
    assert "other 20 in grey" in fig.layout.title.text


def test_partner_bars_give_every_province_shown_a_colour_of_its_own():
    rows = [{"id": f"a{k}-{i}", "partner": f"City{k:02d}", "partner_vi": f"City{k:02d}",
             "partner_province": f"Province{k:02d}", "event_date": "2024-01-01", "n_articles": 1,
             "n_outlets": 1, "outlets": ""}
            for k in range(40) for i in range(50 - k)]
    fig = charts.partners_bar(pd.DataFrame(rows))
    assert len(fig.data) == charts.TOP_PARTNERS  # one trace per province shown
    colors = [tr.marker.color for tr in fig.data]
    assert len(set(colors)) == len(colors)
    assert len(set(charts.PALETTE)) == len(charts.PALETTE) >= charts.TOP_PARTNERS


def _places(rows):
    sizes = charts.marker_sizes(pd.Series([r[3] for r in rows]))
    return pd.DataFrame([{"label": r[0], "lat": r[1], "lon": r[2], "n": r[3], "group": r[4], "size": s}
                         for r, s in zip(rows, sizes)])


MAP_RANGE = dict(lat_range=(10.0, 50.0), lon_range=(90.0, 130.0))


def test_map_names_of_places_on_one_spot_take_turns_around_it():
    """Five places on one spot: the most-met is named above its circle, the next below, right,
    left; the fifth has no room left and keeps its hover label only."""
    places = _places([(f"Place {k}", 30.0, 110.0, 50 - k, "cn") for k in range(5)])
    assert charts.map_label_positions(places, **MAP_RANGE) == [
        "top center", "bottom center", "middle right", "middle left", None]


def test_map_names_go_where_they_stay_on_the_map():
    """A place at the top edge is named below its circle, one at the right edge on its left."""
    places = _places([("Near the top", 49.9, 110.0, 3, "cn"), ("Near the right edge", 30.0, 129.9, 3, "cn")])
    assert charts.map_label_positions(places, **MAP_RANGE) == ["bottom center", "middle left"]


def test_map_names_at_most_the_most_met_of_each_side():
    """Twenty places far apart on each side: the twelve most-met of each are named."""
    rows = [(f"{side} {k}", 12.0 + 2 * (k % 10), 92.0 + 18 * (k // 10) + (side == "vn") * 9, k + 1, side)
            for side in ("cn", "vn") for k in range(20)]
    positions = charts.map_label_positions(_places(rows), **MAP_RANGE)
    named = {r[0] for r, p in zip(rows, positions) if p}
    assert named == {f"{side} {k}" for side in ("cn", "vn") for k in range(8, 20)}


def test_map_names_every_place_of_the_seeds(data):
    _, meet, _ = data
    geo = charts.meeting_map(meet)
    names = [t for tr in geo.data if tr.mode == "markers+text" for t in tr.text]
    hovers = [t for tr in geo.data if tr.mode == "markers+text" for t in tr.hovertext]
    assert names == hovers and len(names) == 6


def test_heatmap_cells_give_the_share_and_the_row_its_meeting_count(data):
    """Cells write the share (blank for none, "<1%" for a few of many), hovers the count, and
    each partner's name is followed by its number of meetings: "657 of 1010" in every cell had
    been shrunk to an unreadable size on a large corpus."""
    arts, meet, _ = data
    heat = charts.partner_topic_heatmap(arts, meet, LABELS, TOPICS).data[0]
    row = list(heat.y).index("Trùng Khánh (Chongqing) · 2")
    flags = arts.set_index("id").loc[meet.loc[meet["partner"] == "Chongqing", "id"].unique()]
    for j, t in enumerate(TOPICS):
        k = int((flags[f"topic_{t}"] > 0).sum())
        assert heat.customdata[row][j] == f"{k} of 2" and heat.z[row][j] == k / 2
        assert heat.text[row][j] == ("" if k == 0 else f"{round(50 * k)}%")
    assert [charts.share_text(k, 1000) for k in (0, 1, 4, 5, 657, 1000)] == ["", "<1%", "<1%", "1%", "66%", "100%"]


def _monthly_meetings(first: str, last: str, n: int = 600) -> pd.DataFrame:
    """n meetings of 12 partners spread over the days from ``first`` to ``last``."""
    days = pd.date_range(first, last, freq="D").strftime("%Y-%m-%d")
    return pd.DataFrame([_meeting(f"a{i}", days[i * len(days) // n], f"P{i % 12:02d}") for i in range(n)])


def test_monthly_bars_hatch_the_months_the_data_cover_in_part():
    """Meetings from 15 Jan 2024 to 5 Dec 2024: January and December are drawn hatched in every
    partner's bars, with a note in the lane's title and the hover, so a December bar a sixth of
    the others is not read as a fall; a corpus from the 1st to the month's last day has none."""
    fig = charts.meetings_timeline(_monthly_meetings("2024-01-15", "2024-12-05"))
    bars = [tr for tr in fig.data if tr.type == "bar"]
    assert len(bars) == charts.TIMELINE_STACKED + 1 and sum(sum(tr.y) for tr in bars) == 600
    for tr in bars:
        months = [x.strftime("%Y-%m") for x in pd.to_datetime(tr.x)]
        hatched = {m for m, shape in zip(months, tr.marker.pattern.shape) if shape}
        assert hatched == {"2024-01", "2024-12"} & set(months) and "2024-06" in months
        notes = dict(zip(months, tr.customdata))
        assert notes.get("2024-12", "hatched: Dec 2024, data up to 5 Dec") == "hatched: Dec 2024, data up to 5 Dec"
        assert notes["2024-06"] == ""
    assert any("2024-12" in {x.strftime("%Y-%m") for x in pd.to_datetime(tr.x)} for tr in bars)
    assert fig.layout.annotations[0].text == (
        "Year known; hatched: Jan 2024, data from 15 Jan; hatched: Dec 2024, data up to 5 Dec")
    whole = charts.meetings_timeline(_monthly_meetings("2024-01-01", "2024-12-31"))
    assert not any(any(tr.marker.pattern.shape) for tr in whole.data if tr.type == "bar")
    assert whole.layout.annotations[0].text == "Year known"
    assert charts.partial_months(pd.Series(["2024-02-03", "2024-02-10"])) == {}  # one month: nothing to compare
    assert charts.partial_months(pd.Series(["2024-02", "2024-05-31", None, "2024-03-01"])) == {}


def test_map_of_a_few_places_along_one_meridian_keeps_some_width(data):
    """Chongqing's partners (Hanoi, Ho Chi Minh City) lie along one meridian: the map still spans
    MAP_LEAST_SPAN degrees of longitude around them, not the 13 degrees their padding gives."""
    _, meet, _ = data
    geo = charts.meeting_map(meet[meet["partner"] == "Chongqing"]).layout.geo
    lon, lat = geo.lonaxis.range, geo.lataxis.range
    assert lon[1] - lon[0] == pytest.approx(charts.MAP_LEAST_SPAN[1])
    assert lon[0] < 105.85 and lon[1] > 106.57 and lat[0] < 10.78 and lat[1] > 29.56
    wide = charts.meeting_map(meet).layout.geo.lonaxis.range  # Xinjiang to Shanghai: padding only
    assert wide[1] - wide[0] > charts.MAP_LEAST_SPAN[1]


def test_map_names_the_places_it_cannot_draw(data):
    """A gazetteer edited by an analyst may give a place no coordinates: the map says which it
    could not draw (they had been dropped without a word), and with none to draw says so instead
    of a map with no extent."""
    _, meet, _ = data
    edited = meet.assign(partner_lat=meet["partner_lat"].where(meet["partner"] != "Shanghai"))
    geo = charts.meeting_map(edited)
    assert geo.layout.title.text.endswith("(not drawn, no coordinates in the gazetteer: Thượng Hải (Shanghai))")
    drawn = [t for tr in geo.data if tr.mode == "markers+text" for t in tr.hovertext]
    assert "Thượng Hải (Shanghai)" not in drawn and len(drawn) == 5
    assert not any(pd.isna(v) for v in (*geo.layout.geo.lataxis.range, *geo.layout.geo.lonaxis.range))
    nowhere = charts.meeting_map(meet.assign(partner_lat=None, vn_lat=None))
    assert nowhere.layout.annotations[0].text.startswith("No place of these meetings has coordinates")
    assert "Trùng Khánh (Chongqing)" in nowhere.layout.annotations[0].text


def test_timeline_says_how_many_meetings_it_cannot_place(data):
    """Meetings whose article gives no date at all are counted in the title, not dropped
    without a word; a selection of only those says so."""
    _, meet, _ = data
    one_undated = meet.assign(event_date=meet["event_date"].where(meet["partner"] != "Shanghai"))
    fig = charts.meetings_timeline(one_undated)
    assert fig.layout.title.text == "Timeline of meetings — not shown: 1 meeting without a date"
    assert sum(len(tr.x) for tr in fig.data) == 4
    none = charts.meetings_timeline(meet.assign(event_date=None))
    assert none.layout.annotations[0].text == "No dated meeting in this selection (5 without a date)"
    assert charts.meetings_timeline(meet).layout.title.text == "Timeline of meetings"


def test_one_dated_meeting_gets_a_month_of_axis_in_days():
    fig = charts.meetings_timeline(pd.DataFrame([_meeting("a", "2024-06-10", "Nanning")]))
    lo, hi = (pd.Timestamp(x) for x in fig.layout.xaxis.range)
    assert hi - lo == pd.Timedelta(days=charts.TIMELINE_LEAST_DAYS) and lo < pd.Timestamp("2024-06-10") < hi
    assert fig.layout.xaxis.tickformat == "%d %b %Y"
    assert fig.layout.showlegend and fig.data[0].name == "Nanning"  # one partner is still named


def test_one_direction_still_has_its_legend():
    arts = pd.DataFrame({"id": ["a", "b"], "event_date": ["2024-05-01", "2024-06-01"],
                         "direction": ["inbound", "inbound"]})
    fig = charts.direction_over_time(arts)
    assert len(fig.data) == 1 and fig.layout.showlegend and fig.data[0].name.startswith("inbound")


@pytest.mark.parametrize("value,shown", [
    ("--09-26", "26 Sep (year unknown)"), ("2024-09-26", "2024-09-26"), (None, "–"), ("", "–")])
def test_event_dates_read_as_people_read_them(value, shown):
    assert tables.display_date(value) == shown


# ----------------------------------------------------------------------------- meetings, not articles
def _coverage_case() -> pd.DataFrame:
    """Three meetings: Nanning–Lạng Sơn on 4 May, reported by three articles of three outlets
    (Cao Bằng also named), and on 9 Aug by one of unknown outlet; Baise–Lạng Sơn once."""
    return pd.DataFrame([
        _meeting("m1", "2024-05-04", "Nanning", 3, "Báo Lạng Sơn; TTXVN; VnExpress"),
        _meeting("m1", "2024-05-04", "Nanning", 3, "Báo Lạng Sơn; TTXVN; VnExpress", vn="Cao Bang"),
        _meeting("m2", "2024-08-09", "Nanning", 1, ""),
        _meeting("m3", "2024-08-09", "Baise", 1, "Báo Lạng Sơn"),
    ])


def test_partner_bars_count_meetings_and_say_their_coverage():
    fig = charts.partners_bar(_coverage_case())
    (bar,) = fig.data
    assert dict(zip(bar.y, bar.x)) == {"Nanning": 2, "Baise": 1}
    reach = dict(zip(bar.y, (c[2] for c in bar.customdata)))
    assert reach == {"Nanning": "4 articles by 3 outlets and 1 of unknown outlet", "Baise": "1 article by 1 outlet"}
    assert fig.layout.xaxis.title.text == "Meetings" and "meetings" in fig.layout.title.text


def test_map_counts_meetings_per_place_and_pair_with_their_articles():
    fig = charts.meeting_map(_coverage_case())
    (cn,) = [tr for tr in fig.data if tr.name == "Chinese partner"]
    (vn,) = [tr for tr in fig.data if tr.name == "Vietnamese locality"]
    assert dict(zip(cn.hovertext, (tuple(c) for c in cn.customdata))) == {"Nanning": (2, 4), "Baise": (1, 1)}
    assert dict(zip(vn.hovertext, (tuple(c) for c in vn.customdata))) == {"Lang Son": (3, 5), "Cao Bang": (1, 3)}
    lines = sorted(tr.text for tr in fig.data if tr.mode == "lines")
    assert lines == ["Cao Bang – Nanning: 1 meeting (3 articles)", "Lang Son – Baise: 1 meeting (1 article)",
                     "Lang Son – Nanning: 2 meetings (4 articles)"]


def test_timeline_draws_a_mark_per_meeting_sized_by_its_articles():
    fig = charts.meetings_timeline(_coverage_case())
    marks = {(tr.name, str(x)[:10]): (size, text) for tr in fig.data
             for x, size, text in zip(tr.x, tr.marker.size, tr.text)}
    assert sorted(marks) == [("Baise", "2024-08-09"), ("Nanning", "2024-05-04"), ("Nanning", "2024-08-09")]
    three, one = marks[("Nanning", "2024-05-04")], marks[("Nanning", "2024-08-09")]
    assert three[0] > one[0] == charts.timeline_marker_sizes(pd.Series([1]))[0]
    assert three[1].endswith("reported in 3 articles by 3 outlets") and one[1].endswith("1 article, no outlet named")
    sizes = charts.timeline_marker_sizes(pd.Series([1, 2, 4, 17, 500]))
    assert sizes == sorted(sizes) and sizes[-1] == sizes[-2]  # grows, then stops


def test_topic_and_direction_charts_count_meetings():
    """Two meetings, one of which discussed trade (any of its articles mentions it): half of the
    meetings, whatever the number of articles behind each."""
    meetings = pd.DataFrame({"id": ["m1", "m2"], "event_date": ["2024-05-04", "--08-09"],
                             "direction": ["inbound", "outbound"], "topic_trade": [1, 0], "n_articles": [3, 1]})
    share = charts.topic_share_bar(meetings, {"trade": "Trade"}, ["trade"]).data[0]
    assert list(share.x) == [0.5] and list(share.text) == ["1 of 2"]
    per_year = charts.topic_over_time(meetings, "trade", "Trade").data[0]
    assert list(per_year.x) == ["2024"] and list(per_year.y) == [1]
    direction = charts.direction_over_time(meetings)
    assert {tr.name: list(tr.y) for tr in direction.data} == {
        "inbound (received in Vietnam)": [1, 0], "outbound (visit to China)": [0, 1]}
    assert direction.layout.yaxis.title.text == "Meetings"
