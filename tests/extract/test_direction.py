"""Direction of the visit, read from the lead: who travelled, said the many ways the press says it.

Each lead is made up here in the general shape of real Vietnamese reports (names and places are
illustrative). A lead with no Chinese partner is ``none`` whatever it says (tested elsewhere).
"""
import pytest

from citycoop.clean import clean_document
from citycoop.extract import Extractor
from citycoop.models import RawDocument


@pytest.fixture(scope="module")
def ex():
    return Extractor()


def direction(ex, lead, title=None, after=""):
    text = lead + ("\n\n" + after if after else "")
    raw = RawDocument(id="t.txt", source="t.txt", format="txt", encoding="utf-8", text=text,
                      published="2024-06-20", title=title)
    r = ex.extract(clean_document(raw))
    assert r["partners"], "the test lead must name a Chinese partner"
    return r["direction"]


# ---------------------------------------------------------------- who received whom
def test_the_reception_noun_names_its_visitor(ex):
    # "buổi tiếp" / "cuộc tiếp" + a person: the person is the guest, as after the verb.
    assert direction(ex, "Chiều 18/6, Phó Chủ tịch UBND tỉnh Thanh Hóa đã có buổi tiếp ông Lý Cường, "
                         "Phó Thị trưởng thành phố Liễu Châu, Khu tự trị dân tộc Choang Quảng Tây.") == "inbound"
    assert direction(ex, "Ngày 18/6, Bí thư Tỉnh ủy Điện Biên có cuộc tiếp bà Trương Lệ, Phó Tỉnh trưởng "
                         "tỉnh Quý Châu (Trung Quốc), nhân dịp đoàn đến làm việc.") == "inbound"


def test_a_reception_noun_followed_by_a_comma_names_no_one(ex):
    # "Mở đầu buổi tiếp, ..." opens a clause; the countries named later are not guests.
    lead = ("Ngày 18/6, Chủ tịch UBND tỉnh Bắc Giang đã tiếp đoàn đại biểu thành phố Quế Lâm (Trung Quốc).")
    after = ("Mở đầu buổi tiếp, Chủ tịch tỉnh đánh giá cao quan hệ hữu nghị giữa nhân dân Việt Nam và "
             "nhân dân Trung Quốc trong nhiều năm qua.")
    assert direction(ex, lead, after=after) == "inbound"


def test_the_passive_names_the_host_after_duoc(ex):
    # "X đã được Y đón tiếp": Y hosts. The Chinese delegation is the grammatical subject.
    assert direction(ex, "Ngày 18/6, đoàn đại biểu tỉnh Quý Châu (Trung Quốc) do ông Lưu Kiệt, Phó Tỉnh "
                         "trưởng làm trưởng đoàn đã được Phó Chủ tịch UBND tỉnh Thanh Hóa đón tiếp.") == "inbound"
    # ... and the other way round: a Vietnamese delegation received by a Chinese host.
    assert direction(ex, "Ngày 18/6, đoàn đại biểu tỉnh Thái Bình do Phó Bí thư Tỉnh ủy dẫn đầu đã được "
                         "ông Hà Minh, Phó Thị trưởng thành phố Thành Đô, tỉnh Tứ Xuyên tiếp.") == "outbound"


def test_the_passive_without_an_agent_names_its_subject_as_visitor(ex):
    # The Vietnamese province named after the verb is where the guest went, not a guest.
    assert direction(ex, "Chiều 18/6, Phó Thị trưởng thành phố Quế Lâm (Trung Quốc) Lý Minh đã được đón "
                         "tiếp trọng thị khi đến làm việc với lãnh đạo tỉnh Bắc Giang.") == "inbound"


def test_those_listed_after_a_reception_are_the_hosts(ex):
    # "Tiếp đoàn có ..." / "Chủ trì buổi tiếp là ...": the people named receive the delegation.
    lead = ("Ngày 18/6, đoàn đại biểu tỉnh Thái Bình do Phó Chủ tịch UBND tỉnh dẫn đầu đã làm việc "
            "với lãnh đạo thành phố Thành Đô.")
    after = "Tiếp đoàn có ông Vương Hải, Phó Thị trưởng thành phố Thành Đô, tỉnh Tứ Xuyên."
    assert direction(ex, lead, after=after) == "outbound"


def test_seeing_a_delegation_off_means_it_was_visiting(ex):
    assert direction(ex, "Sáng 20/6, Phó Chủ tịch UBND tỉnh Điện Biên đã tiễn Phó Thị trưởng thành phố "
                         "Phổ Nhĩ, tỉnh Vân Nam (Trung Quốc) kết thúc chuyến làm việc tại tỉnh.") == "inbound"


def test_a_national_leader_receiving_a_chinese_delegation_is_inbound(ex):
    # No Vietnamese locality takes part; the Chinese side still came to Vietnam.
    assert direction(ex, "Chiều 18/6, Thủ tướng Chính phủ đã tiếp ông Trần Hạo, Bí thư Tỉnh ủy tỉnh "
                         "Quý Châu (Trung Quốc), đang thăm và làm việc tại Việt Nam.") == "inbound"


def test_words_that_contain_a_verb_of_receiving_receive_no_one(ex):
    # "tiếp tục", "trực tiếp" are not "tiếp": the province named after them is no guest.
    lead = "Ngày 18/6, lãnh đạo tỉnh Lào Cai đã tiếp Phó Tỉnh trưởng tỉnh Vân Nam (Trung Quốc)."
    after = "Hai bên thống nhất tiếp tục trao đổi trực tiếp với các sở của tỉnh Lào Cai."
    assert direction(ex, lead, after=after) == "inbound"


# ---------------------------------------------------------------- where the meeting is held
def test_the_venue_beats_the_delegations_origin(ex):
    # A Vietnamese delegation may travel inside Vietnam: where they meet decides.
    lead = ("Sáng 18/6, tại tỉnh Quảng Ninh, đoàn đại biểu tỉnh Cao Bằng do Bí thư Tỉnh ủy dẫn đầu đã "
            "hội kiến Bí thư Thành ủy Khâm Châu (Trung Quốc) nhân dịp hội nghị.")
    assert direction(ex, lead) == "inbound"
    lead = ("Sáng 18/6, tại thành phố Khâm Châu, Khu tự trị dân tộc Choang Quảng Tây, đoàn đại biểu "
            "Khu tự trị dân tộc Choang Quảng Tây đã gặp Bí thư Tỉnh ủy Quảng Ninh.")
    assert direction(ex, lead) == "outbound"


def test_the_venue_beats_the_receiving_verbs_guest(ex):
    # A Vietnamese national leader abroad receives a Chinese provincial leader: the venue says
    # the Vietnamese side travelled, whatever "tiếp" suggests.
    assert direction(ex, "Ngày 18/6, tại thành phố Thành Đô, Phó Thủ tướng Chính phủ đã tiếp ông Vương "
                         "Hiểu, Bí thư Tỉnh ủy Tứ Xuyên, trong chuyến công tác tại Trung Quốc.") == "outbound"


def test_the_hosts_building_is_a_vietnamese_venue(ex):
    # "tại trụ sở UBND tỉnh": the provincial People's Committee is Vietnamese.
    lead = ("Chiều 18/6, tại trụ sở UBND tỉnh, đoàn đại biểu tỉnh Điện Biên đã hội đàm với lãnh đạo "
            "thành phố Phổ Nhĩ (Trung Quốc).")
    assert direction(ex, lead) == "inbound"


def test_the_capital_as_a_venue_opening_the_sentence(ex):
    assert direction(ex, "Tại Thủ đô Hà Nội, sáng 18/6, đoàn đại biểu tỉnh Lào Cai đã dự hội nghị hợp tác "
                         "với lãnh đạo tỉnh Vân Nam (Trung Quốc).") == "inbound"


def test_a_venue_in_a_clause_after_the_date(ex):
    # "..., chiều 18/6, tại Điện Biên, ..." (a place adverbial after a long opening phrase).
    lead = ("Nhân dịp dự Hội nghị thường niên giữa lãnh đạo các tỉnh biên giới phía Bắc Việt Nam và tỉnh "
            "Vân Nam (Trung Quốc) lần thứ năm, chiều 18/6, tại Điện Biên, đoàn đại biểu tỉnh Lai Châu "
            "đã gặp Bí thư Tỉnh ủy Vân Nam.")
    assert direction(ex, lead) == "inbound"


def test_a_consulate_located_in_china_is_not_the_venue(ex):
    lead = ("Ngày 18/6, lãnh đạo tỉnh Bắc Giang đã làm việc với lãnh đạo thành phố Quảng Châu, tỉnh Quảng "
            "Đông (Trung Quốc), đang thăm và làm việc tại Bắc Giang. Dự buổi làm việc có ông Lê Văn Hòa, "
            "Tổng Lãnh sự Việt Nam tại Quảng Châu.")
    assert direction(ex, lead) == "inbound"


def test_a_correspondent_based_in_china_is_not_the_venue(ex):
    lead = ("Theo phóng viên thường trú tại Bắc Kinh, ngày 18/6, lãnh đạo tỉnh Quảng Đông đã tiếp đoàn "
            "đại biểu tỉnh Bình Định sang thăm Trung Quốc.")
    assert direction(ex, lead) == "outbound"


def test_a_future_stop_is_not_the_venue(ex):
    # "sáng mai ... tại Nam Ninh" is tomorrow's programme, not where today's meeting is held.
    lead = ("Chiều 18/6, Chủ tịch UBND tỉnh Lạng Sơn đã tiếp đoàn đại biểu thành phố Bằng Tường "
            "(Trung Quốc). Sáng mai, hai bên sẽ dự hội chợ tại Nam Ninh.")
    assert direction(ex, lead) == "inbound"


def test_a_past_visit_is_not_the_venue(ex):
    lead = ("Chiều 18/6, Chủ tịch UBND tỉnh Lạng Sơn đã tiếp đoàn đại biểu thành phố Bằng Tường "
            "(Trung Quốc). Trước đó, năm 2023, hai bên đã ký kết thỏa thuận tại Nam Ninh.")
    assert direction(ex, lead) == "inbound"


def test_people_or_firms_located_somewhere_are_not_a_venue(ex):
    lead = ("Ngày 18/6, đoàn đại biểu tỉnh Bắc Giang đã hội đàm với lãnh đạo tỉnh Quảng Đông, "
            "tại thành phố Quảng Châu (Trung Quốc).")
    after = ("Phát biểu, Chủ tịch tỉnh cho biết doanh nghiệp Trung Quốc tại Việt Nam đã đầu tư nhiều "
             "dự án ở Bắc Giang.")
    assert direction(ex, lead, after=after) == "outbound"


def test_the_host_of_a_programme(ex):
    # "do tỉnh X đăng cai": X hosts the meeting, although a Vietnamese delegation travelled to it.
    lead = ("Ngày 18/6, đoàn đại biểu tỉnh Cao Bằng cùng lãnh đạo các tỉnh Lạng Sơn, Hà Giang đã gặp gỡ "
            "lãnh đạo Khu tự trị dân tộc Choang Quảng Tây (Trung Quốc). Chương trình năm nay do tỉnh "
            "Quảng Ninh đăng cai tổ chức.")
    assert direction(ex, lead) == "inbound"


# ---------------------------------------------------------------- where someone went
def test_the_visit_of_a_delegation_to_a_place(ex):
    # "chuyến thăm của đoàn ... đến X": X is the host.
    assert direction(ex, "Chuyến thăm của Phó Tỉnh trưởng tỉnh Tứ Xuyên (Trung Quốc) Lưu Hoa cùng đoàn "
                         "đến Thanh Hóa từ ngày 17 đến 19/6 mở ra nhiều cơ hội hợp tác.") == "inbound"
    assert direction(ex, "Chuyến công tác của đoàn tỉnh Thanh Hóa tới thành phố Thành Đô, tỉnh Tứ Xuyên "
                         "từ ngày 17 đến 19/6 để làm việc với lãnh đạo thành phố Thành Đô.") == "outbound"


def test_a_route_is_not_a_journey(ex):
    # "đường bay từ X đến Y" names a flight route, not where the delegation went.
    lead = ("Ngày 18/6, lãnh đạo tỉnh Khánh Hòa đã tiếp đoàn đại biểu thành phố Thành Đô (Trung Quốc), "
            "bàn việc mở đường bay từ Khánh Hòa đến Thành Đô.")
    assert direction(ex, lead) == "inbound"


def test_sang_means_the_subject_crossed_the_border(ex):
    # "sang thăm / sang dự / sang làm việc": the subject's country travelled.
    assert direction(ex, "Ngày 18/6, Bí thư Tỉnh ủy Lai Châu đã sang thăm và chúc Tết lãnh đạo châu Hồng "
                         "Hà, tỉnh Vân Nam (Trung Quốc); Bí thư Châu ủy Hồng Hà đã đón tiếp.") == "outbound"
    assert direction(ex, "Ngày 18/6, lãnh đạo thành phố Đông Hưng (Trung Quốc) đã sang dự lễ khai "
                         "mạc hội chợ thương mại và làm việc với lãnh đạo thành phố Móng Cái.") == "inbound"


def test_sang_with_a_place_names_the_destination(ex):
    assert direction(ex, "Sáng 18/6, lãnh đạo thành phố Bắc Hải (Trung Quốc) đã sang Thái Bình "
                         "tìm hiểu cơ hội hợp tác và làm việc với lãnh đạo tỉnh Thái Bình.") == "inbound"


def test_entering_vietnam_through_a_border_gate(ex):
    assert direction(ex, "Sáng 18/6, Phó Thị trưởng thành phố Phổ Nhĩ, tỉnh Vân Nam (Trung Quốc) đã nhập "
                         "cảnh qua Cửa khẩu quốc tế Lào Cai để làm việc với lãnh đạo tỉnh Lào Cai.") == "inbound"


# ---------------------------------------------------------------- nobody is said to travel
@pytest.mark.parametrize("how", [
    "đã hội đàm trực tuyến với",
    "đã hội đàm theo hình thức trực tuyến với",
    "đã kết nối qua các điểm cầu với",
])
def test_an_online_meeting_is_unknown(ex, how):
    lead = (f"Chiều 18/6, lãnh đạo tỉnh Điện Biên {how} đoàn đại biểu tỉnh Vân Nam (Trung Quốc) "
            "do Phó Tỉnh trưởng dẫn đầu.")
    assert direction(ex, lead) == "unknown"


def test_a_meeting_on_the_border_line_is_unknown(ex):
    lead = ("Sáng 18/6, tại cột mốc 1120, lãnh đạo tỉnh Quảng Ninh và đoàn công tác thành phố Đông Hưng (Trung Quốc) "
            "đã gặp gỡ, trao đổi về quản lý biên giới.")
    assert direction(ex, lead) == "unknown"
    lead = ("Sáng 18/6, lãnh đạo tỉnh Quảng Ninh và đoàn lãnh đạo thành phố Đông Hưng (Trung Quốc) đã gặp "
            "nhau giữa cầu Bắc Luân để chúc Tết.")
    assert direction(ex, lead) == "unknown"


def test_a_milestone_is_not_a_border_marker(ex):
    # "cột mốc" is also "a milestone": only "tại cột mốc" places the meeting on the border.
    lead = ("Ngày 18/6, Chủ tịch UBND tỉnh Hà Giang đã tiếp đoàn đại biểu thành phố Bách Sắc (Trung Quốc); "
            "đây là cột mốc quan trọng trong quan hệ hai bên.")
    assert direction(ex, lead) == "inbound"


def test_a_meeting_at_the_border_gate_is_unknown_unless_someone_is_received(ex):
    lead = ("Sáng 18/6, tại cửa khẩu Thanh Thủy, lãnh đạo tỉnh Hà Giang và đoàn lãnh đạo thành phố Văn Sơn "
            "(Trung Quốc) cùng dự lễ công bố mở cửa khẩu.")
    assert direction(ex, lead) == "unknown"
    lead = ("Sáng 18/6, tại cửa khẩu Thanh Thủy, Chủ tịch UBND tỉnh Hà Giang đã đón đoàn đại biểu thành "
            "phố Văn Sơn (Trung Quốc) sang thăm và làm việc.")
    assert direction(ex, lead) == "inbound"


# ---------------------------------------------------------------- delegations' names
def test_a_delegations_name_ends_at_its_verb(ex):
    # "đoàn đại biểu Thành phố đang thăm Trung Quốc": the delegation is not Chinese.
    lead = ("Ngày 18/6, Phó Bí thư Thành ủy Hải Phòng, trưởng đoàn đại biểu thành phố đang thăm Trung Quốc, "
            "đã có cuộc gặp với Phó Bí thư Tỉnh ủy tỉnh Quảng Đông.")
    assert direction(ex, lead) == "outbound"


def test_trưởng_đoàn_is_a_title_not_a_delegation(ex):
    lead = ("Ngày 18/6, đoàn đại biểu Chính quyền nhân dân tỉnh Hồ Nam (Trung Quốc) do Phó Tỉnh trưởng làm "
            "trưởng đoàn đã làm việc với Phó Chủ tịch Thường trực UBND tỉnh Nghệ An, Trưởng đoàn đại biểu "
            "Quốc hội tỉnh Nghệ An.")
    assert direction(ex, lead) == "inbound"


def test_nothing_said_of_who_travelled_is_unknown(ex):
    assert direction(ex, "Ngày 18/6, Bí thư Tỉnh ủy Lai Châu đã hội kiến Bí thư Tỉnh ủy Vân Nam.") == "unknown"


def test_a_visit_at_the_province_named_by_its_level_word_alone_is_inbound(ex):
    # "tại tỉnh": the paper's own province (a Chinese venue would be named); a lorry queue "tại
    # cửa khẩu" in the next paragraph says nothing of who travelled
    text = ("Chiều qua (29/10), lãnh đạo tỉnh Cao Bằng đã hội đàm với đoàn đại biểu thành phố Bách "
            "Sắc (Trung Quốc) do Phó Thị trưởng dẫn đầu, đang có chuyến thăm và làm việc tại tỉnh.\n\n"
            "Hai bên bàn cách giảm tình trạng xe chở hàng phải chờ nhiều ngày tại cửa khẩu Trà Lĩnh, "
            "nhất là vào mùa thu hoạch nông sản.")
    assert direction(ex, text) == "inbound"


@pytest.mark.parametrize("venue", ["tại thành phố này", "tại trụ sở chính quyền thành phố này"])
def test_a_venue_pointing_back_at_the_place_just_named(ex, venue):
    lead = ("Ngày 10/5, đoàn công tác tỉnh Quảng Ninh do Phó Chủ tịch UBND tỉnh dẫn đầu đã hội đàm với "
            f"lãnh đạo thành phố Quế Lâm, Khu tự trị dân tộc Choang Quảng Tây (Trung Quốc) {venue}.")
    assert direction(ex, lead) == "outbound"


def test_visitors_counted_by_a_reception_verb_are_no_delegation(ex):
    lead = ("Ngày 10/5, đoàn công tác tỉnh Quảng Ninh đã hội đàm với lãnh đạo thành phố Quế Lâm (Trung "
            "Quốc) tại thành phố này.")
    after = "Tại hội đàm, lãnh đạo tỉnh cho biết năm 2023 Quảng Ninh đón hơn 19 triệu lượt khách."
    assert direction(ex, lead, after=after) == "outbound"


def test_a_venue_in_a_building_of_a_district_is_in_its_country(ex):
    lead = ("Tối 12/1, tại Nhà văn hóa trung tâm huyện Bát Xát đã diễn ra chương trình giao lưu hữu "
            "nghị giữa huyện Bát Xát và huyện Kim Bình, châu Hồng Hà (Trung Quốc).")
    assert direction(ex, lead) == "inbound"
