"""Deterministic synthetic corpus for the benchmark, with the labels it was built from.

    python bench/generate.py --n 20000 --seed 1 --out bench/out/N20000_S1

writes OUT/corpus/ (txt ~80%, html ~10%, jsonl exports ~10%, exact and near duplicates, a few
bad files), OUT/labels.jsonl (one line per article id) and OUT/manifest.json. Articles are
recombined seed-like paragraphs: a lead with the date, the Vietnamese host or visitor, the
Chinese delegation; topic sentences; boilerplate (menus, widgets, a related-news block whose
headlines name other Chinese places); publication dates in the forms the seeds use.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from pathlib import Path

from citycoop.gazetteer import load_gazetteer

TOPIC_TERMS = {  # a subset of the taxonomy; metro implies transport (its parent)
    "transport": ["đường bộ", "đường cao tốc", "sân bay", "hàng không", "tuyến bay thẳng", "vận tải"],
    "logistics": ["logistics", "kho bãi", "chuỗi cung ứng", "thông quan hàng hóa"],
    "metro": ["tàu điện ngầm", "metro", "đường sắt đô thị"],
    "tourism": ["du lịch", "du khách", "lữ hành"],
}
TOPIC_SENTENCES = [
    "Hai bên thống nhất thúc đẩy hợp tác về {term}, coi đây là lĩnh vực trọng tâm trong giai đoạn tới.",
    "Lãnh đạo hai địa phương đánh giá cao tiềm năng hợp tác trong lĩnh vực {term} và giao các cơ quan chuyên môn xây dựng kế hoạch cụ thể.",
    "Phía bạn mong muốn chia sẻ kinh nghiệm về {term} và sẵn sàng cử chuyên gia sang trao đổi.",
]
FILLER = [
    "Hai bên nhất trí tăng cường trao đổi đoàn các cấp, thúc đẩy hợp tác trong các lĩnh vực cùng quan tâm.",
    "Lãnh đạo hai địa phương bày tỏ vui mừng trước những kết quả tích cực đạt được thời gian qua.",
    "Hai bên khẳng định quan hệ hữu nghị truyền thống là nền tảng quan trọng cho hợp tác lâu dài.",
    "Đoàn công tác đánh giá cao sự đón tiếp chu đáo, nồng hậu của địa phương sở tại.",
    "Các cơ quan chuyên môn của hai bên sẽ tiếp tục trao đổi để cụ thể hóa các nội dung đã thống nhất.",
    "Hai bên cũng chia sẻ về tình hình phát triển kinh tế, xã hội của mỗi địa phương trong năm qua.",
]
VN_SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
VN_MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Quốc", "Hữu", "Thanh", "Xuân"]
VN_GIVEN = ["Hùng", "Dũng", "Phong", "Quyền", "Cường", "Hoan", "Tuấn", "Lan", "Hậu", "Bình", "Sơn", "Thắng"]
CN_SURNAMES = ["Vương", "Lưu", "Trương", "Triệu", "Chu", "Từ", "Tôn", "Quách", "Lâm", "Tạ", "Hứa", "Lại"]
CN_GIVEN = ["Kiến", "Hồng", "Quốc Trí", "Chí Hồng", "Tín Bảo", "Trụ", "Minh Huy", "Hải Phong", "Vĩnh Khang"]
KOREA = ["Gyeonggi", "Busan", "Incheon", "Daegu"]
MENUS = ["Trang chủ > Thời sự > Đối ngoại", "A- A A+ | Tăng tương phản Giảm tương phản", "Chia sẻ Zalo Facebook"]
RATING = ["Tổng số điểm của bài viết là: 0 trong 0 đánh giá", "Click để đánh giá bài viết"]
# A dozen imitated sites, each with furniture of its own that no rule of boilerplate.yml was
# written for (masthead, section menu, hotline, follow line, copyright): corpus-level cleaning
# must find it by repetition, and lose no body sentence doing so (issue 30).
SITE_NAMES = ["Báo Biên Thùy", "Tin Cửa Khẩu", "Báo Sông Hồng", "Đài Miền Núi", "Cổng Tin Vùng Cao",
              "Báo Hải Cảng", "Tạp chí Đối Ngoại Địa Phương", "Báo Đồng Bằng", "Thông tấn Tỉnh",
              "Báo Kinh Tế Biên Giới", "Trang tin Hợp Tác", "Báo Duyên Hải"]


def site_furniture(k: int) -> tuple[list[str], list[str]]:
    """The lines site ``k`` prints above and below every article."""
    name = SITE_NAMES[k % len(SITE_NAMES)]
    top = [f"{name.upper()} - CƠ QUAN NGÔN LUẬN SỐ {k + 1}",
           f"Thời sự | Kinh tế | Đối ngoại | Văn hóa | Thể thao | {name} TV"]
    bottom = [f"Đường dây nóng {name}: 0912 {k:03d} {k * 7:03d}",
              f"Theo dõi {name} trên Google News",
              f"© Bản quyền thuộc về {name}. Ghi rõ nguồn \"{name}\" khi phát hành lại thông tin."]
    return top, bottom


WEEKDAYS = ["Thứ 2", "Thứ 3", "Thứ 4", "Thứ 5", "Thứ 6", "Thứ 7", "Chủ nhật"]


def _safe_places():
    """Localities whose names are unambiguous (no Vietnamese homonym, not name-like)."""
    g = load_gazetteer()
    homonyms = set(g.homonyms) | {loc.name_vi for loc in g.localities if loc.country == "vn"}
    cn = [loc for loc in g.localities if loc.country == "cn" and loc.name_vi not in homonyms
          and loc.level in ("city", "province", "municipality", "autonomous_region")
          and loc.name_vi.split()[0] not in ("Thanh", "Hải", "An", "Nam") and loc.name != "Taiwan"]
    vn = [loc for loc in g.localities if loc.country == "vn" and loc.period == "both"
          and loc.name_vi not in {c.name_vi for c in g.localities if c.country == "cn"}]
    by_name = {loc.name: loc for loc in cn}
    return cn, vn, by_name, g


def _cn_phrase(loc, by_name):
    if loc.level == "city":
        prov = by_name.get(loc.province)
        prov_txt = ("Khu tự trị " if prov and prov.level == "autonomous_region" else "tỉnh ") + (
            prov.name_vi if prov else loc.province)
        return f"thành phố {loc.name_vi}, {prov_txt}"
    if loc.level == "municipality":
        return f"thành phố {loc.name_vi}"
    if loc.level == "autonomous_region":
        return f"Khu tự trị {loc.name_vi}"
    return f"tỉnh {loc.name_vi}"


def _cn_title(loc):
    return {"city": "Phó Thị trưởng", "municipality": "Phó Thị trưởng", "province": "Phó Tỉnh trưởng",
            "autonomous_region": "Phó Chủ tịch Chính phủ nhân dân Khu tự trị"}[loc.level]


def _vn_unit(loc):
    return "thành phố" if loc.level == "city" else "tỉnh"


def _date_phrase(r, event, published):
    forms = ["Ngày {d}/{m}", "Ngày {d}-{m}", "Sáng {d}/{m}", "Chiều ngày {d}/{m}/{y}", "range"]
    if published == event:
        forms.append("today")
    form = r.choice(forms)
    d, m, y = event.day, event.month, event.year
    if form == "today":
        return f"Tại buổi làm việc sáng nay ({d}/{m})", False
    if form == "range":
        end = event + dt.timedelta(days=r.randint(1, 4))
        return f"Từ ngày {d}/{m} đến {end.day}/{end.month}/{end.year}", True
    return form.format(d=d, m=m, y=y), "{y}" in form


def _article(r, cn, vn, by_name, kind):
    v = r.choice(vn)
    c = r.choice(cn)
    vn_official = f"{r.choice(VN_SURNAMES)} {r.choice(VN_MIDDLE)} {r.choice(VN_GIVEN)}"
    cn_official = f"{r.choice(CN_SURNAMES)} {r.choice(CN_GIVEN)}"
    event = dt.date(2022, 1, 1) + dt.timedelta(days=r.randint(0, 1400))
    published = event + dt.timedelta(days=r.randint(0, 3))
    pub_mode = r.choice(["header", "timestamp", "source", "none", "none"])
    phrase, year_in_text = _date_phrase(r, event, published)
    if phrase.startswith("Tại buổi") and pub_mode == "none":
        pub_mode = "timestamp"
    unit = _vn_unit(v)
    if kind == "inbound":
        lead = (f"{phrase}, Chủ tịch UBND {unit} {v.name_vi} {vn_official} đã tiếp đoàn đại biểu "
                f"{_cn_phrase(c, by_name)} (Trung Quốc) do {_cn_title(c)} {cn_official} dẫn đầu.")
        title = f"{v.name_vi} tiếp đoàn đại biểu {c.name_vi} (Trung Quốc)"
    elif kind == "outbound":
        lead = (f"{phrase}, đoàn đại biểu {unit} {v.name_vi} do Chủ tịch UBND {unit} {vn_official} "
                f"dẫn đầu đã thăm và làm việc tại {_cn_phrase(c, by_name)} (Trung Quốc). "
                f"{_cn_title(c)} {cn_official} đã tiếp đoàn.")
        title = f"Đoàn đại biểu {v.name_vi} thăm và làm việc tại {c.name_vi} (Trung Quốc)"
    else:
        k = r.choice(KOREA)
        lead = (f"{phrase}, Chủ tịch UBND {unit} {v.name_vi} {vn_official} đã tiếp đoàn đại biểu "
                f"tỉnh {k} (Hàn Quốc) do Phó Tỉnh trưởng Kim Min-su dẫn đầu.")
        title = f"{v.name_vi} tiếp đoàn đại biểu {k} (Hàn Quốc)"
    topics = {t: r.random() < 0.4 for t in TOPIC_TERMS}
    sentences = [r.choice(TOPIC_SENTENCES).format(term=r.choice(TOPIC_TERMS[t])) for t, on in topics.items() if on]
    sentences += r.sample(FILLER, 5) + r.sample(FILLER, 4)  # real articles run to 300+ words
    r.shuffle(sentences)
    paragraphs = [lead] + [" ".join(sentences[i:i + 2]) for i in range(0, len(sentences), 2)]
    if kind == "none":
        cn_p, cn_c, direction = [], [], "none"
    else:
        cn_p = [c.province]
        cn_c = [c.name] if c.level in ("city", "county", "municipality") else []
        direction = kind
    if year_in_text:
        event_label = event.isoformat()
    elif pub_mode != "none":
        event_label = event.isoformat()
    else:
        event_label = f"--{event.month:02d}-{event.day:02d}"
    label = {"published": published.isoformat() if pub_mode != "none" else None, "event_date": event_label,
             "direction": direction, "vn": [v.name], "cn_provinces": cn_p, "cn_cities": cn_c,
             "topics": {**topics, "transport": topics["transport"] or topics["metro"]}}
    return title, paragraphs, pub_mode, published, label


def _render_txt(r, title, paragraphs, pub_mode, published, related, site=None):
    top, bottom = site_furniture(site) if site is not None else ([], [])
    lines = list(top)
    if r.random() < 0.3:
        lines += r.sample(MENUS, 2)
    if pub_mode == "header":
        lines.append(f" date {published.isoformat()} {paragraphs[0]}")  # fused into the lead, no title
    else:
        lines.append(title)
        if pub_mode == "timestamp":
            lines.append(f"{WEEKDAYS[published.weekday()]}, {published.day:02d}.{published.month:02d}."
                         f"{published.year} | 10:{r.randint(10, 59)}:0{r.randint(0, 9)}")
        lines.append(paragraphs[0])
    for p in paragraphs[1:]:
        lines.append(p)
        if r.random() < 0.15:
            lines += ["Quang cảnh buổi làm việc.", "Quang cảnh buổi làm việc."]
    if pub_mode == "source":
        slug = "bai-viet"
        lines.append(f"Nguồn Báo Địa Phương: https://baodiaphuong.vn/{slug}-{published:%Y%m%d}{r.randint(100000, 999999)}.htm")
    if r.random() < 0.3:
        lines += RATING
    if r.random() < 0.5:
        lines += ["Tin liên quan"] + related
    lines += bottom
    return "\n\n".join(lines) + "\n"


def _render_html(title, paragraphs, pub_mode, published, related):
    meta = (f'<meta property="article:published_time" content="{published.isoformat()}T08:00:00+07:00">'
            if pub_mode != "none" else "")
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    rel = "".join(f'<li><a href="/x">{h}</a></li>' for h in related)
    return (f"<html><head><title>{title} - Báo Địa Phương</title><meta property=\"og:title\" content=\"{title}\">"
            f"<meta property=\"og:site_name\" content=\"Báo Địa Phương\">{meta}<script>var a=1;</script></head>"
            f"<body><nav><a href='/'>Trang chủ</a></nav><article><h1>{title}</h1>{body}</article>"
            f"<div class='related'><h3>Tin liên quan</h3><ul>{rel}</ul></div><footer>© Báo Địa Phương</footer>"
            f"</body></html>")


def _copy_label(labels: list[dict], orig_id: str) -> dict:
    """A copy's labels: its original's, but the body is checked on the original only (a near
    copy has a word changed)."""
    return {k: v for k, v in next(l for l in labels if l["id"] == orig_id).items() if k != "body"}


def generate(n: int, seed: int, out: Path, prefix: str = "") -> dict:
    r = random.Random(seed)
    cn, vn, by_name, _ = _safe_places()
    corpus = out / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    labels, counts = [], {"txt": 0, "html": 0, "jsonl": 0, "exact_duplicates": 0, "near_duplicates": 0, "bad": 0}
    originals: list[tuple[str, str]] = []  # (id, txt) of txt articles, for duplicates
    bad = []
    export, export_rows, export_no = None, 0, 0
    for i in range(n):
        folder = f"{prefix}d{i // 200:04d}"
        (corpus / folder).mkdir(parents=True, exist_ok=True)
        roll = r.random()
        related = [f"{r.choice(vn).name_vi} đón đoàn {r.choice(cn).name_vi} sang thăm" for _ in range(3)]
        if roll < 0.03 and originals:  # exact duplicate of an earlier txt article
            orig_id, text = r.choice(originals)
            rid = f"{folder}/{i:07d}.txt"
            (corpus / rid).write_text(text, encoding="utf-8")
            labels.append({**_copy_label(labels, orig_id), "id": rid, "duplicate_of": orig_id})
            counts["exact_duplicates"] += 1
            continue
        if roll < 0.05 and originals:  # near duplicate: one word changed in the last paragraph
            orig_id, text = r.choice(originals)
            rid = f"{folder}/{i:07d}.txt"
            (corpus / rid).write_text(text.replace("hai địa phương", "hai địa bàn", 1)
                                      if "hai địa phương" in text else text + "\n", encoding="utf-8")
            labels.append({**_copy_label(labels, orig_id), "id": rid, "duplicate_of": orig_id})
            counts["near_duplicates"] += 1
            continue
        if roll < 0.053:  # bad files
            rid = f"{folder}/{i:07d}.txt"
            kind = r.choice(["empty", "binary"])
            (corpus / rid).write_bytes(b"" if kind == "empty" else b"\x00\x01PK\x03\x04" * 10)
            bad.append({"source": rid, "reason": kind})
            counts["bad"] += 1
            continue
        kind = "none" if r.random() < 0.05 else "outbound" if r.random() < 0.2 else "inbound"
        title, paragraphs, pub_mode, published, label = _article(r, cn, vn, by_name, kind)
        fmt = r.random()
        if fmt < 0.8:
            rid = f"{folder}/{i:07d}.txt"
            # the site from the article's number: no draw from r, so the corpus is otherwise as before
            text = _render_txt(r, title, paragraphs, pub_mode, published, related, site=i % len(SITE_NAMES))
            # the body cleaning must keep (the lead is fused with a date line in "header" mode)
            label["body"] = paragraphs[1:] if pub_mode == "header" else paragraphs
            (corpus / rid).write_text(text, encoding="utf-8")
            originals.append((rid, text))
            counts["txt"] += 1
        elif fmt < 0.9:
            rid = f"{folder}/{i:07d}.html"
            if pub_mode == "source" or pub_mode == "timestamp" or pub_mode == "header":
                pub_mode = "meta"
            (corpus / rid).write_text(_render_html(title, paragraphs, pub_mode, published, related), encoding="utf-8")
            label["published"] = published.isoformat() if pub_mode != "none" else None
            counts["html"] += 1
        else:
            if export is None or export_rows >= 100:
                export_no += 1
                (corpus / f"{prefix}exports").mkdir(exist_ok=True)
                export = open(corpus / f"{prefix}exports" / f"e{export_no:05d}.jsonl", "a", encoding="utf-8")
                export_rows = 0
                if r.random() < 0.05:
                    export.write("{this is not json\n")
                    export_rows += 1
                    bad.append({"source": f"{prefix}exports/e{export_no:05d}.jsonl#{export_rows}",
                                "reason": "malformed_jsonl"})
                    counts["bad"] += 1
            export_rows += 1
            row = {"title": title, "text": "\n\n".join(paragraphs),
                   "published": published.isoformat() if pub_mode != "none" else None,
                   "url": f"https://baodiaphuong.vn/a{i}.htm"}
            export.write(json.dumps(row, ensure_ascii=False) + "\n")
            rid = f"{prefix}exports/e{export_no:05d}.jsonl#{export_rows}"  # ids keep the extension
            label["published"] = row["published"]
            counts["jsonl"] += 1
        labels.append({"id": rid, "duplicate_of": None, **label})
    if export is not None:
        export.close()
    (out / f"{prefix}labels.jsonl").parent.mkdir(parents=True, exist_ok=True)
    with open(out / f"{prefix}labels.jsonl", "w", encoding="utf-8") as fh:
        for lab in labels:
            fh.write(json.dumps(lab, ensure_ascii=False) + "\n")
    (out / f"{prefix}bad_files.json").write_text(json.dumps(bad, indent=1), encoding="utf-8")
    manifest = {"n": n, "seed": seed, **counts}
    (out / f"{prefix}manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--prefix", default="", help="name prefix for an added batch (incremental runs)")
    args = ap.parse_args()
    print(json.dumps(generate(args.n, args.seed, args.out, args.prefix)))


if __name__ == "__main__":
    main()
