"""What a headline announces, and whether a text states it.

A title's key items are its numbers (every quantity, percentage, amount and date, compared by
value in any written form, see nlp.numbers) and its named entities (words of two or more
characters that jieba's part-of-speech tagger marks as a person, place, organisation or other
proper noun, or a Latin-letter word), compared after NFKC and case folding. A text states the
title's fact when it contains all of them; a title without any key item says nothing to check.
The evaluation measures abstracts by it, and the extractive summariser leans towards the
sentences that carry these items.
"""
from __future__ import annotations

import functools
import logging
import unicodedata
from dataclasses import dataclass

from .numbers import mentions, numbers_in

ENTITY_TAGS = ("nr", "ns", "nt", "nz", "eng")  # jieba: person, place, organisation, other proper noun, Latin


@dataclass(frozen=True)
class TitleFacts:
    """What a headline announces: its named entities (folded) and its numbers (as values)."""

    entities: frozenset[str]
    numbers: frozenset[str]

    def __bool__(self) -> bool:
        return bool(self.entities or self.numbers)

    def found_in(self, text: str) -> frozenset[str]:
        """The key items that `text` contains."""
        folded, stated = fold(text), numbers_in(text) if self.numbers else set()
        return frozenset({entity for entity in self.entities if entity in folded} | (self.numbers & stated))

    def __len__(self) -> int:
        return len(self.entities) + len(self.numbers)


@functools.cache
def title_facts(title: str) -> TitleFacts:
    """The key items of a title (see the module docstring)."""
    entities = {fold(pair.word) for pair in _posseg().lcut(title)
                if pair.flag.startswith(ENTITY_TAGS) and len(pair.word.strip()) >= 2}
    return TitleFacts(frozenset(entities), frozenset(m.value for m in mentions(title)))


def states_title_fact(text: str, title: str | None) -> bool | None:
    """Whether `text` contains every key item of `title`; None when the title has none."""
    facts = title_facts(title or "")
    return len(facts.found_in(text)) == len(facts) if facts else None


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


@functools.cache
def _posseg():
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg
