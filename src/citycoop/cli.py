"""Command line: ``citycoop extract``, ``citycoop report`` and ``citycoop evaluate``. Thin: parses
arguments, calls the API."""
from __future__ import annotations

import argparse
import errno
import os
import sys
from pathlib import Path

from . import __version__
from .corrections import DEFAULT_NAME as DEFAULT_CORRECTIONS
from .corrections import default_files as default_corrections
from .dataset import is_built_dataset, iter_corpus
from .errors import OutputInUse, UsageError
from .fsio import check_writable
from .load import DEFAULT_MAX_BYTES, FIELDS, parse_field_options, skip_outputs
from .meetings import meetings_path_for
from .models import Reject
from .pipeline.chunks import RunStats
from .pipeline.engines import ENGINES, get_engine
from .pipeline.settings import Settings, load_taxonomy, read_meta
from .pipeline.writers import write_rejects

DEFAULT_CORPUS = "seeds"


def default_cache() -> Path:
    base = os.environ.get("CITYCOOP_CACHE")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "citycoop" / "records"


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", default=[DEFAULT_CORPUS], metavar="PATH",
                   help="files or folders (read recursively); default: seeds/")
    p.add_argument("--topics", metavar="FILE", help="topic taxonomy YAML (default: packaged)")
    p.add_argument("--rules", metavar="FILE", help="boilerplate rules YAML (default: packaged)")
    p.add_argument("--meta", metavar="FILE",
                   help="sidecar CSV with id,published[,title,url,outlet] to fill what texts lack")
    p.add_argument("--field", action="append", metavar="FIELD=COLUMN", default=[],
                   help=f"read this column (CSV) or key (JSONL) of an export as FIELD, one of "
                        f"{', '.join(FIELDS)} (repeatable), e.g. --field text=body; the usual "
                        "names (content, noi_dung, headline, link, ngay_dang, ...) need none")
    p.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES,
                   help="size limit of one article file or export row (default %(default)s)")
    p.add_argument("--cache", metavar="DIR", default=None,
                   help=f"record cache folder (default {default_cache()}; env CITYCOOP_CACHE)")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    p.add_argument("--corrections", metavar="FILE",
                   help=f"an analyst's corrections to the records, YAML or CSV (docs/corrections.md); "
                        f"default: {DEFAULT_CORRECTIONS} beside the corpus, when there is one")


def _settings(args) -> Settings:
    """The run's settings, every file they name read here, in this process, before a worker
    starts or an output is touched: a mistake in one is one line naming the file (in a worker
    it had been a traceback, or with -j2 BrokenProcessPool)."""
    from .clean import load_rules

    if args.topics:
        _read_option_file("--topics", args.topics, load_taxonomy, "not a topic taxonomy ({})")
    if args.rules:
        _read_option_file("--rules", args.rules, load_rules, "not boilerplate rules ({})")
    meta = _read_option_file("--meta", args.meta, read_meta, "{}") if args.meta else ()
    try:
        fields = parse_field_options(args.field)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return Settings(topics_file=args.topics, rules_file=args.rules, max_bytes=args.max_bytes, meta=meta,
                    fields=fields, corrections=_corrections_files(args))


def _corrections_files(args) -> tuple[str, ...]:
    """The run's corrections files: ``--corrections``, else the corrections.yml beside the
    corpus. Never read as articles. A corrections file named that is not there is a usage
    error; what is wrong inside one is reported by the run, which applies the rest."""
    paths = args.paths or [DEFAULT_CORPUS]
    built = args.command == "report" and len(paths) == 1 and is_built_dataset(paths[0])
    if args.corrections:
        if built:  # its records were corrected when it was extracted, and are not extracted again
            raise UsageError(f"--corrections: {paths[0]} is a built dataset, reported on as it is; "
                             "give the corpus to apply corrections to its records")
        if not Path(args.corrections).is_file():
            raise UsageError(f"--corrections {args.corrections}: no such file")
        files = (args.corrections,)
    else:
        files = () if built else default_corrections(paths)
    skip_outputs(files)
    return files


def _print_corrections(prefix: str, stats: RunStats, quiet: bool) -> None:
    """What could not be applied of the run's corrections, and their warnings, a line each (the
    summary line counts them)."""
    if not quiet:
        for line in stats.corrections.get("messages", ()):
            print(f"{prefix}: {line}", file=sys.stderr)


def _read_option_file(option: str, path: str, read, problem: str):
    """``read(path)``; a mistake in the file is a UsageError naming the option and the file
    (``problem`` formatted with it); a file that cannot be opened stays an OSError."""
    try:
        return read(path)
    except OSError:
        raise
    except Exception as exc:
        raise UsageError(f"{option} {path}: " + problem.format(_problem(exc))) from None


def _problem(exc: Exception) -> str:
    """An exception as a short phrase: its message on one line, the kind when it has none."""
    text = " ".join(str(exc).split())
    if isinstance(exc, (KeyError, AttributeError, TypeError, UnicodeDecodeError)) or not text:
        return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text[:300]


def _cache(args):
    return None if args.no_cache else (args.cache or default_cache())


def _without_pandas() -> None:
    """pyarrow imports pandas (≈ 0.3 s, a quarter of a cached run on 20 000 files) the first
    time it builds an array from a Python list, only to ask whether the list is a pandas
    object. The local extract command never makes a DataFrame, so in this process (and the
    workers it forks) pandas is marked absent unless something already loaded it."""
    if "pandas" not in sys.modules:
        sys.meta_path.insert(0, _NoPandas())


def _system_allocator_for_arrow() -> None:
    """Arrow's default allocator (mimalloc) holds on to the memory it frees. Measured on cold
    runs (parent + 2 workers, peak RSS): 100 000 articles 648 MB with it, 529 MB with the system
    allocator (jemalloc 525 MB); 10 000 articles 464 → 387 MB; same speed. pyarrow reads the
    variable when it is first imported, in this process, before the workers fork (and the
    notebook kernels of `citycoop report` inherit it); a user's own setting wins."""
    if "pyarrow" not in sys.modules:
        os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")


class _NoPandas:
    """An import finder that answers "not installed" for pandas."""

    def find_spec(self, name, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("pandas is not used by citycoop extract")
        return None


OUTPUT_FORMATS = {".jsonl": "jsonl", ".csv": "csv", ".parquet": "parquet"}


def _format_of(output: str | None) -> str:
    """The format an output's name asks for (``-o out.parquet`` had written JSONL into it); a
    name ending in "/" or an existing folder is a Parquet folder of parts."""
    if not output:
        return "jsonl"
    if output.endswith(("/", os.sep)) or Path(output).is_dir():
        return "parquet"
    return OUTPUT_FORMATS.get(Path(output).suffix.lower(), "jsonl")


def _ready_to_write(path: str | None) -> None:
    """A file written at the end of a run (``--rejects``) is checked at its start (its folder
    made, it is not a folder, a file can be made beside it), so an hour's run does not fail
    only then."""
    if path:
        if Path(path).is_dir():
            raise IsADirectoryError(f"{path} is a folder; name a file to write the rejects to")
        check_writable(Path(path))


def _refuse_outputs_among_inputs(paths: list[str], outputs: list[str | None]) -> None:
    """An output named as an input would be read while it is replaced (``-o a.jsonl`` with
    ``a.jsonl`` as PATH): refused before anything is read or written."""
    inputs = {os.path.realpath(p) for p in paths}
    for out in outputs:
        if out and out != "-" and os.path.realpath(out.rstrip("/") or out) in inputs:
            raise UsageError(f"{out} is an input: write the output to another file")


def _print_reject(prefix: str, progress: bool):
    """Prints a reject on stderr; with ``progress``, through tqdm, which takes the progress bar
    off the line first (a plain print wrote the message onto the bar's line)."""
    write = print
    if progress:
        from tqdm import tqdm

        write = tqdm.write

    def print_reject(item: Reject) -> None:
        write(f"{prefix}: rejected {item.source}: {item.reason}"
              + (f" ({item.detail})" if item.detail else ""), file=sys.stderr)

    return print_reject


def cmd_extract(args) -> int:
    settings = _settings(args)
    fmt = args.format or _format_of(args.output)
    if fmt == "parquet" and not args.output:
        print("citycoop extract: --format parquet needs -o FILE", file=sys.stderr)
        return 2
    meetings_file = meetings_path_for(args.output, fmt) if args.output else None
    _refuse_outputs_among_inputs(args.paths, [args.output, args.rejects, meetings_file and str(meetings_file)])
    skip_outputs([args.output, args.rejects, meetings_file])
    _ready_to_write(args.rejects)
    local = args.engine == "local"
    if local:  # the work is in this process and the workers it forks
        _without_pandas()
        _system_allocator_for_arrow()
    rejects: list[Reject] = []
    progress = local and not args.quiet and sys.stderr.isatty()
    print_reject = _print_reject("citycoop", progress)

    def on_reject(item: Reject) -> None:
        rejects.append(item)
        if not args.quiet:
            print_reject(item)

    engine = get_engine(args.engine, jobs=args.jobs, cache=_cache(args), progress=progress,
                        scheduler=args.scheduler)
    try:
        stats, unchanged = engine.extract(args.paths, settings, out=args.output, fmt=fmt, on_reject=on_reject)
    except BrokenPipeError:  # `citycoop extract | head`: records go to a pipe only as JSONL or CSV
        if fmt == "parquet":
            raise
        sys.stderr.close()
        return 0
    if args.rejects:
        write_rejects(rejects, args.rejects)
    # a Parquet output carries its rejects and counts, for the reports' quality section
    parts = (f"; parts of {args.output}: {stats.output_parts[0]} kept, {stats.output_parts[1]} "
             "written" if stats.output_parts and not unchanged else "")
    _print_corrections("citycoop", stats, args.quiet)
    print(f"citycoop: {stats.summary()}" + (f"; no input changed since {args.output} was "
                                            "written: kept as is" if unchanged else parts),
          file=sys.stderr)
    return _exit_status(stats)


def _exit_status(stats: RunStats, command: str = "extract") -> int:
    """1, with a line saying why, when the run made no record from the files it was given
    (a user's export whose columns were not recognised had ended "records 0" with status 0)."""
    why = stats.nothing_extracted()
    if why:
        print(f"citycoop {command}: {why}", file=sys.stderr)
        return 1
    return 0


def cmd_report(args) -> int:
    _system_allocator_for_arrow()  # before report imports pyarrow (the extraction step)
    from .report.build import build_reports

    progress = not args.quiet and sys.stderr.isatty()  # as extract: no bar in a log file
    result = build_reports(args.paths, out_dir=args.out, settings=_settings(args),
                           partners=args.partner, topics=args.topic, jobs=args.jobs,
                           extract_jobs=0, cache=_cache(args), title=args.title,
                           progress=progress, overview_only=args.overview_only, force=args.force,
                           on_reject=None if args.quiet else _print_reject("citycoop report", progress),
                           self_contained=args.self_contained)
    if result.extraction is not None:  # as `citycoop extract` ends: what was read, and rejected
        _print_corrections("citycoop report", result.extraction, args.quiet)
        kept = "; no input changed since it was written: kept as is" if result.extraction_kept else ""
        print(f"citycoop report: extracted: {result.extraction.summary()}{kept}", file=sys.stderr)
    if result.nothing:  # no record: no page of empty charts is built
        print(f"citycoop report: no pages built: {result.nothing}", file=sys.stderr)
        return 1
    for failure in result.failures:
        print(f"citycoop report: FAILED {failure}", file=sys.stderr)
    n_pages, n_kept = len(result.written) + len(result.failures), len(result.up_to_date)
    failed = f" ({len(result.failures)} failed)" if result.failures else ""
    removed = (f"; {len(result.removed)} removed (no longer in the data: {', '.join(result.removed)})"
               if result.removed else "")
    print(f"citycoop report: {n_pages} pages: {n_pages - n_kept} run{failed}, {n_kept} up to date{removed}",
          file=sys.stderr)
    print(result.index_path)
    return 1 if result.failures else 0


def cmd_evaluate(args) -> int:
    from . import evaluate

    try:
        minimums = evaluate.parse_minimums(args.min or [])
    except ValueError as exc:
        print(f"citycoop evaluate: {exc}", file=sys.stderr)
        return 2
    if args.records and args.paths:
        print("citycoop evaluate: give PATHs to extract or --records, not both", file=sys.stderr)
        return 2
    if args.records and args.corrections:
        print("citycoop evaluate: --corrections applies to records it extracts; --records are scored "
              "as they are", file=sys.stderr)
        return 2
    try:
        labels = evaluate.read_labels(args.gold)
        if args.records:
            items = evaluate.read_records(args.records)
            stats = None
        else:
            _without_pandas()
            _system_allocator_for_arrow()
            stats = RunStats()
            items = iter_corpus(args.paths or [DEFAULT_CORPUS], _settings(args), jobs=args.jobs,
                                cache=_cache(args), stats=stats, progress=sys.stderr.isatty())
        result = evaluate.evaluate(items, labels)
    except evaluate.InputError as exc:
        for problem in exc.problems:
            print(f"citycoop evaluate: {problem}", file=sys.stderr)
        return 2
    if stats is not None:
        _print_corrections("citycoop evaluate", stats, False)
        print(f"citycoop evaluate: extracted: {stats.summary()}", file=sys.stderr)
        if stats.nothing_extracted():  # every label would count as missed: no figures to show
            return _exit_status(stats, "evaluate")
    if args.format == "json":
        print(evaluate.format_json(result))
    elif args.format == "markdown":
        print(evaluate.format_markdown(result))
    else:
        print(evaluate.format_text(result, show=args.show))
    short = evaluate.shortfalls(result, minimums)
    if short:
        print("citycoop evaluate: below the minimum: " + "; ".join(short), file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="citycoop", description=(
        "Who met whom, when, and about what: Vietnam–China local cooperation in Vietnamese news."))
    parser.add_argument("--version", action="version", version=f"citycoop {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    ex = sub.add_parser("extract", help="print one record per article")
    _common(ex)
    ex.add_argument("--jobs", "-j", type=int, default=0, help="worker processes (0 = all cores)")
    ex.add_argument("--format", "-f", choices=["jsonl", "csv", "parquet"],
                    help="default: as -o's name ends (.parquet, .csv, .jsonl), else jsonl")
    ex.add_argument("--output", "-o", metavar="FILE", help=(
        "write here instead of stdout; with parquet, a name without suffix (or ending in /) is a "
        "folder of parts, of which a re-run rewrites only those whose inputs changed"))
    ex.add_argument("--rejects", metavar="FILE", help="write rejected inputs as JSONL")
    ex.add_argument("--engine", choices=ENGINES.names(), default="local",
                    help="local process pool (default) or a Dask cluster")
    ex.add_argument("--scheduler", metavar="ADDRESS",
                    help="Dask scheduler address (default: start a LocalCluster)")
    ex.add_argument("--quiet", "-q", action="store_true", help="no per-reject lines, no progress bar")
    ex.set_defaults(func=cmd_extract)

    rp = sub.add_parser("report", help="build the HTML reports")
    _common(rp)  # a single PATH that is a Parquet dataset (citycoop extract -f parquet) is used as is
    rp.add_argument("--out", default="reports", help="output folder (default: reports/)")
    rp.add_argument("--partner", action="append", metavar="NAME",
                    help="only this partner's profile (repeatable; default: every partner)")
    rp.add_argument("--topic", action="append", metavar="ID",
                    help="only this topic's explorer (repeatable; default: every topic)")
    rp.add_argument("--jobs", "-j", type=int, default=1,
                    help="notebooks run in parallel (default 1; extraction always uses all cores)")
    rp.add_argument("--overview-only", action="store_true",
                    help="only the corpus overview (no review, partner or topic pages)")
    rp.add_argument("--title", default=None, help="title of the overview report")
    rp.add_argument("--force", action="store_true",
                    help="run every notebook, also those whose page is up to date (same data, "
                         "notebook, parameters, code)")
    rp.add_argument("--self-contained", action="store_true",
                    help="inline plotly.js and the map outline in every page (a page that travels "
                         "alone; default: the pages share them in OUT/assets/)")
    rp.add_argument("--quiet", "-q", action="store_true", help="no per-reject lines, no progress bar")
    rp.set_defaults(func=cmd_report)

    ev = sub.add_parser("evaluate", help="score the extraction against hand labels")
    _common(ev)
    ev.set_defaults(paths=None)  # None: not given (then --records, or seeds/)
    ev.add_argument("--gold", action="append", required=True, metavar="GOLD.jsonl",
                    help="hand labels, one JSON object per article (docs/evaluate.md); repeatable")
    ev.add_argument("--records", metavar="FILE",
                    help="score these records (citycoop extract -f jsonl) instead of extracting PATHs")
    ev.add_argument("--show", action="store_true",
                    help="list every miss: document, field, label, what was found")
    ev.add_argument("--format", "-f", choices=["text", "json", "markdown"], default="text",
                    help="text (default), json (figures and misses), markdown (the figures' table)")
    ev.add_argument("--min", action="append", metavar="FIELD=VALUE",
                    help="exit 1 when FIELD's figure is below VALUE (repeatable), e.g. --min vn=0.8")
    ev.add_argument("--jobs", "-j", type=int, default=0, help="worker processes (0 = all cores)")
    ev.set_defaults(func=cmd_evaluate)
    return parser


def _error_line(exc: Exception) -> str:
    """What a run that stopped on ``exc`` says. A full disk (Arrow's errors name no file) says
    what became of the outputs: each is written whole or not at all, and the half-written
    files are removed."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        where = f" writing {exc.filename}" if exc.filename else ""
        return f"{exc.strerror or 'no space left on device'}{where}; outputs left as they were before this run"
    return str(exc)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (OSError, OutputInUse, UsageError) as exc:  # a missing input, an output that cannot be written
        print(f"citycoop {args.command}: {_error_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C: the outputs were written whole or not at all
        print(f"\ncitycoop {args.command}: stopped (Ctrl-C); outputs left as they were", file=sys.stderr)
        return 130
    finally:  # called from Python (a notebook, a test), the caller may want pandas afterwards
        sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _NoPandas)]


if __name__ == "__main__":
    sys.exit(main())
