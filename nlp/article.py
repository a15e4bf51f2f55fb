"""The value that cleaning produces and every later step reads."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Article:
    """Clean Chinese text of one post: paragraphs, and the same text split into sentences."""

    title: str | None
    paragraphs: tuple[str, ...]
    sentences: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)
