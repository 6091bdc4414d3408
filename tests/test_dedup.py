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
    sigs = [base, partial, close, base]
    keys = dedup.band_keys(sigs)
    index = dedup.DuplicateIndex()
    assert index.check("a", "00aa" * 6, base, keys[0]) == (None, False)
    assert index.check("b", "00bb" * 6, partial, keys[1]) == (None, False)  # verified, rejected, added
    assert index.check("c", "00cc" * 6, close, keys[2]) == ("a", True)
    assert index.check("d", "00aa" * 6, base, keys[3]) == ("a", False)  # exact copy
    assert index.check("e", "00ee" * 6, partial, keys[1]) == ("b", True)  # the added one is found


def test_replay_leaves_the_index_check_would_have_left():
    base = dedup.signature(STORY)
    other = dedup.signature("Lạng Sơn và Quảng Tây bàn về cửa khẩu Hữu Nghị. " * 5)
    rows = [("a", "00aa" * 6, base), ("b", "00bb" * 6, sig_with(base, range(16, 32))),
            ("c", "00cc" * 6, sig_with(base, range(60, 64))), ("d", "00aa" * 6, base),
            ("e", "00ee" * 6, other)]
    checked = dedup.DuplicateIndex()
    decisions = [checked.check(i, h, s, k)[0] for (i, h, s), k in zip(rows, dedup.band_keys([r[2] for r in rows]))]
    assert decisions == [None, None, "a", "a", None]
    replayed = dedup.DuplicateIndex()
    replayed.replay([r[0] for r in rows[:2]], [r[1] for r in rows[:2]], [r[2] for r in rows[:2]], [False, False])
    replayed.replay([r[0] for r in rows[2:]], [r[1] for r in rows[2:]], [r[2] for r in rows[2:]],
                    [d is not None for d in decisions[2:]])
    assert replayed._exact == checked._exact and replayed._bands == checked._bands
    assert replayed._ids == checked._ids
    assert (replayed._sigs[:3] == checked._sigs[:3]).all()
    probe = sig_with(other, range(0, 3))
    keys = dedup.band_keys([probe])[0]
    assert replayed.check("f", "00ff" * 6, probe, keys) == checked.check("f", "00ff" * 6, probe, keys) == ("e", True)
