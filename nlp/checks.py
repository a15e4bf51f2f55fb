"""Faithfulness checks on an abstract: short warnings a reviewer reads, [] when all pass.

The Chinese abstract must not be empty, a copy of the article, repetitive or non-Chinese (names
copied from the source do not count against it), and
every number, percentage, amount and date in it must occur in the source (in any written form,
see nlp.numbers). The English abstract, when there is one, must carry the same quantities and
the glossary's renderings of the terms in the Chinese abstract.
"""
from __future__ import annotations

import re

from .config import LimitsConfig
from .glossary import Glossary
from .numbers import Mention, describe, mentions, numbers_in
from .text import CJK_CHARS, chinese_ratio, split

__all__ = ["run_checks", "numbers_in", "unsupported_quantities", "repetition"]

_CJK_RUN = re.compile(f"[{CJK_CHARS}]+")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_TOKEN = re.compile(rf"[{CJK_CHARS}]|[^\W\d_{CJK_CHARS}]+|\d+(?:[.,]\d+)*")
MIN_REPEATED_CLAUSE_CHARS = 8


def run_checks(source: str, abstract_zh: str, abstract_en: str | None, glossary: Glossary,
               limits: LimitsConfig | None = None) -> list[str]:
    """Warnings about the abstracts of `source`; abstract_en None skips the English checks."""
    limits = limits or LimitsConfig()
    if not abstract_zh.strip():
        return ["abstract_zh is empty"]
    warnings = _chinese_warnings(source, abstract_zh, limits)
    if abstract_en is not None:
        warnings += _english_warnings(abstract_zh, abstract_en, glossary)
    return list(dict.fromkeys(warnings))  # a value mentioned twice is one warning


def _chinese_warnings(source: str, abstract_zh: str, limits: LimitsConfig) -> list[str]:
    warnings = []
    ratio = chinese_ratio(_without_copied_names(abstract_zh, source))
    if ratio < limits.min_chinese_ratio:
        warnings.append(f"abstract_zh is not Chinese ({ratio:.0%} Chinese characters)")
    warnings += _copy_warnings(source, abstract_zh, limits.max_abstract_share)
    if phrase := repetition(abstract_zh):
        warnings.append(f"abstract_zh repeats itself: {phrase!r}")
    warnings += [f"{describe(m.value)} {m.surface} in abstract_zh not found in source"
                 for m in unsupported_quantities(abstract_zh, source)]
    return warnings


def _without_copied_names(abstract_zh: str, source: str) -> str:
    """The abstract less the Latin-script words it copies from the source (names such as
    "Apache APISIX 2.7.0"): they are part of Chinese text, not a switch to another language."""
    return _LATIN_WORD.sub(lambda word: "" if word.group() in source else word.group(), abstract_zh)


def _english_warnings(abstract_zh: str, abstract_en: str, glossary: Glossary) -> list[str]:
    if not abstract_en.strip():
        return ["abstract_en is empty"]
    warnings = [f"{describe(m.value)} {m.surface} in abstract_zh missing from abstract_en"
                for m in unsupported_quantities(abstract_zh, abstract_en)]
    warnings += [f"term {term.zh} not rendered as {term.en!r} in abstract_en"
                 for term in glossary.missing(abstract_zh, abstract_en)]
    if chinese := _CJK_RUN.findall(abstract_en):
        warnings.append(f"abstract_en contains untranslated Chinese: {'、'.join(chinese[:3])}")
    if phrase := repetition(abstract_en):
        warnings.append(f"abstract_en repeats itself: {phrase!r}")
    return warnings


def _copy_warnings(source: str, abstract: str, max_share: float) -> list[str]:
    """An abstract (nearly) as long as its source summarises nothing."""
    compact_source, compact_abstract = "".join(source.split()), "".join(abstract.split())
    if not compact_source:
        return []
    if compact_abstract == compact_source:
        return ["abstract_zh is the whole source text"]
    share = len(compact_abstract) / len(compact_source)
    if share > max_share:
        return [f"abstract_zh is {share:.0%} of the source's length (a copy, not a summary)"]
    return []


def unsupported_quantities(text: str, support: str) -> list[Mention]:
    """Mentions in `text` whose value `support` does not state, one per value, in text order."""
    stated, unsupported = numbers_in(support), {}
    for mention in mentions(text):
        if mention.value not in stated:
            unsupported.setdefault(mention.value, mention)
    return list(unsupported.values())


def repetition(text: str) -> str | None:
    """The repeated part when text loops: a clause of 8+ characters occurring twice, a run of 4+
    tokens repeated back to back, or a run of 2+ tokens three times in a row (tokens are CJK
    characters, words and numbers)."""
    clauses = [" ".join(c.split()) for c in split(text, "clauses", keep_marks=False)]
    seen = set()
    for clause in clauses:
        if len(clause.replace(" ", "")) >= MIN_REPEATED_CLAUSE_CHARS:
            if clause in seen:
                return clause
            seen.add(clause)
    return _back_to_back(_TOKEN.findall(text.lower()))


def _back_to_back(tokens: list[str], longest: int = 30) -> str | None:
    for size in range(2, min(longest, len(tokens) // 2) + 1):
        times_needed = 2 if size >= 4 else 3
        for start in range(len(tokens) - size * times_needed + 1):
            unit = tokens[start:start + size]
            if all(tokens[start + k * size:start + (k + 1) * size] == unit for k in range(1, times_needed)):
                return _join_tokens(unit)
    return None


def _join_tokens(tokens: list[str]) -> str:
    text = " ".join(tokens)
    return re.sub(rf"(?<=[{CJK_CHARS}]) (?=[{CJK_CHARS}])", "", text)
