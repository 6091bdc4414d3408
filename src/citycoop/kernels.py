"""A papermill engine that keeps its kernel for the next notebook: ``citycoop report`` runs
page after page in one kernel per worker process instead of starting one per page.

Starting a kernel and importing pandas, plotly and citycoop into it took 4–6 s of the 6.5 s a
seeds page cost; the notebook's own cells take well under a second. Papermill still runs every
notebook (parameters injected, the executed ``.ipynb`` written, a failing cell raising
``PapermillExecutionError``): only the kernel outlives the run, registered as papermill's
engine ``"citycoop"`` when this module is imported
(``papermill.execute_notebook(..., engine_name="citycoop")``).

Before each notebook the kept kernel is put back as a new one would be (``kernel_state``): its
namespace emptied and the execution count at 1 (IPython's ``reset``, a new session), the working
folder papermill was given, ``sys.path``, the environment and the warning filters as at start-up
(a warning a page had shown is shown again), and the freed memory handed back. Modules stay
imported, which is the point. A kernel that died, was interrupted, timed out or cannot be
reset is shut down, and the notebook (or the next one) gets a new one.
"""
from __future__ import annotations

import json
import multiprocessing.util
import os

from .kernel_state import skip_slow_unused_imports

skip_slow_unused_imports()  # before papermill imports nbformat, and with it jsonschema

from papermill.clientwrap import PapermillNotebookClient  # noqa: E402
from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines  # noqa: E402
from papermill.log import logger  # noqa: E402
from papermill.utils import merge_kwargs, remove_args  # noqa: E402

ENGINE = "citycoop"

# Run silently (no history, no execution count) in the kept kernel: before its first notebook,
# and before each later one (names through ``__import__``: ``reset`` empties the namespace).
_FIRST = '__import__("citycoop.kernel_state", fromlist=["_"]).save()\n'
_RESET = """\
__import__("os").chdir({cwd})
get_ipython().reset(new_session=True)
__import__("citycoop.kernel_state", fromlist=["_"]).restore()
"""


# ----------------------------------------------------------------------------- runner side
class _SavingLess(NotebookExecutionManager):
    """papermill's bookkeeping, the output notebook written when the run starts and ends (also
    when it fails) and, in between, by papermill's autosave (every 30 s of a long run) — not
    twice per cell: the ~60 writes of a page, each serializing and validating the notebook
    with its figures, took a fifth of a page's time once its kernel was kept."""

    _hold = False

    def save(self, **kwargs):
        if not self._hold:
            super().save(**kwargs)

    def cell_start(self, cell, cell_index=None, **kwargs):
        self._hold = True
        try:
            super().cell_start(cell, cell_index, **kwargs)
        finally:
            self._hold = False

    def cell_complete(self, cell, cell_index=None, **kwargs):
        self._hold = True
        try:
            super().cell_complete(cell, cell_index, **kwargs)
        finally:
            self._hold = False
        self.autosave_cell()


class _Kept:
    """The kernel manager and client this process keeps, and what they were started with."""

    km = None
    kc = None
    key: tuple | None = None
    finalizer = None


_kept = _Kept()


def shutdown() -> None:
    """Shut the kept kernel down (at the end of a report run and when the process exits)."""
    km, kc = _kept.km, _kept.kc
    _kept.km = _kept.kc = _kept.key = None
    if kc is not None:
        try:
            kc.stop_channels()
        except Exception:  # noqa: BLE001 - the kernel may be gone already
            pass
    if km is not None:
        from jupyter_core.utils import run_sync

        try:
            if run_sync(km.is_alive)():
                run_sync(km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001
            pass
        try:
            run_sync(km.cleanup_resources)()
        except Exception:  # noqa: BLE001
            pass


def _alive() -> bool:
    from jupyter_core.utils import run_sync

    try:
        return _kept.km is not None and bool(run_sync(_kept.km.is_alive)())
    except Exception:  # noqa: BLE001
        return False


class KeptKernelEngine(NBClientEngine):
    """papermill's nbclient engine, its kernel kept for the next notebook of the same kernel
    name and start-up arguments."""

    @classmethod
    def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False,
                         autosave_cell_every=30, **kwargs):
        """``Engine.execute_notebook`` with ``_SavingLess`` bookkeeping."""
        nb_man = _SavingLess(nb, output_path=output_path, progress_bar=progress_bar,
                             log_output=log_output, autosave_cell_every=autosave_cell_every)
        nb_man.notebook_start()
        try:
            cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
        finally:
            nb_man.cleanup_pbar()
            nb_man.notebook_complete()
        return nb_man.nb

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                 stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final_kwargs = merge_kwargs(
            safe_kwargs,
            timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        key = (kernel_name, json.dumps(final_kwargs.get("extra_arguments") or []))
        reused = _kept.key == key and _alive()
        if not reused:
            shutdown()
        cwd = os.getcwd()  # papermill's ``cwd``: it changed to it around this call
        if reused:
            client = PapermillNotebookClient(nb_man, km=_kept.km, **final_kwargs)
            client.kc = _kept.kc
            try:
                _silent(client, _RESET.format(cwd=json.dumps(cwd)))
            except Exception:  # noqa: BLE001 - a kernel that cannot be reset is replaced
                shutdown()
                reused = False
        if not reused:
            client = PapermillNotebookClient(nb_man, **final_kwargs)
        try:
            nb = client.execute() if reused else _first_run(client, cwd, key)
        except BaseException:
            # died, interrupted, timed out: the next notebook gets a new kernel
            _kept.km, _kept.kc = client.km or _kept.km, client.kc or _kept.kc
            shutdown()
            raise
        return nb


def _first_run(client, cwd: str, key: tuple):
    """A new kernel, started here rather than in nbclient's ``setup_kernel`` so that its state
    is saved before the first cell; then kept."""
    from jupyter_core.utils import run_sync

    client.km = client.create_kernel_manager()
    run_sync(client.async_start_new_kernel)(cwd=cwd)
    run_sync(client.async_start_new_kernel_client)()
    _kept.km, _kept.kc = client.km, client.kc
    _kept.key = key
    client.owns_km = False  # ``execute`` leaves the kernel running
    if _kept.finalizer is None:
        # at the process's exit, pool workers included (they skip ``atexit``)
        _kept.finalizer = multiprocessing.util.Finalize(None, shutdown, exitpriority=10)
    _silent(client, _FIRST)
    return client.execute()


def _silent(client, code: str) -> None:
    """Run ``code`` in the client's kernel without output or history; raise if it fails."""
    from jupyter_core.utils import run_sync

    msg_id = client.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
    reply = run_sync(client.async_wait_for_reply)(msg_id)
    content = (reply or {}).get("content", {})
    if content.get("status") != "ok":
        raise RuntimeError(f"the kept kernel could not be reset: {content.get('ename')}: "
                           f"{content.get('evalue')}")


papermill_engines.register(ENGINE, KeptKernelEngine)
