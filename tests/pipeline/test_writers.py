"""Record writers: what they write, and a Parquet writer thread never caught by a fork."""


def test_the_parquet_writer_thread_is_idle_whenever_the_process_forks(tmp_path):
    """Workers are forked while rows are being written: a fork must never catch the writer
    thread inside Arrow's code."""
    import os
    import time

    from citycoop.pipeline.settings import load_taxonomy
    from citycoop.pipeline.writers import RecordWriter

    writer = RecordWriter(tmp_path / "out.parquet", "parquet", load_taxonomy())
    writer._flush_parquet()  # opens the file and starts the writer thread
    writer._pending = writer._thread.submit(time.sleep, 0.5)  # a long row group being written
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    assert writer._pending.done()  # the fork waited for it
    os.waitpid(pid, 0)
    writer.close()
