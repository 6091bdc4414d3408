"""HTML pages: main text and metadata, the date line by the headline, the lead in a summary box."""
import pytest

from citycoop.clean import clean_document
from citycoop.load import iter_documents
from load_samples import PAGE, VI, docs


def test_html_main_text_and_metadata(tmp_path):
    date = '<meta property="article:published_time" content="2024-05-17T10:00:00+07:00">\n'
    (tmp_path / "p.html").write_text(PAGE.format(date=date, body=VI), encoding="utf-8")
    [d] = docs(tmp_path)
    assert d.format == "html" and VI in d.text
    for junk in ("SCRIPTTEXT", "NAVTEXT", "RELATEDTEXT", "COMMENTTEXT", "FOOTERTEXT"):
        assert junk not in d.text
    assert (d.title, d.outlet, d.published, d.url) == (
        "Lạng Sơn tiếp đoàn Quảng Tây", "Báo Lạng Sơn", "2024-05-17", "https://baolangson.vn/tiep-doan-123.html")
    a = clean_document(d)
    assert a.title == d.title and not a.text.startswith(d.title)  # title not repeated in the body


DATE_LINE = "Thứ Sáu, 17/05/2024 10:00 (GMT+7)"
HEADLINE = "<h1>Lạng Sơn tiếp đoàn Quảng Tây</h1>"


@pytest.mark.parametrize("where", [
    f"{HEADLINE}<div class='date'>{DATE_LINE}</div>",  # in the article, its own block
    f"<div><h1>Lạng Sơn tiếp đoàn Quảng Tây</h1><div class='meta'><span>{DATE_LINE}</span> | "
    f"<span>Nguyễn Văn A</span></div></div>",  # beside the byline, outside the article
])
def test_html_date_line_by_the_headline_is_the_publication_date(tmp_path, where):
    page = PAGE.format(date="", body=VI).replace(HEADLINE, where)
    (tmp_path / "p.html").write_text(page, encoding="utf-8")
    [d] = docs(tmp_path)
    assert d.published == "2024-05-17"
    assert clean_document(d).published_source == "field"


@pytest.mark.parametrize("where", [
    ("<footer>FOOTERTEXT", f"<footer><p>{DATE_LINE}</p>FOOTERTEXT"),  # footer: the site's, not the story's
    ("<nav>", f"<nav><span>{DATE_LINE}</span>"),  # before the headline, in the menu
    ("<p>{body}</p>", "<p>{body} Hợp đồng ký ngày 17/05/2024 10:00 tại Lạng Sơn.</p>"),  # a date in the body
])
def test_html_dates_elsewhere_are_not_the_publication_date(tmp_path, where):
    page = PAGE.replace(*where).format(date="", body=VI)
    (tmp_path / "p.html").write_text(page, encoding="utf-8")
    [d] = docs(tmp_path)
    assert d.published is None


def test_html_without_a_date_has_no_published(tmp_path):
    (tmp_path / "p.htm").write_text(PAGE.format(date="", body=VI), encoding="utf-8")
    [d] = docs(tmp_path)
    assert d.published is None


def test_html_lead_in_a_summary_box_is_kept_once(tmp_path):
    # The lead printed in a box above the body and repeated as the meta description: when the
    # main-text extraction leaves the box out, the description is the text's first paragraph;
    # when the box is in the text, it is not added again.
    body = ("<p>Cùng dự có lãnh đạo các sở, ngành của tỉnh và đại diện doanh nghiệp hai bên.</p>"
            "<p>Hai bên trao đổi về hợp tác cửa khẩu, thông quan hàng hóa, du lịch và kết nối giao "
            "thông giữa hai địa phương trong thời gian tới.</p>")
    page = PAGE.replace("{date}", f'<meta name="description" content="{VI}">\n').replace(
        "<p>{body}</p>", '<div class="article__meta"><span class="author">Thu Hà</span> <time '
        'datetime="2024-05-16T18:40:00+07:00">16/05/2024 18:40</time></div>'
        f'<div class="article__sapo"><p>{VI}</p></div><div class="article__body">{body}</div>')
    (tmp_path / "p.html").write_text(page, encoding="utf-8")
    [d] = docs(tmp_path)
    assert d.text.count(VI) == 1 and d.text.index(VI) < d.text.index("Cùng dự")


def test_html_lead_in_its_own_element_is_kept(tmp_path):
    # Many Vietnamese CMSs print the lead ("sapo") in an element of its own above the body;
    # the main-text extractor takes the body block only and would lose the lead's who and where.
    lead = ("Sáng 9/9, tại thành phố Hà Giang, lãnh đạo tỉnh đã tiếp đoàn đại biểu châu Văn Sơn, "
            "tỉnh Vân Nam (Trung Quốc) sang thăm và làm việc.")
    paras = "".join(f"<p>Đoạn {n}: hai bên trao đổi về hợp tác thương mại, du lịch và quản lý biên "
                    f"giới trong thời gian tới, thống nhất nhiều nội dung cụ thể.</p>" for n in range(6))
    page = (f"<html><head><title>Hà Giang tiếp đoàn Văn Sơn</title></head><body>"
            f"<nav><a href='/'>Trang chủ</a></nav><div class='detail'>"
            f"<h1>Hà Giang tiếp đoàn Văn Sơn</h1><div class='box-sapo'><b>{lead}</b></div>"
            f"<div class='detail-content'>{paras}</div></div></body></html>")
    path = tmp_path / "a.html"
    path.write_text(page, encoding="utf-8")
    doc = next(iter_documents([path]))
    assert doc.text.startswith(lead) and doc.text.count("Sáng 9/9") == 1
