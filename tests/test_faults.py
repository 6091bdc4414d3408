"""Nothing lost under bad input and faults (#27): every input file and row ends as a record or
a reject with its reason, and a user never sees a traceback."""
import json
import os
import subprocess
import sys
import unicodedata

import pytest

from conftest import ROOT


def cli(*args, cwd=ROOT, **kw):
    # This checkout's package, whatever the working folder
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run([sys.executable, "-m", "citycoop", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, **kw)


def article(n: int, town: str = "Hà Nội") -> dict:
    return {"title": f"{town} đón đoàn Quảng Tây lần {n}",
            "text": f"Ngày 4/5/2024, {town} tiếp đoàn đại biểu Quảng Tây (Trung Quốc) lần thứ {n}, "
                    "bàn về du lịch và logistics qua cửa khẩu."}


def jsonl_line(n: int) -> str:
    return json.dumps(article(n), ensure_ascii=False)


def records_and_rejects(p, rejects_file):
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr
    records = [json.loads(x) for x in p.stdout.splitlines()] if p.stdout.strip() else []
    rejects = [json.loads(x) for x in rejects_file.read_text(encoding="utf-8").splitlines()]
    return records, rejects


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_jsonl_line_python_cannot_hold_is_a_reject_of_its_own(tmp_path, jobs):
    """A 5 000-digit integer (ValueError) and a 100 000-deep array (RecursionError) are valid
    JSON Python will not read: each is its line's reject, and the lines after it are read."""
    lines = [jsonl_line(1), '{"text": ' + "7" * 5000 + "}", jsonl_line(3),
             "[" * 100_000 + "]" * 100_000, jsonl_line(5)]
    (tmp_path / "export.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rejects_file = tmp_path / "rejects.jsonl"
    p = cli("extract", tmp_path / "export.jsonl", "--no-cache", "-j", jobs, "--rejects", rejects_file)
    records, rejects = records_and_rejects(p, rejects_file)
    assert [r["id"] for r in records] == ["export.jsonl#1", "export.jsonl#3", "export.jsonl#5"]
    assert [(r["source"].rsplit("#")[1], r["reason"]) for r in rejects] == [
        ("2", "malformed_jsonl"), ("4", "malformed_jsonl")]
    assert rejects[0]["detail"].startswith("line 2: Exceeds the limit (4300 digits)")
    assert rejects[1]["detail"] == "line 4: nested too deeply to read"


def seed_text() -> bytes:
    return (ROOT / "seeds/000_77aec2281c3530ce.txt").read_bytes()


@pytest.mark.parametrize("jobs,output", [("1", "out.jsonl"), ("2", "out.jsonl"), ("1", "out.parquet"),
                                         ("2", "out_data/")])
def test_a_file_name_that_is_not_utf8_is_a_reject_named_with_its_bytes_escaped(tmp_path, jobs, output):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_bytes(seed_text())
    with open(bytes(corpus) + b"/b\xe1o.txt", "wb") as fh:  # "báo" in Windows-1258: not UTF-8
        fh.write(seed_text())
    (corpus / "sub").mkdir()
    with open(bytes(corpus) + b"/sub/\xff.jsonl", "wb") as fh:
        fh.write((jsonl_line(1) + "\n").encode())
    rejects_file = tmp_path / "rejects.jsonl"
    p = cli("extract", corpus, "-o", tmp_path / output, "-j", jobs, "--rejects", rejects_file,
            cwd=tmp_path)
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr
    rejects = [json.loads(x) for x in rejects_file.read_text(encoding="utf-8").splitlines()]
    assert [(r["source"], r["reason"]) for r in rejects] == [
        ("corpus/b\\xe1o.txt", "unreadable"), ("corpus/sub/\\xff.jsonl", "unreadable")]
    assert "name not UTF-8" in rejects[0]["detail"]
    assert "rejected corpus/b\\xe1o.txt: unreadable" in p.stderr
    assert "files read 3, articles 3, records 1" in p.stderr


QUOTED = "Ngày 4/5/2024, Hà Nội tiếp đoàn đại biểu Quảng Tây (Trung Quốc), bàn về du lịch \x93xanh\x94."


def with_stray_quotes(text: str) -> bytes:
    """UTF-8 text with the two curly quotes of a Windows-1252 editor left as single bytes."""
    return text.replace("\x93", "\0").replace("\x94", "\1").encode().replace(b"\0", b"\x93").replace(b"\1", b"\x94")


def cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese legacy files have it: tone marks as combining characters
    after the letters it has (â, ơ, đ …), which are precomposed."""
    decomposed = unicodedata.normalize("NFD", text)
    out = []
    for ch in decomposed:
        if out and unicodedata.normalize("NFC", out[-1] + ch) in "âêôơưăđÂÊÔƠƯĂĐ":
            out[-1] = unicodedata.normalize("NFC", out[-1] + ch)
        else:
            out.append(ch)
    return "".join(out).encode("cp1258")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_stray_bytes_cost_their_own_row_and_are_replaced_with_a_warning(tmp_path, jobs):
    """Stray bytes in an export's first rows had rejected the whole export (its encoding was
    decided from its first 64 KB), and a short UTF-8 .txt with two stray quotes was read as
    Windows-1258, every Vietnamese letter garbled. Each row (and a text file) is UTF-8 with
    those bytes replaced and a warning on the record, while a row wholly in Windows-1258 is
    read as that."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    first = json.dumps({"title": "Hà Nội đón đoàn Quảng Tây", "text": QUOTED}, ensure_ascii=False)
    legacy = "Lạng Sơn tiếp đoàn Quảng Tây lần 2, bàn về thương mại và du lịch qua cửa khẩu Hữu Nghị."
    (corpus / "export.jsonl").write_bytes(
        with_stray_quotes(first) + b"\n" + cp1258(json.dumps({"text": legacy}, ensure_ascii=False))
        + b"\n" + (jsonl_line(3) + "\n").encode())
    (corpus / "export.csv").write_bytes(b"title,text\n" + with_stray_quotes(f'a,"{QUOTED}"') + b"\n"
                                        + f'b,"{article(2)["text"]}"\n'.encode())
    (corpus / "note.txt").write_bytes(with_stray_quotes("Hà Nội đón đoàn Quảng Tây\n\n" + QUOTED))
    rejects_file = tmp_path / "rejects.jsonl"
    p = cli("extract", corpus, "--no-cache", "-j", jobs, "--rejects", rejects_file)
    records, rejects = records_and_rejects(p, rejects_file)
    assert rejects == []
    by_id = {r["id"]: r for r in records}
    assert sorted(by_id) == ["export.csv#1", "export.csv#2", "export.jsonl#1", "export.jsonl#2",
                             "export.jsonl#3", "note.txt"]
    for rid in ("export.csv#1", "export.jsonl#1", "note.txt"):
        record = by_id[rid]
        assert record["encoding"] == "utf-8" and "Hà Nội tiếp đoàn" in record["text"], rid
        assert "\ufffdxanh\ufffd" in record["text"], rid
        assert record["warnings"][0].startswith("bytes not UTF-8 replaced by U+FFFD: '2 from byte "), rid
    assert by_id["export.jsonl#2"]["encoding"] == "cp1258" and "Lạng Sơn" in by_id["export.jsonl#2"]["text"]
    assert not any(w.startswith("bytes not UTF-8") for w in by_id["export.jsonl#3"]["warnings"])


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(c) for c in fh.read().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ")[-1][0] != "Z"
    except OSError:
        return False


def _small_corpus(folder, n=6):
    folder.mkdir()
    for i in range(n):
        (folder / f"{i:02d}.txt").write_bytes(seed_text())
    return folder


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and PR_SET_PDEATHSIG")
def test_after_kill_9_the_workers_end_and_the_next_run_takes_the_output(tmp_path):
    """A run killed outright (kill -9, the out-of-memory killer) left its workers running, and
    they held the output's lock for good: every later run was refused."""
    corpus, out = _small_corpus(tmp_path / "corpus"), tmp_path / "out.parquet"
    # The real command, its workers slowed down so that it is surely killed while they work.
    script = ("import sys, time\nfrom citycoop import cli\nfrom citycoop.pipeline import scheduler\n"
              "real = scheduler.process_batch\n"
              "def slow(*a, **k):\n    time.sleep(120)\n    return real(*a, **k)\n"
              "scheduler.process_batch = slow\n"
              "sys.exit(cli.main(sys.argv[1:]))\n")
    run = subprocess.Popen([sys.executable, "-c", script, "extract", corpus, "-o", out, "-j", "2",
                            "--no-cache", "-q"], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers = []
    try:
        for _ in range(300):  # both workers started and past their initializer
            workers = _children(run.pid)
            if len(workers) >= 2 and (tmp_path / ".out.parquet.lock").exists():
                break
            subprocess.run(["sleep", "0.1"])
        assert len(workers) >= 2
        subprocess.run(["sleep", "2"])
        run.kill()
        run.wait()
        for _ in range(100):
            if not any(_alive(w) for w in workers):
                break
            subprocess.run(["sleep", "0.1"])
        assert not any(_alive(w) for w in workers)
        again = cli("extract", corpus, "-o", out, "--no-cache", "-q")
        assert again.returncode == 0, again.stderr
        assert "files read 6, articles 6, records 6" in again.stderr
    finally:
        for w in workers:  # on the old code they live on: end them (they are this test's)
            if _alive(w):
                os.kill(w, 9)


def test_a_lock_whose_recorded_run_is_gone_is_taken_over(tmp_path):
    """A lock still held, although the run it names has ended, is held by that run's orphaned
    children (older versions let workers keep it): the next run takes the output over. A lock
    whose run is alive still refuses."""
    import socket

    corpus, out = _small_corpus(tmp_path / "corpus", 2), tmp_path / "out.parquet"
    gone = subprocess.Popen(["true"])
    gone.wait()
    lock = tmp_path / ".out.parquet.lock"
    holder = subprocess.Popen(  # stands for an orphaned worker: holds the flock, not its pid
        [sys.executable, "-c", "import fcntl, sys\n"
         f"fh = open({str(lock)!r}, 'a+')\nfcntl.flock(fh, fcntl.LOCK_EX)\n"
         f"fh.truncate(0); fh.write('{gone.pid} {socket.gethostname()}'); fh.flush()\n"
         "print('held', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        taken = cli("extract", corpus, "-o", out, "--no-cache", "-q")
        assert taken.returncode == 0, taken.stderr
        assert lock.read_text().split()[0] != str(gone.pid)
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [".out.parquet.lock"]


@pytest.mark.parametrize("output", ["-o", "--rejects"])
def test_an_output_named_as_an_input_is_refused_and_the_input_left_as_it_was(tmp_path, output):
    export = tmp_path / "a.jsonl"
    export.write_text(jsonl_line(1) + "\n", encoding="utf-8")
    before = export.read_bytes()
    p = cli("extract", "a.jsonl", output, "./a.jsonl", "--no-cache", cwd=tmp_path)
    assert p.returncode == 2 and p.stderr == "citycoop extract: ./a.jsonl is an input: write the output to another file\n"
    assert export.read_bytes() == before and sorted(x.name for x in tmp_path.iterdir()) == ["a.jsonl"]


@pytest.mark.parametrize("output", ["out.jsonl", "out.csv", "out.parquet", "out_data/"])
def test_what_a_run_writes_among_its_inputs_is_never_read_as_input(tmp_path, output):
    """-o inside the input folder, with its rejects and counts beside it, and the record cache
    there too: the next runs read the same articles, whatever output they write."""
    corpus = _small_corpus(tmp_path / "corpus", 3)
    (corpus / "rows.jsonl").write_text(jsonl_line(1) + "\n{broken\n", encoding="utf-8")
    cache = corpus / "cache"
    first = cli("extract", corpus, "-o", f"{corpus}/{output}", "--rejects", corpus / "rejects.jsonl",
                "--cache", cache, "-q")
    assert first.returncode == 0, first.stderr
    read_as_before = "citycoop: files read 4, articles 5, records 4, duplicates 2 (near 0), rejects 1 (malformed_jsonl 1)"
    assert first.stderr.startswith(read_as_before)
    # The same output and rejects again: neither is read.
    p = cli("extract", corpus, "-o", f"{corpus}/{output}", "--rejects", corpus / "rejects.jsonl",
            "--cache", cache, "-q")
    assert p.returncode == 0 and p.stderr.startswith(read_as_before), p.stderr
    # Another output: a JSONL or CSV of records, or of rejects, under a name of the user's is
    # a reject of its own (citycoop_output), never articles; the rest is never looked at.
    for again in (["-o", tmp_path / "elsewhere.jsonl", "--cache", cache], ["--no-cache"]):
        p = cli("extract", corpus, *again)
        assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr
        last = p.stderr.strip().splitlines()[-1]
        named = (output, "rejects.jsonl") if output.endswith((".jsonl", ".csv")) else ("rejects.jsonl",)
        assert f"files read {4 + len(named)}, articles {5 + len(named)}, records 4, duplicates 2" in last, p.stderr
        assert f"citycoop_output {len(named)}, malformed_jsonl 1)" in last, p.stderr
        for name in named:
            assert f"rejected {corpus / name}: citycoop_output" in p.stderr


def test_folders_behind_links_are_read_once_and_a_pipe_named_as_path_is_a_reject(tmp_path):
    """A linked folder was skipped without a word, and a named pipe given as PATH too: the link
    is followed (a link back up is a reject, not a loop), the pipe is a reject, never opened."""
    corpus = _small_corpus(tmp_path / "corpus", 2)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "linked.jsonl").write_text(jsonl_line(1) + "\n", encoding="utf-8")
    (corpus / "more").symlink_to(elsewhere)
    (elsewhere / "back").symlink_to(corpus)  # a loop: corpus/more/back is corpus
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    rejects_file = tmp_path / "rejects.jsonl"
    p = cli("extract", corpus, pipe, "--no-cache", "--rejects", rejects_file, "-j", "1", timeout=120)
    records, rejects = records_and_rejects(p, rejects_file)
    assert sorted(r["id"] for r in records) == ["corpus/00.txt", "corpus/01.txt", "corpus/more/linked.jsonl#1"]
    assert [(r["source"].removeprefix(str(tmp_path) + "/"), r["reason"]) for r in rejects] == [
        ("corpus/more/back", "unreadable"), ("pipe.txt", "not_a_file")]
    assert rejects[0]["detail"].startswith("a link to a folder already read")


def test_a_folder_that_cannot_be_listed_is_a_reject_and_the_others_are_read(tmp_path):
    """os.walk passes over a folder it cannot list without a word (here its listing fails as
    it would without permission: the tests may run as root, who can list any folder)."""
    corpus = _small_corpus(tmp_path / "corpus", 2)
    (corpus / "locked").mkdir()
    (corpus / "locked" / "x.txt").write_bytes(seed_text())
    (corpus / "open").mkdir()
    (corpus / "open" / "y.txt").write_bytes(seed_text())
    script = ("import os, sys\nfrom citycoop import cli\nreal = os.scandir\n"
              "def scandir(path='.'):\n"
              "    if str(path).endswith('locked'):\n"
              "        raise PermissionError(13, 'Permission denied', str(path))\n"
              "    return real(path)\n"
              "os.scandir = scandir\nsys.exit(cli.main(sys.argv[1:]))\n")
    rejects_file = tmp_path / "rejects.jsonl"
    p = subprocess.run([sys.executable, "-c", script, "extract", corpus, "--no-cache", "--rejects", rejects_file],
                       cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT / "src")}, capture_output=True,
                       text=True)
    records, rejects = records_and_rejects(p, rejects_file)
    assert sorted(r["id"] for r in records) == ["00.txt", "01.txt", "open/y.txt"]
    assert rejects == [{"source": "corpus/locked", "reason": "unreadable",
                        "detail": "folder cannot be read: permission denied"}]
    assert "rejected corpus/locked: unreadable (folder cannot be read: permission denied)" in p.stderr


def test_a_folder_nested_1100_deep_and_an_ignore_file_not_in_utf8_are_read(tmp_path):
    """Discovery had recursed once per level (RecursionError past about 1 000) and read
    .citycoopignore as strict UTF-8 (UnicodeDecodeError): tracebacks, and no run."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    deep = corpus
    for _ in range(1100):  # os.makedirs and shutil.rmtree recurse too: one level at a time
        deep = deep / "d"
        deep.mkdir()
    (deep / "deep.txt").write_bytes(seed_text())
    (corpus / "top.txt").write_bytes(seed_text())
    (corpus / "skip.txt").write_bytes(seed_text())
    (corpus / ".citycoopignore").write_bytes(b"# r\xe9sum\xe9 of what to skip\nskip.txt\n")
    p = cli("extract", corpus, "--no-cache", "-q", "-j", "1")
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr[-2000:]
    ids = [json.loads(x)["id"] for x in p.stdout.splitlines()]
    assert ids == ["top.txt", "d/" * 1100 + "deep.txt"] and "ignored 1" in p.stderr
    (deep / "deep.txt").unlink()
    while deep != corpus:
        deep.rmdir()
        deep = deep.parent


# ---------------------------------------------------------------- messages, not tracebacks
def _slowed(command: str) -> str:
    """A script running the real command with its work slowed down, so it is surely stopped
    while it works (extract: in the workers' tasks; report: in the notebooks)."""
    # Ctrl-C as at a terminal, whatever this test's parent ignores (a shell's background job
    # starts with SIGINT ignored, and Python then installs no handler of its own).
    return ("import signal, sys, time\nsignal.signal(signal.SIGINT, signal.default_int_handler)\n"
            "from citycoop import cli\nfrom citycoop.pipeline import scheduler\nfrom citycoop.report import build\n"
            "real = scheduler.process_batch\n"
            "def slow(*a, **k):\n    time.sleep(60)\n    return real(*a, **k)\n"
            "scheduler.process_batch = slow\n"
            "def _run_job(*a, **k):\n    time.sleep(60)\n"
            "build._run_job = _run_job\n"
            "sys.exit(cli.main(sys.argv[1:]))\n")


@pytest.mark.parametrize("command", [["extract", "-j", "2", "-o", "out.jsonl"], ["extract", "-j", "1", "-o", "out.parquet"],
                                     ["report", "--jobs", "2", "--out", "out"]])
def test_ctrl_c_prints_one_line_exits_130_and_leaves_the_outputs_as_they_were(tmp_path, command):
    import signal

    corpus = _small_corpus(tmp_path / "corpus", 4)
    out = tmp_path / command[-1]
    before = {}
    if command[0] == "extract":
        out.write_text("the last good output\n")
        before[out] = out.read_bytes()
    run = subprocess.Popen([sys.executable, "-c", _slowed(command[0]), command[0], corpus, *command[1:],
                            "--no-cache", "-q"], cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        for _ in range(600):  # working: in its workers, or past the extraction of a report
            if ((command[0] == "extract" and (_children(run.pid) or (tmp_path / f".{out.name}.lock").exists()))
                    or (tmp_path / "out/data/corpus.parquet").exists()):
                break
            subprocess.run(["sleep", "0.1"])
        subprocess.run(["sleep", "3"])  # the work under way
        os.killpg(run.pid, signal.SIGINT)  # as a terminal's Ctrl-C: to the whole process group
        _, stderr = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert run.returncode == 130, stderr
    assert stderr.strip() == f"citycoop {command[0]}: stopped (Ctrl-C); outputs left as they were"
    for path, data in before.items():
        assert path.read_bytes() == data
    assert not [p.name for p in tmp_path.iterdir() if ".writing-" in p.name]


def test_a_mistake_in_a_settings_file_is_one_line_before_anything_runs(tmp_path):
    """--topics with bad YAML or an invalid id, --rules naming a CSV (BrokenProcessPool with
    -j2), --meta without an id column or not a CSV: one line naming the file, exit 2, no output."""
    bad_yaml = tmp_path / "topics.yml"
    bad_yaml.write_text("topics:\n  metro: [unclosed\n", encoding="utf-8")
    hyphen = tmp_path / "hyphen.yml"
    hyphen.write_text("topics:\n  cross-border:\n    label: Biên giới\n    terms: [cửa khẩu]\n", encoding="utf-8")
    rules = tmp_path / "rules.csv"
    rules.write_text("pattern,kind\nQuảng cáo,drop\n", encoding="utf-8")
    no_id = tmp_path / "meta.csv"
    no_id.write_text("file,published\n000.txt,2024-05-04\n", encoding="utf-8")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("id,published\n000.txt,2024-05-04,extra\n", encoding="utf-8")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"id,published\n\xff\xfe\x00\x01\n")
    cases = [(["--topics", bad_yaml], f"--topics {bad_yaml}: not a topic taxonomy ("),
             (["--topics", hyphen], f"--topics {hyphen}: not a topic taxonomy (topic id 'cross-border' is not valid"),
             (["--rules", rules], f"--rules {rules}: not boilerplate rules ("),
             (["--meta", no_id], f"--meta {no_id}: no 'id' column (its first row names 'file', 'published')"),
             (["--meta", ragged], f"--meta {ragged}: line 2: 3 fields where the header names 2"),
             (["--meta", binary], f"--meta {binary}: not UTF-8 (byte ")]
    for args, message in cases:
        for command in (["extract", "-j", "2", "-o", tmp_path / "out.jsonl"], ["report", "--out", tmp_path / "rep"]):
            p = cli(*command, "seeds", *args, "--no-cache", "-q")
            assert p.returncode == 2 and "Traceback" not in p.stderr, p.stderr[-3000:]
            assert p.stderr.startswith(f"citycoop {command[0]}: {message}") and p.stderr.count("\n") == 1, p.stderr
    assert not (tmp_path / "out.jsonl").exists() and not (tmp_path / "rep").exists()


def test_a_topic_id_that_is_not_a_python_name_no_longer_breaks_the_article_table():
    """The overview's article table read topic counts as attributes of itertuples rows, and a
    column such as topic_cross-border has none ('Pandas' object has no attribute …)."""
    import pandas as pd

    from citycoop.tables import article_table

    articles = pd.DataFrame({"id": ["a", "b"], "event_date": ["2024-05-04", "2024-05-05"],
                             "vn_localities_json": ["[]", "[]"], "partners_json": ["[]", "[]"],
                             "direction": ["inbound", "outbound"], "title": ["A", "B"], "url": [None, None],
                             "outlet": [None, None], "topic_cross-border": [2, 0], "topic_metro": [0, 1]})
    table = article_table(articles, ["cross-border", "metro"], {"cross-border": "Cross-border"})
    assert list(table["Topics"]) == ["Cross-border", "metro"]


def test_a_taxonomy_id_that_names_no_column_is_refused_on_load(tmp_path):
    from citycoop.extract.topics import load_taxonomy

    for tid in ("cross-border", "1st", "topic id"):
        spec = tmp_path / "t.yml"
        spec.write_text(f"topics:\n  '{tid}':\n    terms: [cửa khẩu]\n", encoding="utf-8")
        with pytest.raises(ValueError, match=f"topic id '{tid}' is not valid: use letters, digits and _ only"):
            load_taxonomy(spec)
    spec.write_text("topics:\n  cross_border:\n    terms: [cửa khẩu]\n", encoding="utf-8")
    assert load_taxonomy(spec).ids == ["cross_border"]


# ---------------------------------------------------------------- smaller
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_text_that_is_not_a_string_and_an_unclosed_csv_quote_are_rejects_of_their_rows(tmp_path, jobs):
    rows = [jsonl_line(1), json.dumps({"title": "x", "text": {"body": "Hà Nội"}}), json.dumps({"text": ["a", "b"]}),
            json.dumps({"text": True}), json.dumps({**article(5), "title": {"vi": "x"}}, ensure_ascii=False)]
    (tmp_path / "rows.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "rows.csv").write_text(
        f'title,text\na,"{article(1)["text"]}"\nb,"{article(2)["text"]}\nc,{article(3)["text"].replace(",", "")}\n'
        f'd,"{article(4)["text"]}"\ne,"{article(6)["text"]}"\n', encoding="utf-8")
    rejects_file = tmp_path / "rejects.jsonl"
    p = cli("extract", tmp_path / "rows.jsonl", tmp_path / "rows.csv", "--no-cache", "-j", jobs,
            "--rejects", rejects_file)
    records, rejects = records_and_rejects(p, rejects_file)
    assert [r["id"] for r in records] == ["rows.jsonl#1", "rows.jsonl#5", "rows.csv#1", "rows.csv#3"]
    assert records[1]["title"] is None or "{" not in records[1]["title"]
    assert [(r["source"].rsplit("/")[-1], r["reason"], r["detail"]) for r in rejects[:3]] == [
        ("rows.jsonl#2", "no_text_field", "row 2: 'text' is an object, not a string"),
        ("rows.jsonl#3", "no_text_field", "row 3: 'text' is a list, not a string"),
        ("rows.jsonl#4", "no_text_field", "row 4: 'text' is a boolean, not a string")]
    [quote] = rejects[3:]
    assert quote["source"].endswith("rows.csv#2") and quote["reason"] == "malformed_csv"
    assert "a quote left open" in quote["detail"]


def test_lxml_html_clean_is_a_dependency_of_its_own():
    """justext asks for lxml[html_clean], an extra older pips do not install for a dependency
    of a dependency: named directly, `pip install -e .` installs it with any pip."""
    import tomllib

    import yaml

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(d.startswith("lxml_html_clean") for d in deps)
    env = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    assert any(isinstance(d, str) and d.startswith("lxml_html_clean") for d in env)


# ---------------------------------------------------------------- all at once
def _corpus_of_every_fault(tmp_path):
    """Good files among every kind of bad input above; returns the corpus, the extra PATH (a
    named pipe), and what each input must become: record ids, and reject (source, reason)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("good1.txt", "good2.txt", "skip1.txt"):
        (corpus / name).write_bytes(seed_text())
    (corpus / ".citycoopignore").write_bytes(b"# caf\xe9: files to skip\nskip*.txt\n")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(b"\x00\x01PK\x03\x04" * 10)
    (corpus / "stray.txt").write_bytes(with_stray_quotes("Hà Nội đón đoàn Quảng Tây\n\n" + QUOTED))
    with open(bytes(corpus) + b"/b\xe1o.txt", "wb") as fh:
        fh.write(seed_text())
    legacy = "Lạng Sơn tiếp đoàn Quảng Tây lần 6, bàn về thương mại và du lịch qua cửa khẩu Hữu Nghị."
    (corpus / "export.jsonl").write_bytes(b"\n".join([
        jsonl_line(1).encode(), b'{"text": ' + b"9" * 5000 + b"}", b"[" * 100_000 + b"]" * 100_000,
        json.dumps({"text": {"body": "Hà Nội"}}).encode(), b"{broken",
        cp1258(json.dumps({"text": legacy}, ensure_ascii=False)),
        with_stray_quotes(json.dumps({"text": QUOTED.replace("Hà Nội", "Cao Bằng")}, ensure_ascii=False)),
        b'{"text": "' + bytes(range(0x80, 0xA0)) + b'"}']) + b"\n")
    (corpus / "export.csv").write_text(
        f'title,text\na,"{article(11)["text"]}"\nb,"{article(12)["text"]}\nc,plain words\n'
        f'd,"{article(14)["text"]}"\ne,"{article(15, "Hải Phòng")["text"]}"\n', encoding="utf-8")
    (corpus / "old").mkdir()  # a previous run's output and rejects, left among the inputs
    (corpus / "old" / "out.jsonl").write_text(json.dumps({"id": "x", "content_hash": "0", "event_date_source": "none",
                                                          "text": "Hà Nội"}) + "\n", encoding="utf-8")
    (corpus / "old" / "run.rejects.jsonl").write_text('{"source": "a", "reason": "empty", "detail": ""}\n')
    os.mkfifo(corpus / "pipe.txt")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "more.txt").write_bytes(seed_text().replace(b"Qu\xe1\xba\xa3ng Ch\xc3\xa2u", b"Tr\xc3\xb9ng Kh\xc3\xa1nh"))
    (elsewhere / "back").symlink_to(corpus)
    (corpus / "linked").symlink_to(elsewhere)
    pipe = tmp_path / "pipe2.txt"
    os.mkfifo(pipe)
    records = {"corpus/good1.txt", "corpus/good2.txt", "corpus/stray.txt", "corpus/export.jsonl#1",
               "corpus/export.jsonl#6", "corpus/export.jsonl#7", "corpus/export.csv#1", "corpus/export.csv#3",
               "corpus/linked/more.txt"}
    rejects = {("corpus/empty.txt", "empty"), ("corpus/binary.txt", "binary"), ("corpus/b\\xe1o.txt", "unreadable"),
               ("corpus/export.jsonl#2", "malformed_jsonl"), ("corpus/export.jsonl#3", "malformed_jsonl"),
               ("corpus/export.jsonl#4", "no_text_field"), ("corpus/export.jsonl#5", "malformed_jsonl"),
               ("corpus/export.jsonl#8", "undecodable"), ("corpus/export.csv#2", "malformed_csv"),
               ("corpus/old/out.jsonl", "citycoop_output"), ("corpus/pipe.txt", "not_a_file"),
               ("corpus/linked/back", "unreadable"), ("pipe2.txt", "not_a_file")}
    return corpus, pipe, records, rejects


@pytest.mark.parametrize("engine", ["-j1", "-j2", "dask"])
def test_every_fault_at_once_every_input_is_a_record_or_a_reject(tmp_path, engine):
    """The corpus of every fault: records and rejects account for every file and row, the
    run ends with status 0 (bad input never stops a run) and no traceback, on each engine."""
    import pyarrow.parquet as pq

    corpus, pipe, want_records, want_rejects = _corpus_of_every_fault(tmp_path)
    rejects_file = tmp_path / "rejects.jsonl"
    if engine == "dask":
        args = ["--engine", "dask", "-o", f"{tmp_path}/out_data/"]
    else:
        args = ["-j", engine[2:], "-o", tmp_path / "out.jsonl"]
    p = cli("extract", "corpus", "pipe2.txt", *args, "--no-cache", "--rejects", rejects_file, cwd=tmp_path,
            timeout=600)
    assert p.returncode == 0, p.stderr[-3000:]
    assert "Traceback" not in p.stderr and "Error" not in p.stderr.replace("DecodeError", ""), p.stderr[-3000:]
    if engine == "dask":
        ids = pq.read_table(tmp_path / "out_data", columns=["id"]).column("id").to_pylist()
    else:
        ids = [json.loads(x)["id"] for x in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    rejects = [json.loads(x) for x in rejects_file.read_text(encoding="utf-8").splitlines()]
    assert sorted(ids) == sorted(want_records)
    assert sorted((r["source"], r["reason"]) for r in rejects) == sorted(want_rejects)
    assert all(r["detail"] for r in rejects)
    summary = p.stderr.strip().splitlines()[-1]
    # 13 files: 5 text files, the one not in UTF-8, 2 exports, the old output, the linked file,
    # the link back, the 2 pipes; ignored: skip1.txt and the old rejects
    assert (f"files read 13, articles {len(want_records) + len(want_rejects)}, "
            f"records {len(want_records)}") in summary and summary.endswith("ignored 2"), summary


DEEP_LEAD = ("Ngày 12/6/2024, đoàn đại biểu tỉnh Lạng Sơn do Chủ tịch UBND tỉnh dẫn đầu đã hội đàm với lãnh "
             "đạo Khu tự trị dân tộc Choang Quảng Tây (Trung Quốc) về hợp tác thương mại biên giới.")
DEEP_SECOND = ("Hai bên thống nhất đẩy mạnh du lịch qua cửa khẩu Hữu Nghị và nâng cao năng lực thông quan "
               "hàng hóa tại các cặp cửa khẩu trong năm 2024.")


@pytest.mark.parametrize("depth", [300, 10_000])
def test_a_page_nested_past_the_parsers_depth_limit_is_read_to_its_end(tmp_path, depth):
    """libxml2 stops reading a page 255 elements deep: 10 000 nested <div>s had lost the body
    and been rejected as "no body left after removing boilerplate", the wrong reason."""
    page = ("<!DOCTYPE html><html><head><title>Lạng Sơn hội đàm với Quảng Tây</title></head><body>"
            "<h1>Lạng Sơn hội đàm với Quảng Tây</h1>" + "<div class='wrap'>" * depth
            + f"<p>{DEEP_LEAD}</p><p>{DEEP_SECOND} &amp; hơn nữa</p><p>{DEEP_SECOND.replace('2024', '2025')}</p>"
            + "</div>" * depth + "</body></html>")
    (tmp_path / "deep.html").write_text(page, encoding="utf-8")
    p = cli("extract", tmp_path / "deep.html", "--no-cache", "-j", "1", timeout=300)
    assert p.returncode == 0 and "rejected" not in p.stderr and "Traceback" not in p.stderr, p.stderr
    [record] = [json.loads(x) for x in p.stdout.splitlines()]
    assert DEEP_LEAD in record["text"] and f"{DEEP_SECOND} & hơn nữa" in record["text"]
    assert "\n" in record["text"].split(DEEP_SECOND)[0]  # the paragraphs stay apart
    assert record["partners"][0]["name"] == "Guangxi"


# A disk that fills while citycoop writes: Arrow writes Parquet and the cache's segments in C++,
# so the script makes its writes fail as a full disk does (OSError ENOSPC).
FULL_DISK = """
import errno, io, os, sys
import pyarrow as pa
import pyarrow.parquet as pq
from citycoop import cli

def full(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

class FillingFile(io.RawIOBase):
    '''A file on a disk that is full after its first 2 000 bytes.'''
    def __init__(self, path):
        self.fh, self.written = open(path, "wb"), 0
    def writable(self):
        return True
    def write(self, data):
        self.written += len(data)
        if self.written > 2000:
            full()
        return self.fh.write(data)
    def close(self):
        self.fh.close()
        super().close()

if sys.argv[1] == "parquet":
    pq.ParquetWriter.write_table = full
else:
    real = pa.OSFile
    pa.OSFile = lambda path, mode="r": pa.PythonFile(FillingFile(path), mode="w") if "w" in mode else real(path, mode)
sys.exit(cli.main(sys.argv[2:]))
"""


@pytest.mark.parametrize("full,output", [("parquet", "out.parquet"), ("parquet", "out_data/"),
                                         ("cache", "out.jsonl"), ("cache", "out.parquet")])
def test_a_full_disk_leaves_no_half_written_file_and_the_last_output_as_it_was(tmp_path, full, output):
    """A Parquet output, or a cache segment, half-written when the disk filled had stayed as a
    dot file (.out.parquet.writing-…) or a .tmp segment."""
    corpus = _small_corpus(tmp_path / "corpus", 3)
    cache = tmp_path / "cache"
    good = cli("extract", corpus, "-o", f"{tmp_path}/{output}", "--no-cache", "-q")
    assert good.returncode == 0, good.stderr
    before = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*")
              if p.is_file() and not p.name.endswith(".lock")}  # a lock names the run holding it
    for n in range(4):  # a new article, so the run writes anew
        (corpus / f"new{n}.txt").write_bytes(seed_text().replace(b"2025", b"2024"))
    p = subprocess.run([sys.executable, "-c", FULL_DISK, full, "extract", corpus, "-o", f"{tmp_path}/{output}",
                        "--cache", cache, "-j", "1", "-q"], cwd=tmp_path, capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT / "src")}, timeout=300)
    assert p.returncode == 2 and "Traceback" not in p.stderr, p.stderr[-3000:]
    assert p.stderr == ("citycoop extract: No space left on device; outputs left as they were before this "
                        "run\n"), p.stderr
    left = sorted(str(x.relative_to(tmp_path)) for x in tmp_path.rglob("*")
                  if ".writing" in x.name or x.name.endswith(".tmp"))
    assert left == []
    after = {x.relative_to(tmp_path): x.read_bytes() for x in tmp_path.rglob("*") if x.is_file()
             and x.relative_to(tmp_path) in before}
    assert after == before  # the last good output, as it was
