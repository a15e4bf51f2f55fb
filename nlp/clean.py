"""Post body (HTML or Markdown) to an Article: clean Chinese paragraphs and their sentences.

Each paragraph of the body (markup.py) is normalised (full-width letters and digits to ASCII,
odd spaces to plain ones, Traditional to Simplified when configured), then judged by
boilerplate.py (rules plus signals such as position, captions and repetition), then kept only if
it is long enough, has letters and is not the title. A dateline that opens a paragraph
("新华社北京3月5日电 ...") stays in the paragraph but is its own sentence.
The rules are data, not code: YAML files listed in CleanConfig.rules (format in
configs/clean_rules.yaml), so users can add their own without touching the package.
"""
from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from .article import Article
from .boilerplate import BoilerplateRules, Rule, Verdict, judge
from .config import CleanConfig, read_yaml_mapping
from .errors import ConfigError
from .markup import body_blocks
from .text import chinese_ratio, collapse_space, split_sentences

__all__ = ["BoilerplateRules", "chinese_ratio", "clean_article", "judge_units", "keeps", "load_rules",
           "normalise", "split_sentences"]

RULE_KINDS = ("drop", "strip", "edge", "caption", "section")

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
# "新华社北京3月5日电 " / "中新经纬 10 月 1 日电 " / "正义网讯 ": opening a paragraph, before a space
_DATELINE = re.compile(
    r"[^\s，。：:“”\"]{2,20}?(?:\s?\d{1,2}\s?月\s?\d{1,2}\s?日)?\s?(?:电|讯|消息)(?=\s)")


def clean_article(body: str, title: str | None, config: CleanConfig,
                  repeated: frozenset[str] = frozenset()) -> Article:
    """Clean paragraphs and sentences of a post body; `title` is normalised the same way.

    `repeated` holds units that open or close several posts of the same site or folder
    (boilerplate.repeated_units); they are dropped as that site's fixed header or footer.
    """
    verdicts, title = judge_units(body, title, config, repeated)
    paragraphs = [v.kept for v in verdicts if _is_content(v.kept, title, config.min_paragraph_chars)]
    sentences = [s for p in paragraphs for s in _sentences(p, config.max_sentence_chars)]
    return Article(title=title, paragraphs=tuple(paragraphs), sentences=tuple(sentences))


def judge_units(body: str, title: str | None, config: CleanConfig,
                repeated: frozenset[str] = frozenset()) -> tuple[list[Verdict], str | None]:
    """The verdict on every unit of the body, and the normalised title (for benchmarks and review)."""
    convert = _to_simplified if config.to_simplified else str
    if title is not None:
        title = convert(normalise(title)) or None
    units = []
    for block in body_blocks(body):
        hidden = tuple(convert(normalise(piece)) for piece in block.hidden)
        units.append((convert(normalise(block.text)), dataclasses.replace(block, hidden=hidden)))
    return judge(units, title, rules_for(config.rules), repeated), title


def _sentences(paragraph: str, max_chars: int) -> list[str]:
    dateline = _DATELINE.match(paragraph)
    if dateline:
        return [dateline.group()] + split_sentences(paragraph[dateline.end():], max_chars)
    return split_sentences(paragraph, max_chars)


def normalise(text: str) -> str:
    """Full-width ASCII letters and digits to ASCII, all kinds of space to one plain space.

    Chinese punctuation (，。：（）！？) is kept as it is.
    """
    text = _FULLWIDTH_DECIMAL_POINT.sub(".", text.translate(_CHAR_MAP))
    return collapse_space(text)


def keeps(text: str, title: str | None, config: CleanConfig) -> bool:
    """Whether what a verdict kept of a unit becomes a paragraph of the Article."""
    return _is_content(text, title, config.min_paragraph_chars)


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
    return BoilerplateRules(**{kind: tuple(Rule(name, p) for name, family in families.items() for p in family[kind])
                               for kind in RULE_KINDS})


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
        raise ConfigError(f"{path}: rule family '{name}' must be a mapping with {'/'.join(RULE_KINDS)} lists")
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
