"""The streaming pipeline behind ``citycoop extract``: corpus → Arrow chunks of flat records.

``settings``   what a run is given: Settings (paths aside) and its Tuning, the sidecar metadata,
               the fingerprint that keys the cache, the corpus's furniture (first pass)
``chunks``     what a run hands on and counts: Chunk, RunStats
``worker``     per-file work in a worker process: load → clean → extract → a columnar Batch
``scheduler``  the walk over the input: the cache look-ups, the worker pool, the files prefetched
               for an incremental run, the window that hands batches on in input order
``dupcheck``   the duplicate check, in input order, reusing the cache's decisions
``parts``      a folder output's parts (where they end, which are kept), its manifest and files
``writers``    records to JSONL, CSV or Parquet, written whole or not at all
``engines``    the batching rule, the loop from chunks to an output, and the engines behind
               ``--engine``: ``local`` (processes on this machine) and ``dask`` (a cluster)

``citycoop.dataset`` is the public API over it.
"""
