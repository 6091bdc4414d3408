"""Files written whole or not at all."""
import pytest


def test_counts_and_pages_are_written_whole_or_not_at_all(tmp_path):
    """The counts beside a dataset and the report pages are replaced in one step: a write that
    fails half-way (here an unencodable character) leaves the previous file and no temporary."""
    from citycoop.fsio import write_text_whole

    path = tmp_path / "corpus.stats.json"
    write_text_whole(path, '{"files": 1}')
    assert path.read_text(encoding="utf-8") == '{"files": 1}'
    with pytest.raises(UnicodeEncodeError):
        write_text_whole(path, '{"files": 2, "note": "\ud800"}')
    assert path.read_text(encoding="utf-8") == '{"files": 1}'
    assert [p.name for p in tmp_path.iterdir()] == ["corpus.stats.json"]
