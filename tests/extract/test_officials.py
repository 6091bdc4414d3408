"""Officials: who is named with a title, and on which side (Vietnam or China) they stand."""
import pytest

from citycoop.clean import clean_document
from citycoop.extract import Extractor
from citycoop.models import RawDocument


@pytest.fixture(scope="module")
def ex():
    return Extractor()


def officials(ex, text, title=None):
    raw = RawDocument(id="t.txt", source="t.txt", format="txt", encoding="utf-8", text=text,
                      title=title)
    return {o["name"]: o["side"] for o in ex.extract(clean_document(raw))["officials"]}


@pytest.mark.parametrize("text, name, side", [
    # The country in a long title, past lower-case words ("Trung ương", "dự khuyết")
    ("Ngày 3/4, đoàn đại biểu tỉnh Hà Giang đã hội đàm với đồng chí Lưu Minh Hạo, Ủy viên dự "
     "khuyết Trung ương Đảng Cộng sản Trung Quốc, Bí thư Khu ủy.", "Lưu Minh Hạo", "cn"),
    # "tại X": the seat of a consulate is not the consul's side
    ("Dự buổi tiếp có Tổng Lãnh sự Việt Nam tại Quảng Châu Phan Văn Lộc.", "Phan Văn Lộc", "vn"),
    ("Ông Trịnh Gia Vũ, Tổng Lãnh sự nước Cộng hòa Nhân dân Trung Hoa tại Đà Nẵng, đã đến thăm "
     "tỉnh Quảng Nam.", "Trịnh Gia Vũ", "cn"),
    # A Chinese-only title word outweighs a Vietnamese-looking one ("Huyện ủy")
    ("Đoàn huyện Hà Khẩu do ông Mạnh Kiến Quốc, Phó Bí thư Huyện ủy, Huyện trưởng dẫn đầu.",
     "Mạnh Kiến Quốc", "cn"),
    # A national office of China named with the country after the ministry
    ("Ông Lê Văn Hải đã kết nối với Thứ trưởng Bộ Ngoại giao Trung Quốc Tôn Vĩ Đông.",
     "Tôn Vĩ Đông", "cn"),
    # A title naming no place: the article's own province
    ("Chiều 2/5, Bí thư Tỉnh ủy Nguyễn Hữu Đông tiếp đoàn thành phố Văn Sơn (Trung Quốc).",
     "Nguyễn Hữu Đông", "vn"),
    # "(Nhân đại)" inside the title does not end it
    ("Đồng chủ trì có ông Khâu Bình, Phó Chủ nhiệm Ủy ban Thường vụ Đại hội đại biểu nhân dân "
     "(Nhân đại) tỉnh Quảng Tây.", "Khâu Bình", "cn"),
])
def test_side_from_the_title(ex, text, name, side):
    assert officials(ex, text).get(name) == side


def test_a_list_of_people_after_a_side_frame(ex):
    text = ("Sáng 6/6, tỉnh Cao Bằng tiếp đoàn thành phố Bách Sắc (Trung Quốc). Tham dự, phía Cao "
            "Bằng có các đồng chí: Lý Văn Tâm, Ủy viên Ban Thường vụ, Trưởng Ban Dân vận; Hoàng "
            "Thị Mai, Phó Giám đốc Sở Ngoại vụ. Về phía bạn, ông Đàm Quốc Lương, Phó Bí thư Thành "
            "ủy cũng có mặt.")
    got = officials(ex, text)
    assert got["Lý Văn Tâm"] == "vn"
    assert got["Hoàng Thị Mai"] == "vn"
    assert got["Đàm Quốc Lương"] == "cn"


def test_each_person_of_a_semicolon_list_keeps_a_title(ex):
    text = ("Cùng dự có các đồng chí: Bế Văn Hòa, Ủy viên Ban Thường vụ Tỉnh ủy, Phó Chủ tịch UBND "
            "tỉnh; Nông Thị Lan, Ủy viên Ban Thường vụ Tỉnh ủy, Trưởng Ban Tuyên giáo Tỉnh ủy.")
    got = officials(ex, text)
    assert got.get("Bế Văn Hòa") == "vn" and got.get("Nông Thị Lan") == "vn"


def test_the_honorific_opening_a_sentence_is_not_part_of_the_name(ex):
    got = officials(ex, "Ông Lê Quốc Bảo, Chủ tịch UBND huyện Bát Xát cảm ơn đoàn.")
    assert "Lê Quốc Bảo" in got and "Ông Lê Quốc Bảo" not in got


def test_past_leaders_in_a_tribute_are_not_officials(ex):
    got = officials(ex, "Tình hữu nghị do Chủ tịch Hồ Chí Minh, Chủ tịch Mao Trạch Đông và các thế "
                        "hệ lãnh đạo vun đắp.")
    assert got == {}


def test_a_place_after_a_place_word_is_not_a_person(ex):
    got = officials(ex, "Bí thư Huyện ủy Lục Văn Khang đã làm việc tại huyện Hà Quảng, Phó Khu "
                        "trưởng khu Từ Hối cùng dự.")
    assert "Hà Quảng" not in got and "Từ Hối" not in got
    assert got.get("Lục Văn Khang") == "vn"


def test_family_names_of_the_border_peoples(ex):
    got = officials(ex, "Đồng chủ trì là đồng chí Sùng A Hồ, Phó Chủ tịch UBND tỉnh Lai Châu.")
    assert got.get("Sùng A Hồ") == "vn"


def test_prime_minister_is_a_title_not_a_name(ex):
    got = officials(ex, "Phó Thủ tướng Trần Văn Nam tiếp Bí thư Tỉnh ủy Vân Nam.")
    assert "Phó Thủ" not in got and got.get("Trần Văn Nam") == "vn"


@pytest.mark.parametrize("text, name, side", [
    # A given name whose syllable also starts a title ("Thị" of "Thị trưởng", "Đại" of "Đại
    # sứ", "Chính" of "Chính ủy"): the sentence still holds a name and must be read
    ("Bà Đỗ Thị Lan, Tổng Lãnh sự Việt Nam tại Côn Minh cũng có mặt.", "Đỗ Thị Lan", "vn"),
    ("Phía bạn có ông Quách Đại Minh, Phó Bí thư Khu ủy Quảng Tây cùng dự.", "Quách Đại Minh", "cn"),
    ("Cùng đi có ông Lương Chính Nghĩa, Phó Giám đốc Sở Ngoại vụ tỉnh.",
     "Lương Chính Nghĩa", "vn"),
])
def test_names_whose_given_name_starts_like_a_title(ex, text, name, side):
    assert officials(ex, text).get(name) == side


def test_a_title_alone_is_not_a_name(ex):
    # "Phó Thị trưởng", "Thường trực Tỉnh ủy": family names (Phó, Thường) opening a title
    assert officials(ex, "Phó Thị trưởng và Thường trực Tỉnh ủy đã tiếp đoàn.") == {}


@pytest.mark.parametrize("text, name, side", [
    # The home official named after the level of the council, with no place: three syllables
    # after "tỉnh", "thành phố" are a person, not an unknown place
    ("Chiều 5/9, Chủ tịch UBND tỉnh Lê Văn Hòa tiếp đoàn công tác.", "Lê Văn Hòa", "vn"),
    ("Phó Chủ tịch UBND thành phố Trần Minh Đức cho biết thành phố sẵn sàng.", "Trần Minh Đức", "vn"),
    # "trị" ends "khu tự trị" but here "Bộ Chính trị": a person follows
    ("Ủy viên Bộ Chính trị Phan Văn Mão đã dự.", "Phan Văn Mão", "vn"),
    # "Bộ Ngoại giao" ends on a lower-case syllable: the title keeps it and so its side
    ("Theo Thứ trưởng Bộ Ngoại giao Lê Hoài Nam, hai bên cần phối hợp.", "Lê Hoài Nam", "vn"),
])
def test_a_person_after_the_level_of_a_council(ex, text, name, side):
    assert officials(ex, text).get(name) == side


def test_a_person_after_a_body_ending_like_a_place_prefix(ex):
    # "tộc" ends "khu tự trị dân tộc" but here "Ủy ban Dân tộc"
    assert "Hầu A Páo" in officials(ex, "Bộ trưởng, Chủ nhiệm Ủy ban Dân tộc Hầu A Páo phát biểu.")


def test_a_title_may_end_on_the_last_syllable_of_a_head(ex):
    got = officials(ex, "Ông Đinh Văn Lực, Phó Trưởng ban phụ trách Ban Quản lý Khu kinh tế tỉnh "
                        "cho biết.")
    assert got.get("Đinh Văn Lực") == "vn"


def test_two_syllables_after_a_place_word_stay_a_place(ex):
    got = officials(ex, "Phó Khu trưởng khu Hoàng Phố và Bí thư Đảng ủy xã Lò Sơn cùng dự.")
    assert got == {}


@pytest.mark.parametrize("text, absent", [
    # a leader's own past visit recalled
    ("Chiều 3/5, Bí thư Tỉnh ủy Lò Văn Mạnh tiếp đoàn huyện Mông Tự (Trung Quốc). Ông nhắc lại "
     "chuyến thăm chính thức Việt Nam của Tổng Bí thư, Chủ tịch nước Trung Quốc Hồ Cẩm Đào năm 2006.",
     "Hồ Cẩm Đào"),
    # two leaders joined by "và" in one frame
    ("Hội nghị cụ thể hóa nhận thức chung trong các chuyến thăm lẫn nhau của Tổng Bí thư Đỗ Mười "
     "và Tổng Bí thư, Chủ tịch Trung Quốc Giang Trạch Dân, Phó Chủ tịch UBND tỉnh Hà Văn Lâm nói.",
     "Giang Trạch Dân"),
    # on behalf of someone absent
    ("Thay mặt Bí thư Thành ủy Côn Minh Trình Liên Nguyên, ông Mã Kiến, Phó Thị trưởng thành phố "
     "Côn Minh, hoan nghênh đoàn.", "Trình Liên Nguyên"),
    # the inviter, in another city
    ("Đoàn thăm Việt Nam theo lời mời của Chủ tịch Quốc hội Vương Đình Hải; tại Quảng Ninh, Bí thư "
     "Tỉnh ủy Vũ Văn Đạt đã tiếp đoàn.", "Vương Đình Hải"),
    # the occasion is another event
    ("Chuyến thăm diễn ra trong dịp Chủ tịch nước Trương Tấn Minh thăm Trung Quốc; Phó Chủ tịch "
     "UBND tỉnh Nông Văn Lợi đã tiếp đoàn.", "Trương Tấn Minh"),
])
def test_people_named_only_as_absent_are_not_officials(ex, text, absent):
    got = officials(ex, text)
    assert absent not in got
    assert got  # the people taking part are still there


def test_a_visitor_named_in_the_visit_frame_and_again_takes_part(ex):
    text = ("Nhân chuyến thăm Việt Nam của Bí thư Châu ủy Văn Sơn Đường Thiên Kiệt, chiều 8/8 Chủ tịch "
            "UBND tỉnh Lê Đức Mạnh đã tiếp đoàn. Ông Đường Thiên Kiệt cảm ơn tỉnh.")
    got = officials(ex, text)
    assert got.get("Đường Thiên Kiệt") == "cn" and got.get("Lê Đức Mạnh") == "vn"


def test_people_only_in_related_article_lists_are_not_officials(ex):
    text = ("Sáng 9/9, Phó Chủ tịch UBND tỉnh Lục Văn Bình tiếp đoàn thành phố Bách Sắc (Trung Quốc).\n\n"
            "Tin liên quan\n\n» Chủ tịch UBND tỉnh Mai Đức Hòa làm việc với huyện Bảo Lạc (07/08/2017)\n"
            "• Bí thư Thành ủy Hải Phòng tiếp Đại sứ Trung Quốc Khổng Huyễn Hựu\n")
    got = officials(ex, text)
    assert set(got) == {"Lục Văn Bình"}


def test_a_bulleted_list_of_participants_is_read(ex):
    text = ("Tham dự có:\n- Ông Phan Văn Dũng, Phó Chủ tịch UBND tỉnh;\n- Ông Tạ Minh Quân, Phó Thị "
            "trưởng thành phố Sùng Tả.\n")
    got = officials(ex, text)
    assert got.get("Phan Văn Dũng") == "vn" and got.get("Tạ Minh Quân") == "cn"


@pytest.mark.parametrize("text, name", [
    ("Dự buổi tiếp có Đại sứ Trung Quốc tại Việt Nam Hùng Minh Hải.", "Hùng Minh Hải"),
    ("Phía bạn có ông Liêu Quốc Thanh, Phó Chủ tịch Chính quyền nhân dân Khu tự trị Quảng Tây.",
     "Liêu Quốc Thanh"),
    ("Cùng dự có Đại sứ Trung Quốc tại Việt Nam Hồng Kiến Quân.", "Hồng Kiến Quân"),
    # "Hội trưởng" (head of an association), a Chinese title
    ("Tham dự có bà Tạ Lệ Hoa, Phó Hội trưởng Hội Hữu nghị đối ngoại nhân dân tỉnh Vân Nam.",
     "Tạ Lệ Hoa"),
])
def test_more_chinese_family_names_and_titles(ex, text, name):
    assert officials(ex, text).get(name) == "cn"


def test_hung_as_a_given_name_starts_no_second_person(ex):
    got = officials(ex, "Phó Chủ tịch UBND tỉnh Trịnh Việt Hùng tiếp đoàn; Liêu Ninh và Hồng Kông "
                        "cũng cử đại diện.")
    assert got == {"Trịnh Việt Hùng": "vn"}


@pytest.mark.parametrize("text, name, side", [
    # "Tổng Thư ký": the title ran out at the lower-case "ký", leaving no head
    ("Cùng dự có ông Khâu Minh Viễn, Tổng Thư ký Ủy ban Thường vụ Nhân đại thành phố Trùng Khánh "
     "và một số cán bộ.", "Khâu Minh Viễn", "cn"),
    # "Cửa khẩu": the place after it is the one the title names
    ("Ông Lạc Vĩnh Kiện, Giám đốc Sở Thương mại, Chủ nhiệm Văn phòng Cửa khẩu Quảng Tây phát biểu.",
     "Lạc Vĩnh Kiện", "cn"),
])
def test_titles_run_on_through_lower_case_syllables(ex, text, name, side):
    assert officials(ex, text).get(name) == side


@pytest.mark.parametrize("text, name, side", [
    # the place before the title is the visitors', not the national office's holder
    ("Tại Hà Nội, đoàn tỉnh Quảng Đông còn chào Thủ tướng Chính phủ Phạm Quang Hưng.",
     "Phạm Quang Hưng", "vn"),
    ("Bí thư Tỉnh ủy Vân Nam cũng được Phó Thủ tướng Chính phủ Lê Minh Khải tiếp.", "Lê Minh Khải", "vn"),
    # the national body that sends a person, named before them
    ("Bộ Ngoại giao cử ông Đào Văn Toàn, Phó Cục trưởng Cục Lễ tân tới dự.", "Đào Văn Toàn", "vn"),
    # negative: China's national offices are written with the country
    ("Đoàn tỉnh Lào Cai đã gặp Thứ trưởng Bộ Thương mại Trung Quốc Lý Thành Cương.",
     "Lý Thành Cương", "cn"),
    # negative: a "phía bạn" frame still decides first
    ("Về phía bạn có ông Mạnh Tường, Thứ trưởng Bộ Ngoại giao.", "Mạnh Tường", "cn"),
])
def test_national_offices_are_vietnamese_before_a_place_earlier_in_the_sentence(ex, text, name, side):
    assert officials(ex, text).get(name) == side


def test_a_place_name_after_an_honorific_is_a_person(ex):
    # "Cát Lâm" is also Jilin; after "ông" it is a person's name
    got = officials(ex, "Đoàn Chính hiệp thành phố Thiên Tân do ông Cát Lâm, Chủ tịch Chính hiệp "
                        "thành phố Thiên Tân dẫn đầu.")
    assert got.get("Cát Lâm") == "cn"
    # negative: without an honorific the place stays a place
    assert officials(ex, "Phó Tỉnh trưởng tỉnh Cát Lâm đã tới thăm.") == {}


def test_a_name_written_in_pinyin(ex):
    got = officials(ex, "Đoàn huyện Long Châu (Trung Quốc) do Bí thư Huyện ủy Long Châu Huang Weiming "
                        "dẫn đầu đã sang thăm.")
    assert got.get("Huang Weiming") == "cn"
    # "Ma" is also a Vietnamese (Tày) family name, before words with tone marks
    assert officials(ex, "Phó Chủ tịch UBND tỉnh Ma Văn Hòa tiếp đoàn.") == {"Ma Văn Hòa": "vn"}
    # negative: a pinyin family name before an unaccented English word in a title is no name
    assert officials(ex, "Giám đốc Công ty Li Ning Vietnam cho biết.") == {}


@pytest.mark.parametrize("text, name, side", [
    # a family name of two words
    ("Sáng 12/5, Chủ tịch UBND tỉnh Quảng Ninh Cao Tường Huy tiếp bà Âu Dương Mỹ Linh, Phó Tỉnh "
     "trưởng tỉnh Quảng Tây (Trung Quốc).", "Âu Dương Mỹ Linh", "cn"),
    # family names no list holds, introduced by an honorific and a title after the name
    ("Đón đoàn có ông Cừu Hạo Nhiên, Phó Thị trưởng thành phố Quế Lâm (Trung Quốc).",
     "Cừu Hạo Nhiên", "cn"),
    ("Làm việc với đoàn có bà Thiềm Ngọc, Huyện trưởng huyện Ma Lật Pha, tỉnh Vân Nam.",
     "Thiềm Ngọc", "cn"),
])
def test_family_names_the_lists_lack_after_an_honorific(ex, text, name, side):
    assert officials(ex, text).get(name) == side
    assert not any(n != name and n in name for n in officials(ex, text))  # not a shorter reading


def test_a_name_repeated_under_its_title_is_one_person(ex):
    # the second mention, read from the title, would start at the given name ("Vũ Phong")
    text = ("Chiều 3/8, tiếp đoàn có ông Cừu Vũ Phong, Phó Thị trưởng thành phố Liễu Châu (Trung "
            "Quốc). Phó Thị trưởng Cừu Vũ Phong cho biết Liễu Châu muốn mở tuyến xe khách.")
    assert officials(ex, text) == {"Cừu Vũ Phong": "cn"}


def test_a_place_inside_a_name_the_honorific_introduced_is_no_partner(ex):
    # "Đông Bình" is a county of Shandong; here it ends a person's name, twice
    text = ("Ngày 9/10, tại Hà Nội, ông Nguyễn Văn Tâm tiếp ông Phí Đông Bình, Phó Chủ tịch tỉnh "
            "Quảng Đông (Trung Quốc). Ông Phí Đông Bình cho biết Quảng Đông muốn mở thêm đường bay.")
    raw = RawDocument(id="t.txt", source="t.txt", format="txt", encoding="utf-8", text=text)
    record = ex.extract(clean_document(raw))
    assert [p["name"] for p in record["partners"]] == ["Guangdong"]
    assert {o["name"] for o in record["officials"]} >= {"Phí Đông Bình"}


def test_an_honorific_before_a_title_or_an_office_starts_no_name(ex):
    text = ("Chiều 4/6, ông Chủ tịch UBND tỉnh Lạng Sơn và bà Giám đốc Sở Du lịch đã tiếp đoàn "
            "thành phố Sùng Tả (Trung Quốc).")
    assert officials(ex, text) == {}


def test_every_two_word_family_name_of_the_list_starts_a_name(ex):
    text = ("Chiều 5/5, Phó Chủ tịch UBND tỉnh Điện Biên Lò Văn Hặc tiếp ông Gia Cát Minh, Phó Thị "
            "trưởng thành phố Phổ Nhĩ (Trung Quốc).")
    assert officials(ex, text).get("Gia Cát Minh") == "cn"


def test_a_place_then_a_name_of_three_stays_a_place(ex):
    # "Sùng Tả" starts with a family name, but a name of five syllables is none: place, then name
    text = ("Ngày 29/10, lãnh đạo tỉnh Lạng Sơn hội đàm với đoàn thành phố Sùng Tả (Trung Quốc). "
            "Bí thư Thị ủy Sùng Tả Hoàng Kiến Bình cho biết hai bên sẽ mở rộng bãi kiểm hóa.")
    raw = RawDocument(id="t.txt", source="t.txt", format="txt", encoding="utf-8", text=text)
    record = ex.extract(clean_document(raw))
    assert {o["name"]: o["side"] for o in record["officials"]} == {"Hoàng Kiến Bình": "cn"}
    assert [p["name"] for p in record["partners"]] == ["Chongzuo"]


@pytest.mark.parametrize("text", [
    # a foreign name spelled with letters Vietnamese does not use
    "Ngày 3/5, lãnh đạo thành phố Đà Nẵng tiếp ông Kwon Young, Phó Thị trưởng thành phố Daegu.",
    # a place the gazetteers do not hold, written elsewhere as a place
    "Ngày 3/5, ông Xiêng Khoảng phát biểu, Phó Tỉnh trưởng tỉnh Xiêng Khoảng cũng dự.",
])
def test_no_name_after_an_honorific_when_it_is_foreign_or_a_place(ex, text):
    assert not {n for n in officials(ex, text) if n.startswith(("Kwon", "Xiêng"))}


@pytest.mark.parametrize("ministry", ["Bộ Giao thông vận tải", "Bộ Nông nghiệp và Phát triển nông thôn",
                                      "Sở Tài nguyên và Môi trường", "Bộ Thông tin và Truyền thông"])
def test_titles_run_through_the_lower_case_words_of_a_ministrys_name(ex, ministry):
    text = (f"Chiều 9/8, tại Hà Nội, Thứ trưởng {ministry} Nguyễn Hữu Trác đã hội đàm với ông Tiền "
            f"Vĩnh Cường, Thứ trưởng {ministry} Trung Quốc.")
    assert officials(ex, text) == {"Nguyễn Hữu Trác": "vn", "Tiền Vĩnh Cường": "cn"}


@pytest.mark.parametrize("text, name", [
    ("Chiều 26/6, đoàn làm việc với thành phố Chu Châu (Trung Quốc). Thị trưởng Cừu Chí Cường giới "
     "thiệu các doanh nghiệp của thành phố.", "Cừu Chí Cường"),
    ("Đoàn thành phố Sùng Tả (Trung Quốc) do Bí thư Thị ủy Sùng Tả Thiềm Kiến Bình dẫn đầu.",
     "Thiềm Kiến Bình"),
])
def test_after_a_title_only_chinas_officials_hold_a_name_needs_no_listed_family_name(ex, text, name):
    assert officials(ex, text).get(name) == "cn"


def test_a_governors_title_that_laos_uses_too_anchors_no_unknown_name(ex):
    text = ("Chiều 16/5, Chủ tịch UBND tỉnh Điện Biên tiếp đoàn tỉnh Phông Sa Lỳ (Lào). Tỉnh trưởng "
            "Khăm Phăn Phôm cảm ơn sự đón tiếp.")
    assert "Khăm Phăn Phôm" not in officials(ex, text)


def test_family_names_of_the_thai_people_of_the_northwest(ex):
    text = ("Chiều 5/5, Phó Chủ tịch UBND tỉnh Điện Biên Lường Văn Thủy tiếp ông Nhạc Chí Cương, "
            "Phó Thị trưởng thành phố Phổ Nhĩ (Trung Quốc).")
    assert officials(ex, text) == {"Lường Văn Thủy": "vn", "Nhạc Chí Cương": "cn"}


def test_a_title_without_a_place_takes_the_country_naming_the_body_before_it(ex):
    text = ("Chiều 23/9, tại Hà Nội, Thứ trưởng Bộ Giao thông vận tải Trần Đức Hiển đã tiếp đoàn công "
            "tác Cục Đường sắt quốc gia Trung Quốc do ông Cừu Kiến Hoa, Cục trưởng dẫn đầu.")
    assert officials(ex, text) == {"Trần Đức Hiển": "vn", "Cừu Kiến Hoa": "cn"}
    # a country the delegation travels to is no side
    text = ("Đoàn công tác của tỉnh Khánh Hòa sang Trung Quốc lần này do ông Nguyễn Khắc Toàn, Phó Bí "
            "thư Thường trực Tỉnh ủy làm trưởng đoàn.")
    assert officials(ex, text) == {"Nguyễn Khắc Toàn": "vn"}


@pytest.mark.parametrize("text, expected", [
    ("Chiều 11/7, tại trụ sở Bộ GTVT, Thứ trưởng Vương Đình Khải đã làm việc với đoàn công tác Bộ "
     "Giao thông vận tải Trung Quốc do Thứ trưởng Khương Đức Minh dẫn đầu.",
     {"Vương Đình Khải": "vn", "Khương Đức Minh": "cn"}),
    # the venue before "đoàn" is not the delegation's
    ("Ngày 26/6, tại Bắc Kinh, đoàn công tác Bộ GTVT do Thứ trưởng Nguyễn Minh Hải dẫn đầu đã làm "
     "việc với Cục Đường sắt Quốc gia Trung Quốc.", {"Nguyễn Minh Hải": "vn"}),
])
def test_a_delegations_leader_stands_on_the_side_its_name_gives(ex, text, expected):
    assert officials(ex, text) == expected


def test_a_place_starting_a_name_before_a_family_name_that_is_mostly_given(ex):
    # "Chu Chí" is Zhouzhi county; "Hồng" is a family name too, but far more often a given name
    text = ("Ngày 7/9/2023, đoàn thành phố Hải Phòng đã làm việc tại thành phố Túc Châu, tỉnh An Huy "
            "(Trung Quốc). Phó Thị trưởng Chu Chí Hồng đã tiếp đoàn.")
    raw = RawDocument(id="t.txt", source="t.txt", format="txt", encoding="utf-8", text=text)
    record = ex.extract(clean_document(raw))
    assert {o["name"] for o in record["officials"]} == {"Chu Chí Hồng"}
    assert "Zhouzhi" not in {p["name"] for p in record["partners"]}
