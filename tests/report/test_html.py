"""``report.html``: the pages as files — plotly.js and the map outline shared from assets/ or
inlined, the same notebook giving the same page, the index, and web text escaped."""
import pytest

from conftest import ROOT, run_report

pytestmark = pytest.mark.slow


def test_pages_share_plotly_and_the_map_outline_from_the_folder(seed_reports):
    from plotly.offline import get_plotlyjs

    plotly_js = get_plotlyjs()
    out, _ = seed_reports
    assert (out / "assets" / "plotly.min.js").read_text(encoding="utf-8") == plotly_js
    assert "PlotlyGeoAssets" in (out / "assets" / "asia_50m.js").read_text(encoding="utf-8")
    for html in out.glob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert plotly_js not in text, html.name
        if html.name == "review.html":  # tables only: no plotly.js to load
            assert "plotly.min.js" not in text and "Plotly.newPlot" not in text
        elif html.name != "index.html":
            assert text.count('<script src="assets/plotly.min.js"') == 1
            assert text.count("Plotly.newPlot") >= 1
        for remote in ("cdn.plot.ly", "require.js", "cdnjs", "src=\"http", "<link rel=\"stylesheet\" href=\"http"):
            assert remote not in text, (html.name, remote)
        assert len(text.encode()) < 1_500_000, html.name  # 5 MB each when plotly.js was inlined
    overview = (out / "corpus_overview.html").read_text(encoding="utf-8")
    assert '<script src="assets/asia_50m.js"' in overview


def test_self_contained_pages_inline_plotly_once(tmp_path):
    from plotly.offline import get_plotlyjs

    p = run_report([ROOT / "seeds"], tmp_path, "--self-contained", "--partner", "Chongqing", "--topic", "metro")
    assert p.returncode == 0, p.stderr
    assert not (tmp_path / "assets").exists()
    for name in ("corpus_overview.html", "partner_Chongqing.html", "topic_metro.html"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert text.count(get_plotlyjs()) == 1 and "src=\"assets/" not in text, name


def test_index_links_every_report_with_a_summary(seed_reports):
    out, _ = seed_reports
    index = (out / "index.html").read_text(encoding="utf-8")
    for html in out.glob("*.html"):
        if html.name != "index.html":
            assert f'href="{html.name}"' in index
    assert "Trùng Khánh (Chongqing)" in index and "2 meeting(s)" in index


def test_deterministic(seed_reports, tmp_path):
    out, _ = seed_reports
    again = tmp_path / "again"
    p = run_report([ROOT / "seeds"], again, "--partner", "Chongqing", "--topic", "metro")
    assert p.returncode == 0, p.stderr
    for name in ("corpus_overview.html", "partner_Chongqing.html", "topic_metro.html"):
        assert (out / name).read_text(encoding="utf-8") == (again / name).read_text(encoding="utf-8"), name


def test_xss_text_is_escaped_in_the_files(xss_reports):
    for html in xss_reports.glob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert "<script>window.__xss" not in text and "<img src=x" not in text, html.name
        assert "javascript:alert" not in text
