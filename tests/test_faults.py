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
    script = ("import sys, time\nfrom citycoop import cli, dataset\n"
              "real = dataset.process_batch\n"
              "def slow(*a, **k):\n    time.sleep(120)\n    return real(*a, **k)\n"
              "dataset.process_batch = slow\n"
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
