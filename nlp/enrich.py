"""Batch enrichment: folders of posts in place (datasets: nlp.dataset).

Finding files, progress, the report and the summary line live here; what happens to one
post is the pipeline's business.
"""
from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterable

from .errors import ConfigError
from .files import remove_leftovers, write_new_file
from .status import Status

POST_SUFFIXES = (".md", ".markdown")
STATUSES = tuple(Status)
REPORT_KEYS = ("summary", "files")  # an existing --report file must hold these to be replaced
log = logging.getLogger(__name__)


def find_posts(paths: Iterable[str], glob: str | None = None) -> list[Path]:
    """Files as given, folders searched recursively (*.md, *.markdown or `glob`), sorted.

    A file reached twice (a symlinked folder, a name given twice) is listed once, under the first
    name it was found by. Folders are walked without recursion, so any depth works, and symbolic
    links to folders are not followed.
    """
    patterns = _patterns(glob)
    found: dict[str, Path] = {}
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files = sorted(_walk(path, patterns))
        elif path.is_file():
            files = [path]
        else:
            raise ConfigError(f"{name}: no such file or folder")
        for file in files:
            found.setdefault(os.path.realpath(file), file)
    return list(found.values())


def _patterns(glob: str | None) -> list[str]:
    if glob is None:
        return [f"*{suffix}" for suffix in POST_SUFFIXES]
    if not glob or os.path.isabs(glob) or ".." in Path(glob).parts:
        raise ConfigError(f"--glob {glob!r}: expected a file pattern inside the folders, such as '*.md'")
    return [glob]


def _walk(folder: Path, patterns: list[str]) -> Iterable[Path]:
    """Files under `folder` whose path relative to it matches a pattern (as Path.rglob would),
    hidden files and folders left out. An explicit stack, not recursion: any depth works."""
    todo = [folder]
    while todo:
        try:
            entries = list(os.scandir(todo.pop()))
        except OSError:  # an unreadable folder is passed over, as Path.rglob does
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                todo.append(Path(entry.path))
            elif entry.is_file() and any(Path(entry.path).relative_to(folder).match(p) for p in patterns):
                yield Path(entry.path)


def enrich_paths(pipeline, paths: list[Path], dry_run=False, force=False, jobs=1, report=None,
                 out=None) -> Counter:
    """Enrich `paths`, logging one line per post (a progress bar on a terminal) and printing the
    diffs of a dry run and a final summary line to `out` (default: stdout); returns counts per status."""
    out = out or sys.stdout  # looked up per call: tests and callers swap it
    counts: Counter = Counter()
    results = []
    start = time.perf_counter()
    if not dry_run:
        _remove_leftovers(paths)
    bar = _progress(len(paths))
    executor = ThreadPoolExecutor(max_workers=max(jobs, 1))
    try:
        inspect = lambda batch: executor.map(pipeline.inspect, batch)  # noqa: E731
        for result in pipeline.enrich_files(paths, dry_run=dry_run, force=force, inspect=inspect):
            counts[result.status] += 1
            results.append(result)
            _show(result, bar, dry_run, out)
    except KeyboardInterrupt:
        log.warning("interrupted after %d of %d files; files are written atomically, run again to finish",
                    len(results), len(paths))
        raise
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
        if bar is not None:
            bar.close()
        print(", ".join(f"{counts[s]} {s}" for s in STATUSES), file=out)
        if report:
            _write_report(report, results, counts, time.perf_counter() - start)
    return counts


def _remove_leftovers(paths: list[Path]) -> None:
    """Temporary post files that a killed earlier run (SIGKILL, power cut) left beside the posts."""
    for folder in sorted({Path(os.path.realpath(path)).parent for path in paths}):
        for tmp in remove_leftovers(folder, "post"):
            log.warning("removed %s: left by an interrupted run", tmp)


def _progress(total: int):
    if not sys.stderr.isatty() or not log.isEnabledFor(logging.INFO):
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="post", file=sys.stderr, dynamic_ncols=True)


def _show(result, bar, dry_run, out) -> None:
    if dry_run and result.diff:
        print(result.diff, end="", file=out)
    line = f"{result.status}: {result.path}" + (f": {result.message}" if result.message else "")
    noteworthy = result.status in (Status.FAILED, Status.SKIPPED, Status.STALE)
    if bar is not None:
        bar.update(1)
        if noteworthy:
            bar.write(line, file=sys.stderr)
    else:
        log.log(logging.WARNING if result.status == Status.FAILED else logging.INFO, "%s", line)


def _write_report(path, results, counts, seconds) -> None:
    """The JSON report, itself written atomically so an interrupted run leaves no half file."""
    data = {"summary": {s: counts[s] for s in STATUSES} | {"seconds": round(seconds, 3)},
            "files": [r.as_dict() for r in results]}
    write_new_file(Path(path), json.dumps(data, ensure_ascii=False, indent=2) + "\n")
