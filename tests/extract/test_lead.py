"""The lead is found, not assumed: the paragraph that reports the meeting, wherever it stands."""
import pytest

from citycoop.clean import clean_document
from citycoop.extract import Extractor
from citycoop.models import RawDocument


@pytest.fixture(scope="module")
def ex():
    return Extractor()


def extract(ex, text, published=None, title=None):
    raw = RawDocument(id="t.txt", source="t.txt", format="txt", encoding="utf-8", text=text,
                      published=published, title=title)
    return ex.extract(clean_document(raw))


MEETING = ("Sáng 5/3, tại trụ sở UBND tỉnh, Phó Chủ tịch UBND tỉnh Hà Giang đã tiếp đoàn đại biểu "
           "thành phố Côn Minh, tỉnh Vân Nam (Trung Quốc) do Phó Thị trưởng dẫn đầu sang thăm và làm việc.")


def test_the_meeting_paragraph_is_the_lead_after_furniture_and_a_summary(ex):
    # A section label, an outlet's short tagline and a general paragraph come first: the lead
    # is the first paragraph of running text that reports a meeting with a date.
    text = "\n\n".join([
        "Đối ngoại",
        "Tin tức địa phương hôm nay",
        "Quan hệ hữu nghị giữa các địa phương hai bên biên giới ngày càng được vun đắp qua nhiều "
        "chương trình giao lưu văn hóa và thể thao trong những năm gần đây.",
        MEETING,
        "Hai bên trao đổi về hợp tác thương mại.",
    ])
    r = extract(ex, text, published="2024-03-06", title="Hà Giang và Côn Minh tăng cường hợp tác")
    assert r["event_date"] == "2024-03-05"
    assert r["direction"] == "inbound"
    assert [p["name"] for p in r["partners"]] == ["Kunming"]


def test_a_dated_meeting_paragraph_wins_over_an_undated_one_before_it(ex):
    text = "\n\n".join([
        "Lãnh đạo tỉnh Hà Giang và thành phố Côn Minh (Trung Quốc) nhiều lần gặp gỡ, trao đổi về "
        "hợp tác trong các lĩnh vực kinh tế, văn hóa, du lịch và quản lý biên giới.",
        MEETING,
    ])
    assert extract(ex, text, published="2024-03-06")["event_date"] == "2024-03-05"


def test_a_meeting_announced_later_in_the_article_is_not_the_event(ex):
    text = "\n\n".join([
        MEETING,
        "Hai bên thống nhất sẽ tiếp tục hội đàm tại Côn Minh sáng mai (6/3) và ký kết biên bản "
        "ghi nhớ hợp tác trong ngày 8/3 tới, theo chương trình đã thống nhất từ trước.",
    ])
    assert extract(ex, text, published="2024-03-05")["event_date"] == "2024-03-05"


def test_without_a_meeting_paragraph_the_first_paragraphs_are_read(ex):
    r = extract(ex, "Ngày 12/4, trời mưa lớn ở vùng núi phía Bắc.\n\nNhiều tuyến đường bị sạt lở.",
                published="2024-04-13")
    assert r["event_date"] == "2024-04-12"


def test_a_dated_report_naming_no_place_is_the_lead_before_an_undated_paragraph_of_places():
    from citycoop.extract import Extractor
    from citycoop.clean import clean_document
    from citycoop.models import RawDocument
    text = ("Tuyến đường sắt Lào Cai - Hà Nội - Hải Phòng được kỳ vọng kết nối với mạng đường sắt "
            "Trung Quốc qua Hà Khẩu và trở thành trục vận tải chủ lực.\n\nChiều 11/7, tại trụ sở Bộ "
            "GTVT, Thứ trưởng Vương Đình Khải đã có buổi làm việc với đoàn công tác Bộ Giao thông vận "
            "tải Trung Quốc về dự án.")
    raw = RawDocument(id="t.txt", source="t.txt", format="txt", encoding="utf-8", text=text,
                      published="2024-07-12")
    assert Extractor().extract(clean_document(raw))["event_date"] == "2024-07-11"
