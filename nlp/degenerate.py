"""Whether a model's output is usable at all: never write an empty or looping abstract."""
from __future__ import annotations

import re

from .text import CJK_CHARS

_CJK = re.compile(f"[{CJK_CHARS}]")
_WORD = re.compile(rf"[{CJK_CHARS}]|[^\W\d_]+|\d+")
_LOOP = re.compile(r"(.{1,30}?)\1{2,}", re.S)  # a unit of up to 30 chars three or more times in a row
MAX_LOOPED_SHARE = 0.5
MIN_DISTINCT_SHARE = 0.2


def degenerate(text: str, chinese: bool = True) -> str | None:
    """Why `text` is no abstract (empty, no Chinese, mostly a loop, a handful of tokens over and
    over), or None when it is usable."""
    if not text or not text.strip():
        return "empty"
    if chinese and not _CJK.search(text):
        return "no Chinese text"
    compact = "".join(text.split())
    looped = sum(len(m.group(0)) - len(m.group(1)) for m in _LOOP.finditer(compact))
    if looped > MAX_LOOPED_SHARE * len(compact):
        return "mostly repeated"
    words = _WORD.findall(compact.lower())
    if len(words) >= 10 and len(set(words)) < MIN_DISTINCT_SHARE * len(words):
        return "mostly repeated"
    return None
