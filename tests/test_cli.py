"""The command line as a user runs it."""
import csv
import os
import io
import json
import subprocess
import sys

import pyarrow.parquet as pq

from conftest import ROOT


def cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "citycoop", *args], cwd=cwd, capture_output=True,
                          text=True)


def test_extract_defaults_to_seeds_and_prints_a_summary():
    p = cli("extract", "--no-cache")
    assert p.returncode == 0
    assert len(p.stdout.splitlines()) == 5
    assert p.stderr.strip().splitlines()[-1] == (
        "citycoop: files read 5, articles 5, records 5, duplicates 0 (near 0), rejects 0, ignored 1")


def test_csv_and_parquet_flatten_lists(tmp_path):
    p = cli("extract", "seeds", "--format", "csv", "--no-cache")
    rows = list(csv.DictReader(io.StringIO(p.stdout)))
    assert len(rows) == 5
    row = next(r for r in rows if r["id"].startswith("002"))
    assert row["partners"] == "Guangzhou" and row["partner_provinces"] == "Guangdong"
    assert row["topic_metro"] != "0" and json.loads(row["partners_json"])[0]["level"] == "city"
    out = tmp_path / "seeds.parquet"
    p = cli("extract", "seeds", "-f", "parquet", "-o", str(out), "--no-cache")
    assert p.returncode == 0
    t = pq.read_table(out)
    assert t.num_rows == 5 and "topic_tourism" in t.column_names


def test_the_output_name_chooses_the_format_unless_one_is_given(tmp_path):
    for name in ("seeds.parquet", "seeds.csv", "seeds.jsonl", "seeds.out"):
        assert cli("extract", "seeds", "-o", str(tmp_path / name), "--no-cache", "-q").returncode == 0
    assert pq.read_table(tmp_path / "seeds.parquet").num_rows == 5
    assert (tmp_path / "seeds.stats.json").exists()  # a dataset, with its counts and rejects
    assert len(list(csv.DictReader(open(tmp_path / "seeds.csv", encoding="utf-8")))) == 5
    for name in ("seeds.jsonl", "seeds.out"):
        assert len([json.loads(x) for x in (tmp_path / name).read_text(encoding="utf-8").splitlines()]) == 5
    assert cli("extract", "seeds", "-f", "jsonl", "-o", str(tmp_path / "x.parquet"), "--no-cache").returncode == 0
    assert json.loads((tmp_path / "x.parquet").read_text(encoding="utf-8").splitlines()[0])["id"]


def test_bad_files_are_reported_and_counted_not_fatal(tmp_path):
    (tmp_path / "good.txt").write_text((ROOT / "seeds/000_77aec2281c3530ce.txt").read_text(encoding="utf-8"),
                                       encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02binary\x00")
    (tmp_path / "rows.jsonl").write_text('{"title": "Hà Nội đón đoàn Quảng Tây", "text": "Ngày 4/5, Hà Nội tiếp đoàn Quảng Tây."}\nnot json\n', encoding="utf-8")
    rejects = tmp_path / "rejects.jsonl"
    p = cli("extract", str(tmp_path), "--rejects", str(rejects), "--no-cache")
    assert p.returncode == 0
    assert len(p.stdout.splitlines()) == 2  # good.txt and the valid jsonl row
    lines = [json.loads(line) for line in rejects.read_text().splitlines()]
    reasons = sorted(r["reason"] for r in lines)
    assert reasons == ["binary", "empty", "malformed_jsonl"]
    assert all(r["source"] and r["detail"] for r in lines)
    assert "rejected" in p.stderr and "bin.txt" in p.stderr
    assert "rejects 3" in p.stderr.splitlines()[-1]


def test_python_dash_m_equals_console_script():
    a = cli("extract", "--no-cache", "-q")
    from pathlib import Path
    b = subprocess.run([str(Path(sys.executable).parent / "citycoop"), "extract", "--no-cache", "-q"], cwd=ROOT,
                       capture_output=True, text=True)
    assert a.stdout == b.stdout


def test_missing_path_is_a_clear_error_and_exit_2(tmp_path):
    p = cli("extract", "no/such/folder")
    assert p.returncode == 2 and "no such file or folder: no/such/folder" in p.stderr
    # Written to an output: nothing is made, neither the output's folder nor its lock file.
    p = cli("extract", "no/such/folder", "seeds", "-o", str(tmp_path / "new" / "out.parquet"))
    assert p.returncode == 2 and "no such file or folder: no/such/folder" in p.stderr
    assert not (tmp_path / "new").exists()


def _corpus_with_a_bad_file(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("000_77aec2281c3530ce.txt", "001_a4814d28160ff6be.txt"):
        (corpus / name).write_bytes((ROOT / "seeds" / name).read_bytes())
    (corpus / "empty.txt").write_bytes(b"")
    return corpus


def test_a_parquet_rerun_with_nothing_changed_keeps_the_output_and_reports_the_same(tmp_path):
    corpus, out, cache = _corpus_with_a_bad_file(tmp_path), tmp_path / "out.parquet", tmp_path / "cache"
    args = ("extract", str(corpus), "-f", "parquet", "-o", str(out), "--cache", str(cache))
    first = cli(*args)
    assert first.returncode == 0 and "kept as is" not in first.stderr
    written = out.stat().st_mtime_ns, (tmp_path / "out.stats.json").read_text()
    rejects = tmp_path / "rejects.jsonl"
    again = cli(*args, "--rejects", str(rejects))
    assert again.returncode == 0
    assert "no input changed since" in again.stderr and "kept as is" in again.stderr
    assert (out.stat().st_mtime_ns, (tmp_path / "out.stats.json").read_text()) == written
    # the same counts and the same reject lines as the run that wrote it
    assert again.stderr.splitlines()[-1].startswith(first.stderr.splitlines()[-1])
    assert [line for line in again.stderr.splitlines() if "rejected" in line] == \
        [line for line in first.stderr.splitlines() if "rejected" in line] != []
    assert json.loads(rejects.read_text())["reason"] == "empty"


def test_a_parquet_rerun_rebuilds_when_an_input_the_output_or_the_settings_changed(tmp_path):
    corpus, out, cache = _corpus_with_a_bad_file(tmp_path), tmp_path / "out.parquet", tmp_path / "cache"
    args = ("extract", str(corpus), "-f", "parquet", "-o", str(out), "--cache", str(cache), "-q")
    assert cli(*args).returncode == 0
    expected = pq.read_table(out)

    def rebuilt() -> bool:
        p = cli(*args)
        assert p.returncode == 0, p.stderr
        assert pq.read_table(out).equals(expected)
        return "kept as is" not in p.stderr

    assert not rebuilt()
    seed = corpus / "000_77aec2281c3530ce.txt"
    os.utime(seed, ns=(seed.stat().st_atime_ns, seed.stat().st_mtime_ns + 10**9))  # touched
    assert rebuilt() and not rebuilt()
    out.write_bytes(out.read_bytes()[:-10] + b"0123456789")  # the output was changed by hand
    assert rebuilt() and not rebuilt()
    out.unlink()
    assert rebuilt() and not rebuilt()
    (tmp_path / "out.rejects.jsonl").write_text("")
    assert rebuilt() and not rebuilt()
    (corpus / "new.txt").write_bytes(seed.read_bytes().replace("Hà Nội".encode(), "Hải Phòng".encode()))
    p = cli(*args)
    assert "kept as is" not in p.stderr and pq.read_table(out).num_rows == expected.num_rows + 1
    (corpus / "new.txt").unlink()
    taxonomy = tmp_path / "topics.yml"
    taxonomy.write_text((ROOT / "src/citycoop/data/topics.yml").read_text(encoding="utf-8") + "\n# edited\n",
                        encoding="utf-8")
    p = cli(*args, "--topics", str(taxonomy))
    assert "kept as is" not in p.stderr and pq.read_table(out).num_rows == expected.num_rows


def test_a_named_pipe_in_the_corpus_is_rejected_not_waited_on(tmp_path):
    corpus = _corpus_with_a_bad_file(tmp_path)
    os.mkfifo(corpus / "feed.txt")  # nobody ever writes to it: opening it would block for ever
    for cache_args in (("--no-cache",), ("--cache", str(tmp_path / "cache"))):
        p = subprocess.run([sys.executable, "-m", "citycoop", "extract", str(corpus), *cache_args],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert p.returncode == 0
        assert len(p.stdout.splitlines()) == 2
        assert "rejected corpus/feed.txt: not_a_file" in p.stderr.replace(str(tmp_path) + "/", "")
        assert "rejects 2 (empty 1, not_a_file 1)" in p.stderr.splitlines()[-1]


def test_extract_uses_the_system_allocator_for_arrow_unless_the_user_chose_one(tmp_path):
    """mimalloc (Arrow's default) keeps freed memory: the extract command asks for the system
    allocator before pyarrow is imported (bench/RESULTS.md has the measurements)."""
    import pyarrow as pa

    script = ("import sys; from citycoop.cli import main; assert main(sys.argv[1:]) == 0; "
              "import pyarrow as pa; print(pa.default_memory_pool().backend_name)")
    args = ["extract", str(ROOT / "seeds"), "-f", "parquet", "-o", str(tmp_path / "o.parquet"),
            "--no-cache", "-q"]
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    run = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["system"]
    chosen = next(b for b in pa.supported_memory_backends() if b != "system")
    run = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                         env={**env, "ARROW_DEFAULT_MEMORY_POOL": chosen})
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == [chosen]


def test_a_parquet_folder_output_from_the_command_line(tmp_path):
    """`-o NAME/` (or -f parquet and a name without suffix) writes a folder of parts that the
    reports read; a re-run says how many parts it kept; a file in the way is a clear error."""
    corpus, cache = _corpus_with_a_bad_file(tmp_path), tmp_path / "cache"
    out = tmp_path / "corpus_data"
    p = cli("extract", str(corpus), "-o", f"{out}/", "--cache", str(cache), "-q")
    assert p.returncode == 0, p.stderr
    assert p.stderr.strip().endswith(f"parts of {out}/: 0 kept, 1 written")
    assert sorted(x.name for x in out.iterdir())[:4] == ["_meetings.parquet", "_parts.json", "_rejects.jsonl",
                                                         "_stats.json"]
    assert pq.read_table(out).num_rows == 2 and json.loads((out / "_rejects.jsonl").read_text())["reason"] == "empty"
    (corpus / "zz.txt").write_bytes((ROOT / "seeds/003_14a4a321f54585f3.txt").read_bytes())
    again = cli("extract", str(corpus), "-f", "parquet", "-o", str(out), "--cache", str(cache), "-q")
    assert again.returncode == 0 and pq.read_table(out).num_rows == 3
    assert "kept" in again.stderr.splitlines()[-1] and "kept as is" not in again.stderr
    assert cli("extract", str(corpus), "-o", str(out), "--cache", str(cache)).stderr.strip().endswith("kept as is")
    in_the_way = tmp_path / "plain"
    in_the_way.write_text("x")
    bad = cli("extract", str(corpus), "-f", "parquet", "-o", str(in_the_way), "--no-cache")
    assert bad.returncode == 2 and "is a file" in bad.stderr and "Traceback" not in bad.stderr


def test_a_second_run_writing_the_same_output_stops_with_a_clear_message(tmp_path):
    """While one run writes an output, another run to the same output stops at once, names it
    and the first run's pid, and touches nothing; a run to another output goes ahead; once the
    first run ends, the output is free."""
    corpus, out = _corpus_with_a_bad_file(tmp_path), tmp_path / "corpus_data"
    holder = subprocess.Popen(  # stands for a long run: holds the output until its stdin closes
        [sys.executable, "-c", "import sys; from pathlib import Path; from citycoop import fsio\n"
         f"with fsio.output_lock(Path({str(out)!r})):\n print('held', flush=True); sys.stdin.read()"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        busy = cli("extract", str(corpus), "-o", f"{out}/", "--no-cache", "-q")
        assert busy.returncode == 2 and "Traceback" not in busy.stderr
        assert busy.stderr.strip() == (f"citycoop extract: {out} is being written by another citycoop run "
                                       f"(pid {holder.pid}); wait for it to end, or write to another output")
        assert not out.exists()
        elsewhere = cli("extract", str(corpus), "-o", str(tmp_path / "other.parquet"), "--no-cache", "-q")
        assert elsewhere.returncode == 0, elsewhere.stderr
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    free = cli("extract", str(corpus), "-o", f"{out}/", "--no-cache", "-q")
    assert free.returncode == 0 and pq.read_table(out).num_rows == 2
    assert (tmp_path / ".corpus_data.lock").read_text() != str(holder.pid)  # the last writer's pid


def test_an_output_file_goes_into_a_new_folder_and_an_unwritable_one_is_named(tmp_path):
    """-o and --rejects into folders that do not exist yet make them, whatever the format;
    a path through a file is refused before the run, naming the file in the way."""
    for name in ("out.jsonl", "out.csv", "out.parquet"):
        out, rejects = tmp_path / "a" / name.split(".")[1] / name, tmp_path / "r" / f"{name}.rejects"
        p = cli("extract", "seeds", "-o", str(out), "--rejects", str(rejects), "--no-cache", "-q")
        assert p.returncode == 0, p.stderr
        assert out.stat().st_size > 0 and rejects.exists()
    assert len((tmp_path / "a" / "jsonl" / "out.jsonl").read_text(encoding="utf-8").splitlines()) == 5
    (tmp_path / "plain").write_text("a file, not a folder")
    for args, named in [(["-o", f"{tmp_path}/plain/out.jsonl"], f"{tmp_path}/plain/out.jsonl"),
                        (["-o", f"{tmp_path}/plain/sub/out.parquet"], f"{tmp_path}/plain/sub/out.parquet"),
                        (["-o", f"{tmp_path}/b.jsonl", "--rejects", f"{tmp_path}/plain/r.jsonl"],
                         f"{tmp_path}/plain/r.jsonl")]:
        p = cli("extract", "seeds", *args, "--no-cache", "-q")
        assert p.returncode == 2 and "Traceback" not in p.stderr
        assert p.stderr.strip() == f"citycoop extract: cannot write {named}: {tmp_path}/plain is a file, not a folder"
    assert not (tmp_path / "b.jsonl").exists()  # refused before the run, not after it
    p = cli("extract", "seeds", "-o", str(tmp_path / "c.jsonl"), "--rejects", str(tmp_path), "--no-cache", "-q")
    assert p.returncode == 2 and f"{tmp_path} is a folder" in p.stderr
    assert not (tmp_path / "c.jsonl").exists()


def test_rejects_into_a_folder_that_cannot_be_written_are_refused_before_the_run(tmp_path):
    """--rejects is written at the end of a run: a folder it cannot be written to must stop the
    run at its start, not after an hour's extraction. The folder is read-only (root may write
    anywhere, so as root it is made immutable)."""
    import pytest

    locked = tmp_path / "locked"
    locked.mkdir()
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(locked)], capture_output=True).returncode != 0:
            pytest.skip("running as root on a file system without chattr +i: no folder root cannot write")
    else:
        os.chmod(locked, 0o555)
    try:
        p = cli("extract", "seeds", "-o", str(tmp_path / "a.jsonl"), "--rejects", str(locked / "rejects.jsonl"),
                "--no-cache", "-q")
        assert p.returncode == 2, p.stderr
        assert p.stderr.strip() in (f"citycoop extract: cannot write {locked}/rejects.jsonl: {why}"
                                    for why in ("permission denied", "operation not permitted"))
        assert not (tmp_path / "a.jsonl").exists()  # stopped before the run
        assert not list(locked.iterdir())
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(locked)])
        else:
            os.chmod(locked, 0o755)


def test_a_killed_runs_temporary_file_is_removed_by_the_next_run(tmp_path):
    """A run killed outright (SIGKILL, as the out-of-memory killer does) cannot clean up; the
    next run writing that output removes its temporary file. Files of live processes, and of
    other machines sharing the folder, are left alone."""
    import signal
    import socket
    import time

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(100):
        for seed in sorted((ROOT / "seeds").glob("*.txt")):
            (corpus / f"{n:03d}_{seed.name}").write_bytes(seed.read_bytes())
    out = tmp_path / "out.jsonl"
    run = subprocess.Popen([sys.executable, "-m", "citycoop", "extract", str(corpus), "-o", str(out),
                            "--no-cache", "-q", "--jobs", "1"], cwd=ROOT,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".out.jsonl.writing-*")):
        assert run.poll() is None and time.monotonic() < deadline, "the run ended before it was killed"
        time.sleep(0.005)
    run.send_signal(signal.SIGKILL)
    run.wait()
    killed = list(tmp_path.glob(".out.jsonl.writing-*"))
    assert killed == [tmp_path / f".out.jsonl.writing-{socket.gethostname()}-{run.pid}"]
    live = tmp_path / f".out.jsonl.writing-{socket.gethostname()}-{os.getpid()}"
    elsewhere = tmp_path / f".out.jsonl.writing-another-host-{run.pid}"
    for f in (live, elsewhere):
        f.write_text("a run that may still be writing")
    assert cli("extract", str(corpus), "-o", str(out), "--no-cache", "-q").returncode == 0
    assert sorted(tmp_path.glob(".out.jsonl.writing-*")) == sorted([live, elsewhere])
    assert len(out.read_text(encoding="utf-8").splitlines()) == 500


def test_a_failed_or_stopped_run_leaves_the_previous_output_whole(tmp_path):
    """A mistyped input, or a run stopped after its first records (Ctrl-C), must not leave an
    empty or truncated file where the last good output was, nor a temporary file beside it."""
    corpus = tmp_path / "corpus"  # enough files for several chunks of records
    corpus.mkdir()
    for n in range(40):
        for seed in sorted((ROOT / "seeds").glob("*.txt")):
            (corpus / f"{n:02d}_{seed.name}").write_bytes(seed.read_bytes())
    for name in ("out.jsonl", "out.csv", "out.parquet"):
        out = tmp_path / name
        assert cli("extract", str(corpus), "-o", str(out), "--no-cache", "-q").returncode == 0
        before = out.read_bytes()
        typo = cli("extract", "seedz", "-o", str(out), "--no-cache", "-q")
        assert typo.returncode == 2 and "no such file or folder: seedz" in typo.stderr
        assert out.read_bytes() == before, name
        # Stopped after the first chunk of records was written: the chunk source raises
        # KeyboardInterrupt, as Ctrl-C would, in the middle of the real command.
        script = (
            "import sys\nfrom citycoop import cli\nfrom citycoop.pipeline import scheduler\n"
            "def stopped(real):\n"
            "    def chunks(*a, **k):\n"
            "        source = real(*a, **k)\n"
            "        yield next(c for c in source if c.table is not None and c.table.num_rows)\n"
            "        raise KeyboardInterrupt\n"
            "    return chunks\n"
            "scheduler.iter_chunks = stopped(scheduler.iter_chunks)\n"
            "sys.exit(cli.main(sys.argv[1:]))\n")
        stop = subprocess.run([sys.executable, "-c", script, "extract", str(corpus), "-o", str(out), "-j", "1",
                               "--no-cache", "-q"], cwd=ROOT, capture_output=True, text=True)
        assert stop.returncode == 130 and stop.stderr.strip() == "citycoop extract: stopped (Ctrl-C); outputs left as they were"
        assert out.read_bytes() == before, name
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(f".{name}")) == (
            [f".{name}.lock"] if name.endswith(".parquet") else [])


def test_an_output_that_is_a_pipe_is_written_into_not_replaced(tmp_path):
    """-o /dev/stdout or a named pipe: the records go into it, and it stays a pipe (a file
    renamed over it would have replaced it)."""
    import stat
    import threading

    received = {}
    for name in ("records", "rejects"):
        fifo = tmp_path / name
        os.mkfifo(fifo)

        def read(path=fifo, name=name):
            with open(path, encoding="utf-8") as fh:
                received[name] = fh.read()

        threading.Thread(target=read, daemon=True).start()
    corpus = _corpus_with_a_bad_file(tmp_path)
    p = cli("extract", str(corpus), "-o", str(tmp_path / "records"), "--rejects", str(tmp_path / "rejects"),
            "--no-cache", "-q")
    assert p.returncode == 0, p.stderr
    for name in ("records", "rejects"):
        assert stat.S_ISFIFO((tmp_path / name).stat().st_mode)
    assert len(received["records"].splitlines()) == 2 and '"reason": "empty"' in received["rejects"]
    assert not [f for f in tmp_path.iterdir() if f.name.startswith(".")]


def test_export_published_fields_in_any_common_form_and_a_wrong_one_is_said(tmp_path):
    lead = "Ngày 4/5, lãnh đạo TP Hà Nội tiếp đoàn đại biểu thành phố Bắc Kinh (Trung Quốc) số {}."
    forms = ["2024-05-17T10:00:00+07:00", "17/05/2024 08:30", "Thứ Sáu, ngày 17 tháng 5 năm 2024",
             1715914800, "1715914800000", "Fri, 17 May 2024 10:00:00 +0700", "May 17th, 2024",
             "17-may-2024", "2024-13-45", "tuần trước"]
    export = tmp_path / "export.jsonl"
    export.write_text("".join(json.dumps({"text": lead.format(i), "published": v}, ensure_ascii=False) + "\n"
                              for i, v in enumerate(forms)), encoding="utf-8")
    p = cli("extract", str(export), "--no-cache")
    assert p.returncode == 0, p.stderr
    records = [json.loads(line) for line in p.stdout.splitlines()]
    assert [r["published"] for r in records] == ["2024-05-17"] * 8 + [None, None]
    # The event date takes its year from the publication date only when there is one.
    assert [r["event_date"] for r in records] == ["2024-05-04"] * 8 + ["--05-04"] * 2
    for r, v in zip(records, forms):
        said = [w for w in r["warnings"] if w.startswith("published field")]
        assert said == ([] if r["published"] else [f"published field '{v}' is not a date citycoop reads, ignored"])


def test_the_dask_engine_prints_rejects_as_the_local_engine_does(tmp_path):
    """--engine dask had printed no reject, only the count in the summary."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("a.txt", "c.txt"):
        (corpus / name).write_bytes((ROOT / "seeds/000_77aec2281c3530ce.txt").read_bytes())
    (corpus / "b_empty.txt").write_text("")
    (corpus / "d_bin.txt").write_bytes(b"\x00\x01PK\x03\x04")
    (corpus / "e_rows.jsonl").write_text('{"text": "Hà Nội đón đoàn Quảng Tây"}\n{broken\n', encoding="utf-8")
    local = cli("extract", str(corpus), "-j", "1", "-o", str(tmp_path / "out.jsonl"), "--no-cache")
    dask = cli("extract", str(corpus), "--engine", "dask", "-o", f"{tmp_path}/out_data/", "--no-cache")
    assert local.returncode == 0 and dask.returncode == 0, dask.stderr[-3000:]

    def rejected(p):
        return [line for line in p.stderr.splitlines() if line.startswith("citycoop: rejected ")]

    assert rejected(dask) == rejected(local) == [
        f"citycoop: rejected {corpus}/b_empty.txt: empty (file is empty)",
        f"citycoop: rejected {corpus}/d_bin.txt: binary (NUL bytes and no UTF-16/32 byte order mark)",
        f"citycoop: rejected {corpus}/e_rows.jsonl#2: malformed_jsonl (line 2: Expecting property name enclosed "
        "in double quotes: line 1 column 2 (char 1))"]
    lines = dask.stderr.splitlines()
    assert lines.index(rejected(dask)[-1]) < lines.index(next(x for x in lines if x.startswith("citycoop: files read")))
    # and -q keeps them quiet, as it does locally
    quiet = cli("extract", str(corpus), "--engine", "dask", "-o", f"{tmp_path}/quiet_data/", "--no-cache", "-q")
    assert quiet.returncode == 0 and not rejected(quiet), quiet.stderr[-3000:]


def test_extract_called_from_python_leaves_pandas_importable(tmp_path, monkeypatch):
    """`citycoop extract` marks pandas absent while it runs (it never needs it); a notebook or
    script that calls the command's main() must still be able to import pandas afterwards."""
    import importlib
    import sys

    from citycoop.cli import main

    for name in [m for m in sys.modules if m == "pandas" or m.startswith("pandas.")]:
        monkeypatch.delitem(sys.modules, name)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Hà Nội tiếp đoàn Trùng Khánh ngày 3/4/2024.", encoding="utf-8")
    assert main(["extract", str(corpus), "-f", "jsonl", "-o", str(tmp_path / "out.jsonl"), "-q",
                 "--no-cache"]) == 0
    assert importlib.import_module("pandas").DataFrame({"a": [1]}).shape == (1, 1)
