"""Policy terminology: which English each Chinese term must get, and whether it got it.

A glossary is one or more TSV files (`Chinese<TAB>English` per row, `#` comment lines, blank
lines ignored). Several Chinese variants may share one English rendering. Within a file a
Chinese term with two different renderings is an error; across files the later file wins, so a
user file listed after the default one can change a rendering.

Finding terms is greedy longest-first over all candidate positions (经济技术开发区 beats
开发区, 市场监管局 in 上海市场监管局 beats 上海市), then reported in text order.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from .errors import ConfigError
from .text import CJK_CHARS

_CJK = re.compile(f"[{CJK_CHARS}]")
_SEPARATOR = r"[\s\-\u2010\u2011\u2013]+"  # words of a rendering may be joined by spaces or hyphens


@dataclass(frozen=True)
class Term:
    """One glossary row."""

    zh: str
    en: str


@dataclass(frozen=True)
class GlossaryMatch:
    """Where a term occurs in a Chinese text: text[start:end] == term.zh."""

    start: int
    end: int
    term: Term


class Glossary:
    """Chinese terms and their fixed English renderings."""

    def __init__(self, terms: Iterable[Term] = ()):
        self.terms: tuple[Term, ...] = tuple(terms)
        self._by_first_char: dict[str, list[Term]] = {}
        for term in self.terms:
            self._by_first_char.setdefault(term.zh[0], []).append(term)

    @classmethod
    def load(cls, paths: Iterable[str | os.PathLike] | str | os.PathLike) -> "Glossary":
        """Read TSV files in order; raises ConfigError naming the file and line of a bad row."""
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        rendering: dict[str, str] = {}
        for path in paths:
            rendering.update(read_tsv(Path(path)))
        return cls(Term(zh, en) for zh, en in rendering.items())

    @classmethod
    def empty(cls) -> "Glossary":
        return cls()

    def find(self, zh_text: str) -> list[GlossaryMatch]:
        """Non-overlapping term occurrences, longest taken first, returned in text order."""
        taken = bytearray(len(zh_text))
        chosen = []
        for match in sorted(self._candidates(zh_text), key=lambda m: (m.start - m.end, m.start)):
            if not any(taken[match.start:match.end]):
                taken[match.start:match.end] = b"\x01" * (match.end - match.start)
                chosen.append(match)
        return sorted(chosen, key=lambda m: m.start)

    def missing(self, zh_text: str, en_text: str) -> list[Term]:
        """Terms found in zh_text whose English is absent from en_text, one per rendering.

        Tolerant in the ways translations legitimately differ: case, a leading "the", hyphens
        versus spaces, apostrophes (People's == Peoples, managers' == managers), and the form of
        the last word (plural, and adjective for words of 5+ letters: Province/Provincial).
        """
        english = _normalise_english(en_text)
        missing, seen = [], set()
        for match in self.find(zh_text):
            en = match.term.en
            if en not in seen:
                seen.add(en)
                if not english_pattern(en).search(english):
                    missing.append(match.term)
        return missing

    def _candidates(self, text: str) -> Iterable[GlossaryMatch]:
        for start, char in enumerate(text):
            for term in self._by_first_char.get(char, ()):
                if text.startswith(term.zh, start):
                    yield GlossaryMatch(start, start + len(term.zh), term)


def read_tsv(path: Path) -> dict[str, str]:
    """Rows of one glossary file as {zh: en}; every problem is a ConfigError with file:line."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise ConfigError(f"{path}: glossary file not found") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: glossary file is not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read glossary file: {exc.strerror}") from None
    rows: dict[str, tuple[str, int]] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        zh, en = _parse_row(line, f"{path}:{number}")
        if zh in rows and rows[zh][0] != en:
            raise ConfigError(f"{path}:{number}: {zh} is rendered {en!r} here but "
                              f"{rows[zh][0]!r} on line {rows[zh][1]}")
        rows.setdefault(zh, (en, number))
    return {zh: en for zh, (en, _) in rows.items()}


def _parse_row(line: str, where: str) -> tuple[str, str]:
    fields = line.split("\t")
    if len(fields) != 2:
        raise ConfigError(f"{where}: expected 'Chinese<TAB>English', got {line.strip()!r}")
    zh, en = fields[0].strip(), " ".join(fields[1].split())
    if not zh or not _CJK.search(zh) or any(c.isspace() for c in zh):
        raise ConfigError(f"{where}: {zh!r} is not a Chinese term (one word, Chinese characters)")
    if not en or _CJK.search(en):
        raise ConfigError(f"{where}: English rendering of {zh} is empty or not English: {en!r}")
    return zh, en


_APOSTROPHE = re.compile(r"(?<=\w)['’`](?=\w)|(?<=\w) ?['’] ?(?=s\b)|(?<=s)['’](?!\w)")


def _normalise_english(text: str) -> str:
    """Lower case without apostrophes: People's == People 's == Peoples, managers' == managers."""
    return _APOSTROPHE.sub("", text.lower())


@lru_cache(maxsize=None)
def english_pattern(en: str) -> re.Pattern:
    """A regex for `en` with the tolerances documented in Glossary.missing."""
    words = re.split(_SEPARATOR, _normalise_english(en).strip())
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    parts = [re.escape(word) for word in words[:-1]] + [_last_word(words[-1])]
    return re.compile(r"(?<!\w)" + _SEPARATOR.join(parts) + r"(?!\w)")


def _last_word(word: str) -> str:
    """The word, its plural, and for longer words its adjective (Province: Provincial)."""
    forms = {word, _plural(word)}
    if word.isalpha() and len(word) >= 5:
        forms.add(_adjective(word))
    return "(?:" + "|".join(sorted(map(re.escape, forms), key=len, reverse=True)) + ")"


def _plural(word: str) -> str:
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    return word + "es" if re.search(r"(?:s|x|ch|sh)$", word) else word + "s"


def _adjective(word: str) -> str:
    """Municipality: municipal, Province: provincial, Region: regional."""
    if word.endswith("ity"):
        return word[:-3]
    return word[:-1] + "ial" if word.endswith("ce") else word + "al"
