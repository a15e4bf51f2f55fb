"""The Ray engine: the same rows and values as the local engine, computed by a pool of actors.

read_parquet/read_json/read_csv → blocks of exactly `batch_size` rows in input order (so every
batch holds the rows the local engine batches together) → `map_batches` with `Enricher`, which
builds one Pipeline per actor (`ActorPoolStrategy`, CPUs or GPUs per actor) → the rows stream
back in order and are written as the same numbered parts. An actor that dies is restarted by
Ray and its batch run again; the driver only ever sees whole batches.
"""
from __future__ import annotations

import math
from pathlib import Path

from ..errors import ConfigError, NlpError
from .parts import OUTPUT_TYPES, PartsFolder
from .rows import OUTPUT_COLUMNS, enrich_rows


class Enricher:
    """The `map_batches` callable: one Pipeline per actor, built once, then batch after batch."""

    def __init__(self, config, text_column: str, title_column: str):
        from ..pipeline import Pipeline

        self.pipeline = Pipeline.build(config)
        self.text_column, self.title_column = text_column, title_column

    def __call__(self, batch):
        results = enrich_rows(self.pipeline, batch.to_pylist(), self.text_column, self.title_column)
        return with_output_columns(batch, results)


def with_output_columns(batch, results: list[dict]):
    import pyarrow as pa

    table = batch.drop_columns([c for c in OUTPUT_COLUMNS if c in batch.column_names])
    for name in OUTPUT_COLUMNS:
        table = table.append_column(name, pa.array([r[name] for r in results], OUTPUT_TYPES[name]))
    return table


def run_ray(config, path: Path, parts: PartsFolder, part_rows: int, text_column: str, title_column: str,
            progress, enricher=None) -> None:
    ray = require_ray()
    settings = config.dataset
    if not ray.is_initialized():
        try:
            ray.init(address=settings.address or None, log_to_driver=False)
        except ConnectionError as exc:
            raise NlpError(f"cannot reach the Ray cluster at {settings.address}: {exc}") from None
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True  # parts hold input rows in input order
    context.enable_progress_bars = False
    rows = _read(ray, path).repartition(target_num_rows_per_block=settings.batch_size, strict=True)
    actors = actor_count(ray, settings)
    enriched = rows.map_batches(
        enricher or Enricher, fn_constructor_kwargs={"config": config, "text_column": text_column,
                                                     "title_column": title_column},
        batch_size=settings.batch_size, batch_format="pyarrow", compute=ray.data.ActorPoolStrategy(size=actors),
        num_cpus=settings.cpus_per_actor, num_gpus=settings.gpus_per_actor or None)
    progress.log(f"Ray: {actors} actors with {settings.cpus_per_actor} CPU, {settings.gpus_per_actor} GPU each")
    tables = _reported(enriched.iter_batches(batch_size=part_rows, batch_format="pyarrow"), path)
    for number, table in enumerate(tables):
        first = number * part_rows
        for index, error in enumerate(table["error"].to_pylist(), first):
            if error:
                progress.log(f"row {index}: failed: {error}")
        parts.write(number, table)
        progress.milestone(f"part {number} written", rows=len(table))


def _reported(tables, path: Path):
    """The job's output; a failed read or actor start becomes one line instead of Ray's traceback."""
    try:
        yield from tables
    except Exception as exc:  # Ray wraps the cause in its own exception types
        cause = _root_cause(exc)
        lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
        raise NlpError(f"{path}: the Ray job failed: {type(cause).__name__}: {lines[0] if lines else ''}"
                       " (the local engine records unreadable rows one by one)") from None


def _root_cause(exc: BaseException) -> BaseException:
    seen = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        inner = getattr(exc, "cause", None) or exc.__cause__
        if not isinstance(inner, BaseException):
            break
        exc = inner
    return exc


def actor_count(ray, settings) -> int:
    """`dataset.actors`, or as many as the cluster's GPUs (or its CPUs but one) hold at the per-actor share."""
    if settings.actors > 0:
        return settings.actors
    resources = ray.cluster_resources()
    if settings.gpus_per_actor > 0:
        return max(1, math.floor(resources.get("GPU", 0) / settings.gpus_per_actor))
    spare = resources.get("CPU", 1) - 1  # one CPU stays free for Ray Data's read tasks
    return max(1, math.floor(spare / max(settings.cpus_per_actor, 1e-3)))


def _read(ray, path: Path):
    name = str(path.resolve())
    if path.is_dir():
        import datasets

        return ray.data.from_huggingface(datasets.load_from_disk(name))
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return ray.data.read_parquet(name)
    if suffix == ".csv":  # every cell as text, as the local engine reads CSV
        import csv

        import pyarrow as pa
        from pyarrow import csv as arrow_csv

        with open(path, encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), [])
        return ray.data.read_csv(name, convert_options=arrow_csv.ConvertOptions(
            column_types={column: pa.string() for column in header}))
    return ray.data.read_json(name, lines=True)


def require_ray():
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        raise ConfigError("--engine ray needs Ray: pip install -e \".[ray]\" (or pip install \"ray[data]\")") from None
    return ray
