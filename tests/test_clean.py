import pytest
from citycoop.normalize import normalize_tone_marks
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


def test_captions_repeated_twice_collapse_and_a_pipe_caption_goes_with_its_image():
    text = "\n".join(["Lạng Sơn và Quảng Tây hợp tác", BODY, "Quang cảnh buổi tiếp.", "", "Quang cảnh buổi tiếp.",
                      "![]() |", "| Đại biểu chụp ảnh lưu niệm |", "| Một bài khác về Hàn Quốc |", BODY])
    a = clean_document(raw(text))
    assert a.text.count("Quang cảnh buổi tiếp.") == 0  # a caption (by what it shows), twice
    assert "Đại biểu chụp ảnh lưu niệm" not in a.text and "|" not in a.text
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
    assert a.content_hash == b.content_hash
    # Each text stays as its author spelled it; the two differ by tone style alone.
    assert "Thành uỷ" in a.text and "văn hoá" in a.text and "Thành ủy" in b.text
    assert normalize_tone_marks(a.text) == b.text.replace("  ", " ")
    assert content_hash("A  b") == content_hash("a b")


def test_custom_rules_file(tmp_path):
    rules = tmp_path / "rules.yml"
    text = (SEEDS.parent / "src/citycoop/data/boilerplate.yml").read_text(encoding="utf-8")
    rules.write_text(text.replace("drop_lines:", "drop_lines:\n  - 'quảng cáo.*'"), encoding="utf-8")
    a = clean_document(raw("Lạng Sơn và Quảng Tây hợp tác\n" + BODY + "\nQuảng cáo: mua ngay"), load_rules(rules))
    assert a.text == BODY


LEAD = ("Sáng 12/4, đoàn công tác tỉnh Hà Giang do Phó Chủ tịch UBND tỉnh dẫn đầu đã sang thăm và làm "
        "việc với chính quyền châu Văn Sơn, tỉnh Vân Nam (Trung Quốc).")
MORE = ("Hai bên nhất trí tăng cường trao đổi đoàn các cấp, phối hợp quản lý biên giới và tạo thuận lợi "
        "cho hàng hóa qua các cửa khẩu trong thời gian tới.")


def test_mastheads_licence_widgets_and_comment_box_are_removed():
    text = "\n".join([
        "TRANG TIN ĐIỆN TỬ HUYỆN BIÊN GIỚI",
        "Bỏ qua đến nội dung chính",
        "Hà Giang và Văn Sơn tăng cường hợp tác biên giới",
        "Nghe bài viết 0:00 / 0:00",
        LEAD,
        "Số lượt xem: 1.502   |   👍 Thích 12   |   Chia sẻ   |   In trang",
        MORE,
        "Từ khóa: #Hà Giang #Văn Sơn",
        "Theo dõi Báo Biên Cương trên Google News",
        "Tải ứng dụng Biên Cương để đọc nhanh hơn",
        "Ý KIẾN BẠN ĐỌC (3)",
        "• Thu Hà: Mong hai tỉnh mở thêm nhiều tuyến du lịch qua biên giới, đi lại thuận tiện hơn nữa!",
        "Họ và tên *",
        "Gửi bình luận",
        "Tối đa: 1000 ký tự",
        "Hiện chưa có ý kiến nào cho bài viết này",
        "© 2024 Báo Biên Cương. Ghi rõ nguồn khi trích dẫn.",
        "Báo Biên Cương - Cơ quan ngôn luận của Hội Nhà báo tỉnh",
        "Giấy phép số 99/GP-BTTTT cấp ngày 1/1/2020",
        "Đường dây nóng: 0900 000 000",
    ])
    a = clean_document(raw(text))
    assert a.title == "Hà Giang và Văn Sơn tăng cường hợp tác biên giới"
    assert a.text == LEAD + "\n\n" + MORE


def test_related_headline_runs_with_or_without_a_heading_are_removed():
    text = "\n".join([
        "Hà Giang và Văn Sơn tăng cường hợp tác biên giới", LEAD,
        "Tuyên Quang khai trương tuyến xe buýt liên tỉnh mới",  # an inline box of two links
        "Bắc Kạn đón đoàn khảo sát du lịch cộng đồng",
        MORE,
        "Minh Anh",
        "TIN BÀI CÙNG CHỦ ĐỀ:",
        "► Lạng Sơn mở lại lối thông quan hàng nông sản",
        "Các bài đã đăng",
        "· Hội nghị sơ kết công tác đối ngoại quý III (28/09)",
        "· Điện Biên tập huấn nghiệp vụ lãnh sự cho cán bộ xã (25/09)",
        "1. Quảng Ninh đón khách du lịch tàu biển đầu mùa",
        "2. Cao Bằng phát triển du lịch cộng đồng",
    ])
    a = clean_document(raw(text))
    assert a.text == LEAD + "\n\n" + MORE and a.byline == "Minh Anh"


def test_subheadings_short_paragraphs_and_introduced_lists_stay():
    text = "\n".join([
        "Hà Giang và Văn Sơn tăng cường hợp tác biên giới", LEAD,
        "Mở rộng giao thương qua cửa khẩu",  # a subheading: one short line alone
        MORE,
        "Hai bên thống nhất các nội dung sau:",
        "- Tăng cường trao đổi đoàn các cấp",
        "- Phối hợp tổ chức hội chợ thương mại",
        "Hai bên đã ký biên bản.",  # a short last paragraph
    ])
    a = clean_document(raw(text))
    for line in ["Mở rộng giao thương qua cửa khẩu", "- Tăng cường trao đổi đoàn các cấp",
                 "- Phối hợp tổ chức hội chợ thương mại", "Hai bên đã ký biên bản."]:
        assert line in a.text


def test_title_skips_header_furniture_and_a_repeated_headline_is_taken_once():
    text = "\n".join([
        "Đăng nhập | Đăng ký",
        "Thời sự | Kinh tế | Xã hội",
        "Địa phương > Biên giới",
        "Hà Giang và Văn Sơn tăng cường hợp tác biên giới",
        "Hà Giang và Văn Sơn tăng cường hợp tác biên giới",
        LEAD, MORE])
    a = clean_document(raw(text))
    assert a.title == "Hà Giang và Văn Sơn tăng cường hợp tác biên giới"
    assert a.text == LEAD + "\n\n" + MORE


def test_published_comes_from_the_article_stamp_in_any_format():
    cases = {
        "Cập nhật lúc 09:05, Thứ Hai, 14/10/2019 (GMT+7)": "2019-10-14",
        "Cập nhật lúc 07:40 ngày 02/03/2016": "2019-10-14" if False else "2016-03-02",
        "Thứ Bảy, ngày 05 tháng 10 năm 2019, 10:15:00": "2019-10-05",
        "Đăng ngày: 21-08-2018 14:00": "2018-08-21",
        "Thứ Hai, 09:30, 18/11/2024": "2024-11-18",
        "Ngày đăng: 11/05/2021 | Lượt xem: 87 | [In] [Gửi]": "2021-05-11",
        "Biên Cương  |  03/04/2022 07:10": "2022-04-03",
        "Cập nhật: 03/04/2022 07:10   Lượt xem: 90": "2022-04-03",
    }
    for stamp, date in cases.items():
        a = clean_document(raw("\n".join(["Hà Giang và Văn Sơn tăng cường hợp tác", stamp, LEAD])))
        assert (a.published, a.text) == (date, LEAD), stamp
    # A stamp without a year gives no date, and is not body; a relative time neither.
    for stamp in ["Biên Cương  20/04 08:45", "Ngày đăng: 20/04 08:45 | Lượt xem: 367",
                  "Báo Biên Cương • 3 giờ", "5 giờ trướcBài gốc"]:
        a = clean_document(raw("\n".join(["Hà Giang và Văn Sơn tăng cường hợp tác", stamp, LEAD])))
        assert (a.published, a.text) == (None, LEAD), stamp


def test_article_stamp_wins_over_a_site_header_date():
    text = "\n".join(["Thứ Hai, 20/05/2024 | Đăng nhập | Thời tiết: Hà Giang 27°C",
                      "Hà Giang và Văn Sơn tăng cường hợp tác", "17/05/2024 16:30", LEAD])
    a = clean_document(raw(text))
    assert a.published == "2024-05-17" and a.text == LEAD


def test_image_markup_and_half_caption_cells_are_removed():
    text = "\n".join(["Hà Giang và Văn Sơn tăng cường hợp tác biên giới", LEAD,
                      "<image>hagiang_vanson_01.png alt=Quang cảnh hội đàm.</image>",
                      "<img src=\"/anh/hoidam.jpg\" alt=\"\">",
                      "Lãnh đạo hai bên chụp ảnh lưu niệm |", MORE])
    a = clean_document(raw(text))
    assert a.text == LEAD + "\n\n" + MORE


def test_stamp_inside_a_widget_row_or_beside_an_outlet_tag_is_read():
    for stamp in ["Ngày đăng: 02/06/2023 | Lượt xem: 45 | Cỡ chữ: A- A A+ | Bản in",
                  "02/06/2023 | 10:05   👁 2.310", "BG&ĐS  |  02/06/2023 10:05"]:
        a = clean_document(raw("\n".join(["Hà Giang và Văn Sơn tăng cường hợp tác", stamp, LEAD])))
        assert (a.published, a.text) == ("2023-06-02", LEAD), stamp


def test_photo_captions_are_removed_and_the_body_around_them_kept():
    body_after = ("Tiếp đoàn có ông Hứa Minh, Phó Thị trưởng thành phố Quế Lâm, cùng đại diện các sở "
                  "giao thông, du lịch và thương mại của thành phố.")
    text = "\n\n".join([
        BODY,
        # a caption ending on its credit, before or after its image
        "Lãnh đạo hai bên chụp ảnh lưu niệm tại buổi tiếp. Ảnh: Minh Đức",
        "langson-tiep-quelam-02.jpg",
        body_after,  # under an image whose caption came above it: body, kept
        "langson-tiep-quelam-03.jpg",
        "Các đại biểu tại buổi tiếp.",  # a short line under an image: its caption
        ".",  # where a scrape lost an image
        "Ông Hứa Minh phát biểu tại buổi tiếp.",
        "Toàn cảnh buổi làm việc (Ảnh: Ngọc Hà/TTXVN)",
        "Hai bên thống nhất sớm mở lại tuyến xe khách quốc tế Lạng Sơn - Quế Lâm.",
    ])
    a = clean_document(raw(text))
    for caption in ("Ảnh: Minh Đức", "Toàn cảnh buổi làm việc", "Các đại biểu tại buổi tiếp.",
                    "Ông Hứa Minh phát biểu tại buổi tiếp."):
        assert caption not in a.text
    for kept in (BODY, body_after, "Hai bên thống nhất sớm mở lại tuyến xe khách"):
        assert kept in a.text


def test_a_short_paragraph_or_a_lead_under_an_image_is_kept():
    lead = "Chiều 3/8, đoàn công tác tỉnh Cao Bằng đã hội đàm với lãnh đạo thành phố Bách Sắc."
    a = clean_document(raw("\n\n".join(["caobang-bachsac.jpg", lead, "x.png",
                                        "Hai bên đã ký biên bản hội đàm. Sau đó, đoàn thăm cửa khẩu.",
                                        "Ảnh minh họa của hình ảnh: các công trình đã hoàn thành năm "
                                        "2023 và những dự án khác còn đang được các bên chuẩn bị "
                                        "đầu tư trong giai đoạn tới."])))
    assert lead in a.text and "Sau đó, đoàn thăm cửa khẩu." in a.text
    assert "các công trình đã hoàn thành" in a.text


def test_the_headline_is_the_title_line_right_above_the_story():
    # a site's header (masthead, section label, breadcrumb, menu cut by runs of spaces) comes first
    text = "\n".join([
        "Báo Hà Giang điện tử",
        "Thời sự   Kinh tế   Văn hóa - Xã hội   Quốc phòng - An ninh   Du lịch",
        "Bạn đang ở: Tin tức - Sự kiện / Đối ngoại",
        "Chính trị - Xã hội",
        "2024-06-05 08:30",
        "",
        "Hà Giang và Văn Sơn bàn cách mở thêm lối thông quan",
        "",
        BODY,
    ])
    a = clean_document(raw(text))
    assert a.title == "Hà Giang và Văn Sơn bàn cách mở thêm lối thông quan"
    assert a.published == "2024-06-05"
    assert a.text == BODY


def test_a_site_address_masthead_goes_but_a_lead_opening_on_it_stays():
    lead = "Baohagiang.vn - " + BODY
    a = clean_document(raw("\n".join(["BAOHAGIANG.VN - Cơ quan của Đảng bộ tỉnh", "Nghệ An điện tử",
                                      "Hà Giang và Văn Sơn bàn cách mở thêm lối thông quan", lead])))
    assert a.text == lead and "BAOHAGIANG.VN" not in (a.title or "")


def test_a_stamp_with_its_time_wins_over_a_header_date_in_a_row():
    text = "\n".join(["baohagiang.vn | Thứ Sáu, 12/07/2024", "Thời sự | Kinh tế | Xã hội | Du lịch",
                      "Hà Giang và Văn Sơn bàn cách mở thêm lối thông quan",
                      "Minh Thu • 11/07/2024 20:15", BODY])
    assert clean_document(raw(text)).published == "2024-07-11"


def test_an_aggregators_disclaimer_and_a_report_error_button_are_removed():
    text = "\n".join(["Hà Giang và Văn Sơn bàn cách mở thêm lối thông quan", BODY, "Gốc | Báo lỗi",
                      "Tin Nhanh 24h là trang tổng hợp tin tức tự động.",
                      "Cổng Tin Biên Giới không chịu trách nhiệm về nội dung các bài viết trích dẫn."])
    assert clean_document(raw(text)).text == BODY


def test_a_long_caption_under_an_image_and_its_copy_go():
    caption = ("Đồng chí Nguyễn Văn Thường, Chủ tịch UBND huyện Vị Xuyên tặng quà lưu niệm cho ông "
               "Cừu Vĩnh Phúc, Huyện trưởng huyện Ma Lật Pha.")
    text = "\n".join([BODY, "DSC_1201.JPG", caption, caption, "Hai bên thống nhất sớm mở lại tuyến xe khách."])
    a = clean_document(raw(text))
    assert caption not in a.text and "Hai bên thống nhất" in a.text


def test_a_teaser_line_after_a_list_marker_goes_even_when_long():
    teaser = "Tin mới: Hà Giang đón 2 triệu lượt khách du lịch tâm linh và khám phá cao nguyên đá Đồng Văn..."
    a = clean_document(raw("\n".join(["Hà Giang và Văn Sơn bàn cách mở thêm lối thông quan", BODY, teaser])))
    assert a.text == BODY


def test_a_labelled_date_in_a_row_with_other_words_is_the_publication_date():
    for row, date in [("Thái Bình - Đăng lúc: 06/11/2024 18:20 - Người đăng: Hồng Nhung", "2024-11-06"),
                      ("Bài viết được cập nhật lúc 16:22 - 14/3/2024 | Lượt đọc: 1.204", "2024-03-14")]:
        a = clean_document(raw("\n".join(["Hà Giang và Văn Sơn bàn cách mở thêm lối thông quan", row, BODY])))
        assert (a.published, a.text) == (date, BODY)
    # a sentence of the body that names a date after "đăng" is no stamp
    said = "Thông báo được đăng ngày 12/5/2023 trên cổng thông tin của tỉnh."
    assert clean_document(raw("\n".join([BODY, said]))).published is None


@pytest.mark.parametrize("caption", [
    "Vải thiều, thanh long xếp hàng chờ xuất qua cửa khẩu Tân Thanh (ảnh tư liệu)",
    "[ẢNH] Lãnh đạo tỉnh Hà Giang và châu Văn Sơn chụp ảnh lưu niệm.",
])
def test_captions_that_say_what_the_photo_is_are_removed(caption):
    assert clean_document(raw("\n".join([BODY, caption]))).text == BODY


def test_a_url_with_its_date_in_folders_dates_the_article():
    from citycoop.metadata import url_date
    assert url_date("https://baogiaothong.vn/2024/09/23/viet-nam-trung-quoc") == "2024-09-23"
    assert url_date("https://example.vn/2024-9-3/tin.html") == "2024-09-03"
    assert url_date("https://example.vn/tin/2024/hop-tac") is None


def test_a_stamp_row_with_its_author_gives_the_date():
    text = "\n".join(["Hà Giang và Văn Sơn bàn cách mở thêm lối thông quan",
                      "05/09/2016 10:12 | Tác giả: Minh Ngọc - Tiến Hùng", BODY])
    a = clean_document(raw(text))
    assert (a.published, a.text) == ("2016-09-05", BODY)


@pytest.mark.parametrize("caption", [
    "Quang cảnh buổi hội đàm tại trụ sở UBND tỉnh Lạng Sơn.",
    "Bà Đinh Thị Hồng Vân tặng quà lưu niệm trưởng đoàn Quế Lâm",
    "Đồng chí Hoàng Văn Pha phát biểu tại buổi hội đàm.",
    "Các đại biểu dự lễ ký kết",
    "Ông Lê Thanh Vũ tiếp đoàn Thành Đô - Ảnh: KIM NGÂN",
])
def test_captions_standing_alone_go_by_what_they_show(caption):
    assert clean_document(raw("\n".join([BODY, caption]))).text == BODY


@pytest.mark.parametrize("sentence", [
    "Lãnh đạo hai địa phương bày tỏ vui mừng trước những kết quả tích cực đạt được thời gian qua.",
    "Phát biểu tại buổi hội đàm, ông Hoàng Văn Pha đề nghị hai bên mở thêm lối thông quan.",
    "Các đại biểu đã thảo luận sôi nổi về kết nối hạ tầng giao thông và thông quan hàng hóa.",
])
def test_body_sentences_about_the_meeting_stay(sentence):
    assert sentence in clean_document(raw("\n".join([BODY, sentence]))).text


def test_a_short_line_printed_twice_apart_goes():
    caption = "Đoàn công tác tại lễ đón ở thành phố Mông Tự"
    more = "Hai bên thống nhất sớm mở lại tuyến xe khách quốc tế."
    a = clean_document(raw("\n".join([BODY, caption, more, caption])))
    assert a.text == BODY + "\n\n" + more


@pytest.mark.parametrize("caption", [
    "Điểm cầu tỉnh Cao Bằng tại buổi hội đàm.",
    "Bí thư Tỉnh ủy Hoàng Đức Thuận và Phó Chủ tịch Khu tự trị Mạnh Tường tại hội đàm",
    "Ông Sầm Văn Bình chúc Tết đoàn đại biểu huyện Kim Bình tại buổi giao lưu",
])
def test_a_short_line_ending_on_the_meeting_it_shows_is_a_caption(caption):
    assert clean_document(raw("\n".join([BODY, caption]))).text == BODY
