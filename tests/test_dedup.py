"""Duplicate detection: signatures, band keys, and the first-seen-wins index."""
import subprocess
import sys

import numpy as np

from citycoop import dedup

STORY = ("Sáng 24/10, Chủ tịch UBND thành phố Hà Nội tiếp đoàn đại biểu thành phố Trùng Khánh "
         "do Bí thư Thành ủy dẫn đầu. Hai bên trao đổi về hợp tác giao thông, logistics, du lịch "
         "và đường sắt đô thị, nhất trí thúc đẩy kết nối hàng hóa qua cửa khẩu.") * 3


def sig_with(base: bytes, changed: range) -> bytes:
    arr = np.frombuffer(base, np.uint32).copy()
    arr[list(changed)] ^= 0xFFFF
    return arr.tobytes()


def test_signature_is_deterministic_across_processes():
    code = "from citycoop import dedup; import sys; print(dedup.signature(sys.argv[1]).hex())"
    other = subprocess.run([sys.executable, "-c", code, STORY], capture_output=True, text=True, check=True)
    assert other.stdout.strip() == dedup.signature(STORY).hex()
    assert dedup.band_keys([dedup.signature(STORY)]) == dedup.band_keys([dedup.signature(STORY)])


def test_near_copy_is_similar_and_other_story_is_not():
    a = dedup.signature(STORY)
    near = dedup.signature(STORY.replace("du lịch", "du lịch biển", 1))
    other = dedup.signature("Lạng Sơn và Quảng Tây bàn về cửa khẩu Hữu Nghị. " * 5)
    assert dedup.similarity(a, near) >= 0.6
    assert dedup.similarity(a, other) < 0.2
    assert len(a) == dedup.SIGNATURE_BYTES and dedup.signature("") == bytes(dedup.SIGNATURE_BYTES)


def test_index_first_seen_wins_and_rejected_candidates_are_kept():
    base = dedup.signature(STORY)
    # shares band 0 with base (a candidate) but only 48/64 values: not a duplicate
    partial = sig_with(base, range(16, 32))
    close = sig_with(base, range(60, 64))  # 60/64 ≈ 0.94: a near duplicate
    index = dedup.DuplicateIndex()
    assert index.check("a", "00aa" * 6, base) == (None, False)
    assert index.check("b", "00bb" * 6, partial) == (None, False)  # verified, rejected, added
    assert index.check("c", "00cc" * 6, close) == ("a", True)
    assert index.check("d", "00aa" * 6, base) == ("a", False)  # exact copy
    assert index.check("e", "00ee" * 6, partial) == ("b", True)  # the added one is found
    # the same, in one batch
    batch = dedup.DuplicateIndex().check_many(list("abcde"), ["00aa" * 6, "00bb" * 6, "00cc" * 6, "00aa" * 6, "00ee" * 6],
                                              [base, partial, close, base, partial])
    assert batch == [(None, False), (None, False), ("a", True), ("a", False), ("b", True)]


def rows():
    base = dedup.signature(STORY)
    other = dedup.signature("Lạng Sơn và Quảng Tây bàn về cửa khẩu Hữu Nghị. " * 5)
    return [("a", "00aa" * 6, base), ("b", "00bb" * 6, sig_with(base, range(16, 32))),
            ("c", "00cc" * 6, sig_with(base, range(60, 64))), ("d", "00aa" * 6, base),
            ("e", "00ee" * 6, other), ("f", "00ff" * 6, sig_with(other, range(8, 12)))]


def probes():
    base, other = rows()[0][2], rows()[4][2]
    return [("p1", "01aa" * 6, sig_with(other, range(0, 3))), ("p2", "00cc" * 6, base),
            ("p3", "01bb" * 6, sig_with(base, range(16, 30))), ("p4", "01cc" * 6, dedup.signature("khác hẳn " * 9))]


def test_replay_and_merging_leave_the_index_check_would_have_left():
    data = rows()
    checked = dedup.DuplicateIndex()
    decisions = checked.check_many(*map(list, zip(*data)))
    assert [d[0] for d in decisions] == [None, None, "a", "a", None, "e"]
    replayed = dedup.DuplicateIndex()
    replayed.replay(*map(list, zip(*data[:2])), [False, False])
    replayed.replay(*map(list, zip(*data[2:])), [d[0] is not None for d in decisions[2:]])
    merged = dedup.DuplicateIndex()
    merged.MERGE_AT = 0  # fold the overlay into the arrays before every batch
    for row in data:
        merged.check_many(*map(list, zip(row)))
    expected = checked.check_many(*map(list, zip(*probes())))
    assert [d[0] for d in expected] == ["e", "c", "b", None]
    assert replayed.check_many(*map(list, zip(*probes()))) == expected
    assert merged.check_many(*map(list, zip(*probes()))) == expected


def test_signatures_read_back_from_the_file_decide_as_those_still_buffered(monkeypatch):
    data = rows()
    expected = dedup.DuplicateIndex()
    expected.check_many(*map(list, zip(*data)))
    monkeypatch.setattr(dedup.SignatureFile, "BLOCK", 1)  # every signature but the last is in the file
    written = dedup.DuplicateIndex()
    for row in data:
        written.check_many(*map(list, zip(row)))
    replayed = dedup.DuplicateIndex()
    replayed.replay(*map(list, zip(*data[:2])), [False, False])
    replayed.replay(*map(list, zip(*data[2:])), [True, True, False, True])
    # canonical rows a, b and e: checked one by one, the last waits in the buffer; replayed in
    # blocks, all three go straight to the file
    assert (written._sigs._written, replayed._sigs._written) == (2, 3)
    mixed = dedup.DuplicateIndex()  # checked rows still buffered when a block is replayed
    for row in data[:2]:
        mixed.check_many(*map(list, zip(row)))
    mixed.replay(*map(list, zip(*data[2:])), [True, True, False, True])
    decisions = expected.check_many(*map(list, zip(*probes())))
    assert written.check_many(*map(list, zip(*probes()))) == decisions
    assert replayed.check_many(*map(list, zip(*probes()))) == decisions
    assert mixed.check_many(*map(list, zip(*probes()))) == decisions


def test_the_signature_file_gives_every_row_back_whatever_the_order_of_writes_and_reads(monkeypatch):
    monkeypatch.setattr(dedup.SignatureFile, "BLOCK", 2)
    sigs = np.random.default_rng(7).integers(0, 2**32, size=(11, dedup.NUM_PERM), dtype=np.uint32)
    store = dedup.SignatureFile()
    for i in range(5):
        assert store.append(sigs[i]) == i
        assert (store.rows([0, i]) == sigs[[0, i]]).all()  # a read between writes
    store.extend(sigs[5:9])
    store.append(sigs[9])
    store.append(sigs[10])
    assert len(store) == 11
    assert (store.rows(list(range(10, -1, -1))) == sigs[::-1]).all()
