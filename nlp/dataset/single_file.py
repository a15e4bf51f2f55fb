"""The finished parts joined into one JSONL, CSV or Parquet file, renamed into place when whole."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..files import atomic_output
from .parts import common_schema, conform


def join_parts(parts: list[Path], output: Path) -> int:
    """Write the rows of `parts`, in order, to `output`; returns the row count."""
    schema = common_schema([pq.read_schema(part) for part in parts]) if parts else pa.schema([])
    count = 0
    with atomic_output(output) as tmp:
        write = _WRITERS[output.suffix.lower()]
        with write(tmp, schema) as add:
            for part in parts:
                table = conform(pq.read_table(part), schema)
                add(table)
                count += len(table)
    return count


class _Parquet:
    def __init__(self, path: Path, schema):
        self.writer = pq.ParquetWriter(str(path), schema)

    def __enter__(self):
        return self.writer.write_table

    def __exit__(self, *exc):
        self.writer.close()


class _JsonLines:
    def __init__(self, path: Path, schema):
        self.handle = open(path, "w", encoding="utf-8")

    def __enter__(self):
        return self.add

    def add(self, table) -> None:
        for row in table.to_pylist():
            self.handle.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")

    def __exit__(self, *exc):
        self.handle.close()


class _Csv(_JsonLines):
    """CSV cells are text: list and object cells (checks) are stored as JSON."""

    def __init__(self, path: Path, schema):
        self.handle = open(path, "w", encoding="utf-8", newline="")
        self.writer = csv.DictWriter(self.handle, fieldnames=schema.names)
        self.writer.writeheader()

    def add(self, table) -> None:
        for row in table.to_pylist():
            self.writer.writerow({k: json.dumps(v, ensure_ascii=False, default=str)
                                  if isinstance(v, (list, dict)) else v for k, v in row.items()})


_WRITERS = {".parquet": _Parquet, ".jsonl": _JsonLines, ".csv": _Csv}
