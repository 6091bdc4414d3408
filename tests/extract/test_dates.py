"""Event dates as leads write them: several days, weekdays, dates in passing, years from the lead."""
import pytest

from citycoop.extract.dates import find_event_date


@pytest.mark.parametrize("lead,published,value", [
    # several days: the meeting began on the first
    ("Trong hai ngày 14 và 15/8, đoàn đại biểu tỉnh Yên Bái thăm Vân Nam.", "2024-08-16", "2024-08-14"),
    ("trong hai ngày 7 và 8.10, hai bên hội đàm tại Nam Ninh.", "2023-10-09", "2023-10-07"),
    ("Trong các ngày từ 3 đến 9/12, đoàn công tác sang thăm Quảng Đông.", "2024-12-10", "2024-12-03"),
    ("Trong bốn ngày, từ 11 đến 14/6, đoàn làm việc tại Thượng Hải.", "2025-06-15", "2025-06-11"),
    # a weekday with the date in brackets; "hôm" with a date
    ("Thứ Tư (6-11), Chủ tịch UBND thành phố tiếp đoàn Quảng Tây.", "2024-11-07", "2024-11-06"),
    ("Lãnh đạo bốn tỉnh đã gặp gỡ hôm 18/3 tại Hạ Long.", "2025-03-19", "2025-03-18"),
    ("Ngày 3.9, đoàn đến Côn Minh.", "2024-09-04", "2024-09-03"),
])
def test_more_date_forms(lead, published, value):
    assert find_event_date(lead, published).value == value


def test_a_date_still_to_come_is_not_the_meeting():
    lead = "Hai bên thống nhất sẽ ký kết vào ngày 20/5 tới. Sáng 12/5, đoàn đã hội đàm."
    assert find_event_date(lead, "2024-05-13").value == "2024-05-12"


def test_a_weekday_timestamp_is_not_a_meeting_date():
    assert find_event_date("Thứ Sáu, 10/05/2024 09:30", "2024-05-10").value is None


def test_background_date_gives_way_to_the_meeting_day_in_the_body():
    lead = ("Vừa qua, lãnh đạo hai huyện đã hội đàm. Quan hệ kết nghĩa được xác lập từ ngày "
            "12/10/2015, khi hai bên ký thỏa thuận khung.")
    body = "Tại buổi hội đàm ngày 3/5, hai bên điểm lại kết quả hợp tác."
    assert find_event_date(lead, "2024-05-06", body).value == "2024-05-03"
    # With nothing else to date it, the only date stated stands.
    assert find_event_date(lead, "2024-05-06").value == "2015-10-12"


def test_a_date_in_passing_in_the_body_does_not_date_the_meeting():
    body = "Trận lũ ngày 3/5 làm hư hỏng nhiều tuyến đường."
    assert find_event_date("Vừa qua, hai bên đã hội đàm.", "2024-05-06", body).value is None


def test_the_one_year_a_lead_names_dates_a_day_without_publication():
    d = find_event_date("Chiều 14/2, bên lề Gặp gỡ đầu Xuân 2026, hai bí thư hội kiến.", None)
    assert (d.value, d.source) == ("2026-02-14", "lead_year")
    # Two years named: nothing tells which
    lead = "Chiều 14/2, nhân kỷ niệm 75 năm (1950 - 2025) và Năm giao lưu 2026, hai bên gặp."
    assert find_event_date(lead, None).value == "--02-14"
    # A year in another sentence speaks of something else
    lead = "Chiều 14/2, hai bên hội đàm. Ông nhắc lại chuyến thăm cuối năm 2019 của lãnh đạo."
    assert find_event_date(lead, None).value == "--02-14"


@pytest.mark.parametrize("lead, expected", [
    # a trip's range, then the day the lead gives to the meeting itself
    ("Trong chuyến công tác tại Trung Quốc từ ngày 3 đến 6/9, sáng 4/9 (giờ địa phương), đoàn đã "
     "hội đàm với lãnh đạo thành phố Bắc Kinh.", "2024-09-04"),
    ("Từ ngày 4 đến 9/9, đoàn có chuyến khảo sát tại Trung Quốc. Sau khi dự diễn đàn tại Thượng "
     "Hải, ngày 6/9, đoàn đã đến thăm thành phố Tô Châu.", "2024-09-06"),
    # no other day: the first; a day still to come is not the meeting's
    ("Từ ngày 25 đến 27/6, đoàn sang thăm và làm việc tại Phòng Thành Cảng.", "2024-06-25"),
    ("Từ ngày 4 đến 9/9, đoàn sang thăm Giang Tô. Ngày mai (6/9), đoàn sẽ thăm Tô Châu.", "2024-09-04"),
])
def test_a_day_inside_a_trips_range_dates_the_meeting(lead, expected):
    assert find_event_date(lead, "2024-09-10").value == expected


@pytest.mark.parametrize("lead, published, expected", [
    # a weekday inside the brackets of "hôm nay (...)"
    ("Hôm nay (thứ Tư, 6/11), tại trụ sở UBND tỉnh, lãnh đạo tỉnh đã tiếp đoàn.", "2024-11-07", "2024-11-06"),
    # a day alone ("Tối 12, tại ..."): of the month of publication, or of the month before
    ("Tối 12, tại Nhà văn hóa huyện Bát Xát đã diễn ra buổi giao lưu.", "2024-01-13", "2024-01-12"),
    ("Chiều 30, tại Hà Nội, hai bên đã hội đàm.", "2024-11-02", "2024-10-30"),
])
def test_dates_written_with_a_weekday_or_a_day_alone(lead, published, expected):
    assert find_event_date(lead, published).value == expected


def test_a_day_alone_without_a_publication_date_is_no_date():
    assert find_event_date("Tối 12, tại Nhà văn hóa huyện Bát Xát đã diễn ra buổi giao lưu.", None).value is None


@pytest.mark.parametrize("lead, published, expected", [
    ("(BTNO) - Sáng nay 5/12, tại thành phố Tây Ninh, lãnh đạo tỉnh đã tiếp đoàn.", "2023-12-05", "2023-12-05"),
    # a day named only relative to publication
    ("Sáng nay, tại hội trường UBND huyện, lãnh đạo huyện đã tiếp đoàn.", "2024-03-19", "2024-03-19"),
    ("Sáng hôm qua, Phó Chủ tịch UBND tỉnh đã tiếp đoàn đại biểu thành phố Quế Lâm.", "2019-10-19", "2019-10-18"),
])
def test_today_and_yesterday_with_or_without_a_date(lead, published, expected):
    assert find_event_date(lead, published).value == expected


def test_a_relative_day_without_a_publication_date_is_no_date():
    assert find_event_date("Sáng nay, tại hội trường UBND huyện, lãnh đạo huyện đã tiếp đoàn.", None).value is None
