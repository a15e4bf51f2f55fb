"""The local engine: rows stream through one Pipeline in batches and land in numbered parts.

Parts are written in input order, so a killed run leaves finished parts 0..k-1; the rerun
reads past their rows without computing them and goes on from part k.
"""
from __future__ import annotations

from itertools import islice
from pathlib import Path
from typing import Iterable, Iterator

from .parts import PartsFolder, rows_to_table
from .rows import OUTPUT_COLUMNS, enrich_rows
from .sources import read_rows


def run_local(pipeline, path: Path, parts: PartsFolder, part_rows: int, batch_size: int,
              text_column: str, title_column: str, progress) -> None:
    for number, chunk in enumerate(chunks(read_rows(path), part_rows)):
        first = number * part_rows
        if parts.done(number):
            progress.skip(len(chunk))
            progress.log(f"part {number}: rows {first}-{first + len(chunk) - 1} finished by an earlier run, skipped")
            continue
        enriched = []
        for offset, batch in zip(range(first, first + len(chunk), batch_size), chunks(chunk, batch_size)):
            results = enrich_rows(pipeline, batch, text_column, title_column)
            enriched += [joined(row, result) for row, result in zip(batch, results)]
            for index, result in enumerate(results, offset):
                if result["error"]:
                    progress.log(f"row {index}: failed: {result['error']}")
            progress.update(len(batch))
        parts.write(number, rows_to_table(enriched))
        progress.milestone(f"part {number} written")


def joined(row, result: dict) -> dict:
    """The input row with the abstract columns last (replacing any input columns of those names)."""
    kept = {k: v for k, v in row.items() if k not in OUTPUT_COLUMNS} if isinstance(row, dict) else {}
    return kept | result


def chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
