"""A restricted output vocabulary for a CTranslate2 summariser (`nlp models convert --chinese-vocabulary`).

mT5's output layer (768 x 250,112) is most of a summary's time (docs/benchmarks.md), and a Chinese
summary needs few of its tokens. The map written here makes the decoder score only tokens made of
Chinese characters, ASCII, digits, punctuation and symbols, plus every token of the input being
summarised, so that anything in the source can still be copied. CTranslate2 reads it as vmap.txt
in the model folder (a line per source token: the token, a tab, its candidate output tokens; the
line with an empty source lists the tokens that are always candidates) and applies it when
translate_batch gets use_vmap=True. Special tokens (`<...>`) are candidates only through
CTranslate2 itself (unknown, start, end).
"""
from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path

from ..errors import NlpError

VOCABULARY_MAP = "vmap.txt"
SPACE_MARK = "▁"  # SentencePiece's word-start mark


def is_chinese_token(token: str) -> bool:
    """True for a token a Chinese summary may need: every character Chinese (CJK), full-width,
    ASCII, Greek (α, β in technical text), or a digit, punctuation mark, symbol or space of any
    script; special tokens are not."""
    if token.startswith("<") and token.endswith(">") and len(token) > 2:
        return False
    return all(_is_chinese_text(char) for char in token.replace(SPACE_MARK, ""))


def _is_chinese_text(char: str) -> bool:
    if " " <= char <= "~" or unicodedata.category(char)[0] in "NPSZ":
        return True
    return unicodedata.name(char, "").startswith(("CJK", "FULLWIDTH", "IDEOGRAPHIC", "GREEK"))


def restrict_vocabulary(folder: Path, role: str = "summarizer") -> tuple[int, int]:
    """`nlp models convert --chinese-vocabulary`: the map for a converted encoder-decoder, or a
    one-line error (a decoder-only model has no separate output vocabulary to restrict)."""
    try:
        return write_vocabulary_map(Path(folder))
    except FileNotFoundError as exc:
        raise NlpError(f"{role} model: cannot restrict its output vocabulary: {exc}") from None


def write_vocabulary_map(folder: Path, keep=is_chinese_token) -> tuple[int, int]:
    """Write vmap.txt into the CTranslate2 model `folder`: the tokens `keep` accepts are always
    candidates, any other only when the input has it. Returns (tokens kept, vocabulary size)."""
    vocabulary = output_vocabulary(folder)
    kept = [token for token in vocabulary if keep(token)]
    copied = [token for token in vocabulary if not keep(token) and token.strip() and " " not in token]
    lines = ["\t" + " ".join(kept), *(f"{token}\t{token}" for token in copied)]
    (folder / VOCABULARY_MAP).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(kept), len(vocabulary)


def output_vocabulary(folder: Path) -> list[str]:
    """The target (or shared) vocabulary of a CTranslate2 model folder, in id order."""
    for name in ("target_vocabulary", "shared_vocabulary"):
        if (folder / f"{name}.json").is_file():
            return json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        if (folder / f"{name}.txt").is_file():
            return (folder / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    raise FileNotFoundError(f"{folder} has no CTranslate2 target or shared vocabulary (not an encoder-decoder)")


def vocabulary_map_digest(folder: Path) -> str:
    """SHA-256 of the folder's vmap.txt (what the settings fingerprint records); "" without one."""
    path = Path(folder) / VOCABULARY_MAP
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
