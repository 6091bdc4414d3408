"""Open every report in headless Chromium with the network blocked: every chart renders, the
console is clean, no request leaves the file, and the XSS fixture executes nothing."""
import os
import shutil

import pytest

from conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def chromium_path():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("CITYCOOP_REQUIRE_BROWSER"):
            pytest.fail("CITYCOOP_REQUIRE_BROWSER is set but no Chromium was found (apt-get install chromium)")
        pytest.skip("no Chromium on this machine (set CITYCOOP_REQUIRE_BROWSER=1 to make this fail)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()


def open_offline(browser, html_path):
    """Load a report with every non-file request blocked; return page, errors, blocked requests."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 2000})
    page = ctx.new_page()
    errors, blocked = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r):
        if r.request.url.startswith(("file://", "data:", "blob:", "about:")):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    ctx.route("**/*", route)
    page.goto(html_path.as_uri(), wait_until="load")
    return ctx, page, errors, blocked


def check_report(browser, html):
    ctx, page, errors, blocked = open_offline(browser, html)
    try:
        expected = page.evaluate("document.querySelectorAll('div.plotly-graph-div').length")
        if expected:
            page.wait_for_function(
                f"document.querySelectorAll('div.plotly-graph-div .main-svg').length >= {expected}",
                timeout=30_000)
        rendered = page.evaluate(
            "[...document.querySelectorAll('div.plotly-graph-div')].filter(d => d._fullLayout && d.querySelector('.main-svg')).length")
        geo_land = page.evaluate("document.querySelectorAll('.geo .land, .geo path.land, .geolayer path').length")
        xss = page.evaluate("window.__xss === undefined")
        return expected, rendered, errors, blocked, geo_land, xss
    finally:
        ctx.close()


def test_every_seed_report_renders_offline(browser, seed_reports):
    out, _ = seed_reports
    pages = sorted(out.glob("*.html"))
    assert len(pages) >= 10
    for html in pages:
        expected, rendered, errors, blocked, geo_land, _ = check_report(browser, html)
        assert rendered == expected, (html.name, rendered, expected)
        assert errors == [], (html.name, errors)
        assert blocked == [], (html.name, blocked)
        if html.name == "corpus_overview.html" or html.name.startswith("partner_"):
            assert expected >= 2 and geo_land > 0  # the map drew its land from the inlined outline
        if html.name == "corpus_overview.html":
            assert expected >= 6
        if html.name == "index.html":
            assert expected == 0


def test_reports_folder_if_built_renders_too(browser):
    """`make report` output, when present, is checked the same way."""
    out = ROOT / "reports"
    pages = sorted(out.glob("*.html"))
    if not pages:
        pytest.skip("reports/ not built (run `make report`)")
    for html in pages:
        expected, rendered, errors, blocked, _, _ = check_report(browser, html)
        assert (rendered, errors, blocked) == (expected, [], []), html.name


def test_xss_fixture_executes_nothing_and_shows_as_text(browser, xss_reports):
    for html in sorted(xss_reports.glob("*.html")):
        expected, rendered, errors, blocked, _, xss_free = check_report(browser, html)
        assert xss_free, html.name
        assert rendered == expected and blocked == [], html.name
    ctx, page, _, _ = open_offline(browser, xss_reports / "corpus_overview.html")
    assert "<script>window.__xss = 1</script>" in page.inner_text("body")
    ctx.close()


def test_a_long_table_scrolls_in_its_box_with_its_header_in_view(browser, tmp_path):
    """A report table past SCROLL_ROWS rows is a box of a few hundred pixels that scrolls, and
    its header row stays at the top of the box while the rows scroll under it; event dates
    never wrap."""
    import nbformat
    import pandas as pd

    from citycoop import tables
    from citycoop.report.html import export_html

    rows = pd.DataFrame({"Event date": [tables._date_cell(f"2024-{i % 12 + 1:02d}-01") for i in range(200)],
                         "Title": [f"Bài {i} " + "Hà Nội tiếp đoàn đại biểu Trùng Khánh " * 12 for i in range(200)],
                         "Evidence": ["Hai bên thống nhất thúc đẩy hợp tác về giao thông " * 8] * 200})
    cell = nbformat.v4.new_code_cell("HTML(tables.to_html(rows))")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": tables.to_html(rows)})]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A long table"), cell])
    export_html(nb, tmp_path / "long.html")
    ctx, page, errors, blocked = open_offline(browser, tmp_path / "long.html")
    try:
        height, full = page.evaluate(
            "(() => { const b = document.querySelector('.citycoop-scroll'); return [b.clientHeight, b.scrollHeight]; })()")
        assert 200 < height < 700 and full > 5 * height
        page.evaluate("document.querySelector('.citycoop-scroll').scrollTop = 3000")
        box_top, header_top, row_count = page.evaluate(
            "(() => { const b = document.querySelector('.citycoop-scroll');"
            " return [b.getBoundingClientRect().top, b.querySelector('thead th').getBoundingClientRect().top,"
            " b.querySelectorAll('tbody tr').length]; })()")
        assert abs(header_top - box_top) <= 2 and row_count == 200
        # squeezed by the long columns, a date still takes one line ("2024-01-" / "01" without the CSS)
        lines = page.evaluate("[...document.querySelectorAll('.citycoop-date')].map(d => d.getClientRects().length)")
        assert len(lines) == 200 and set(lines) == {1}
        assert (errors, blocked) == ([], [])
    finally:
        ctx.close()


@pytest.mark.parametrize("font", ["Noto Sans", "DejaVu Sans"])
def test_map_names_never_cover_each_other_on_a_dense_map(browser, tmp_path, font):
    """Every Chinese province and city of the gazetteer meets Vietnamese ones (the densest map there can
    be): the names Chromium draws on the map never overlap one another and stay inside the map,
    and places that stand apart (the north, the far west) are named, not only the southern pile — in either font of the template
    that a machine may have. Blindly placed names above the most-met places had been an
    illegible pile in southern China at 100 000 articles."""
    import nbformat
    import pandas as pd

    from citycoop import charts
    from citycoop.gazetteer import load_gazetteer
    from citycoop.markup import place_label
    from citycoop.report.html import PLOTLY_MIME, export_html

    places = load_gazetteer().localities
    # every province and prefecture-level city (counties are too many to be partners all at once)
    cn = [p for p in places if p.country == "cn" and p.level != "county"]
    vn = [p for p in places if p.country == "vn"]
    rows = []
    for k, c in enumerate(cn):
        for i in range(1 + (k * 37) % 50):
            v = vn[(k * 7 + i) % len(vn)]
            rows.append({"id": f"a{k}-{i}", "partner": c.name, "partner_vi": c.name_vi,
                         "partner_province": c.province, "partner_lat": c.lat, "partner_lon": c.lon,
                         "vn": v.name, "vn_vi": v.name_vi, "vn_lat": v.lat, "vn_lon": v.lon, "n_articles": 1})
    fig = charts.meeting_map(pd.DataFrame(rows)).update_layout(font_family=font)
    cell = nbformat.v4.new_code_cell("charts.meeting_map(view.parties)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={PLOTLY_MIME: fig.to_plotly_json()})]
    export_html(nbformat.v4.new_notebook(cells=[cell]), tmp_path / "map.html")
    ctx, page, errors, blocked = open_offline(browser, tmp_path / "map.html")
    try:
        page.wait_for_function("document.querySelectorAll('.geo .scattergeo text').length > 0", timeout=30_000)
        names = page.evaluate(
            "[...document.querySelectorAll('.geo .scattergeo text')].filter(t => t.textContent)"
            ".map(t => { const r = t.getBoundingClientRect();"
            " return [t.textContent, r.left, r.top, r.right, r.bottom]; })")
        frame = page.evaluate(
            "(() => { const b = document.querySelector('.geo .bg rect').getBoundingClientRect();"
            " return [b.left, b.top, b.right, b.bottom]; })()")
        assert (errors, blocked) == ([], [])
    finally:
        ctx.close()
    labels = {n[0] for n in names}
    where = {place_label(c.name_vi, c.name): (c.lat, c.lon) for c in cn}
    named = [where[n.replace("\u00a0", " ")] for n in labels if n.replace("\u00a0", " ") in where]
    assert len(names) >= 12
    assert any(lat > 40 for lat, _ in named) and any(lon < 100 for _, lon in named), named
    for i, (a, *ra) in enumerate(names):
        # within 6 px: plotly fits a map of every Chinese city a little off the Mercator frame the
        # placement assumes (the northernmost name, Daxing'anling, 4 px over the top edge, drawn whole)
        m = 6
        assert frame[0] - m <= ra[0] and ra[2] <= frame[2] + m and frame[1] - m <= ra[1] and ra[3] <= frame[3] + m, a
        for b, *rb in names[i + 1:]:
            assert not (ra[0] < rb[2] and rb[0] < ra[2] and ra[1] < rb[3] and rb[1] < ra[3]), (a, ra, b, rb)
