"""What the loading tests read: an article's lead, an outlet's page around it, and reading helpers."""
from citycoop.load import iter_documents
from citycoop.models import RawDocument


VI = "Ngày 16/5, Chủ tịch UBND tỉnh Lạng Sơn đã tiếp đoàn đại biểu Khu tự trị Quảng Tây (Trung Quốc), bàn hợp tác thủy sản."
PAGE = """<html><head><title>Lạng Sơn tiếp đoàn Quảng Tây - Báo Lạng Sơn</title>
<meta property="og:title" content="Lạng Sơn tiếp đoàn Quảng Tây">
<meta property="og:site_name" content="Báo Lạng Sơn">
{date}<link rel="canonical" href="https://baolangson.vn/tiep-doan-123.html">
<script>var leak = "SCRIPTTEXT";</script></head><body>
<nav><a href="/">Trang chủ</a> <a href="/x">NAVTEXT</a></nav>
<article><h1>Lạng Sơn tiếp đoàn Quảng Tây</h1><p>{body}</p>
<p>Hai bên trao đổi về hợp tác cửa khẩu, thông quan hàng hóa, du lịch và kết nối giao thông.</p>
<p>Lãnh đạo hai địa phương thống nhất tăng cường giao lưu nhân dân trong thời gian tới.</p></article>
<div class="related"><h3>Tin liên quan</h3><ul><li><a href="/a">RELATEDTEXT</a></li></ul></div>
<div id="comments" class="comments"><p>COMMENTTEXT bài viết hay</p></div>
<footer>FOOTERTEXT © Báo Lạng Sơn</footer></body></html>"""


def docs(*paths):
    return list(iter_documents(paths))


def only(items, kind=RawDocument):
    return [i for i in items if isinstance(i, kind)]
