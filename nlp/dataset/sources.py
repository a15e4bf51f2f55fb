"""Input rows, in order, one at a time: JSONL, CSV, Parquet, or a saved `datasets` folder.

The reader never gives up on a file half way: a JSONL line that is not a JSON object becomes an
`UnreadableRow` in its place, so every later row is still read and row positions stay stable.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Iterator

from ..errors import ConfigError, NlpError
from .rows import UnreadableRow

SUFFIXES = (".jsonl", ".json", ".csv", ".parquet")


def check_source(source: str, text_column: str) -> Path:
    """The input path, or a clear error: missing, empty, unknown format, no text column."""
    path = Path(source)
    if not path.exists():
        raise ConfigError(f"{source}: no such file or folder")
    if path.is_file() and path.suffix.lower() not in SUFFIXES:
        raise ConfigError(f"{source}: expected a .jsonl, .csv or .parquet file or a saved datasets folder")
    if path.is_file() and path.stat().st_size == 0:
        raise NlpError(f"{source}: empty file")
    columns = _columns(path)
    if columns is not None and text_column not in columns:
        raise ConfigError(f"{source}: no column '{text_column}' (columns: {', '.join(columns)}); use --text-column")
    return path


def read_rows(path: Path) -> Iterator[dict | UnreadableRow]:
    suffix = path.suffix.lower()
    if path.is_dir():
        yield from _saved_dataset(path)
    elif suffix == ".parquet":
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(path).iter_batches(batch_size=1024):
            yield from batch.to_pylist()
    elif suffix == ".csv":
        with open(path, encoding="utf-8-sig", newline="", errors="replace") as handle:
            csv.field_size_limit(sys.maxsize)
            yield from csv.DictReader(handle)
    else:
        yield from _json_lines(path)


def count_rows(path: Path) -> int | None:
    """How many rows `read_rows` will give, when that is cheap to know (for the ETA)."""
    suffix = path.suffix.lower()
    if path.is_dir():
        return None
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    if suffix == ".csv":
        with open(path, encoding="utf-8-sig", newline="", errors="replace") as handle:
            csv.field_size_limit(sys.maxsize)
            return max(sum(1 for row in csv.reader(handle) if row) - 1, 0)  # as DictReader: no header, no blank rows
    with open(path, "rb") as handle:
        return sum(1 for line in handle if line.strip())


def identity(path: Path) -> dict:
    """What says "the same input": where it is, its size and modification time (files or folder)."""
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    stats = hashlib.sha256()
    for file in files:
        stat = file.stat()
        stats.update(f"{file.relative_to(path.parent)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return {"path": os.path.realpath(path), "stat_sha256": stats.hexdigest()}


def _json_lines(path: Path) -> Iterator[dict | UnreadableRow]:
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                yield UnreadableRow(f"{path.name}:{number}: not valid JSON: {exc}")
                continue
            yield row if isinstance(row, dict) else \
                UnreadableRow(f"{path.name}:{number}: a JSON {type(row).__name__}, not an object")


def _saved_dataset(path: Path):
    from ..tables import open_rows

    yield from open_rows(str(path))


def _columns(path: Path) -> list[str] | None:
    """Column names: declared (Parquet, CSV header, saved dataset) or of the first JSON object."""
    if path.is_dir():
        from ..tables import open_rows

        return list(open_rows(str(path)).column_names or [])
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        try:
            return pq.read_schema(path).names
        except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
            raise NlpError(f"{path}: not a readable Parquet file: {exc}") from None
    if path.suffix.lower() == ".csv":
        with open(path, encoding="utf-8-sig", newline="", errors="replace") as handle:
            return next(csv.reader(handle), [])
    first = next((row for row in _json_lines(path) if isinstance(row, dict)), None)
    return list(first) if first is not None else None
