"""Exact and near-duplicate detection for syndicated stories.

Exact: the cleaned text's hash (case and spacing folded). Near: MinHash over word 5-shingles,
64 hash functions, with locality-sensitive hashing in 8 bands of 8 rows, and every candidate
verified by its estimated Jaccard similarity (≥ 0.9). P(found | J = 0.9) ≈ 0.99,
P(candidate | J = 0.5) ≈ 0.03.

Written with numpy instead of datasketch: datasketch hashes every shingle with SHA-1 in Python
and builds its permutations per object; here words are hashed with zlib.crc32, shingles
combined arithmetically, and the 64 hash functions are one vectorised multiply-shift
(no modulo). Measured on generated articles: 3.4 ms (datasketch) → 0.29 ms (numpy, mod-prime
permutations) → 0.16 ms per article (multiply-shift).

Signatures are raw bytes (64 × uint32) so they can sit in a Parquet column of the record cache;
band keys are computed for many signatures at once (``band_keys``) and are deterministic across
processes and runs (Python's ``hash`` of bytes is not).
"""
from __future__ import annotations

import zlib
from array import array

import numpy as np

NUM_PERM = 64
BANDS = 8
ROWS = NUM_PERM // BANDS
SHINGLE = 5
THRESHOLD = 0.9
SIGNATURE_BYTES = NUM_PERM * 4
_MASK32 = np.uint64(0xFFFFFFFF)
_SHIFT = np.uint64(32)
_rng = np.random.RandomState(20251123)  # fixed: signatures must match across runs and processes
# multiply-shift hashing: h(x) = ((a·x + b) mod 2^64) >> 32 with a odd — universal, no modulo
_A = (_rng.randint(1, 1 << 62, size=NUM_PERM, dtype=np.int64).astype(np.uint64) << np.uint64(1)) | np.uint64(1)
_B = _rng.randint(0, 1 << 62, size=NUM_PERM, dtype=np.int64).astype(np.uint64)
_BAND_MULT = np.array([0x9E3779B97F4A7C15 ** (i + 1) % (1 << 64) for i in range(ROWS)], dtype=np.uint64)
_EMPTY = bytes(SIGNATURE_BYTES)
_MIN_EQUAL = THRESHOLD * NUM_PERM  # equal positions for an estimated Jaccard ≥ THRESHOLD


def signature(text: str) -> bytes:
    """MinHash signature of the text's word 5-shingles: 64 × uint32 as 256 raw bytes."""
    words = text.casefold().encode().split()
    if not words:
        return _EMPTY
    h = np.array(list(map(zlib.crc32, words)), dtype=np.uint64)
    n = max(1, len(h) - SHINGLE + 1)
    # shingle hash = Σ h[i+k]·31^k (mod 2^32): a rolling combination of the words' hashes
    sh = np.zeros(n, dtype=np.uint64)
    for k in range(min(SHINGLE, len(h))):
        sh = (sh * np.uint64(31) + h[k:k + n]) & _MASK32
    sh = np.unique(sh)
    return ((sh[:, None] * _A[None, :] + _B[None, :]) >> _SHIFT).min(axis=0).astype(np.uint32).tobytes()


def band_keys(signatures: list[bytes]) -> list[list[int]]:
    """The 8 LSH band keys of each signature (one vectorised pass over a batch)."""
    return _band_key_array(signatures).tolist()


def _band_key_array(signatures: list[bytes]) -> np.ndarray:
    if not signatures:
        return np.empty((0, BANDS), dtype=np.uint64)
    sig = np.frombuffer(b"".join(signatures), dtype=np.uint32).astype(np.uint64)
    sig = sig.reshape(len(signatures), BANDS, ROWS)
    keys = sig[:, :, 0] * _BAND_MULT[0]  # Σ value·mult mod 2^64, as 8 slice operations: a
    for r in range(1, ROWS):  # numpy sum over a last axis of 8 was 10× slower
        keys += sig[:, :, r] * _BAND_MULT[r]
    return (keys >> np.uint64(3) << np.uint64(3)) | np.arange(BANDS, dtype=np.uint64)  # band in low bits


def _exact_keys(hashes: list[str]) -> list[int]:
    """The exact-duplicate key of each content hash: its first 64 bits."""
    return np.frombuffer(bytes.fromhex("".join(h[:16] for h in hashes)), ">u8").tolist()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return np.count_nonzero(np.frombuffer(a, np.uint32) == np.frombuffer(b, np.uint32)) / NUM_PERM


class DuplicateIndex:
    """First-seen wins: ``check`` returns (id of the earlier copy or None, near?).

    Kept lean because it is the one structure of a run that grows with the corpus: exact
    hashes as 64-bit ints, one dict entry per band key of each distinct story, signatures in
    one numpy array (candidates compared in one vectorised step) — under 1 KB per distinct
    article.
    """

    def __init__(self) -> None:
        self._exact: dict[int, str] = {}
        self._bands: dict[int, int] = {}
        self._ids: list[str] = []
        self._sigs = np.empty((1024, NUM_PERM), dtype=np.uint32)

    def check(self, doc_id: str, content_hash: str, sig: bytes, keys: list[int]) -> tuple[str | None, bool]:
        exact_key = int(content_hash[:16], 16)
        first = self._exact.get(exact_key)
        if first is not None:
            return first, False
        self._exact[exact_key] = doc_id
        bands = self._bands
        cands = [bands[k] for k in keys if k in bands]
        mine = np.frombuffer(sig, np.uint32)
        if cands:
            if len(cands) > 1:
                cands = sorted(set(cands))
            # one vectorised comparison for all candidates (numpy calls cost more than the math)
            for cand, same in zip(cands, (self._sigs[cands] == mine).sum(axis=1).tolist()):
                if same >= _MIN_EQUAL:
                    return self._ids[cand], True
        self._add(doc_id, mine, keys)
        return None, False

    def _add(self, doc_id: str, sig: np.ndarray, keys: list[int]) -> None:
        n = len(self._ids)
        if n == len(self._sigs):
            self._sigs = np.concatenate([self._sigs, np.empty_like(self._sigs)])
        self._sigs[n] = sig
        self._ids.append(doc_id)
        setdefault = self._bands.setdefault
        for k in keys:
            setdefault(k, n)

    def replay(self, ids: list[str], hashes: list[str], sigs: list[bytes], is_dup: list[bool]) -> None:
        """Index rows whose decisions are already known (from the cache): the state ``check``
        would have left, built with C-level dict operations (≈ 1 µs per row, against ≈ 20 µs
        per row for ``check`` on a corpus of near-identical templates)."""
        exact_keys = _exact_keys(hashes)
        first_in_rows = dict(zip(reversed(exact_keys), reversed(ids)))  # earliest row wins
        exact = self._exact  # (not `keys() - keys()`: that walks the whole index every time)
        exact.update({k: v for k, v in first_in_rows.items() if k not in exact})
        keep = [i for i, dup in enumerate(is_dup) if not dup]
        if not keep:
            return
        n = len(self._ids)
        need = n + len(keep)
        if need > len(self._sigs):
            grown = np.empty((max(need, 2 * len(self._sigs)), NUM_PERM), dtype=np.uint32)
            grown[:n] = self._sigs[:n]
            self._sigs = grown
        kept_sigs = [sigs[i] for i in keep]
        self._sigs[n:need] = np.frombuffer(b"".join(kept_sigs), np.uint32).reshape(-1, NUM_PERM)
        self._ids.extend(ids[i] for i in keep)
        keys = _band_key_array(kept_sigs).ravel()[::-1].tolist()
        numbers = np.repeat(np.arange(n, need), BANDS)[::-1].tolist()
        first_holder = dict(zip(keys, numbers))  # reversed: the earliest row wins
        bands = self._bands
        bands.update({k: v for k, v in first_holder.items() if k not in bands})
