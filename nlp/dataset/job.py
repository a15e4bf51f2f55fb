"""One `enrich-dataset` run: check the input, hold the output folder, run an engine, finish.

The engines (local.py, ray_engine.py) only turn input rows into numbered parts; what a run
is keyed on, what a rerun skips, and the optional single output file are decided here.
"""
from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..errors import ConfigError
from ..files import remove_leftovers
from .parts import TEMP_KIND, PartsFolder, folder_for, is_single_file, remove_folder
from .progress import Progress
from .single_file import join_parts
from .sources import check_source, count_rows, identity


@dataclass(frozen=True)
class Outcome:
    rows: int
    failed: int
    output: Path


def enrich_dataset(config: Config, source: str, output: str, text_column: str = "content",
                   title_column: str = "title", force: bool = False, pipeline=None,
                   err=sys.stderr, enricher=None) -> Outcome:
    """Enrich every row of `source` into `output` (a folder of parts, or one .jsonl/.csv/.parquet).

    `pipeline` is the local engine's (built by the caller, so a missing model fails before any
    row); the Ray engine builds one per actor (`enricher`: the actor class, for tests).
    """
    settings = config.dataset
    _check_settings(settings)
    if settings.engine == "ray":  # before anything is written
        from .ray_engine import require_ray

        require_ray()
    path = check_source(source, text_column)
    output = Path(output)
    parts = PartsFolder(folder_for(output))
    progress = Progress(count_rows(path), err)
    key = manifest_key(config, path, text_column, title_column)
    try:
        resume = settings.engine == "local"  # Ray Data cannot skip rows: the Ray engine starts over
        with parts.opened(key, force, progress.log, resume), _sigterm_ends_the_run():
            if is_single_file(output):
                for leftover in remove_leftovers(output.parent, TEMP_KIND):
                    progress.log(f"removed {leftover}: left by an interrupted run")
            _run_engine(config, path, parts, text_column, title_column, progress, pipeline, enricher)
            summaries = [parts.summary(number) for number in parts.part_numbers()]
            rows, failed = sum(s[0] for s in summaries), sum(s[1] for s in summaries)
            if is_single_file(output):
                join_parts(parts.parts(), output)
                remove_folder(parts.folder)
    finally:
        progress.close()
    return Outcome(rows, failed, output)


def _check_settings(settings) -> None:
    if settings.batch_size < 1 or settings.batches_per_part < 1:
        raise ConfigError("dataset.batch_size (--batch-size) and dataset.batches_per_part must be at least 1")
    if settings.actors < 0 or not settings.cpus_per_actor >= 0 or not settings.gpus_per_actor >= 0:
        raise ConfigError("dataset.actors, cpus_per_actor and gpus_per_actor must not be negative")
    if settings.engine not in ("local", "ray"):
        raise ConfigError(f"dataset.engine must be local or ray, got {settings.engine!r}")


def _run_engine(config, path, parts, text_column, title_column, progress, pipeline, enricher) -> None:
    settings = config.dataset
    part_rows = settings.batch_size * settings.batches_per_part
    if settings.engine == "local":
        from .local import run_local

        run_local(pipeline, path, parts, part_rows, settings.batch_size, text_column, title_column, progress)
    else:
        from .ray_engine import run_ray

        run_ray(config, path, parts, part_rows, text_column, title_column, progress, enricher)


def manifest_key(config: Config, path: Path, text_column: str, title_column: str) -> dict:
    """Everything that decides the rows of a part: the input, the columns, batching, settings.

    Where the run happens (engine, actors, address, threads, workers) is left out: it does not change
    a value, so a run may be resumed with other resources.
    """
    settings = dataclasses.asdict(config)
    del settings["dataset"]
    settings["runtime"].pop("threads")
    settings["runtime"].pop("workers")
    files = [*config.clean.rules, *config.glossary.files]
    contents = {name: _file_sha256(name) for name in files}
    digest = hashlib.sha256(json.dumps([settings, contents], sort_keys=True, default=str).encode()).hexdigest()
    return {"version": 1, "input": identity(path), "text_column": text_column, "title_column": title_column,
            "batch_size": config.dataset.batch_size, "batches_per_part": config.dataset.batches_per_part,
            "settings_sha256": digest}


def _file_sha256(name: str) -> str | None:
    try:
        return hashlib.sha256(Path(name).read_bytes()).hexdigest()
    except OSError:
        return None


@contextlib.contextmanager
def _sigterm_ends_the_run():
    """SIGTERM (a scheduler, `kill`) unwinds like Ctrl-C, so no temporary file is left behind."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
