"""Finding the input files: ids, ignore files, dotfiles, files read once, missing paths."""
import pytest

from citycoop.load import discover
from load_samples import PAGE, VI, docs


def test_ids_are_unique_and_stable(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.txt").write_text(VI, encoding="utf-8")
    (tmp_path / "a" / "x.html").write_text(PAGE.format(date="", body=VI), encoding="utf-8")
    ids = [d.id for d in docs(tmp_path)]
    assert ids == ["a/x.html", "a/x.txt", "b/x.txt"] == [d.id for d in docs(tmp_path)]
    # two folders given: ids relative to their common parent, still unique
    assert [d.id for d in docs(tmp_path / "a", tmp_path / "b")] == ["a/x.html", "a/x.txt", "b/x.txt"]
    assert [d.id for d in docs(tmp_path / "b" / "x.txt")] == ["x.txt"]


def test_ignore_file_dotfiles_and_files_read_once(tmp_path):
    (tmp_path / "a.txt").write_text(VI, encoding="utf-8")
    (tmp_path / "labels.jsonl").write_text('{"doc": "a.txt"}\n', encoding="utf-8")
    (tmp_path / ".citycoopignore").write_text("# labels\nlabels.jsonl\n", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text(VI, encoding="utf-8")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "b.txt").write_text(VI, encoding="utf-8")
    stats = {}
    files = list(discover([tmp_path, tmp_path / "a.txt"], stats=stats))
    assert [f.id for f in files] == ["a.txt"] and stats["ignored"] == 1
    assert len(list(discover([tmp_path / "labels.jsonl"]))) == 1  # named explicitly: read


def test_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope"):
        docs(tmp_path / "nope")
