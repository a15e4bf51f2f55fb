"""Post body (HTML or Markdown) to an Article: clean Chinese paragraphs and their sentences.

Each paragraph of the body (markup.py) is normalised (full-width letters and digits to ASCII,
odd spaces to plain ones, Traditional to Simplified when configured), then cut and dropped by
the boilerplate rules, then kept only if it is long enough, has letters and is not the title.
The rules are data, not code: YAML files listed in CleanConfig.rules (format in
configs/clean_rules.yaml), so users can add their own without touching the package.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .article import Article
from .config import CleanConfig, read_yaml_mapping
from .errors import ConfigError
from .markup import body_paragraphs
from .text import chinese_ratio, collapse_space, split_sentences

__all__ = ["BoilerplateRules", "chinese_ratio", "clean_article", "load_rules", "normalise",
           "split_sentences"]

RULE_KINDS = ("drop", "strip")

_CHAR_MAP = {
    **{0xFF10 + i: ord("0") + i for i in range(10)},  # full-width digits
    **{0xFF21 + i: ord("A") + i for i in range(26)},  # full-width capitals
    **{0xFF41 + i: ord("a") + i for i in range(26)},  # full-width small letters
    **dict.fromkeys(map(ord, "\u00a0\u1680\u202f\u205f\u3000"), " "),  # nbsp, ideographic space
    **dict.fromkeys(range(0x2000, 0x200B), " "),  # en/em/thin/hair spaces
    **dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None),  # zero-width characters
}
_FULLWIDTH_DECIMAL_POINT = re.compile(r"(?<=\d)．(?=\d)")
_LETTER_OR_CJK = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class BoilerplateRules:
    """`strip` patterns are cut out of a paragraph; a paragraph that a `drop` pattern matches
    from its first to its last character is dropped, so a drop rule never removes a paragraph
    that merely contains a boilerplate word."""

    drop: tuple[re.Pattern, ...] = ()
    strip: tuple[re.Pattern, ...] = ()

    def apply(self, paragraph: str) -> str:
        """The paragraph without boilerplate; empty when the whole paragraph is boilerplate."""
        for pattern in self.strip:
            paragraph = pattern.sub("", paragraph)
        paragraph = collapse_space(paragraph)
        return "" if any(pattern.fullmatch(paragraph) for pattern in self.drop) else paragraph


def clean_article(body: str, title: str | None, config: CleanConfig) -> Article:
    """Clean paragraphs and sentences of a post body; `title` is normalised the same way."""
    rules = rules_for(config.rules)
    convert = _to_simplified if config.to_simplified else str
    if title is not None:
        title = convert(normalise(title)) or None
    paragraphs = []
    for raw in body_paragraphs(body):
        paragraph = rules.apply(convert(normalise(raw)))
        if _is_content(paragraph, title, config.min_paragraph_chars):
            paragraphs.append(paragraph)
    sentences = [s for p in paragraphs for s in split_sentences(p, config.max_sentence_chars)]
    return Article(title=title, paragraphs=tuple(paragraphs), sentences=tuple(sentences))


def normalise(text: str) -> str:
    """Full-width ASCII letters and digits to ASCII, all kinds of space to one plain space.

    Chinese punctuation (，。：（）！？) is kept as it is.
    """
    text = _FULLWIDTH_DECIMAL_POINT.sub(".", text.translate(_CHAR_MAP))
    return collapse_space(text)


def _is_content(paragraph: str, title: str | None, min_chars: int) -> bool:
    compact = "".join(paragraph.split())
    return (len(compact) >= min_chars and bool(_LETTER_OR_CJK.search(paragraph))
            and not (title and compact == "".join(title.split())))


def _to_simplified(text: str) -> str:
    return _opencc_t2s().convert(text)


@lru_cache(maxsize=1)
def _opencc_t2s():
    from opencc import OpenCC

    return OpenCC("t2s")


# --- rules files ----------------------------------------------------------------------------

def rules_for(paths: Iterable[str]) -> BoilerplateRules:
    """load_rules, cached per process for as long as the files' contents stay the same."""
    paths = tuple(paths)
    return _cached_rules(paths, tuple(_contents(path) for path in paths))


def load_rules(paths: Iterable[str | os.PathLike]) -> BoilerplateRules:
    """Rules of all files in order. A family defined again in a later file replaces the
    earlier definition (an empty family switches it off); other families add up."""
    families: dict[str, dict[str, list[re.Pattern]]] = {}
    for path in paths:
        families.update(_read_rules_file(Path(path)))
    return BoilerplateRules(
        **{kind: tuple(p for family in families.values() for p in family[kind]) for kind in RULE_KINDS})


@lru_cache(maxsize=16)
def _cached_rules(paths: tuple[str, ...], contents: tuple) -> BoilerplateRules:
    return load_rules(paths)


def _contents(path: str) -> bytes | None:
    try:
        return Path(path).read_bytes()
    except OSError:
        return None  # load_rules reports it


def _read_rules_file(path: Path) -> dict[str, dict[str, list[re.Pattern]]]:
    data = read_yaml_mapping(path, "rules file", "a mapping of rule families")
    return {str(name): _family(path, str(name), spec) for name, spec in data.items()}


def _family(path: Path, name: str, spec) -> dict[str, list[re.Pattern]]:
    if spec is None:
        spec = {}
    if not isinstance(spec, dict):
        raise ConfigError(f"{path}: rule family '{name}' must be a mapping with drop/strip lists")
    unknown = sorted(set(map(str, spec)) - set(RULE_KINDS))
    if unknown:
        raise ConfigError(f"{path}: rule family '{name}': unknown key '{unknown[0]}' "
                          f"(known: {', '.join(RULE_KINDS)})")
    family = {}
    for kind in RULE_KINDS:
        patterns = spec.get(kind) or []
        if not isinstance(patterns, list):
            raise ConfigError(f"{path}: rule family '{name}': '{kind}' must be a list of patterns")
        family[kind] = [_compile(path, f"{name}.{kind}[{i}]", p) for i, p in enumerate(patterns)]
    return family


def _compile(path: Path, rule: str, pattern) -> re.Pattern:
    if not isinstance(pattern, str) or not pattern:
        raise ConfigError(f"{path}: rule {rule} must be a non-empty string, got {pattern!r}")
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise ConfigError(f"{path}: rule {rule} {pattern!r} is not a valid regular expression: "
                          f"{exc}") from None
    if compiled.fullmatch(""):
        raise ConfigError(f"{path}: rule {rule} {pattern!r} matches empty text, so it would match anywhere")
    return compiled
