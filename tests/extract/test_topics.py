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


# --- a border gate is a place; goods or trade alone are trade; side by side they are freight ---

@pytest.mark.parametrize("text", [
    "Đoàn đã xuất cảnh qua cửa khẩu quốc tế Thanh Thủy sáng nay.",
    "Lãnh đạo tỉnh tiễn đoàn tại cửa khẩu.",
    "Hai bên duy trì phối hợp quản lý biên giới, cửa khẩu và phòng chống dịch.",
    "Huyện có một cặp cửa khẩu song phương và hai lối mở giáp Trung Quốc.",
    "Bộ trưởng mong muốn đưa hàng hóa của tỉnh vào thị trường lớn hơn.",
    "Trao đổi hàng hóa giữa hai nước tăng đều mỗi năm.",
])
def test_a_border_gate_or_goods_alone_is_no_logistics(tax, text):
    assert "logistics" not in found(tax, text)


@pytest.mark.parametrize("text", [
    "Hai bên tạo thuận lợi cho hoạt động thương mại qua các cửa khẩu trên địa bàn.",
    "Kim ngạch xuất nhập khẩu qua cửa khẩu Trà Lĩnh tăng 30%.",
    "Các lối mở phục vụ trao đổi hàng hóa của cư dân biên giới.",
    "Chính quyền hai huyện tạo thuận lợi cho xuất, nhập khẩu hàng hóa qua khu vực biên giới.",
    "Nông sản của tỉnh được đưa sang thị trường bạn qua các cặp cửa khẩu.",
])
def test_goods_or_trade_through_a_gate_or_across_the_border_is_logistics(tax, text):
    assert "logistics" in found(tax, text)


def test_words_side_by_side_count_once_per_sentence_with_the_sentence_as_evidence(tax):
    text = ("Hàng hóa qua cửa khẩu tăng mạnh, thương mại qua cửa khẩu cũng tăng.\n\n"
            "Đoàn về nước qua cửa khẩu.\n\nHàng hóa được bày bán ở chợ.")
    counts, evidence = tax.match(text)
    assert counts["logistics"] == 1
    assert evidence["logistics"] == ["Hàng hóa qua cửa khẩu tăng mạnh, thương mại qua cửa khẩu cũng tăng."]
    assert counts["border"] == 3  # the gate is still a border mention each time


def test_the_words_of_a_rule_in_different_sentences_do_not_count(tax):
    assert "logistics" not in found(tax, "Đoàn đi qua cửa khẩu.\n\nSau đó hai bên bàn về hàng hóa.")


@pytest.mark.parametrize("text", [
    "Lào Cai muốn trở thành trung tâm kết nối giao thương của vùng.",
    "Doanh nghiệp đầu tư kho vận tại khu công nghiệp.",
    "Đề án rút ngắn thời gian làm thủ tục cho phương tiện chở hàng.",
])
def test_freight_words(tax, text):
    assert "logistics" in found(tax, text)


def test_together_rules_are_read_from_a_users_file():
    spec = {"topics": {"x": {"terms": ["alpha"], "together": [[["beta"], ["gamma", "delta"]]]},
                       "y": {"parent": "x", "terms": []}}}
    tax = Taxonomy(spec, "t")
    assert tax.match("beta and delta. beta. gamma.")[0]["x"] == 1
    assert tax.counted_terms("x") == ("alpha",)  # words that count only side by side are not listed
    with pytest.raises(ValueError):
        Taxonomy({"topics": {"x": {"terms": [], "together": [[["beta"]]]}}}, "t")


# --- transport: ports are freight; people, vehicles, vessels and bridges are transport ---

@pytest.mark.parametrize("text", [
    "Hai thành phố hợp tác xây dựng cảng biển.",
    "Đại Liên là thành phố cảng biển lớn của vùng.",
])
def test_a_seaport_is_logistics_not_transport(tax, text):
    assert found(tax, text) & {"transport", "logistics"} == {"logistics"}


@pytest.mark.parametrize("text", [
    "Cửa khẩu mới tạo điều kiện cho người, phương tiện và hàng hóa qua lại thuận lợi.",
    "Hai bên nghiên cứu xây dựng cầu đa công năng qua biên giới.",
    "Hiệp định bảo đảm tự do đi lại của tàu thuyền trên cửa sông.",
    "Lực lượng chức năng kiểm soát người và phương tiện xuất nhập cảnh.",
    "Tàu khách cập cảng tàu khách quốc tế của thành phố.",
])
def test_transport_of_people_vehicles_and_vessels(tax, text):
    assert "transport" in found(tax, text)


@pytest.mark.parametrize("text", [
    "Đại sứ là cầu nối giữa hai địa phương.",
    "Nhu cầu đi lại của người dân hai bên tăng.",
    "Phương tiện truyền thông hai nước đưa tin đậm nét.",
])
def test_no_transport_in_bridges_of_friendship_or_media(tax, text):
    assert "transport" not in found(tax, text)


def test_an_urban_railway_line_is_metro(tax):
    # "tuyến đường sắt" must not take the first words of "tuyến đường sắt đô thị"
    assert {"metro", "transport"} <= found(tax, "Hai bên phối hợp triển khai tuyến đường sắt đô thị số 5.")


def test_topic_terms_are_found_as_the_trie_pattern_finds_them():
    """Taxonomy.match finds terms with an Aho–Corasick automaton: the same counts and evidence
    as with the trie-shaped pattern it replaced, from the body's start or from inside a term."""
    from pathlib import Path

    from citycoop.extract.topics import load_taxonomy

    class PatternSpans:  # the spans the pattern gives, as TermMatcher.finditer returns them
        def __init__(self, pattern):
            self.pattern = pattern

        def finditer(self, text):
            return [m.span() for m in self.pattern.finditer(text)]

    fast = load_taxonomy()
    reference = type(fast)(*_spec_and_version())
    reference.__dict__["_matcher"] = PatternSpans(reference._pattern)
    root = Path(__file__).resolve().parents[2]
    texts = [p.read_text(encoding="utf-8") for p in sorted((root / "seeds").glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((root / "tests" / "dev" / "d").glob("*.txt"))[:8]]
    for text in texts:
        low = text.lower()
        starts = {0, text.find("\n\n") + 2, low.find("du lịch") + 3, low.find("logistics") + 2}
        for start in sorted(starts):
            assert fast.match(text, start=start) == reference.match(text, start=start), start


def _spec_and_version():
    from importlib import resources

    from citycoop import yamlfile

    text = resources.files("citycoop.data").joinpath("topics.yml").read_text(encoding="utf-8")
    return yamlfile.safe_load(text), "reference"



@pytest.mark.parametrize("sentence", [
    "Hai bên thống nhất mở thêm các tuyến vận tải hàng hóa liên vận qua cửa khẩu Hữu Nghị.",
    "Tỉnh mong muốn hợp tác xây dựng kho lạnh cho trái cây xuất khẩu.",
])
def test_freight_in_other_words_is_logistics(tax, sentence):
    assert "logistics" in found(tax, sentence)


@pytest.mark.parametrize("sentence", [
    "Hai tỉnh phối hợp nâng cấp tuyến đường nối cửa khẩu quốc tế Tây Trang.",
    "Tỉnh đề nghị đẩy nhanh xây dựng tuyến đường chuyên dụng tại khu vực mốc 1119.",
])
def test_roads_named_by_what_is_done_to_them_are_transport(tax, sentence):
    assert "transport" in found(tax, sentence)


def test_a_phrase_listed_as_no_topic_hides_its_term():
    # "nông nghiệp hàng hóa" (commercial farming) beside the border is no freight
    from citycoop.extract.topics import Taxonomy
    spec = {"topics": {"logistics": {"terms": [], "together": [[["hàng hóa"], ["biên giới"]]]}}}
    sentence = "Tỉnh có đường biên giới dài và kêu gọi đầu tư vào nông nghiệp hàng hóa."
    counts, _ = Taxonomy(spec, "t").match(sentence)
    assert counts["logistics"] == 1
    counts, _ = Taxonomy({**spec, "no_topic": ["nông nghiệp hàng hóa"]}, "t").match(sentence)
    assert counts["logistics"] == 0
