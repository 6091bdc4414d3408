"""A run's counts: its summary line, its counts file, and a run that extracted nothing."""
from collections import Counter

from citycoop.pipeline.chunks import RunStats


def test_the_summary_line_names_every_count_and_the_reasons_of_rejects():
    stats = RunStats(files=3, articles=5, records=4, duplicates=1, near_duplicates=1, rejects=1, ignored=2,
                     reject_reasons=Counter({"empty": 1}), output_parts=(1, 2))
    assert stats.summary() == ("files read 3, articles 5, records 4, duplicates 1 (near 1), rejects 1 (empty 1), "
                               "ignored 2")
    counts = stats.to_dict()
    assert "output_parts" not in counts and counts["reject_reasons"] == {"empty": 1}  # how it was written is not saved
    assert stats.nothing_extracted() is None


def test_a_run_that_made_no_record_from_its_files_says_why():
    assert RunStats().nothing_extracted() is None  # given no file
    assert RunStats(files=2).nothing_extracted() == "nothing extracted: no article in the 2 input files"
    why = RunStats(files=1, rejects=1, reject_reasons=Counter({"no_text_field": 1})).nothing_extracted()
    assert why.startswith("nothing extracted: no record from the 1 input file, 1 reject (no_text_field 1)")
    assert why.endswith("--field text=<column>")
