"""Parties, not mentions: which localities take part in the meeting an article reports."""
import pytest

from citycoop.clean import clean_document
from citycoop.extract import Extractor
from citycoop.models import RawDocument


@pytest.fixture(scope="module")
def ex():
    return Extractor()


def parties(ex, text, title=None):
    raw = RawDocument(id="t.txt", source="t.txt", format="txt", encoding="utf-8", text=text,
                      title=title)
    r = ex.extract(clean_document(raw))
    return {x["name"] for x in r["vn_localities"]}, {x["name"] for x in r["partners"]}


LEAD = ("Sáng 14/9, tại trụ sở UBND tỉnh, Chủ tịch UBND tỉnh Hà Giang đã tiếp đoàn đại biểu châu "
        "Văn Sơn, tỉnh Vân Nam (Trung Quốc) do Phó Châu trưởng dẫn đầu sang thăm và làm việc.")


@pytest.mark.parametrize("sentence", [
    "Hai bên ôn lại tình hữu nghị do Chủ tịch Hồ Chí Minh và các thế hệ lãnh đạo vun đắp.",
    "Đoàn đã đến thăm Khu di tích Hồ Chí Minh và dâng hoa tưởng niệm.",
    "Đoàn lãnh đạo tỉnh học tập tư tưởng Hồ Chí Minh trong công tác đối ngoại.",
])
def test_ho_chi_minh_alone_is_the_person(ex, sentence):
    vn, _ = parties(ex, LEAD + "\n\n" + sentence)
    assert "Ho Chi Minh City" not in vn


@pytest.mark.parametrize("text", [
    "Sáng 2/3, lãnh đạo Thành phố Hồ Chí Minh đã tiếp đoàn đại biểu tỉnh Quảng Đông (Trung Quốc).",
    "Sáng 2/3, lãnh đạo TP Hồ Chí Minh đã tiếp đoàn đại biểu tỉnh Quảng Đông (Trung Quốc).",
])
def test_the_city_is_written_with_its_prefix(ex, text):
    vn, cn = parties(ex, text)
    assert "Ho Chi Minh City" in vn and "Guangdong" in cn


@pytest.mark.parametrize("sentence, seat", [
    ("Cùng đi có đồng chí Lê Văn Minh, Tổng Lãnh sự Việt Nam tại Nam Ninh.", "Nanning"),
    ("Dự buổi tiếp có đại diện Tổng Lãnh sự quán Việt Nam tại Côn Minh, Vân Nam (Trung Quốc).",
     "Kunming"),
    ("Đoàn cũng làm việc với Đại sứ quán Việt Nam tại Bắc Kinh.", "Beijing"),
])
def test_the_seat_of_a_mission_is_no_party(ex, sentence, seat):
    _, cn = parties(ex, LEAD + " " + sentence)
    assert seat not in cn
    assert "Wenshan" in cn


def test_a_city_the_delegation_comes_from_is_still_a_party(ex):
    _, cn = parties(ex, "Chiều 8/6, tỉnh Lạng Sơn tiếp đoàn đại biểu thành phố Nam Ninh (Trung Quốc) "
                        "do Phó Thị trưởng dẫn đầu.")
    assert "Nanning" in cn


def test_related_headlines_name_no_party(ex):
    text = "\n\n".join([
        LEAD,
        "Hai bên trao đổi về hợp tác thương mại và du lịch.",
        "Tin liên quan:",
        "- Quảng Ninh tiếp đoàn đại biểu thành phố Đông Hưng",
        "• Lãnh đạo tỉnh Lào Cai hội đàm với Bí thư Châu ủy Hồng Hà",
        "Bắc Giang đón đoàn doanh nghiệp Thâm Quyến khảo sát khu công nghiệp",
    ])
    vn, cn = parties(ex, text)
    assert vn == {"Ha Giang"}
    assert cn == {"Wenshan"}


def test_a_body_sentence_still_names_a_party(ex):
    text = "\n\n".join([LEAD, "Đáng chú ý, đoàn đại biểu tỉnh Lào Cai cũng tham dự buổi tiếp."])
    vn, _ = parties(ex, text)
    assert "Lao Cai" in vn


def test_members_of_the_conference_a_side_meeting_is_held_at_are_not_parties(ex):
    text = ("Chiều 12/4, bên lề Hội nghị thường niên giữa lãnh đạo các tỉnh Hà Giang, Cao Bằng, "
            "Lạng Sơn, Quảng Ninh (Việt Nam) và Khu tự trị Quảng Tây (Trung Quốc) tổ chức tại tỉnh "
            "Lạng Sơn, Bí thư Tỉnh ủy Cao Bằng Hoàng Văn Thái đã hội kiến Chủ tịch Chính quyền "
            "nhân dân Khu tự trị Quảng Tây Lam Thiên Lập.")
    vn, cn = parties(ex, text)
    assert vn == {"Cao Bang"}
    assert cn == {"Guangxi"}


def test_without_a_side_meeting_the_members_of_a_conference_are_parties(ex):
    text = ("Chiều 12/4, tại thành phố Lạng Sơn, đoàn đại biểu các tỉnh Hà Giang, Cao Bằng, Lạng "
            "Sơn (Việt Nam) đã hội đàm với đoàn đại biểu Khu tự trị Quảng Tây (Trung Quốc).")
    vn, _ = parties(ex, text)
    assert vn == {"Ha Giang", "Cao Bang", "Lang Son"}


# A meeting held on the occasion of a larger event: the larger event's members are no parties.
SIDE_LEAD = ("Chiều 12/3, nhân dịp tham dự Hội nghị hợp tác giữa các tỉnh biên giới hai nước, "
             "Bí thư Tỉnh ủy Hà Giang đã có cuộc hội kiến song phương với Bí thư Khu ủy Quảng Tây "
             "(Trung Quốc) tại tỉnh Lạng Sơn.")


@pytest.mark.parametrize("members", [
    "Hội nghị năm nay quy tụ Bí thư Tỉnh ủy các tỉnh Lạng Sơn, Cao Bằng, Hà Giang, Quảng Ninh và "
    "Khu tự trị dân tộc Choang Quảng Tây.",
    "Hội nghị có sự tham gia của lãnh đạo 4 tỉnh Quảng Ninh, Lạng Sơn, Cao Bằng, Hà Giang "
    "(Việt Nam) và Quảng Tây (Trung Quốc).",
])
def test_members_of_the_larger_event_are_no_parties(ex, members):
    vn, cn = parties(ex, SIDE_LEAD + "\n\nHai bên trao đổi về hợp tác cửa khẩu.\n\n" + members)
    assert vn == {"Ha Giang"} and cn == {"Guangxi"}


def test_members_of_the_event_the_article_reports_are_parties(ex):
    # no side meeting: the list names the conference the article reports
    vn, _ = parties(ex, "Sáng 12/3, tại tỉnh Lạng Sơn, Hội nghị hợp tác năm 2024 khai mạc với sự "
                        "tham dự của đoàn đại biểu Quảng Tây (Trung Quốc).\n\nHội nghị có sự tham "
                        "gia của lãnh đạo 4 tỉnh Quảng Ninh, Lạng Sơn, Cao Bằng, Hà Giang.")
    assert vn == {"Quang Ninh", "Lang Son", "Cao Bang", "Ha Giang"}


# Other stops of the trip (planned, earlier, further) are no parties.
TRIP_LEAD = ("Ngày 3/4, đoàn đại biểu tỉnh Quảng Ninh do Chủ tịch UBND tỉnh dẫn đầu đã hội đàm với "
             "lãnh đạo thành phố Phòng Thành Cảng, Khu tự trị dân tộc Choang Quảng Tây (Trung Quốc).")


@pytest.mark.parametrize("stop, city", [
    ("Theo lịch trình, đoàn sẽ đến thăm và làm việc với lãnh đạo thành phố Nam Ninh.", "Nanning"),
    ("Trước đó, đoàn đã làm việc với lãnh đạo thành phố Bắc Hải.", "Beihai"),
    ("Chuyến công tác còn bao gồm các buổi làm việc với đối tác tại Quảng Châu.", "Guangzhou"),
])
def test_other_stops_of_the_trip_are_no_parties(ex, stop, city):
    _, cn = parties(ex, TRIP_LEAD + "\n\nHai bên thống nhất tăng cường kết nối hạ tầng.\n\n" + stop)
    assert city not in cn and "Fangchenggang" in cn


def test_the_visitors_stay_parties_in_their_programme(ex):
    _, cn = parties(ex, "Sáng 17/6, tại thành phố Lào Cai, Sở Du lịch tỉnh Lào Cai tiếp đoàn khảo "
                        "sát tuyến du lịch qua biên giới.\n\nTheo chương trình, đoàn châu Hồng Hà "
                        "sẽ cùng đoàn công tác Sở Du lịch khảo sát các điểm đến.")
    assert "Honghe" in cn


def test_other_localities_met_on_the_trip_are_no_parties(ex):
    vn, _ = parties(ex, "Ngày 2/6, Chủ tịch UBND TP Đà Nẵng đã tiếp đoàn đại biểu tỉnh Quảng Đông "
                        "(Trung Quốc) đến thăm thành phố.\n\nHai bên bàn về du lịch.\n\nTại Việt "
                        "Nam, đoàn Quảng Đông còn gặp lãnh đạo một số địa phương như Hải Phòng, "
                        "Quảng Ninh, Nghệ An.")
    assert vn == {"Da Nang"}


@pytest.mark.parametrize("lead", [
    "Ngày 8/10, tại thành phố Điện Biên Phủ đã diễn ra Phiên họp lần thứ 3 Nhóm công tác liên hợp "
    "giữa các tỉnh Điện Biên, Sơn La, Lai Châu (Việt Nam) và tỉnh Vân Nam (Trung Quốc).",
    "Sáng 8/10, Phó Chủ tịch UBND tỉnh Lai Châu dự khai mạc Hội nghị hợp tác kinh tế giữa các "
    "tỉnh, thành phố Điện Biên, Sơn La, Lai Châu (Việt Nam) và tỉnh Vân Nam (Trung Quốc).",
])
def test_members_of_a_joint_body_are_parties(ex, lead):
    vn, cn = parties(ex, lead)
    assert {"Dien Bien", "Son La", "Lai Chau"} <= vn and "Yunnan" in cn


def test_a_rail_link_between_two_stations_names_no_party(ex):
    vn, _ = parties(ex, "Sáng 8/10, Chủ tịch UBND tỉnh Lạng Sơn tiếp đoàn đại biểu thành phố Sùng "
                        "Tả (Trung Quốc).\n\nHai bên bàn việc nối ray giữa Ga Đồng Đăng và ga Bằng "
                        "Tường, trên tuyến Hà Nội - Lạng Sơn.")
    assert vn == {"Lang Son"}


@pytest.mark.parametrize("sentence, party", [
    ("Đáng chú ý, tỉnh Sơn La cũng cử Phó Chủ tịch UBND tỉnh tới dự hội nghị.", True),
    ("Tỉnh Sơn La cử đoàn công tác sang dự phiên họp.", True),
    ("Cử tri tỉnh Sơn La kiến nghị nâng cấp quốc lộ.", False),
    ("Sơn La cử hành lễ kỷ niệm ngày thành lập tỉnh.", False),
])
def test_a_place_that_sends_someone_is_a_party(ex, sentence, party):
    vn, _ = parties(ex, "Sáng 8/10, Chủ tịch UBND tỉnh Lai Châu tiếp đoàn đại biểu châu Hồng Hà "
                        "(Trung Quốc).\n\nHai bên bàn về thương mại biên giới.\n\n" + sentence)
    assert ("Son La" in vn) is party


def test_a_past_conference_names_no_party(ex):
    vn, _ = parties(ex, "Đầu tháng 6, Bí thư Tỉnh ủy Lạng Sơn đã hội đàm với Bí thư Khu ủy Quảng "
                        "Tây (Trung Quốc) tại Nam Ninh.\n\nHai bên rà soát các thỏa thuận.\n\nHội "
                        "nghị Ủy ban công tác liên hợp giữa 4 tỉnh Quảng Ninh, Lạng Sơn, Cao Bằng, "
                        "Hà Giang và Quảng Tây đã diễn ra hồi tháng 2 tại tỉnh Quảng Ninh.")
    assert vn == {"Lang Son"}


@pytest.mark.parametrize("text", [
    "Chiều 4/9, tại Hà Nội, Thủ tướng Phạm Văn An đã tiếp ông Lưu Minh, Bí thư Khu ủy Quảng Tây "
    "(Trung Quốc), đang có chuyến thăm Việt Nam.\n\nThủ tướng đề nghị Quảng Tây cùng các tỉnh "
    "Lạng Sơn, Cao Bằng đẩy mạnh thông quan hàng hóa.",
    "Sáng 4/9, tại Trụ sở Trung ương Đảng, Tổng Bí thư Trần Văn Bình tiếp Bí thư Tỉnh ủy Vân Nam "
    "(Trung Quốc) Lý Quang.\n\nHai bên mong Vân Nam và Lào Cai trở thành cầu nối thương mại.",
])
def test_a_national_host_makes_no_locality_a_party(ex, text):
    vn, cn = parties(ex, text)
    assert vn == set() and cn


def test_a_national_leader_named_in_passing_leaves_the_inferred_side(ex):
    # the Vietnamese official in the lead is provincial; the General Secretary is background
    vn, _ = parties(ex, "Chiều 4/9, Phó Chủ tịch Thường trực Hoàng Văn Nam tiếp Phó Thị trưởng "
                        "thành phố Phòng Thành Cảng (Trung Quốc) tại Móng Cái.\n\nHai bên bàn về "
                        "cửa khẩu.\n\nHai bên nhắc lại chuyến thăm của Tổng Bí thư Trần Văn Bình "
                        "năm 2023. Quảng Ninh cam kết tạo điều kiện cho doanh nghiệp.")
    assert vn == {"Quang Ninh"}


def test_a_related_headline_does_not_settle_an_ambiguous_name(ex):
    text = ("Sáng 9/5, tại trụ sở Tỉnh ủy, Bí thư Tỉnh ủy Hà Nam đã tiếp đoàn đại biểu tỉnh Vân Nam "
            "(Trung Quốc) sang thăm và làm việc.\n\nHai bên bàn về đầu tư.\n\nTin liên quan:\n\n"
            "- Đoàn doanh nghiệp tỉnh Hà Nam (Trung Quốc) khảo sát khu công nghiệp (02/05)")
    vn, cn = parties(ex, text)
    assert vn == {"Ha Nam"} and cn == {"Yunnan"}


def test_evidence_in_running_text_settles_every_mention(ex):
    vn, cn = parties(ex, "Sáng 9/5, lãnh đạo tỉnh Thanh Hóa tiếp đoàn đại biểu tỉnh Hà Nam (Trung "
                         "Quốc).\n\nBí thư Tỉnh ủy Hà Nam cảm ơn sự đón tiếp.")
    assert "Henan" in cn and "Ha Nam" not in vn


def test_a_district_of_a_municipality_brings_the_municipality(ex):
    _, cn = parties(ex, "Sáng 3/8, UBND Quận 1 (TP Hồ Chí Minh) tiếp đoàn đại biểu khu Phố Đông "
                        "(Trung Quốc).\n\nPhố Đông là khu kinh tế lớn nhất của Thượng Hải.")
    assert {"Pudong", "Shanghai"} <= cn


def test_a_county_of_a_province_brings_no_other_city(ex):
    _, cn = parties(ex, "Sáng 3/8, UBND huyện Bát Xát tiếp đoàn đại biểu huyện Hà Khẩu, tỉnh Vân "
                        "Nam (Trung Quốc).")
    assert cn == {"Hekou"}


def test_an_earlier_stop_named_in_the_paragraph_after_the_lead_is_no_party(ex):
    # the paragraph after the lead is read with it (it often names the delegations), but a
    # sentence there about another stop of the trip names no party
    text = "\n\n".join([
        "Chiều 12/3, trong chuyến thăm tỉnh Quảng Tây (Trung Quốc), đoàn công tác tỉnh Cao Bằng do "
        "Phó Bí thư Tỉnh ủy dẫn đầu đã hội đàm với lãnh đạo thành phố Bách Sắc.",
        "Bách Sắc là điểm đến tiếp theo của đoàn sau các hoạt động tại thủ phủ Nam Ninh.",
        "Hai bên thống nhất đẩy mạnh hợp tác thương mại qua cặp cửa khẩu Trà Lĩnh - Long Bang.",
    ])
    assert parties(ex, text)[1] == {"Baise"}


@pytest.mark.parametrize("body", ["Chính phủ nhân dân", "Chính quyền nhân dân", "Đảng ủy"])
def test_a_party_cue_before_a_long_designation_still_counts(ex, body):
    # "Khu tự trị dân tộc Choang" puts five words between the cue and the name
    text = (f"Chiều 8/5, Phó Chủ tịch UBND tỉnh Lạng Sơn đã tiếp đoàn công tác {body} Khu tự trị "
            f"dân tộc Choang Quảng Tây (Trung Quốc) do Phó Chủ tịch Khu tự trị dẫn đầu.")
    assert parties(ex, text) == ({"Lang Son"}, {"Guangxi"})


def test_a_province_sharing_a_chinese_citys_name_is_vietnamese_after_tinh(ex):
    # Thái Nguyên is also Taiyuan (a city: China has no "tỉnh" below its provinces); the
    # "(Trung Quốc)" closing the place before it is that place's country, not this one's
    text = ("Ngày 9/5, tại thành phố Trường Sa, tỉnh Hồ Nam (Trung Quốc), đoàn công tác tỉnh Thái "
            "Nguyên do Phó Chủ tịch UBND tỉnh dẫn đầu đã hội kiến lãnh đạo Chính quyền nhân dân tỉnh Hồ Nam.")
    vn, cn = parties(ex, text)
    assert vn == {"Thai Nguyen"} and "Taiyuan" not in cn


@pytest.mark.parametrize("phrase", ["có đường biên giới tiếp giáp với", "tiếp tục là cửa ngõ sang",
                                    "muốn đón đầu làn sóng đầu tư từ"])
def test_words_that_only_begin_like_a_cue_make_no_party(ex, phrase):
    # a Lao partner; China named in passing, after "tiếp giáp" (borders on), "tiếp tục", "đón đầu"
    text = ("Chiều 16/5, Chủ tịch UBND tỉnh Điện Biên đã hội đàm với đoàn đại biểu tỉnh Phông Sa Lỳ "
            f"(Lào). Lãnh đạo tỉnh Phông Sa Lỳ cho biết tỉnh {phrase} tỉnh Vân Nam (Trung Quốc).")
    assert parties(ex, text)[1] == set()


def test_a_district_named_with_its_chinese_parent_is_chinese_and_with_its_vietnamese_one_vietnamese(ex):
    # Phú Ninh is a district of Quảng Nam and Funing a county of Wenshan; Quảng Nam is also
    # Guangnan, another county of Wenshan
    cn = ("Ngày 4/4, huyện Mường Khương hội đàm với huyện Phú Ninh, châu Văn Sơn, tỉnh Vân Nam "
          "(Trung Quốc).")
    vn = ("Ngày 4/4, lãnh đạo huyện Phú Ninh, tỉnh Quảng Nam tiếp đoàn thành phố Văn Sơn (Trung "
          "Quốc).")
    assert parties(ex, cn)[1] == {"Funing", "Wenshan"}
    assert parties(ex, vn) == ({"Quang Nam"}, {"Wenshan"})


def test_a_city_after_its_level_word_is_chinese_when_the_article_names_its_province(ex):
    # "Chu Châu" (Zhuzhou) has no Chinese word near it; Hồ Nam, its province, is named earlier
    text = ("Sang thăm Hồ Nam (Trung Quốc) trong hai ngày 25-26/6, đoàn công tác tỉnh Nghệ An đề xuất "
            "hợp tác du lịch.\n\nNgày 26/6, đoàn làm việc với lãnh đạo thành phố Chu Châu. Hai bên "
            "bàn về sản xuất đầu máy, toa xe.")
    assert "Zhuzhou" in parties(ex, text)[1]


@pytest.mark.parametrize("designation, county, prefecture", [
    ("huyện tự trị dân tộc Miêu, Dao, Thái Kim Bình, châu Hồng Hà", "Jinping", "Honghe"),
    ("huyện tự trị dân tộc Hà Nhì, Di Giang Thành, thành phố Phổ Nhĩ", "Jiangcheng", "Pu'er"),
])
def test_an_autonomous_county_named_with_its_peoples_and_prefecture(ex, designation, county, prefecture):
    # the peoples an autonomous county is named for stand between its designation and its name
    text = (f"Ngày 18/3, đoàn đại biểu huyện Bát Xát đã sang thăm và làm việc tại {designation}, "
            "tỉnh Vân Nam (Trung Quốc).")
    assert parties(ex, text)[1] == {county, prefecture}


@pytest.mark.parametrize("sentence", [
    "Trong thời gian ở An Huy, đoàn đã thăm nhà máy của một tập đoàn sản xuất ô tô tại Hợp Phì.",
    "Trước khi về nước, đoàn đã quá cảnh tại thành phố Hợp Phì và thăm một hội chợ nông sản.",
])
def test_a_city_only_visited_in_passing_is_no_party(ex, sentence):
    # "tập đoàn" (a corporation) holds "đoàn" (a delegation); a transit stop on the way home
    text = ("Chiều 23/10, đoàn công tác tỉnh Vĩnh Phúc đã hội kiến ông Chương Hiểu Bình, Phó Tỉnh "
            "trưởng tỉnh An Huy (Trung Quốc).\n\nHai bên bàn hợp tác công nghiệp ô tô.\n\n" + sentence)
    assert parties(ex, text)[1] == {"Anhui"}


def test_the_two_sides_named_after_giua_in_the_lead_are_parties(ex):
    text = ("Tối 12/1, tại Nhà văn hóa trung tâm huyện Bát Xát đã diễn ra chương trình giao lưu hữu "
            "nghị chào Xuân giữa huyện Bát Xát và huyện Kim Bình, châu Hồng Hà, tỉnh Vân Nam (Trung Quốc).")
    assert parties(ex, text) == ({"Lao Cai"}, {"Jinping", "Honghe"})


def test_giua_outside_the_lead_makes_no_party(ex):
    text = ("Chiều 12/1, lãnh đạo tỉnh Lào Cai đã tiếp đoàn châu Hồng Hà (Trung Quốc).\n\n"
            "Hai bên bàn về cửa khẩu.\n\nTrước đó, năm 2019, hợp đồng được ký giữa một doanh nghiệp "
            "Hà Nội và một công ty ở Côn Minh.")
    assert parties(ex, text)[1] == {"Honghe"}


def test_a_city_named_as_the_venue_of_its_provinces_meeting_only_locates_it(ex):
    title = "Lạng Sơn và Quảng Tây hội đàm tại Nam Ninh, thúc đẩy kết nối giao thông"
    text = ("Ngày 11/4, tại Nam Ninh, đoàn đại biểu tỉnh Lạng Sơn đã hội đàm với đoàn đại biểu Khu tự "
            "trị dân tộc Choang Quảng Tây (Trung Quốc) do Phó Chủ tịch Chính phủ nhân dân Khu tự trị "
            "dẫn đầu.")
    assert parties(ex, text, title=title)[1] == {"Guangxi"}
    # the place visited, with its province after it as its locator, is the party
    visited = ("Ngày 20/8, đoàn công tác tỉnh Điện Biên đã sang thăm và làm việc tại huyện Giang Thành, "
               "thành phố Phổ Nhĩ, tỉnh Vân Nam (Trung Quốc).")
    assert parties(ex, visited)[1] == {"Jiangcheng", "Pu'er"}


def test_a_party_countys_prefecture_named_as_its_locator_is_a_party(ex):
    text = ("Ngày 20/1, tại mốc giới số 174, giữa xã Pha Long (huyện Mường Khương, tỉnh Lào Cai) và "
            "trấn Kim Xưởng (huyện Mã Quan, châu Văn Sơn, tỉnh Vân Nam, Trung Quốc), lãnh đạo hai "
            "huyện Mường Khương và Mã Quan đã gặp gỡ đầu xuân.")
    assert parties(ex, text)[1] == {"Maguan", "Wenshan"}


def test_partners_of_long_standing_named_in_the_body_are_no_parties(ex):
    text = ("Chiều 19/6, tại thành phố Thanh Đảo, tỉnh Sơn Đông (Trung Quốc), đoàn công tác thành phố "
            "Hải Phòng đã hội đàm với lãnh đạo thành phố Thanh Đảo.\n\nHai bên bàn về cảng biển.\n\n"
            "Hải Phòng hiện đã thiết lập quan hệ hữu nghị với thành phố Thiên Tân và tỉnh Quảng Tây (Trung Quốc).")
    assert parties(ex, text)[1] == {"Qingdao"}


def test_a_meeting_after_the_2025_merger_is_the_merged_provinces():
    from citycoop.extract import Extractor
    ex = Extractor()

    def vn(published, day):
        text = (f"Chiều {day}, tại thành phố Hà Giang, lãnh đạo tỉnh Hà Giang đã tiếp đoàn đại biểu "
                "châu Văn Sơn, tỉnh Vân Nam (Trung Quốc).")
        raw = RawDocument(id="t.txt", source="t.txt", format="txt", encoding="utf-8", text=text,
                          published=published)
        return {x["name"] for x in ex.extract(clean_document(raw))["vn_localities"]}
    assert vn("2025-10-26", "25/10") == {"Tuyen Quang"}  # Hà Giang is part of Tuyên Quang since 1/7/2025
    assert vn("2024-10-26", "25/10") == {"Ha Giang"}
