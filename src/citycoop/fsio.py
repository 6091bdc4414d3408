"""Files written whole or not at all, and the lock that lets one run write an output at a time.

An output is written under a dot name beside it (``writing_path``: readers skip it) and renamed
over it once whole, so a failed or stopped run leaves the previous file; a killed run's
temporary files are removed by the next writer. ``output_lock`` holds an output for one run
(``flock``: it ends with the process, however the process ends); worker processes end with
their parent and never keep it (``init_worker_process``, ``die_with_parent``).
"""
from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from .errors import OutputInUse


def make_parent(path: Path) -> None:
    """Make the folder an output file goes in, or say which part of its path is a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocking = next((p for p in reversed(path.parents) if p.exists() and not p.is_dir()),
                        path.parent)
        raise NotADirectoryError(f"cannot write {path}: {blocking} is a file, not a folder") from None


def check_writable(path: Path) -> None:
    """Make the folder of a file written later in a run and make sure a file can be written
    there, or say why not (read-only, no permission)."""
    make_parent(path)
    probe = writing_path(path)
    if probe != path:  # a device or a pipe is written into, and opening a pipe would wait
        try:
            probe.touch()
        except OSError as err:
            raise PermissionError(f"cannot write {path}: {(err.strerror or str(err)).lower()}") from None
        probe.unlink()


def writing_path(path: Path) -> Path:
    """Where an output file is written before it is renamed over ``path``: a dot name beside it
    (dataset readers skip it) naming this machine and process. ``path`` itself when it is a
    device or a pipe (``-o /dev/stdout``, a FIFO), which must be written into, not replaced."""
    if path.exists() and not path.is_file():
        return path
    _remove_dead_writers_files(path)
    return path.with_name(f"{_writing_prefix(path)}{os.getpid()}")


def _writing_prefix(path: Path) -> str:
    return f".{path.name}.writing-{socket.gethostname()}-"


def _remove_dead_writers_files(path: Path) -> None:
    """A run killed outright (SIGKILL, the out-of-memory killer) cannot remove its temporary
    file, which is as large as the output it was writing (gigabytes for a big JSONL). The next
    run writing the same output removes those of this machine's processes that have ended.
    Another machine's (a shared folder) are left: its process ids mean nothing here."""
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        return
    prefix = _writing_prefix(path)
    try:
        entries = [e.name for e in os.scandir(path.parent) if e.name.startswith(prefix)]
    except OSError:
        return
    for name in entries:
        pid = name[len(prefix):]
        if pid.isdigit() and int(pid) != os.getpid() and not _process_exists(int(pid)):
            try:
                os.unlink(path.parent / name)
            except OSError:
                pass


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: another user's process
        return True
    return True


@contextmanager
def whole_file(path: Path):
    """A text file to write that replaces ``path`` only once it is written whole, as
    ``RecordWriter``'s do: a reader never sees half of it, and a failed or stopped run leaves
    the previous one (and no temporary file)."""
    tmp = writing_path(path)
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            yield fh
        if tmp != path:
            os.replace(tmp, path)
    finally:
        if tmp != path:
            tmp.unlink(missing_ok=True)


def write_text_whole(path: str | Path, text: str) -> None:
    """Write a small file (counts, a report page, a parts list) whole or not at all."""
    with whole_file(Path(path)) as fh:
        fh.write(text)


def file_states(paths: Iterable[Path]) -> dict[str, list[int]] | None:
    """Each file's [size, mtime_ns] by path, as an output's files are recorded to tell later
    whether they are as written; None if one of them is missing."""
    states = {}
    for p in paths:
        try:
            st = os.stat(p)
        except OSError:
            return None
        states[str(p)] = [st.st_size, st.st_mtime_ns]
    return states


_HELD_LOCKS: list = []  # this process's output locks (open files), closed in a forked child


def _close_held_locks_in_child() -> None:
    """A forked child (a worker) shares its parent's open lock files, and ``flock`` holds while
    any process has them open: workers orphaned by a ``kill -9`` of their parent kept the
    output locked for good. The child's copies are closed; the parent's lock is unchanged."""
    for fh in _HELD_LOCKS:
        fh.close()
    _HELD_LOCKS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_held_locks_in_child)


def die_with_parent(parent_pid: int) -> None:
    """In a worker process (a pool's initializer): end when the parent ends, however it ends
    (Linux: ``PR_SET_PDEATHSIG``; elsewhere nothing), so no orphan goes on using cores and
    memory. ``parent_pid``: the parent as it was at the fork, if it died before this ran."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:
        os._exit(1)


def init_worker_process(parent_pid: int) -> None:
    """What every worker process does first: end with its parent (``die_with_parent``) and
    leave Ctrl-C to it (the terminal sends SIGINT to the whole process group: each worker had
    printed a traceback; the parent stops the run and ends them)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent_pid)


def _lock_holder(fh) -> tuple[int | None, str | None]:
    """The pid and host a lock file records (``"pid host"``; older ones: the pid alone)."""
    fh.seek(0)
    words = fh.read().split()
    pid = int(words[0]) if words and words[0].isdigit() else None
    return pid, (words[1] if len(words) > 1 else None)


@contextmanager
def _folder_guard(folder: Path, fcntl):
    """``flock`` on the folder itself while a lock in it is taken: a takeover replaces the lock
    file, and two runs doing so at once must not each end up holding a file of their own.
    Yields whether the guard is held (some file systems refuse a folder's flock: then no
    takeover)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        yield False
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            guarded = True
        except OSError:
            guarded = False
        yield guarded
    finally:
        os.close(fd)  # and with it the guard


@contextmanager
def output_lock(out: Path, lock_path: Path | None = None):
    """Hold the output ``out`` (a Parquet file or folder) for this run. Without it, of two runs
    writing one folder at once (10 000 articles, the second started 4 s later), the first to
    end removed the other's unfinished parts, and the other failed renaming them. The lock is
    ``.NAME.lock`` beside the output (a dot name: dataset readers skip it), taken with
    ``flock``, so it ends with the process however the process ends (forked workers do not
    keep it: ``_close_held_locks_in_child``); the file stays, holding the last writer's pid and
    host (``lock_path``: another file to lock, for an output folder that is made for it, as a
    report's). A lock held although the pid it records (on this host) is gone is held by that
    run's orphaned children, which never write an output: it is taken over, the lock file
    replaced by a new one. Where there is no ``fcntl`` (Windows), no lock."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    lock_path = lock_path or out.with_name(f".{out.name}.lock")
    make_parent(out)  # a message that names the output, not its lock file
    make_parent(lock_path)
    host = socket.gethostname()
    with _folder_guard(lock_path.parent, fcntl) as guarded:
        fh = open(lock_path, "a+", encoding="utf-8")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid, holder_host = _lock_holder(fh)
            fh.close()
            if not (guarded and pid is not None and holder_host in (None, host) and not _process_exists(pid)):
                raise OutputInUse(f"{out} is being written by another citycoop run"
                                  f"{f' (pid {pid})' if pid is not None else ''}; wait for it to end, "
                                  "or write to another output") from None
            fresh = lock_path.with_name(f"{lock_path.name}.{os.getpid()}")
            fh = open(fresh, "w+", encoding="utf-8")
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a new file: no one else has it
            os.replace(fresh, lock_path)
        except BaseException:
            fh.close()
            raise
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()} {host}")
        fh.flush()
    _HELD_LOCKS.append(fh)
    try:
        yield
    finally:
        if fh in _HELD_LOCKS:
            _HELD_LOCKS.remove(fh)
        fh.close()  # and with it the lock
