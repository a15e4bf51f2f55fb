"""Input limits, in the one place every entry point (enrich, summarize, translate, clean, the demo,
datasets, evaluate) goes through: bounded time and memory per input whichever way it came in.

A file over limits.max_file_bytes is refused before it is read; only the first
limits.max_source_chars of an article and limits.max_title_chars of its title reach the models,
and each cut is said in a note.
"""
from __future__ import annotations

import os
from dataclasses import replace
from typing import Callable

from .article import Article
from .config import LimitsConfig
from .errors import PostError


def check_file_size(path, limits: LimitsConfig) -> None:
    """Refuse a file over limits.max_file_bytes before reading it (a missing one: the read says so)."""
    try:
        size = os.stat(path).st_size
    except OSError:
        return
    if size > limits.max_file_bytes:
        raise too_big(path, size, limits)


def too_big(path, size: int, limits: LimitsConfig) -> PostError:
    return PostError(path, f"{size:,} bytes is over limits.max_file_bytes ({limits.max_file_bytes:,}); "
                           "raise it with --set limits.max_file_bytes=N to process this file")


def for_models(article: Article, limits: LimitsConfig,
               clean: Callable[[str, str | None], Article]) -> tuple[Article, list[str]]:
    """The part of `article` the models get, and a note for each cut; `clean` re-splits cut text."""
    notes = []
    title = article.title
    if title and len(title) > limits.max_title_chars:
        title = title[:limits.max_title_chars]
        notes.append(f"title longer than {limits.max_title_chars} characters: only its beginning was translated")
    kept, used = [], 0
    for paragraph in article.paragraphs:
        if used + len(paragraph) > limits.max_source_chars:
            break
        kept.append(paragraph)
        used += len(paragraph)
    if len(kept) < len(article.paragraphs):
        notes.append(f"source longer than {limits.max_source_chars} characters: "
                     "only its beginning was summarised")
        return clean("\n\n".join(kept or [article.paragraphs[0][:limits.max_source_chars]]), title), notes
    return (replace(article, title=title) if title != article.title else article), notes


def cut_text(text: str, limits: LimitsConfig) -> tuple[str, list[str]]:
    """Plain text for a model (the translate command): its first limits.max_source_chars characters."""
    if len(text) <= limits.max_source_chars:
        return text, []
    return text[:limits.max_source_chars], [f"input longer than {limits.max_source_chars} characters: "
                                            "only its beginning was translated"]
