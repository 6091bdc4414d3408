"""Extraction on articles written here: dates, places, ambiguity, direction, officials, topics."""
import pytest

from citycoop.clean import clean_document
from citycoop.extract import Extractor
from citycoop.extract.dates import find_event_date
from citycoop.extract.topics import load_taxonomy
from citycoop.models import RawDocument


@pytest.fixture(scope="module")
def ex():
    return Extractor()


def extract(ex, text, published=None, title=None):
    raw = RawDocument(id="t.txt", source="t.txt", format="txt", encoding="utf-8", text=text,
                      published=published, title=title)
    return ex.extract(clean_document(raw))


def partners(r):
    return sorted(p["name"] for p in r["partners"])


def vn(r):
    return sorted(v["name"] for v in r["vn_localities"])


# ---------------------------------------------------------------- dates
@pytest.mark.parametrize("lead,published,value,source", [
    ("Ngày 24/10, đoàn đến.", None, "--10-24", "none"),
    ("ngày 26-11, hai bên hội đàm.", "2024-12-01", "2024-11-26", "published"),
    ("Sáng 27/2, ông A tiếp đoàn.", "2024-02-28", "2024-02-27", "published"),
    ("Chiều ngày 11/6/2024, đoàn làm việc.", None, "2024-06-11", "text"),
    ("tại buổi làm việc sáng nay (26/3).", "2025-03-26", "2025-03-26", "published"),
    ("từ ngày 28/1 đến 1/2, đoàn thăm Quảng Tây.", "2025-02-03", "2025-01-28", "published"),
    ("Ngày 5 tháng 6 năm 2023, hai bên ký kết.", "2024-01-01", "2023-06-05", "text"),
    ("Hơn 1/6 tổng diện tích là núi.", "2024-01-01", None, None),
    # days of one month: the meeting began on the first
    ("từ ngày 2 - 5/4, đoàn thăm Vân Nam.", "2024-04-06", "2024-04-02", "published"),
    ("Ngày 2-5/4/2024, đoàn thăm Vân Nam.", None, "2024-04-02", "text"),
    ("từ ngày 2 đến 5/4, đoàn thăm Vân Nam.", "2024-04-06", "2024-04-02", "published"),
    ("ngày 30 - 2/12, đoàn thăm Vân Nam.", "2024-12-03", "2024-11-30", "published"),
    ("ngày 30/12 - 2/1/2025, đoàn thăm Vân Nam.", None, "2024-12-30", "text"),
    ("Ngày 26-11-2024, hai bên hội đàm.", None, "2024-11-26", "text"),
])
def test_date_forms(lead, published, value, source):
    d = find_event_date(lead, published)
    assert (d.value, d.source) == (value, source)


def test_year_boundary_meeting_before_new_year():
    assert find_event_date("Ngày 30/12, đoàn đến thăm.", "2025-01-02").value == "2024-12-30"
    assert find_event_date("Ngày 2/1, đoàn đến thăm.", "2025-01-03").value == "2025-01-02"


def test_unknown_year_is_never_invented(ex):
    r = extract(ex, "Ngày 26/9, Phó Chủ tịch UBND TP Hồ Chí Minh Bùi Xuân Cường đã tiếp ông "
                    "Lại Chí Hồng, Phó Thị trưởng TP Quảng Châu (Trung Quốc).")
    assert r["event_date"] == "--09-26" and r["event_date_source"] == "none"
    assert any("year unknown" in w for w in r["warnings"])


# ---------------------------------------------------------------- partners & direction
INBOUND = ("Ngày 12/5/2024, Chủ tịch UBND tỉnh Quảng Ninh Cao Tường Huy đã tiếp đoàn đại biểu "
           "thành phố Nam Ninh, Khu tự trị dân tộc Choang Quảng Tây (Trung Quốc) do Phó Thị trưởng "
           "Lưu Hồng dẫn đầu. Hai bên bàn về hợp tác du lịch và logistics.")

OUTBOUND = ("Từ ngày 3/4 đến 6/4/2024, đoàn đại biểu tỉnh Lạng Sơn do Bí thư Tỉnh ủy Đoàn Thị Hậu "
            "dẫn đầu đã thăm và làm việc tại Khu tự trị dân tộc Choang Quảng Tây (Trung Quốc). "
            "Bí thư Khu ủy Quảng Tây Trần Cương đã tiếp đoàn và trao đổi về hợp tác cửa khẩu.")


def test_inbound_city_partner_with_its_province_as_locator(ex):
    r = extract(ex, INBOUND)
    assert partners(r) == ["Nanning"] and r["partners"][0]["province"] == "Guangxi"
    assert vn(r) == ["Quang Ninh"] and r["direction"] == "inbound"
    assert r["event_date"] == "2024-05-12"
    sides = {o["name"]: o["side"] for o in r["officials"]}
    assert sides == {"Cao Tường Huy": "vn", "Lưu Hồng": "cn"}


def test_outbound_visit(ex):
    r = extract(ex, OUTBOUND)
    assert partners(r) == ["Guangxi"] and vn(r) == ["Lang Son"]
    assert r["direction"] == "outbound" and r["event_date"] == "2024-04-03"
    sides = {o["name"]: o["side"] for o in r["officials"]}
    assert sides == {"Đoàn Thị Hậu": "vn", "Trần Cương": "cn"}


def test_hoi_kien_says_nothing_of_who_travelled(ex):
    """"hội kiến" (a meeting of different ranks) is written of hosts and visitors alike: where
    the meeting took place decides."""
    r = extract(ex, "Ngày 3/3/2025, tại Côn Minh, tỉnh Vân Nam (Trung Quốc), Bí thư Tỉnh ủy Lào Cai "
                    "Đặng Xuân Phong đã hội kiến Bí thư Tỉnh ủy Vân Nam Vương Ninh.")
    assert partners(r) == ["Yunnan"] and r["direction"] == "outbound"
    r = extract(ex, "Ngày 3/3/2025, Bí thư Tỉnh ủy Lào Cai Đặng Xuân Phong đã hội kiến Bí thư Tỉnh ủy "
                    "Vân Nam Vương Ninh.")
    assert partners(r) == ["Yunnan"] and r["direction"] == "unknown"


def test_two_partners_in_one_article(ex):
    r = extract(ex, "Ngày 8/8/2024, Chủ tịch UBND tỉnh Lào Cai đã tiếp đoàn đại biểu tỉnh Vân Nam "
                    "và đoàn đại biểu thành phố Thâm Quyến, tỉnh Quảng Đông (Trung Quốc). "
                    "Các bên thảo luận hợp tác đường sắt khổ tiêu chuẩn Lào Cai - Hà Nội.")
    assert partners(r) == ["Shenzhen", "Yunnan"]
    assert {p["province"] for p in r["partners"]} == {"Guangdong", "Yunnan"}
    assert r["direction"] == "inbound"
    assert r["topics"]["transport"] > 0


def test_vietnam_korea_article_has_no_chinese_partner(ex):
    r = extract(ex, "Ngày 3/7/2024, Chủ tịch UBND TP Hồ Chí Minh đã tiếp đoàn đại biểu thành phố "
                    "Busan (Hàn Quốc). Hai bên bàn hợp tác phát triển metro và du lịch.")
    assert r["partners"] == [] and r["direction"] == "none"
    assert vn(r) == ["Ho Chi Minh City"] or r["vn_localities"] == []
    assert "no Chinese partner found" in r["warnings"]


def test_china_only_in_boilerplate_gives_no_partner(ex):
    text = "\n".join([
        "TP Hồ Chí Minh hợp tác với Hàn Quốc về metro",
        "Ngày 3/7/2024, Chủ tịch UBND TP Hồ Chí Minh đã tiếp đoàn đại biểu thành phố Seoul "
        "(Hàn Quốc) và bàn về hợp tác phát triển đường sắt đô thị.",
        "Tin liên quan",
        "Thượng Hải và TP Hồ Chí Minh ký kết hợp tác",
        "Đoàn đại biểu tỉnh Quảng Đông thăm Đồng Nai",
    ])
    r = extract(ex, text)
    assert r["partners"] == [] and r["direction"] == "none"
    assert not any(m["country"] == "cn" for m in r["mentions"])


def test_mentions_are_not_partners(ex):
    r = extract(ex, "Ngày 26/9/2024, Phó Chủ tịch UBND TP Hồ Chí Minh đã tiếp đoàn đại biểu TP "
                    "Quảng Châu (Trung Quốc). Quảng Châu có vai trò trong Vùng Vịnh lớn Quảng Đông, "
                    "Hồng Kông, Macao.")
    assert partners(r) == ["Guangzhou"]
    mentioned = {m["name"] for m in r["mentions"]}
    assert {"Hong Kong", "Macau", "Guangzhou"} <= mentioned


@pytest.mark.parametrize("text,cn,vn_side", [
    ("Lạng Sơn và Quảng Tây hội đàm thúc đẩy hợp tác cửa khẩu.", ["Guangxi"], ["Lang Son"]),
    ("Ngày 5/3/2025, tỉnh Lạng Sơn và Khu tự trị dân tộc Choang Quảng Tây (Trung Quốc) tổ chức "
     "hội đàm thường niên.", ["Guangxi"], ["Lang Son"]),
    ("Quảng Ninh – Quảng Tây tăng cường hợp tác thương mại biên giới.", ["Guangxi"], ["Quang Ninh"]),
    ("Ngày 12/6/2025, Hải Phòng và Thâm Quyến (Trung Quốc) thảo luận hợp tác cảng biển.",
     ["Shenzhen"], ["Hai Phong"]),
    ("Sáng 3/4 Hà Nội và Bắc Kinh đã ký kết biên bản ghi nhớ về giao thông đô thị.",
     ["Beijing"], ["Hanoi"]),
    ("Lào Cai gặp gỡ Vân Nam bàn phát triển du lịch.", ["Yunnan"], ["Lao Cai"]),
])
def test_places_named_as_the_subject_of_a_meeting_are_parties(ex, text, cn, vn_side):
    """Headlines and leads name the parties first: "Lạng Sơn và Quảng Tây hội đàm ..."."""
    r = extract(ex, text)
    assert partners(r) == cn and vn(r) == vn_side
    assert "no Chinese partner found" not in r["warnings"]


@pytest.mark.parametrize("text", [
    # the clause does not open with the places
    "Ngày 4/5/2024, doanh nghiệp Quảng Tây hợp tác với các công ty logistics.",
    "Sản phẩm của Quảng Tây được bày bán tại Hà Nội.",
    # the words after them are no meeting ("tiếp tục", "gặp khó khăn"), or none at all
    "Ngày 4/5/2024, Quảng Châu tiếp tục mở rộng mạng lưới metro.",
    "Ngày 4/5/2024, Quảng Châu gặp khó khăn vì bão. Quảng Châu là thành phố lớn.",
    # a subject after the lead is not read as a party
    "Ngày 4/5/2024, TP Hà Nội có nhiều dự án metro.\n\nHai bên trao đổi kinh nghiệm.\n\n"
    "Thượng Hải hợp tác với nhiều thành phố châu Âu.",
])
def test_places_opening_other_clauses_are_not_parties(ex, text):
    assert extract(ex, text)["partners"] == []


def test_an_analyst_can_add_a_subject_cue(ex):
    from citycoop.extract import Extractor
    from citycoop.gazetteer import load_lexicon

    text = "Hà Nội và Bắc Kinh bắt tay phát triển giao thông đô thị."
    assert extract(ex, text)["partners"] == []
    lexicon = {**load_lexicon(), "party_cues_after": [*load_lexicon()["party_cues_after"], "bắt tay"]}
    assert partners(extract(Extractor(lexicon=lexicon), text)) == ["Beijing"]
    # A lexicon written before these lists existed still works: it reads no subjects.
    older = {k: v for k, v in load_lexicon().items()
             if k not in ("party_cues_after", "party_cues_after_not", "subject_openers")}
    assert extract(Extractor(lexicon=older), "Lạng Sơn và Quảng Tây hội đàm.")["partners"] == []


# ---------------------------------------------------------------- ambiguous names
@pytest.mark.parametrize("cn_text,vn_text,cn_name,vn_name", [
    ("Ngày 4/5/2024, Chủ tịch UBND tỉnh Hải Dương đã tiếp đoàn đại biểu tỉnh Hà Nam (Trung Quốc).",
     "Ngày 4/5/2024, Chủ tịch UBND tỉnh Hải Dương đã tiếp đoàn đại biểu tỉnh Hà Nam.",
     "Henan", "Ha Nam"),
    ("Ngày 4/5/2024, lãnh đạo tỉnh Bắc Ninh đã tiếp đoàn đại biểu tỉnh Hà Bắc, Trung Quốc.",
     "Ngày 4/5/2024, lãnh đạo tỉnh Hà Bắc cũ gặp mặt cán bộ hưu trí tại Bắc Ninh.",
     "Hebei", None),
    ("Ngày 4/5/2024, lãnh đạo TP Hà Nội đã tiếp đoàn đại biểu tỉnh Sơn Tây (Trung Quốc).",
     "Ngày 4/5/2024, lãnh đạo TP Hà Nội đã làm việc với thị xã Sơn Tây về du lịch.",
     "Shanxi", None),
    ("Ngày 4/5/2024, lãnh đạo TP Hà Nội đã tiếp đoàn đại biểu thành phố Trùng Khánh.",
     "Ngày 4/5/2024, lãnh đạo tỉnh Cao Bằng làm việc với huyện Trùng Khánh về du lịch thác Bản Giốc.",
     "Chongqing", None),
])
def test_ambiguous_names_both_ways(ex, cn_text, vn_text, cn_name, vn_name):
    r = extract(ex, cn_text)
    assert cn_name in partners(r)
    r = extract(ex, vn_text)
    assert r["partners"] == [], r["partners"]
    assert r["direction"] == "none"
    if vn_name:
        assert vn_name in {m["name"] for m in r["mentions"]}
        assert any("read as Vietnamese" in w for w in r["warnings"])


@pytest.mark.parametrize("text,name,title", [
    ("Chiều 16/5, Chủ tịch UBND TP Hà Nội đã tiếp đoàn đại biểu thành phố Bắc Kinh (Trung Quốc) do Phó "
     "Thị trưởng Cận Vĩ dẫn đầu.", "Cận Vĩ", "Phó Thị trưởng"),
    ("Ngày 3/3/2025, Bí thư Thành ủy Hà Nội hội đàm với Thị trưởng Bắc Kinh Ân Dũng.", "Ân Dũng",
     "Thị trưởng Bắc Kinh"),
    ("Ngày 3/3/2025, lãnh đạo tỉnh Quảng Ninh tiếp ông Thôi Ngọc Anh, Phó Tỉnh trưởng tỉnh Quảng Đông "
     "(Trung Quốc).", "Thôi Ngọc Anh", "Phó Tỉnh trưởng tỉnh Quảng Đông (Trung Quốc)"),
    # Liêu is a family name too, but it begins Liêu Ninh: not in the list
    ("Ngày 3/3/2025, đoàn đại biểu tỉnh Liêu Ninh (Trung Quốc) do Phó Tỉnh trưởng Mao Khánh dẫn đầu "
     "thăm Hải Phòng.", "Mao Khánh", "Phó Tỉnh trưởng"),
])
def test_chinese_officials_with_chinese_family_names(ex, text, name, title):
    r = extract(ex, text)
    assert [(o["name"], o["title"], o["side"]) for o in r["officials"] if o["side"] == "cn"] == [(name, title, "cn")]
    assert r["partners"]


@pytest.mark.parametrize("text,partner,province", [
    ("Ngày 3/3/2025, lãnh đạo tỉnh Bắc Ninh tiếp đoàn đại biểu thành phố Vô Tích, tỉnh Giang Tô "
     "(Trung Quốc).", "Wuxi", "Jiangsu"),
    ("Ngày 3/3/2025, đoàn công tác tỉnh Lào Cai thăm thành phố Trương Gia Giới, tỉnh Hồ Nam (Trung "
     "Quốc) để học hỏi kinh nghiệm du lịch.", "Zhangjiajie", "Hunan"),
    ("Ngày 3/3/2025, Phó Chủ tịch UBND tỉnh Quảng Ninh tiếp đoàn doanh nghiệp thành phố Nghĩa Ô, tỉnh "
     "Chiết Giang (Trung Quốc).", "Yiwu", "Zhejiang"),
])
def test_cities_beyond_the_capitals_and_the_border(ex, text, partner, province):
    r = extract(ex, text)
    assert [(p["name"], p["province"]) for p in r["partners"]] == [(partner, province)]


def test_surname_before_place_name_is_a_person(ex):
    r = extract(ex, "Ngày 4/5/2024, ông Nguyễn Thanh Hải, Phó Chủ tịch UBND tỉnh Lạng Sơn, tiếp "
                    "đoàn đại biểu thành phố Sùng Tả (Trung Quốc).")
    assert "Qinghai" not in partners(r) and "Qinghai" not in {m["name"] for m in r["mentions"]}
    assert partners(r) == ["Chongzuo"]


# ---------------------------------------------------------------- topics
def test_topics_whole_syllables_and_evidence(ex):
    r = extract(ex, INBOUND + " Dự án đường sắt đô thị được nhắc đến. Thế giới du lịchhh không phải là từ.")
    assert r["topics"]["tourism"] == 1  # "du lịchhh" is not "du lịch"
    assert r["topics"]["metro"] == 1 and r["topics"]["transport"] >= 1  # metro counts for transport
    assert any("đường sắt đô thị" in s for s in r["evidence"]["metro"])
    assert "metro" not in r["evidence"] or r["evidence"]["metro"]


def test_custom_taxonomy(tmp_path):
    f = tmp_path / "topics.yml"
    f.write_text("version: 1\ntopics:\n  durian:\n    label_en: Durian\n    terms: [sầu riêng]\n",
                 encoding="utf-8")
    ex = Extractor(taxonomy=load_taxonomy(f))
    r = extract(ex, "Ngày 4/5/2024, tỉnh Đắk Lắk tiếp đoàn Quảng Tây (Trung Quốc) bàn xuất khẩu sầu riêng.")
    assert r["topics"] == {"durian": 1}
    assert r["evidence"]["durian"][0].startswith("Ngày 4/5/2024")


def test_place_name_starting_a_person_name_is_not_a_place(ex):
    r = extract(ex, "Ngày 10/2/2024, Chủ tịch UBND tỉnh Lạng Sơn đã tiếp đoàn đại biểu thành phố Thiều Quan, "
                    "tỉnh Quảng Đông (Trung Quốc) do Phó Thị trưởng Chu Hải Phong dẫn đầu.")
    assert partners(r) == ["Shaoguan"] and "Zhuhai" not in {m["name"] for m in r["mentions"]}
    assert {o["name"]: o["side"] for o in r["officials"]}["Chu Hải Phong"] == "cn"


def test_topic_terms_inside_place_names_do_not_count(ex):
    r = extract(ex, "Ngày 4/7/2024, lãnh đạo tỉnh Quảng Ninh đã tiếp đoàn đại biểu thành phố Phòng Thành "
                    "Cảng (Trung Quốc).")
    assert partners(r) == ["Fangchenggang"] and r["topics"]["logistics"] == 0


def test_fast_sentence_boundaries_equal_the_reference_pattern():
    """Sentences.of uses an optimised pattern; its boundaries are exactly the reference's."""
    import itertools
    from pathlib import Path

    from citycoop.extract.text import boundary_pattern, fast_boundary_pattern
    from citycoop.gazetteer import load_lexicon

    def spans(rx, text, fast):
        return [(m.start(1) if fast and m.start(1) >= 0 else m.start(), m.end())
                for m in rx.finditer(text)]

    pieces = ["a", "A", "Đ", "1", ".", "…", "?", " ", "  ", "\n", "\n\n", " \n ", "“", "(", "TP", "Tp",
              "TP.", "ThS", "xTS."]
    texts = ["".join(p) for p in itertools.product(pieces, repeat=4)]
    texts += [p.read_text(encoding="utf-8") for p in sorted(Path(__file__).parents[2].joinpath("seeds").rglob("*.txt"))]
    for abbreviations in (load_lexicon()["sentence_abbreviations"], [], ["TP", "Q"]):
        reference, fast = boundary_pattern(abbreviations), fast_boundary_pattern(abbreviations)
        for text in texts:
            assert spans(fast, text, True) == spans(reference, text, False), (abbreviations, repr(text))


def test_abbreviations_with_a_full_stop_do_not_end_a_sentence(ex):
    from citycoop.extract.text import Sentences

    text = ("Đoàn lãnh đạo TP. Hồ Chí Minh đã thăm Quảng Châu. Ông Nguyễn Văn An, Chủ tịch UBND Tp. "
            "Hải Phòng, và PGS. TS. Lê Văn Bình dự buổi làm việc. Hai bên ký biên bản ghi nhớ.")
    sents = Sentences.of(text)
    assert [sents.sentence(i) for i in range(len(sents))] == [
        "Đoàn lãnh đạo TP. Hồ Chí Minh đã thăm Quảng Châu.",
        "Ông Nguyễn Văn An, Chủ tịch UBND Tp. Hải Phòng, và PGS. TS. Lê Văn Bình dự buổi làm việc.",
        "Hai bên ký biên bản ghi nhớ."]
    # A word that merely ends in an abbreviation's letters still ends its sentence.
    assert len(Sentences.of("Đây là ATP. Hai bên ký kết.")) == 2
    # The evidence for a topic is the whole sentence, place name included.
    r = extract(ex, "Ngày 4/7/2024, lãnh đạo TP. Hồ Chí Minh tiếp đoàn đại biểu thành phố Quảng Châu "
                    "(Trung Quốc). Hai bên bàn về tuyến metro số 1 của TP. Hồ Chí Minh.")
    assert "Hai bên bàn về tuyến metro số 1 của TP. Hồ Chí Minh." in r["evidence"]["metro"]


def test_an_analyst_can_add_a_sentence_abbreviation(ex):
    from citycoop.extract import Extractor
    from citycoop.gazetteer import load_lexicon

    text = "Ngày 4/7/2024, đoàn Quảng Châu (Trung Quốc) thăm Q. Hoàn Kiếm để bàn về du lịch."
    assert extract(ex, text)["evidence"]["tourism"] == ["Hoàn Kiếm để bàn về du lịch."]
    lexicon = {**load_lexicon(), "sentence_abbreviations": [*load_lexicon()["sentence_abbreviations"], "Q"]}
    assert extract(Extractor(lexicon=lexicon), text)["evidence"]["tourism"] == [text]


def test_fast_official_candidate_pattern_equals_the_plain_one(ex):
    """OfficialFinder._candidate (one branch per first letter) flags exactly the sentences the
    plain "(?<!\\w)(?!title)(?:surnames) (?!title)[Upper]" pattern flags (title: modifiers, head)."""
    import re
    from pathlib import Path

    from citycoop.extract.text import Sentences

    of = ex.officials
    upper = "".join(c for c in map(chr, range(0x41, 0x1F00)) if c.isalpha() and c.isupper())
    not_title = r"(?!%s)" % of._title_start.pattern
    # (family names, and the honorifics before a name whose family name no list holds)
    starts = of.surnames | of.pinyin_surnames | set(ex.lexicon["honorifics"])
    plain = re.compile(r"(?<![\w])%s(?:%s) %s[%s]" % (
        not_title, "|".join(map(re.escape, sorted(starts, key=len, reverse=True))),
        not_title, re.escape(upper)))
    texts = [p.read_text(encoding="utf-8") for p in sorted(Path(__file__).parents[2].joinpath("seeds").rglob("*.txt"))]
    texts += ["Ông Nguyễn Văn A", "xNguyễn Văn A", "Phó Chủ tịch", "Phó Thị trưởng Chu Hải Phong",
              "Chủ tịch Phó Văn", "Âu Dương Tu", "Lê Phó", "Lê Phó Chủ tịch", "Lê Phóx", "Tư Mã Ý",
              "Nguyên Văn", "Nguyên Bí thư Lê Văn", "1Lê Văn", "Lê  Văn", "Lê văn",
              "Nguyễn Thị Hường", "Tôn Đại Vĩ", "Phó Văn Hải", "Phó Thường trực Chủ tịch",
              "Thường Phó Bí thư", "Lê Thị trưởng", "Châu Khu trưởng", "ông Phí Đông", "bà phí",
              "đồng chí Bế Văn", "Đồng chí Phí Văn", "ông Chủ tịch"]
    for text in texts:
        sents = Sentences.of(text)
        for i in range(len(sents)):
            for lo in range(sents.span(i)[0], sents.span(i)[1]):
                span = (lo, sents.span(i)[1])
                assert bool(of._candidate.search(text, *span)) == bool(plain.search(text, *span)), (text, span)


def test_compile_terms_equals_the_plain_trie_pattern(ex):
    """compile_terms (lookbehind moved inside the first-level branches) finds exactly what the
    plain "(?<!\\w)(?:trie)(?!\\w)" pattern finds, for place names and topic terms."""
    from pathlib import Path

    from citycoop.matching import compile_terms, compile_terms_reference

    gaz = ex.gazetteer
    forms = {*gaz._surfaces, *gaz.homonyms, *gaz._blocked}
    terms = set(ex.taxonomy._term_topics)
    texts = [p.read_text(encoding="utf-8") for p in sorted(Path(__file__).parents[2].joinpath("seeds").rglob("*.txt"))]
    texts += ["xHà Nội", "Hà Nội1", "1Hà Nội", "Hà Nội", "(Hà Nội)", "Hà Nộii Hà Nội", ""]
    for terms_ in (forms, terms, {"a", "ab", "b(", "(x"}):
        fast, plain = compile_terms(terms_), compile_terms_reference(terms_)
        for text in texts + [t.lower() for t in texts] + ["ab a b( (x xab(x"]:
            for start in (0, 1, 5):
                assert ([(m.span(), m.group()) for m in fast.finditer(text, start)]
                        == [(m.span(), m.group()) for m in plain.finditer(text, start)])


def test_compile_words_equals_the_plain_alternation():
    """matching.compile_words gives the matches of "(?<!X)(?<!\\w)(?:w1|w2…)(?!\\w)" (order kept),
    with and without IGNORECASE, for the lexicon's word lists."""
    import re
    from pathlib import Path

    from citycoop.gazetteer import load_lexicon
    from citycoop.matching import compile_words

    lex = load_lexicon()
    texts = [p.read_text(encoding="utf-8") for p in sorted(Path(__file__).parents[2].joinpath("seeds").rglob("*.txt"))]
    texts += ["buổi tiếp đoàn", "Buổi tiếp", "ĐOÀN ĐẠI BIỂU", "xđoàn", "đoànx", "tiếp đón đoàn Đoàn công tác",
              "thăm và làm việc tại", "tại\nthăm", "Trung Quốc Việt Nam"]
    cases = [(lex["delegation_words"], re.IGNORECASE, ""), (lex["receive_verbs"], 0, "buổi "),
             (lex["receive_verbs"], re.IGNORECASE, "buổi "), (lex["visit_frames"], 0, ""),
             (lex["party_cues"], re.IGNORECASE, ""), (["Trung Quốc", "Việt Nam"], 0, ""),
             (["ab", "Ab", "a", "b"], re.IGNORECASE, "")]
    for words, flags, not_after in cases:
        words = sorted(words, key=len, reverse=True)
        plain = re.compile((r"(?<!%s)" % re.escape(not_after) if not_after else "")
                           + r"(?<![\w])(?:%s)(?![\w])" % "|".join(map(re.escape, words)), flags)
        fast = compile_words(words, flags, not_after=not_after)
        for text in texts + [t.upper() for t in texts]:
            for start in (0, 3):
                assert ([m.span() for m in fast.finditer(text, start)]
                        == [m.span() for m in plain.finditer(text, start)]), (words, text)


def test_compile_words_then_equals_the_plain_pattern():
    """matching.compile_words_then gives the matches of "(?<!\\w)(?:w1|w2…)REST" for the
    patterns the extractor builds with it, at every start and end of a search window."""
    import re
    from pathlib import Path

    from citycoop.gazetteer import load_lexicon
    from citycoop.matching import compile_words_then

    lex = load_lexicon()
    texts = [p.read_text(encoding="utf-8") for p in sorted(Path(__file__).parents[2].joinpath("seeds").rglob("*.txt"))]
    texts += ["Tổng Lãnh sự Việt Nam tại Côn Minh", "Nguyễn \nHà", "THAY MẶT  ", "chuyến thăm chính thức của ",
              "Chuyến Thăm của Tổng Bí thư và Của ", "đoàn đại biểu tỉnh ", "xđoàn ", "Lãnh sự quán tại thành phố "]
    prefixes = "|".join(map(re.escape, sorted(lex["place_prefixes"], key=len, reverse=True)))
    cases = [(lex["surnames"], " $", 0),
             (lex["absent_frames_before"], r"\s+\Z", re.I),
             (lex["absent_frames_of"], r"(?:\s+[^\s.,;:!?]+){0,8}?\s+của\s+\Z", re.I),
             (lex["mission_words"], r"(?:\s+[^\s,;.]+){0,6}\s+tại\s+(?:(?:%s)\s+)?$" % prefixes, 0),
             (lex["delegation_words"], r"\s+(?:(?:%s)\s+)?$" % prefixes, 0)]
    for words, rest, flags in cases:
        words = sorted(words, key=len, reverse=True)
        plain = re.compile(r"(?<![\w])(?:%s)%s" % ("|".join(map(re.escape, words)), rest), flags)
        fast = compile_words_then(words, rest, flags)
        for text in texts + [t.upper() for t in texts]:
            for end in range(0, len(text) + 1, max(1, len(text) // 200)):
                for start in (0, max(0, end - 40)):
                    a, b = fast.search(text, start, end), plain.search(text, start, end)
                    assert (a and a.span()) == (b and b.span()), (words[:3], text[start:end])


def test_old_tone_style_is_read_as_the_new_and_kept_as_written(ex):
    # "Uỷ ban", "hoà bình", "Thuỷ": the other tone-mark style is matched as the lexicon's
    # ("Ủy ban", "hòa bình") while the record's text quotes the article as written.
    text = ("Ngày 3/10, Chủ tịch Uỷ ban nhân dân tỉnh Khánh Hoà tiếp đoàn đại biểu thành phố Quảng "
            "Châu (Trung Quốc), bàn hợp tác văn hoá và du lịch vì hoà bình, hữu nghị.")
    r = extract(ex, text, published="2024-10-04")
    assert "Uỷ ban nhân dân tỉnh Khánh Hoà" in r["text"] and "văn hoá" in r["text"]
    assert vn(r) == ["Khanh Hoa"] and partners(r) == ["Guangzhou"] and r["direction"] == "inbound"
    assert r["topics"]["tourism"] >= 1 and r["event_date"] == "2024-10-03"
