"""Plain Chinese text: how Chinese it is, whitespace, and sentences.

Sentence rules: a sentence ends at 。！？； or an ellipsis (…… or ...), together with any closing
quotes and brackets right after it (。” ！」 ？』 ！）); ASCII ! ? ; end one unless a letter or digit
follows; an ASCII full stop ends one only after a letter and before whitespace (so 1.54亿元,
2021.10.1, U.S. and list numbers like "1. " stay whole). A line break always ends a sentence.
No sentence is longer than `max_chars` (default 150, about what a sentence-level translation
model takes comfortably): a longer run is split after commas and enumeration commas (，、：),
and a run without any of those is cut every `max_chars` characters, at a space when there is one.
"""
from __future__ import annotations

import re

CJK_CHARS = r"\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"  # ideographs
# Ideographs plus CJK, full-width and curly punctuation: no space belongs between two of these.
CJK_TEXT = CJK_CHARS + r"\u3000-\u303f\uff00-\uffef\u2018-\u201f\u2026"
MAX_SENTENCE_CHARS = 150

_CJK = re.compile(f"[{CJK_CHARS}]")
_LETTER = re.compile(r"[^\W\d_]")
_LINE_BREAK_IN_CJK = re.compile(rf"(?<=[{CJK_TEXT}])[ \t\r]*\n\s*(?=[{CJK_TEXT}])")
_SPACE_RUN = re.compile(r"\s+")

CLOSERS = "”’」』）)】》〉]"
_CLOSING = f"[{re.escape(CLOSERS)}]*"
# The boundary marks of each splitting mode, closing quotes and brackets included:
#   stops      。！？!?…: ends of sentences that can close a text, what an abstract may end on;
#   sentences  the units that cleaning, translation and summarisation work on (rules in the
#              module docstring: stops, semicolons, ASCII full stops after a word);
#   clauses    stops cut further at semicolons, commas, enumeration commas, colons and line
#              breaks: the places a too-long sentence may be cut.
BOUNDARIES = {
    "stops": re.compile(f"[。！？!?…]+{_CLOSING}"),
    "sentences": re.compile(r"(?:[。！？；]|[!?;](?![A-Za-z0-9])|…|\.{3,}|(?<=[^\W\d_])\.(?=\s+[^a-z\s]|\s*$))+"
                            + _CLOSING),
    "clauses": re.compile(rf"(?:[。！？!?…；;，,：:、\n]|\.(?=\s|$))+{_CLOSING}"),
}
_CONTINUES = "，,、"  # a closing quote followed by these does not end the sentence
_SOFT_BREAK = re.compile(r"(?<=[，、；：])|(?<=,)(?=\s)")


def chinese_ratio(text: str) -> float:
    """Share of CJK ideographs among all letters (0.0 for text without letters)."""
    letters = len(_LETTER.findall(text))
    return len(_CJK.findall(text)) / letters if letters else 0.0


def collapse_space(text: str) -> str:
    """One space for any whitespace run, none where a line break falls between two CJK chars."""
    text = _LINE_BREAK_IN_CJK.sub("", text)
    return _SPACE_RUN.sub(" ", text).strip()


def boundaries(text: str, mode: str = "sentences") -> list[re.Match]:
    """The boundary marks of `text` in one of the BOUNDARIES modes, in order."""
    return list(BOUNDARIES[mode].finditer(text))


def split(text: str, mode: str = "sentences", keep_marks: bool = True) -> list[str]:
    """`text` cut after each boundary mark of `mode`; pieces stripped, none empty."""
    pieces, start = [], 0
    for mark in boundaries(text, mode):
        pieces.append(text[start:mark.end() if keep_marks else mark.start()])
        start = mark.end()
    pieces.append(text[start:])
    return [piece.strip() for piece in pieces if piece.strip()]


def ends_stop(text: str) -> bool:
    """Whether `text` ends a sentence that can close a text (。！？… and closing quotes)."""
    text = text.rstrip()
    marks = boundaries(text, "stops")
    return bool(marks) and marks[-1].end() == len(text)


def split_sentences(text: str, max_chars: int = MAX_SENTENCE_CHARS) -> list[str]:
    """Sentences of `text` in order, none empty and none longer than `max_chars`."""
    if max_chars < 1:
        raise ValueError(f"max_chars must be positive, got {max_chars}")
    sentences = []
    for line in text.splitlines():
        for sentence in _split_line(line):
            sentences.extend(_wrap(sentence, max_chars) if len(sentence) > max_chars else [sentence])
    return sentences


def _split_line(line: str) -> list[str]:
    pieces, start = [], 0
    for end in _sentence_ends(line):
        pieces.append(line[start:end])
        start = end
    pieces.append(line[start:])
    return [piece.strip() for piece in pieces if piece.strip()]


def _sentence_ends(line: str):
    for match in BOUNDARIES["sentences"].finditer(line):
        end = match.end()
        if end < len(line) and line[end] == '"' and line[:end].count('"') % 2:
            end += 1  # a straight closing quote, opened earlier in the text
        if end < len(line) and line[end] in _CONTINUES:
            continue
        yield end


def _wrap(sentence: str, max_chars: int) -> list[str]:
    """A too-long sentence as chunks of at most max_chars, broken after commas when possible."""
    chunks, current = [], ""
    for piece in _SOFT_BREAK.split(sentence):
        if len(current) + len(piece) <= max_chars:
            current += piece
            continue
        chunks.append(current)
        current = ""
        start = 0
        while len(piece) - start > max_chars:
            cut = _cut_point(piece, start, max_chars)
            chunks.append(piece[start:cut])
            start = cut
        current = piece[start:]
    chunks.append(current)
    return [chunk.strip() for chunk in chunks if chunk.strip()]


def _cut_point(text: str, start: int, max_chars: int) -> int:
    """Where to cut text[start:] so the head fits: after the last space in its second half, else hard."""
    space = text.rfind(" ", start + max_chars // 2, start + max_chars)
    return space + 1 if space >= 0 else start + max_chars
