"""Per-file work in a worker: a task's files made columnar in blocks, spilled to disk past a size."""
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from citycoop import dataset
from citycoop.models import Reject
from citycoop.pipeline import worker
from citycoop.pipeline.settings import Settings, Tuning
from conftest import SEEDS
from pipeline_corpora import export_corpus, segment_batches, small_blocks


def test_a_large_export_is_made_columnar_in_blocks_with_every_row_in_order(tmp_path):
    from citycoop.load import discover

    settings = Settings(tuning=Tuning(arrow_block=7))  # blocks of 7 rows: 50 rows span 8 blocks
    rows = [{"id": f"r{i}", "title": f"Hà Nội đón đoàn Quảng Tây {i}",
             "text": f"Ngày {i % 28 + 1}/5/2024, Hà Nội tiếp đoàn Quảng Tây lần thứ {i} về du lịch."}
            for i in range(50)]
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    lines.insert(20, "not json")
    (tmp_path / "export.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "one.txt").write_text((SEEDS / "000_77aec2281c3530ce.txt").read_text(encoding="utf-8"),
                                      encoding="utf-8")
    files = list(discover([tmp_path]))
    batch = worker.process_batch(files, settings)
    assert batch.n_rows == [50, 1] and [len(r) for r in batch.rejects] == [1, 0]
    expected = [r for f in files for r in worker.process_file(f, Settings()) if not isinstance(r, Reject)]
    assert batch.table.column("id").to_pylist() == [r["id"] for r in expected]
    assert batch.table.column("_sig").to_pylist() == [r["_signature"] for r in expected]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_large_task_spills_its_rows_to_disk_with_the_same_result(tmp_path, monkeypatch, jobs):
    """Past ``spill_rows`` a task streams its rows to an Arrow file (a worker never holds a whole
    large export); the parent then takes them ``chunk_rows`` at a time, so the output, the cache
    and a later run from the cache never hold the export whole either. The output, cached or
    not, is what an in-memory run gives, and no spill file is left behind."""
    corpus = export_corpus(tmp_path / "corpus")
    dataset.write_dataset([corpus], tmp_path / "plain.parquet", jobs=jobs)
    small, written = small_blocks(monkeypatch)
    made = []
    real_tables = worker.Batch.tables

    def tables(batch, chunk_rows):
        made.append(batch.spilled)
        return real_tables(batch, chunk_rows)

    monkeypatch.setattr(worker.Batch, "tables", tables)
    cache = tmp_path / "cache"
    dataset.write_dataset([corpus], tmp_path / "spilled.parquet", small, jobs=jobs, cache=cache)
    assert any(p is not None for p in made)  # the rows did come back through a spill file
    assert not any(Path(p).exists() for p in made if p)
    assert sorted(p.name for p in cache.iterdir()) == ["index.sqlite", "segments"]  # spill folder gone
    assert max(written) <= 7 and sum(written) == 52
    plain = pq.read_table(tmp_path / "plain.parquet")
    assert pq.read_table(tmp_path / "spilled.parquet").equals(plain)
    assert plain.num_rows == 52 and plain.column("duplicate_of").to_pylist().count("export.jsonl#11") == 1
    # The seeds' 2 rows and the export's 50 are one segment (it ends between files, once past
    # SEGMENT_ROWS), written as they came: batches of SEGMENT_BATCH rows, the remainder in the last.
    assert segment_batches(cache) == [[5] * 9 + [7]]
    (tmp_path / "spilled.parquet").unlink()  # rows now come from the cache the spilled run filled
    written.clear()
    dataset.write_dataset([corpus], tmp_path / "spilled.parquet", small, jobs=jobs, cache=cache)
    assert pq.read_table(tmp_path / "spilled.parquet").equals(plain)
    assert max(written) <= 7 and sum(written) == 52


def test_a_task_that_fails_after_spilling_removes_its_spill_file(tmp_path, monkeypatch):
    from citycoop.load import discover

    corpus = export_corpus(tmp_path / "corpus")
    real = worker.flat_row

    def failing(record, topic_ids):
        if record.get("id") == "export.jsonl#42":
            raise MemoryError("the machine ran out")
        return real(record, topic_ids)

    monkeypatch.setattr(worker, "flat_row", failing)
    spill = tmp_path / "spill"
    spill.mkdir()
    with pytest.raises(MemoryError):
        worker.process_batch(list(discover([corpus])), Settings(tuning=Tuning(arrow_block=4, spill_rows=9)),
                              str(spill))
    assert list(spill.iterdir()) == []
