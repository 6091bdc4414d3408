"""Corpora the pipeline's tests share: a folder of seed stories with copies, a JSONL export of
50 rows (a duplicate and a bad line inside), and run settings small enough to cross every
block, spill and chunk boundary of it."""
import csv
import io
import json
import shutil

import pyarrow.dataset as pads
import pyarrow.parquet as pq

from citycoop.dataset import write_dataset
from citycoop.pipeline.parts import PARTS_MANIFEST
from citycoop.pipeline.settings import Settings, Tuning
from conftest import SEEDS

def export_corpus(folder, n=50):
    rows = [{"id": f"r{i}", "title": f"Hà Nội đón đoàn Quảng Tây {i}",
             "text": f"Ngày {i % 28 + 1}/5/2024, Hà Nội tiếp đoàn Quảng Tây lần thứ {i} về du lịch."}
            for i in range(n)]
    rows[30] = dict(rows[10], id="r30")  # a duplicate inside the export
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    lines.insert(20, "not json")
    folder.mkdir()
    (folder / "export.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for seed in sorted(SEEDS.glob("*.txt"))[:2]:
        (folder / seed.name).write_text(seed.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def small_blocks(monkeypatch, **tuning):
    """Block sizes small enough that the 50-row export of ``export_corpus`` crosses each of
    them several times. Returns the settings of such a run (``tuning``: more sizes) and the
    sizes of the tables the output writer is handed."""
    from citycoop import cache
    from citycoop.pipeline import writers

    # The export's 50 rows go to disk in 13 blocks of 4 (past 9 rows), and the parent takes them
    # 7 at a time.
    settings = Settings(tuning=Tuning(arrow_block=4, spill_rows=9, chunk_rows=7, **tuning))
    monkeypatch.setattr(cache, "SEGMENT_ROWS", 8)
    monkeypatch.setattr(cache, "SEGMENT_BATCH", 5)
    written = []
    real_write = writers.RecordWriter.write_table

    def write_table(writer, table):
        written.append(0 if table is None else table.num_rows)
        return real_write(writer, table)

    monkeypatch.setattr(writers.RecordWriter, "write_table", write_table)
    return settings, written


def segment_batches(cache):
    import pyarrow as pa

    sizes = []
    for seg in sorted((cache / "segments").glob("*.arrow")):
        with pa.OSFile(str(seg)) as source:
            reader = pa.ipc.open_file(source)
            sizes.append([reader.get_batch(i).num_rows for i in range(reader.num_record_batches)])
    return sizes


def as_csv(folder):
    """The export of ``export_corpus`` as CSV, each text on two lines, the same rows rejected."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["title", "text"])
    for line in (folder / "export.jsonl").read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
            writer.writerow([row["title"], row["text"].replace(", ", ",\n", 1)])
        except ValueError:
            writer.writerow(["not", "a", "row"])
    (folder / "export.jsonl").unlink()
    (folder / "export.csv").write_text(out.getvalue(), encoding="utf-8")


# ----------------------------------------------------------------- folder outputs
SEED_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]


FILES_PER_PART = 3  # ≈ 10 parts over the 30-file corpus below


TUNING = Tuning(files_per_output_part=FILES_PER_PART)


def make_corpus(root):
    """30 articles: seed stories with a line of their own (near copies of each other), two exact
    copies and an empty file (a reject)."""
    root.mkdir()
    for i in range(27):
        text = SEED_TEXTS[i % len(SEED_TEXTS)] + f"\n\nGhi chú số {i}: bản tin tổng hợp lần {i * 7}."
        (root / f"{i:03d}.txt").write_text(text, encoding="utf-8")
    shutil.copy(root / "004.txt", root / "013b.txt")
    shutil.copy(root / "001.txt", root / "020b.txt")
    (root / "017b.txt").write_text("", encoding="utf-8")
    return root


def folder_run(corpus, out, cache, jobs=1, tuning=TUNING):
    stats, _ = write_dataset([corpus], out, Settings(tuning=tuning), jobs=jobs, cache=cache)
    return stats


def fresh(corpus, tmp_path):
    """What a run without cache or earlier output writes, as one file."""
    out = tmp_path / "fresh" / "corpus.parquet"
    shutil.rmtree(out.parent, ignore_errors=True)
    write_dataset([corpus], out, Settings())
    return out


def assert_same_dataset(folder, single):
    table = pads.dataset(folder, format="parquet").to_table()
    expected = pq.read_table(single)
    assert table.cast(expected.schema).equals(expected)
    assert (folder / "_rejects.jsonl").read_bytes() == single.with_name("corpus.rejects.jsonl").read_bytes()
    counts = [json.loads(p.read_text()) for p in (folder / "_stats.json", single.with_name("corpus.stats.json"))]
    assert [{**c, "cached_files": 0} for c in counts[:1]] == counts[1:]  # the fresh run read every file
    listed = [p["file"] for p in json.loads((folder / PARTS_MANIFEST).read_text())["parts"]]
    assert sorted(p.name for p in folder.glob("part-*.parquet")) == listed  # no stray or missing part
    # beside the parts, only the meetings they report (pyarrow skips "_" names as data)
    assert {p.name for p in folder.glob("*.parquet")} - set(listed) == {"_meetings.parquet"}
    assert not list(folder.glob(".*"))  # no unfinished part or manifest left behind
