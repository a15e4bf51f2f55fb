"""Finishing a summary's text, shared by both summarisers: spacing, loops, length, the ending."""
from __future__ import annotations

import re

from .text import CJK_TEXT, boundaries, ends_stop

_SPACE_NEAR_CJK = re.compile(rf"(?<=[{CJK_TEXT}])\s+|\s+(?=[{CJK_TEXT}])")
_REPEAT = re.compile(r"(.{2,}?)\1+", re.S)
_PUNCT_BEFORE_END = re.compile(r"[，,；;：:、]+(?=[。！？!?])")


def fit_chars(text: str, max_chars: int) -> str:
    """`text` within `max_chars`: cut after the last whole sentence that fits, else at the last
    clause boundary (closed with "。"), else hard (closed with "。")."""
    if len(text) <= max_chars:
        return text
    ends = [m.end() for m in boundaries(text, "stops") if m.end() <= max_chars]
    if ends:
        return text[: ends[-1]]
    clauses = [m.start() for m in boundaries(text, "clauses") if 0 < m.start() <= max_chars - 1]
    cut = clauses[-1] if clauses else max_chars - 1
    return text[:cut].rstrip() + "。"


def normalise_space(text: str) -> str:
    """No spaces next to Chinese characters; other whitespace runs become one space."""
    return re.sub(r"\s+", " ", _SPACE_NEAR_CJK.sub("", text)).strip()


def collapse_repeats(text: str) -> str:
    """Collapse a phrase (2+ chars) repeated back to back, as generation loops produce;
    numbers such as 1111 or 2020 are left alone."""
    def once(match: re.Match) -> str:
        unit = match.group(1)
        return match.group(0) if re.fullmatch(r"[\d.,%％]+", unit) else unit

    previous = None
    while previous != text:
        previous, text = text, _REPEAT.sub(once, text)
    return text


def close_sentence(text: str) -> str:
    """Drop a dangling last fragment after a whole sentence, or close a lone fragment with "。"."""
    text = text.strip()
    if not text or ends_stop(text):
        return text
    ends = [m.end() for m in boundaries(text, "stops")]
    if ends:
        return text[: ends[-1]]
    fragment = text.rstrip("，,；;：:、 ")
    return fragment + "。" if fragment else ""


def tidy_summary(text: str) -> str:
    """Model output made presentable: broken bytes, spacing, loops and the ending."""
    text = collapse_repeats(normalise_space(text.replace("\ufffd", "")))
    return close_sentence(_PUNCT_BEFORE_END.sub("", text))
