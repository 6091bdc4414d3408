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

import tempfile
import zlib

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
_HOLDER = np.int32  # a key's first row or canonical number: 4 bytes hold 2 billion stories
_MIN_EQUAL = THRESHOLD * NUM_PERM  # equal positions for an estimated Jaccard ≥ THRESHOLD
_SHINGLE_BLOCK = 8192  # shingles hashed at once (4 MB of uint64); an article has far fewer


def signature(text: str) -> bytes:
    """MinHash signature of the text's word 5-shingles: 64 × uint32 as 256 raw bytes."""
    words = text.casefold().encode().split()
    if not words:
        return _EMPTY
    h = np.fromiter(map(zlib.crc32, words), dtype=np.uint64, count=len(words))
    n = max(1, len(h) - SHINGLE + 1)
    # shingle hash = Σ h[i+k]·31^k (mod 2^32): a rolling combination of the words' hashes
    sh = np.zeros(n, dtype=np.uint64)
    for k in range(min(SHINGLE, len(h))):
        sh = (sh * np.uint64(31) + h[k:k + n]) & _MASK32
    # A repeated shingle cannot change a minimum, so they are not removed first: np.unique's
    # sort cost more than hashing them twice (64.6 → 53.5 µs an article, the same bytes).
    # Hashed a block of shingles at a time: the shingles × 64 matrix of a 4 MB article was
    # 300 MB, and its allocation made the cost grow faster than the text.
    mins = None
    for lo in range(0, n, _SHINGLE_BLOCK):
        block = ((sh[lo:lo + _SHINGLE_BLOCK, None] * _A[None, :] + _B[None, :]) >> _SHIFT).min(axis=0)
        mins = block if mins is None else np.minimum(mins, block)
    return mins.astype(np.uint32).tobytes()


def band_keys(signatures: list[bytes]) -> list[list[int]]:
    """The 8 LSH band keys of each signature (one vectorised pass over a batch)."""
    return _band_key_array(signatures).tolist()


def signature_array(signatures) -> np.ndarray:
    """Signatures as an (n, NUM_PERM) uint32 array, from a list of 256-byte strings or as given."""
    if isinstance(signatures, np.ndarray):
        return signatures
    return np.frombuffer(b"".join(signatures), np.uint32).reshape(-1, NUM_PERM)


def _band_key_array(signatures) -> np.ndarray:
    if not len(signatures):
        return np.empty((0, BANDS), dtype=np.uint64)
    sig = signature_array(signatures).astype(np.uint64).reshape(-1, BANDS, ROWS)
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


class SignatureFile:
    """The canonical rows' signatures, numbered in order, in a temporary file (``$TMPDIR``).

    The index reads a signature back only to verify a candidate (a few per duplicate), so
    holding them all in memory (256 B a story: 33 MB at 100 000, and for a moment twice that
    while the array grew) was what made the run's memory grow with the corpus. The newest rows
    wait in a small buffer and are written in blocks; reading one back is a seek and a read.
    """

    BLOCK = 4096  # rows buffered before they are written (1 MB)

    def __init__(self) -> None:
        self._file = None  # made at the first write
        self._tail = np.empty((self.BLOCK, NUM_PERM), np.uint32)
        self._in_tail = 0
        self._written = 0  # rows in the file

    def __len__(self) -> int:
        return self._written + self._in_tail

    def append(self, sig: np.ndarray) -> int:
        """Add one signature (NUM_PERM uint32); returns its number."""
        if self._in_tail == self.BLOCK:
            self._flush()
        self._tail[self._in_tail] = sig
        self._in_tail += 1
        return len(self) - 1

    def extend(self, sigs: np.ndarray) -> None:
        """Add an (n, NUM_PERM) block of signatures."""
        self._flush()
        self._write(np.ascontiguousarray(sigs, np.uint32))

    def rows(self, numbers: list[int]) -> np.ndarray:
        """The signatures with these numbers, as an (n, NUM_PERM) array."""
        out = np.empty((len(numbers), NUM_PERM), np.uint32)
        for i, n in enumerate(numbers):
            if n >= self._written:
                out[i] = self._tail[n - self._written]
            else:
                self._file.seek(n * SIGNATURE_BYTES)
                out[i] = np.frombuffer(self._file.read(SIGNATURE_BYTES), np.uint32)
        return out

    def _flush(self) -> None:
        if self._in_tail:
            self._write(self._tail[:self._in_tail])
            self._in_tail = 0

    def _write(self, sigs: np.ndarray) -> None:
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="citycoop-signatures-")
        self._file.seek(self._written * SIGNATURE_BYTES)
        self._file.write(memoryview(sigs).cast("B"))
        self._written += len(sigs)


class DuplicateIndex:
    """First-seen wins: ``check_many`` returns, per row, (id of the earlier copy or None, near?).

    The one structure of a run that grows with the corpus, so it is kept in numpy: a frozen
    *base* (sorted exact keys and band keys, each with its first holder) and a small dict
    *overlay* for rows added since the base was last rebuilt. Base rows all precede overlay
    rows, so a key's first holder is the base's if it has one. The signatures are in a file
    (``SignatureFile``). In memory: ≈ 0.3 KB per distinct article (9 keys with their holders,
    108 B; the id; the overlay): 32 MB measured for 100 000, against 96 MB with the signatures
    in an array and an overlay of up to 200 000 entries, and ≈ 1.5 KB a story for plain dicts.
    """

    # Overlay entries before they are folded into the base. A dict entry costs ≈ 100 B (the
    # entry and two int objects) against 12 B in the arrays; each fold is a linear pass.
    MERGE_AT = 20_000

    def __init__(self) -> None:
        self._exact_ids: list[str] = []  # id of the first row of each exact key
        self._base_exact = np.empty(0, np.uint64)
        self._base_exact_first = np.empty(0, _HOLDER)
        self._exact: dict[int, int] = {}  # overlay: exact key → index in _exact_ids
        self._ids: list[str] = []  # canonical (not duplicate) rows, in order
        self._sigs = SignatureFile()  # of the canonical rows, by canonical number
        self._base_bands = np.empty(0, np.uint64)
        self._base_band_holder = np.empty(0, _HOLDER)
        self._bands: dict[int, int] = {}  # overlay: band key → canonical number

    # ------------------------------------------------------------------ lookups
    @staticmethod
    def _lookup(sorted_keys: np.ndarray, values: np.ndarray, queries: np.ndarray) -> np.ndarray:
        """values[i] where sorted_keys[i] == query, else -1 (vectorised)."""
        if not len(sorted_keys):
            return np.full(queries.shape, -1, np.int64)
        pos = np.searchsorted(sorted_keys, queries).clip(max=len(sorted_keys) - 1)
        return np.where(sorted_keys[pos] == queries, values[pos], -1)

    def check(self, doc_id: str, content_hash: str, sig: bytes, keys=None) -> tuple[str | None, bool]:
        return self.check_many([doc_id], [content_hash], [sig])[0]

    def check_many(self, ids: list[str], hashes: list[str], sigs: list[bytes]) -> list[tuple[str | None, bool]]:
        """Rows in input order; each is indexed unless it is a duplicate."""
        if len(self._bands) + len(self._exact) > self.MERGE_AT:
            self._merge()
        exact_keys = _exact_keys(hashes)
        band_arr = _band_key_array(sigs)
        base_exact = self._lookup(self._base_exact, self._base_exact_first,
                                  np.array(exact_keys, np.uint64)).tolist()
        base_holders = self._lookup(self._base_bands, self._base_band_holder, band_arr).tolist()
        keys = band_arr.tolist()
        mine_all = np.frombuffer(b"".join(sigs), np.uint32).reshape(-1, NUM_PERM)
        exact, bands, out = self._exact, self._bands, []
        for i, doc_id in enumerate(ids):
            first = base_exact[i]
            if first < 0:
                first = exact.get(exact_keys[i], -1)
            if first >= 0:
                out.append((self._exact_ids[first], False))
                continue
            exact[exact_keys[i]] = len(self._exact_ids)
            self._exact_ids.append(doc_id)
            row_keys, holders = keys[i], base_holders[i]
            cands = [h for h in holders if h >= 0]
            cands += [bands[k] for k, h in zip(row_keys, holders) if h < 0 and k in bands]
            mine = mine_all[i]
            if cands:
                if len(cands) > 1:
                    cands = sorted(set(cands))
                # one vectorised comparison for all candidates (numpy calls cost more than the math)
                hit = next((c for c, same in zip(cands, (self._sigs.rows(cands) == mine).sum(axis=1).tolist())
                            if same >= _MIN_EQUAL), None)
                if hit is not None:
                    out.append((self._ids[hit], True))
                    continue
            n = self._add_canonical(doc_id, mine)
            for k, h in zip(row_keys, holders):
                if h < 0:
                    bands.setdefault(k, n)
            out.append((None, False))
        return out

    def _add_canonical(self, doc_id: str, sig: np.ndarray) -> int:
        self._ids.append(doc_id)
        return self._sigs.append(sig)

    # ------------------------------------------------------------------ bulk
    def _merge(self) -> None:
        """Fold the overlay into the base (keys are disjoint: the overlay only holds new keys)."""
        for base, first, overlay in (("_base_exact", "_base_exact_first", self._exact),
                                     ("_base_bands", "_base_band_holder", self._bands)):
            if not overlay:
                continue
            new_keys = np.fromiter(overlay.keys(), np.uint64, len(overlay))
            new_vals = np.fromiter(overlay.values(), _HOLDER, len(overlay))
            order = np.argsort(new_keys)
            merged = self._merged(getattr(self, base), getattr(self, first), new_keys[order], new_vals[order])
            setattr(self, base, merged[0])
            setattr(self, first, merged[1])
            overlay.clear()

    def replay(self, ids: list[str], hashes: list[str], sigs, is_dup) -> None:
        """Index rows whose decisions are already known (from the cache): the state
        ``check_many`` would have left, built with array operations (no verification).
        ``sigs``: 256-byte signatures or an (n, NUM_PERM) uint32 array; ``is_dup``: booleans."""
        if not ids:
            return
        self._merge()
        exact_keys = np.array(_exact_keys(hashes), np.uint64)
        new = self._lookup(self._base_exact, self._base_exact_first, exact_keys) < 0
        uniq, first_row = np.unique(exact_keys[new], return_index=True)  # earliest row per key
        rows = np.flatnonzero(new)[first_row]
        start = len(self._exact_ids)
        self._exact_ids.extend(ids[r] for r in rows.tolist())
        self._base_exact, self._base_exact_first = self._merged(
            self._base_exact, self._base_exact_first, uniq, np.arange(start, start + len(uniq)))
        keep = np.flatnonzero(~np.asarray(is_dup, bool))
        if not len(keep):
            return
        kept_sigs = signature_array(sigs)[keep]
        n = len(self._ids)
        self._sigs.extend(kept_sigs)
        self._ids.extend(ids[i] for i in keep.tolist())
        band_arr = _band_key_array(kept_sigs)
        holders = np.repeat(np.arange(n, n + len(keep)), BANDS)
        flat = band_arr.ravel()
        new = self._lookup(self._base_bands, self._base_band_holder, flat) < 0
        uniq, first_pos = np.unique(flat[new], return_index=True)  # earliest canonical row per key
        self._base_bands, self._base_band_holder = self._merged(
            self._base_bands, self._base_band_holder, uniq, holders[new][first_pos])

    @staticmethod
    def _merged(keys, vals, new_keys, new_vals):
        """Sorted keys with sorted, disjoint new keys inserted: one linear pass, no re-sort."""
        pos = np.searchsorted(keys, new_keys)
        return np.insert(keys, pos, new_keys.astype(np.uint64)), np.insert(vals, pos, np.asarray(new_vals, _HOLDER))
