"""``report.build``: `citycoop report` end to end — the pages planned and made, a failing page alone,
pages made again only when what they are made from changed, the folder's lock and record, and
the kernel kept from page to page."""
import subprocess
import sys

import pytest

from conftest import ROOT, run_report

pytestmark = pytest.mark.slow


def test_seed_reports_are_all_there_with_predictable_names(seed_reports):
    out, p = seed_reports
    names = sorted(f.name for f in out.glob("*.html"))
    assert names[:2] == ["corpus_overview.html", "index.html"] and "review.html" in names
    partners = {n for n in names if n.startswith("partner_")}
    assert partners == {"partner_Chongqing.html", "partner_Guangzhou.html", "partner_Shanghai.html",
                        "partner_Xinjiang.html"}
    topics = {n for n in names if n.startswith("topic_")}
    assert {"topic_metro.html", "topic_transport.html", "topic_logistics.html", "topic_tourism.html"} <= topics
    for html in out.glob("*.html"):
        if html.name != "index.html":
            assert (out / html.name.replace(".html", ".ipynb")).exists()
    assert p.stdout.strip() == str(out / "index.html")


def test_topics_no_article_mentions_get_a_line_not_a_page(tmp_path):
    """A corpus of one article about Chongqing speaks of no metro, health or border: no page of
    empty charts for those topics, one line in the index naming them."""
    from citycoop.report import build, views
    from citycoop.report.html import write_index

    seed = ROOT / "seeds" / "000_77aec2281c3530ce.txt"
    view = views.corpus_view([seed])
    jobs = build.plan_jobs(view, str(seed), None, None, None)
    names = {j.name for j in jobs}
    assert {"topic_transport", "topic_trade"} <= names
    assert not names & {"topic_metro", "topic_health", "topic_border", "topic_agriculture"}
    no_page = build.topics_without_page(view)
    index = write_index(tmp_path, jobs, {j.name: (None, 1) for j in jobs}, view.stats, no_page)
    text = index.read_text(encoding="utf-8")
    line = text.split("No article mentions")[1].split("</p>")[0]
    assert "Metro &amp; urban rail" in line and "Health" in line
    assert 'href="topic_metro.html"' not in text and 'href="topic_trade.html"' in text
    # asked for by name, a topic nobody mentions still gets its page
    asked = build.plan_jobs(view, str(seed), None, ["metro"], None)
    assert "topic_metro" in {j.name for j in asked}


def test_failing_notebook_is_named_and_others_still_written(tmp_path):
    p = run_report([ROOT / "seeds"], tmp_path, "--partner", "Atlantis", "--partner", "Shanghai",
                   "--topic", "metro")
    assert p.returncode == 1
    assert "partner_Atlantis" in p.stderr and "cell" in p.stderr and "unknown partner 'Atlantis'" in p.stderr
    assert (tmp_path / "partner_Shanghai.html").exists() and (tmp_path / "corpus_overview.html").exists()
    assert "failed" in (tmp_path / "index.html").read_text(encoding="utf-8")
    again = run_report([ROOT / "seeds"], tmp_path, "--partner", "Atlantis", "--partner", "Shanghai",
                       "--topic", "metro")  # a failed page is run again; the others are up to date
    assert again.returncode == 1 and "unknown partner 'Atlantis'" in again.stderr
    assert "citycoop report: 5 pages: 1 run (1 failed), 4 up to date" in again.stderr


def test_the_index_lists_every_page_in_the_folder(tmp_path):
    """A run limited to some pages keeps the index whole; a failed page is listed as failed and
    its page replaced, and a full run then removes it with the record of it."""
    whole = run_report([ROOT / "seeds"], tmp_path)
    assert whole.returncode == 0, whole.stderr
    pages = sorted(f.name for f in tmp_path.glob("*.html") if f.name != "index.html")
    limited = run_report([ROOT / "seeds"], tmp_path, "--partner", "Atlantis", "--topic", "metro")
    assert limited.returncode == 1
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    for name in pages + ["partner_Atlantis.html"]:
        assert f'href="{name}"' in index, name
    assert index.count("failed") == 1 and "unknown partner" in index
    assert "Trùng Khánh (Chongqing)" in index  # an earlier page keeps its summary
    again = run_report([ROOT / "seeds"], tmp_path)
    assert again.returncode == 0, again.stderr
    assert "removed (no longer in the data: partner_Atlantis)" in again.stderr
    assert not (tmp_path / "partner_Atlantis.html").exists()
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Atlantis" not in index and "failed" not in index


def _page_times(out):
    return {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.suffix in (".html", ".ipynb")
            and p.name != "index.html"}


def test_a_page_is_run_again_only_when_what_it_is_made_from_changed(tmp_path):
    """As `make` would: the same data (even extracted again), notebook, parameters and code
    give the same page, so it is not run again; a changed corpus runs every page again, a new
    title only the overview, a deleted page only itself, and --force all of them."""
    import shutil

    corpus, out = tmp_path / "corpus", tmp_path / "reports"
    shutil.copytree(ROOT / "seeds", corpus)
    pages = ("--partner", "Chongqing", "--topic", "metro", "--jobs", "2")

    def report(*extra):
        p = run_report([corpus], out, *pages, *extra)  # --no-cache: the data are extracted each time
        assert p.returncode == 0, p.stderr
        return p.stderr.strip().splitlines()[-1]

    assert report() == "citycoop report: 4 pages: 4 run, 0 up to date"
    first = _page_times(out)
    assert len(first) == 8
    assert report() == "citycoop report: 4 pages: 0 run, 4 up to date"
    assert _page_times(out) == first
    assert 'href="partner_Chongqing.html"' in (out / "index.html").read_text(encoding="utf-8")

    (out / "partner_Chongqing.html").unlink()
    assert report("--title", "Another title") == "citycoop report: 4 pages: 2 run, 2 up to date"
    now = _page_times(out)
    assert [n for n in sorted(now) if now[n] != first[n]] == [
        "corpus_overview.html", "corpus_overview.ipynb", "partner_Chongqing.html", "partner_Chongqing.ipynb"]
    assert "Another title" in (out / "corpus_overview.html").read_text(encoding="utf-8")

    seed = next(corpus.glob("*.txt"))
    (corpus / "more.txt").write_text(seed.read_text(encoding="utf-8").replace("2024", "2023"), encoding="utf-8")
    assert report("--title", "Another title") == "citycoop report: 4 pages: 4 run, 0 up to date"
    assert report("--title", "Another title", "--force") == "citycoop report: 4 pages: 4 run, 0 up to date"


def test_a_second_report_into_the_same_folder_stops_with_a_clear_message(tmp_path):
    """While one `citycoop report` writes a folder, another into it stops at once and says
    which run holds it; into another folder it goes ahead."""
    import subprocess
    import sys

    out = tmp_path / "reports"
    holder = subprocess.Popen(  # stands for a long report run: holds the folder until stdin closes
        [sys.executable, "-c", "import sys; from pathlib import Path; from citycoop import dataset\n"
         f"out = Path({str(out)!r}); out.mkdir()\n"
         "with dataset.output_lock(out, out / '.citycoop.lock'):\n print('held', flush=True); sys.stdin.read()"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        busy = run_report([ROOT / "seeds"], out, "--overview-only")
        assert busy.returncode == 2 and busy.stderr.strip() == (
            f"citycoop report: {out} is being written by another citycoop run (pid {holder.pid}); "
            "wait for it to end, or write to another output")
        assert not list(out.glob("*.html")) and not (out / "data" / "corpus.parquet").exists()
        elsewhere = run_report([ROOT / "seeds"], tmp_path / "other", "--overview-only")
        assert elsewhere.returncode == 0, elsewhere.stderr
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def test_pages_a_killed_report_was_making_are_made_again(tmp_path):
    """A report killed while it runs notebooks leaves those pages unrecorded (their files may
    be half new), so the next run makes them again even if it asks for what the record held."""
    import json
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "reports"
    pages = ("--partner", "Chongqing", "--topic", "metro")
    assert run_report([ROOT / "seeds"], out, *pages).returncode == 0
    record = out / ".citycoop-pages.json"
    assert sorted(json.loads(record.read_text(encoding="utf-8"))["pages"]) == [
        "corpus_overview", "partner_Chongqing", "review", "topic_metro"]
    run = subprocess.Popen([sys.executable, "-m", "citycoop", "report", str(ROOT / "seeds"), "--out", str(out),
                            "--no-cache", "-q", *pages, "--title", "Another title"], cwd=ROOT,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while "corpus_overview" in json.loads(record.read_text(encoding="utf-8"))["pages"]:
        assert run.poll() is None and time.monotonic() < deadline, "the run ended before it was killed"
        time.sleep(0.01)
    run.send_signal(signal.SIGKILL)
    run.wait()
    again = run_report([ROOT / "seeds"], out, *pages)  # the first run's parameters
    assert again.returncode == 0, again.stderr
    assert again.stderr.strip().splitlines()[-1] == "citycoop report: 4 pages: 1 run, 3 up to date"


def test_pages_of_partners_no_longer_in_the_data_are_removed(tmp_path):
    """After a run that makes every page the data call for, the pages an earlier run made for
    a partner that is gone (its article deleted) are removed, so the folder holds no page the
    index does not list; a file citycoop did not make stays, and so do pages a narrower run
    (--partner) did not plan."""
    import shutil

    corpus, out = tmp_path / "corpus", tmp_path / "reports"
    shutil.copytree(ROOT / "seeds", corpus)
    topics = tmp_path / "topics.yml"  # one topic: few notebooks
    topics.write_text("version: 1\ntopics:\n  metro:\n    label: Metro\n    label_en: Urban metro lines\n"
                      "    terms: [metro, tàu điện ngầm, đường sắt đô thị]\n", encoding="utf-8")

    def report(*extra):
        p = run_report([corpus], out, "--topics", topics, "--jobs", "2", *extra)
        assert p.returncode == 0, p.stderr
        return p.stderr.strip().splitlines()[-1]

    assert report() == "citycoop report: 7 pages: 7 run, 0 up to date"
    assert (out / "partner_Shanghai.html").exists()
    assert "Urban metro lines" in (out / "corpus_overview.html").read_text(encoding="utf-8")  # --topics
    (out / "notes.html").write_text("mine", encoding="utf-8")
    (corpus / "003_14a4a321f54585f3.txt").unlink()  # the Shanghai article
    assert report("--partner", "Chongqing") == "citycoop report: 4 pages: 4 run, 0 up to date"
    assert (out / "partner_Shanghai.html").exists()  # not this run's business
    assert report() == ("citycoop report: 6 pages: 2 run, 4 up to date; "
                        "1 removed (no longer in the data: partner_Shanghai)")
    assert not (out / "partner_Shanghai.html").exists() and not (out / "partner_Shanghai.ipynb").exists()
    assert (out / "notes.html").read_text(encoding="utf-8") == "mine"
    pages = sorted(p.name for p in out.glob("*.html"))
    index = (out / "index.html").read_text(encoding="utf-8")
    assert [p for p in pages if p not in ("index.html", "notes.html") and f'href="{p}"' not in index] == []


def test_a_corpus_with_no_article_builds_no_page_and_fails_saying_why(tmp_path):
    """Every input rejected: the run says why each file was rejected and that nothing was
    extracted, builds no page of empty charts (#26: 17 of them, minutes, exit 0) and fails."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02")
    (corpus / "empty.txt").write_bytes(b"")
    out = tmp_path / "reports"
    p = subprocess.run([sys.executable, "-m", "citycoop", "report", str(corpus), "--out", str(out),
                        "--no-cache", "--overview-only"], cwd=tmp_path, capture_output=True, text=True)
    assert p.returncode == 1 and "Traceback" not in p.stderr, p.stderr
    lines = [line for line in p.stderr.replace("\r", "\n").splitlines() if line.startswith("citycoop")]
    assert lines == ["citycoop report: rejected corpus/binary.txt: binary (NUL bytes and no UTF-16/32 byte order mark)",
                     "citycoop report: rejected corpus/empty.txt: empty (file is empty)",
                     "citycoop report: extracted: files read 2, articles 2, records 0, duplicates 0 (near 0), "
                     "rejects 2 (binary 1, empty 1)",
                     "citycoop report: no pages built: nothing extracted: no record from the 2 input files, "
                     "2 rejects (binary 1, empty 1)"]
    assert p.stdout == ""  # no index to open
    # -q: the counts and the reason, not each reject
    quiet = run_report([corpus], out, "--overview-only")
    assert quiet.returncode == 1 and quiet.stderr.splitlines() == lines[2:]
    assert not list(out.glob("*.html"))


PROBE = '''import json, os, sys, warnings
import probe_module
probe_module.warn()  # from a module: its registry would silence it on a second page
print(json.dumps({"pid": os.getpid(), "cwd": os.getcwd(), "leaked": "leaked" in globals(),
                  "environ": os.environ.get("CITYCOOP_PROBE"), "path": "/nowhere" in sys.path}))
if action == "leak":
    leaked = 1
    os.environ["CITYCOOP_PROBE"] = "1"
    sys.path.append("/nowhere")
    warnings.simplefilter("ignore")
    os.chdir("/")
elif action == "fail":
    raise ValueError("the probe fails")
elif action == "die":
    os._exit(1)
elif action == "break":  # the kernel can no longer be reset
    import citycoop.kernel_state
    citycoop.kernel_state.restore = None'''


def _probe(out, nb_dir, name, action):
    """Run the probe notebook as a report page (``build._run_job``); its error and its stdout."""
    import json

    import nbformat

    from citycoop.report import build

    _, error, _ = build._run_job(build.Job(name, "probe", {"action": action}), str(out), str(nb_dir))
    nb = nbformat.read(out / f"{name}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    streams = [o for o in code[-1].get("outputs", []) if o.output_type == "stream"]
    stdout = "".join(o.text for o in streams if o.name == "stdout")
    state = json.loads(stdout) if stdout.strip() else None
    return error, state, {"counts": [c.execution_count for c in code],
                          "warned": any("from a module" in o.text for o in streams if o.name == "stderr")}


def test_pages_share_a_kernel_that_is_reset_between_them(tmp_path):
    """The report's papermill engine keeps its kernel from page to page: each page sees it as a
    new one (no variable, working folder, environment, sys.path or warning filter of the last
    page; execution counts from 1; a warning shown again), a failing page fails alone, a page
    whose kernel dies is listed with the error while the next one gets a new kernel, and a
    kernel that cannot be reset is replaced."""
    import os
    import time

    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from citycoop import kernels

    nb_dir, out = tmp_path / "notebooks", tmp_path / "out"
    nb_dir.mkdir()
    out.mkdir()
    (nb_dir / "probe_module.py").write_text(
        "import warnings\n\ndef warn():\n    warnings.warn('from a module')\n", encoding="utf-8")
    params = new_code_cell('action = "look"')
    params.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[params, new_code_cell(PROBE)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, nb_dir / "probe.ipynb")
    try:
        err, first, seen = _probe(out, nb_dir, "first", "look")
        assert err is None and seen["warned"] and seen["counts"] == [1, 2, 3]
        assert first == {"pid": first["pid"], "cwd": str(nb_dir), "leaked": False, "environ": None, "path": False}
        err, state, seen = _probe(out, nb_dir, "leaks", "leak")
        assert err is None and state == first and seen["counts"] == [1, 2, 3] and seen["warned"]
        err, state, seen = _probe(out, nb_dir, "second", "fail")
        assert state == first and seen["counts"] == [1, 2, 3] and seen["warned"]  # the same kernel, as new
        assert "second (probe.ipynb, parameters {'action': 'fail'}): cell 3: ValueError: the probe fails" == err
        err, _, _ = _probe(out, nb_dir, "third", "die")
        assert err.startswith("third (probe.ipynb): DeadKernelError"), err
        err, state, seen = _probe(out, nb_dir, "fourth", "break")
        assert err is None and seen["counts"] == [1, 2, 3] and seen["warned"]
        assert state["pid"] != first["pid"] and state == {**first, "pid": state["pid"]}
        err, again, seen = _probe(out, nb_dir, "fifth", "look")  # not reset: replaced
        assert err is None and seen["counts"] == [1, 2, 3] and seen["warned"]
        assert again["pid"] != state["pid"] and again == {**first, "pid": again["pid"]}
        last = again["pid"]
    finally:
        kernels.shutdown()
    deadline = time.monotonic() + 10
    while True:  # shut down with the run
        try:
            os.kill(last, 0)
        except ProcessLookupError:
            break
        assert time.monotonic() < deadline, "the kept kernel outlived its run"
        time.sleep(0.1)
