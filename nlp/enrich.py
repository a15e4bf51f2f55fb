"""Batch enrichment: folders of posts in place (datasets: nlp.dataset).

Finding files, progress, the report and the summary line live here; what happens to one
post is the pipeline's business.
"""
from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterable

from .errors import ConfigError
from .files import write_new_file
from .posts import remove_leftovers

POST_SUFFIXES = (".md", ".markdown")
STATUSES = ("updated", "unchanged", "skipped", "failed")


def find_posts(paths: Iterable[str], glob: str | None = None) -> list[Path]:
    """Files as given, folders searched recursively (*.md, *.markdown or `glob`), sorted, no duplicates."""
    found: dict[Path, None] = {}
    for name in paths:
        path = Path(name)
        if path.is_dir():
            patterns = [glob] if glob else [f"*{suffix}" for suffix in POST_SUFFIXES]
            for pattern in patterns:
                for file in sorted(path.rglob(pattern)):
                    if file.is_file() and not _hidden(file.relative_to(path)):
                        found[file] = None
        elif path.is_file():
            found[path] = None
        else:
            raise ConfigError(f"{name}: no such file or folder")
    return list(found)


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def enrich_paths(pipeline, paths: list[Path], dry_run=False, force=False, jobs=1, report=None,
                 out=sys.stdout, err=sys.stderr) -> Counter:
    """Enrich `paths`, printing progress and a final summary line; returns counts per status."""
    counts: Counter = Counter()
    results = []
    start = time.perf_counter()
    if not dry_run:
        _remove_leftovers(paths, err)
    bar = _progress(len(paths), err)
    executor = ThreadPoolExecutor(max_workers=max(jobs, 1))
    try:
        inspect = lambda batch: executor.map(pipeline.inspect, batch)  # noqa: E731
        for result in pipeline.enrich_files(paths, dry_run=dry_run, force=force, inspect=inspect):
            counts[result.status] += 1
            results.append(result)
            _show(result, bar, dry_run, out, err)
    except KeyboardInterrupt:
        print(f"interrupted after {len(results)} of {len(paths)} files; "
              "files are written atomically, run again to finish", file=err)
        raise
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
        if bar is not None:
            bar.close()
        print(", ".join(f"{counts[s]} {s}" for s in STATUSES), file=out)
        if report:
            _write_report(report, results, counts, time.perf_counter() - start)
    return counts


def _remove_leftovers(paths: list[Path], err) -> None:
    """Temporary files that a killed earlier run (SIGKILL, power cut) left beside the posts."""
    for folder in sorted({Path(os.path.realpath(path)).parent for path in paths}):
        for tmp in remove_leftovers(folder):
            print(f"removed {tmp}: left by an interrupted run", file=err)


def _progress(total: int, err):
    if not err.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="post", file=err, dynamic_ncols=True)


def _show(result, bar, dry_run, out, err) -> None:
    if dry_run and result.diff:
        print(result.diff, end="", file=out)
    line = f"{result.status}: {result.path}" + (f": {result.message}" if result.message else "")
    if bar is not None:
        bar.update(1)
        if result.status in ("failed", "skipped"):
            bar.write(line, file=err)
    else:
        print(line, file=err, flush=True)


def _write_report(path, results, counts, seconds) -> None:
    """The JSON report, itself written atomically so an interrupted run leaves no half file."""
    data = {"summary": {s: counts[s] for s in STATUSES} | {"seconds": round(seconds, 3)},
            "files": [r.as_dict() for r in results]}
    write_new_file(Path(path), json.dumps(data, ensure_ascii=False, indent=2) + "\n")
