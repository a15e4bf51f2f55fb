"""One batch of dataset rows in, their abstract columns out: the step both engines share.

A row that cannot be processed gets empty abstract columns and its reason in `error`; the
other rows of its batch are retried one by one, so one bad article never costs its neighbours.
Both engines call this with the same batches, so they give the same values.
"""
from __future__ import annotations

from dataclasses import dataclass

OUTPUT_COLUMNS = ("title_en", "abstract_zh", "abstract_en", "checks", "error")
NO_TEXT = "no article text after cleaning"


@dataclass(frozen=True)
class UnreadableRow:
    """A row the reader could not turn into a record (e.g. a JSONL line that is not JSON)."""

    message: str


def enrich_rows(pipeline, rows: list, text_column: str, title_column: str | None) -> list[dict]:
    """The output columns for each of `rows` (dicts or UnreadableRow), in order."""
    results: list[dict | None] = [None] * len(rows)
    articles = {}
    for i, row in enumerate(rows):
        try:
            article = pipeline.clean(*_text_and_title(row, text_column, title_column))
        except Exception as exc:  # a bad cell or a cleaner bug fails its row only
            results[i] = _failed(exc)
            continue
        if article.text.strip():
            articles[i] = article
        else:
            results[i] = _columns(None, [NO_TEXT], None)
    for i, abstract in zip(articles, pipeline.process_each(list(articles.values()))):
        results[i] = _failed(abstract) if isinstance(abstract, Exception) else \
            _columns(abstract, abstract.meta["checks"], None)
    return results


class RowError(ValueError):
    """What is wrong with one row's input; its message is the row's error as is."""


def _text_and_title(row, text_column: str, title_column: str | None) -> tuple[str, str | None]:
    if isinstance(row, UnreadableRow):
        raise RowError(row.message)
    text = _cell(row, text_column, numbers=False) or ""
    title = _cell(row, title_column, numbers=True) if title_column else None
    return text, title or None


def _cell(row: dict, column: str, numbers: bool) -> str | None:
    """A text cell; None when empty. A title may be a number (2021); anything else is an error."""
    value = row.get(column)
    if value is None or isinstance(value, str):
        return value
    if numbers and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
    raise RowError(f"column '{column}' holds {type(value).__name__} {shown}, not text")


def _columns(abstract, checks: list, error: str | None) -> dict:
    return {"title_en": abstract.title_en if abstract else None,
            "abstract_zh": abstract.zh if abstract else None,
            "abstract_en": abstract.en if abstract else None,
            "checks": list(checks), "error": error}


def _failed(exc: Exception) -> dict:
    message = str(exc) if isinstance(exc, RowError) else f"{type(exc).__name__}: {exc}".rstrip(": ")
    return _columns(None, [], message.splitlines()[0])
