"""The extractor's version, in a module of its own: a re-run checks it without importing the
extractor (≈ 0.2 s of imports)."""

# Bump when loading or extraction logic changes: cached records of another version are recomputed.
EXTRACTOR_VERSION = "16"
