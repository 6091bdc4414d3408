from citycoop.clean import clean_document, content_hash, load_rules
from citycoop.models import RawDocument, Reject
from conftest import SEEDS


def raw(text, **kw):
    return RawDocument(id="x.txt", source="x.txt", format="txt", encoding="utf-8", text=text, **kw)


BODY = ("Ngày 5/6, Chủ tịch UBND tỉnh Lạng Sơn đã tiếp đoàn đại biểu Khu tự trị dân tộc Choang "
        "Quảng Tây (Trung Quốc) tại trụ sở UBND tỉnh và trao đổi về hợp tác cửa khẩu.")


def test_seed_labels_must_keep_must_drop_and_metadata(expected):
    for name, e in expected.items():
        path = SEEDS / name
        a = clean_document(raw(path.read_text(encoding="utf-8")))
        for s in e["must_keep"]:
            assert s in a.text, (name, s)
        for s in e["must_drop"]:
            assert s not in a.text, (name, s)
        for key in ("title", "url", "outlet", "published"):
            if e[key] is not None:
                assert getattr(a, key) == e[key], (name, key)
        if e["title"] is None:
            assert a.title is None, name
        else:
            assert e["title"] not in a.text, "title repeated in the body"


def test_widgets_menus_share_buttons_counters_and_stubs_are_removed():
    text = "\n".join([
        "Trang chủ > Thời sự > Đối ngoại",
        "Trang chủ | Thời sự | Kinh tế | Thế giới | Văn hóa",
        "A- A A+ | Tăng tương phản Giảm tương phản",
        "Hợp tác Lạng Sơn – Quảng Tây",
        "Thứ 4, 22.01.2025 | 10:53:03",
        BODY,
        "![ảnh](https://example.vn/a.jpg)",
        "anh-1.jpg",
        "Lượt xem: 1.234",
        "Chia sẻ Facebook Zalo",
        "Tổng số điểm của bài viết là: 0 trong 0 đánh giá",
        "Click để đánh giá bài viết",
        "Nội dung đang cập nhật...",
    ])
    a = clean_document(raw(text))
    assert a.title == "Hợp tác Lạng Sơn – Quảng Tây"
    assert a.published == "2025-01-22" and a.published_source == "timestamp_line"
    assert a.text == BODY


def test_related_block_removed_until_the_body_resumes():
    text = "\n".join(["Tiêu đề bài viết về hợp tác", BODY, "Tin liên quan",
                      "Lạng Sơn đón khách du lịch Trung Quốc", "Thế giới 24h",
                      "Hàn Quốc và Việt Nam ký kết hợp tác",
                      "Hai bên thống nhất sẽ tiếp tục phối hợp chặt chẽ trong quản lý cửa khẩu, "
                      "tạo thuận lợi cho thông quan hàng hóa trong thời gian tới."])
    a = clean_document(raw(text))
    assert "Hàn Quốc" not in a.text and "Tin liên quan" not in a.text
    assert a.text.endswith("trong thời gian tới.")


def test_captions_repeated_twice_collapse_and_pipe_captions_keep_words():
    text = "\n".join(["Lạng Sơn và Quảng Tây hợp tác", BODY, "Quang cảnh buổi tiếp.", "", "Quang cảnh buổi tiếp.",
                      "![]() |", "| Đại biểu chụp ảnh lưu niệm |", "| Một bài khác về Hàn Quốc |", BODY])
    a = clean_document(raw(text))
    assert a.text.count("Quang cảnh buổi tiếp.") == 1
    assert "Đại biểu chụp ảnh lưu niệm" in a.text and "|" not in a.text
    assert "Hàn Quốc" not in a.text  # a boxed link not under an image


def test_source_line_byline_and_signature_go_to_metadata():
    text = "\n".join(["Lạng Sơn và Quảng Tây hợp tác", BODY, "Tin, ảnh: Xuân Khu (TTXVN)",
                      "Nguồn Báo Lạng Sơn: https://baolangson.vn/a-20240605101010.htm"])
    a = clean_document(raw(text))
    assert (a.outlet, a.url, a.byline, a.published) == (
        "Báo Lạng Sơn", "https://baolangson.vn/a-20240605101010.htm", "Xuân Khu (TTXVN)", "2024-06-05")
    assert a.text == BODY
    b = clean_document(raw("Lạng Sơn và Quảng Tây hợp tác\n" + BODY + "\nNguyễn Thúc Hoàng Linh"))
    assert b.byline == "Nguyễn Thúc Hoàng Linh" and b.text == BODY


def test_outlet_falls_back_to_the_url_domain_and_fields_win():
    a = clean_document(raw(BODY, title="T", url="https://www.vietnamplus.vn/x.vnp", published="2024-05-17T10:00:00+07:00"))
    assert a.outlet == "vietnamplus.vn" and a.published == "2024-05-17" and a.published_source == "field"


def test_no_body_left_is_a_reject():
    r = clean_document(raw("Chia sẻ\nZalo\nA- A A+\n"))
    assert isinstance(r, Reject) and r.reason == "no_body"


def test_old_tone_style_and_spacing_give_the_same_content_hash():
    a = clean_document(raw("Phó Bí thư Thành uỷ Hà Nội tiếp đoàn Thượng Hải, bàn hợp tác văn hoá."))
    b = clean_document(raw("Phó Bí thư Thành ủy Hà Nội  tiếp đoàn Thượng Hải, bàn hợp tác văn hóa."))
    assert a.text == b.text.replace("  ", " ") and a.content_hash == b.content_hash
    assert content_hash("A  b") == content_hash("a b")


def test_custom_rules_file(tmp_path):
    rules = tmp_path / "rules.yml"
    text = (SEEDS.parent / "src/citycoop/data/boilerplate.yml").read_text(encoding="utf-8")
    rules.write_text(text.replace("drop_lines:", "drop_lines:\n  - 'quảng cáo.*'"), encoding="utf-8")
    a = clean_document(raw("Lạng Sơn và Quảng Tây hợp tác\n" + BODY + "\nQuảng cáo: mua ngay"), load_rules(rules))
    assert a.text == BODY
