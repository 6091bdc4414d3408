"""Topic counting on made-up sentences: organisations' names, words that count only side by side,
and the terms of transport, logistics and metro."""
import pytest

from citycoop.extract.topics import Taxonomy, load_taxonomy


@pytest.fixture(scope="module")
def tax():
    return load_taxonomy()


def found(tax, text):
    counts, _ = tax.match(text)
    return {t for t, n in counts.items() if n}


# --- organisations are named after their field; naming one is no mention of the field ---

@pytest.mark.parametrize("text, topic", [
    ("Dự buổi làm việc có đại diện Sở Văn hóa, Thể thao và Du lịch tỉnh Hòa Bình.", "tourism"),
    ("Ông Lê Văn A, Phó Giám đốc Sở Giao thông vận tải, cùng tham dự.", "transport"),
    ("Cùng đi có lãnh đạo Ban Quản lý Khu kinh tế cửa khẩu Móng Cái.", "border"),
    ("Thành phần gồm Tổng cục Du lịch và Cục Hải quan tỉnh.", "tourism"),
    ("Thành phần gồm Tổng cục Du lịch và Cục Hải quan tỉnh.", "logistics"),
    ("Bà Trần Thị B, Giám đốc Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch, phát biểu.", "tourism"),
    ("Bà Trần Thị B, Giám đốc Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch, phát biểu.", "trade"),
    ("Ông C, Tổng giám đốc Công ty Cổ phần Dịch vụ Hàng không Sông Hồng, cho biết như vậy.", "transport"),
    ("Đoàn gồm giám đốc các sở: Ngoại vụ; Văn hóa, Thể thao và Du lịch; Tài chính.", "tourism"),
    ("Đoàn gồm giám đốc các sở: Ngoại vụ; Văn hóa, Thể thao và Du lịch; Tài chính.", "culture_education"),
])
def test_a_term_inside_an_organisations_name_does_not_count(tax, text, topic):
    assert topic not in found(tax, text)


@pytest.mark.parametrize("text, topic", [
    # the same words in running text are the field itself
    ("Hai bên nhất trí mở rộng hợp tác văn hóa, thể thao và du lịch.", "tourism"),
    ("Du lịch là thế mạnh của tỉnh trong hợp tác với Quảng Tây.", "tourism"),
    ("Sở Ngoại vụ đề nghị hai bên phối hợp phát triển du lịch biên giới.", "tourism"),
    ("Sở Công Thương cho biết giao thông vận tải qua biên giới đã thông suốt.", "transport"),
    # an event named after a field is a mention of it (not a head word before it)
    ("Tỉnh sẽ tổ chức Hội chợ Thương mại - Du lịch quốc tế vào tháng 9.", "tourism"),
    ("Hai bên dự Hội nghị Xúc tiến Du lịch tại Côn Minh.", "tourism"),
    # lower-case "cơ sở" is no head word
    ("Nhà đầu tư xây dựng cơ sở lưu trú du lịch ven biển.", "tourism"),
])
def test_the_same_words_outside_a_name_count(tax, text, topic):
    assert topic in found(tax, text)


def test_a_name_after_a_head_cannot_run_on_into_the_sentence(tax):
    # five lower-case syllables after the last capital: running text, not a name
    text = "Sở Ngoại vụ đã trao đổi kỹ về việc mở rộng Du lịch cộng đồng."
    assert "tourism" in found(tax, text)


def test_reading_a_long_run_of_capitals_and_joiners_stays_fast(tax):
    import time

    text = "Ban " + "Abc và Def, " * 40 + "; x. Du lịch"
    t0 = time.perf_counter()
    tax.match(text)
    assert time.perf_counter() - t0 < 0.5
