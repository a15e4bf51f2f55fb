"""Which units of a post are boilerplate, decided from signals that carry across sites.

A unit is one paragraph of the body (a markup.Block) after normalisation. The knowledge of what
boilerplate looks like is data (rule families in configs/clean_rules.yaml); this module decides
where each kind of rule may fire, from facts any site's markup gives away:

- text that readers never see (hidden styles) is cut out, and so are `strip` fragments; a cut
  leaves a space, so a dateline never ends up glued to the sentence after it;
- a unit goes when a `drop` pattern matches all of it (anywhere), an `edge` pattern matches all of
  it and it is among the first or last units (bylines, credits, repost headers and footers), or a
  `caption` pattern matches all of it and it sits in caption markup or right after an image;
- a unit in <figcaption> or a caption-class element goes if it is caption-sized;
- a unit in navigation (<nav>, a table of contents, kramdown's {:toc}) goes;
- a unit at the end that is mostly link text and no sentence goes (tag lists, related links);
- a unit that also ends or starts other posts of the same folder goes (a site's fixed footer);
- a `section` heading (作者简介, 推荐阅读 ...) takes the units after it up to the next heading;
- a short label plus the post's title in front of the text (品玩 "故宫 <title>正文") is cut.

When no signal fires, the unit is kept: the cleaner never drops text it is unsure about.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .markup import Block
from .text import collapse_space

__all__ = ["BoilerplateRules", "Rule", "Verdict", "judge", "repeated_units"]

HEAD_UNITS = 3  # the first units of a post, where bylines and repost headers sit
TAIL_UNITS = 5  # the last units, where credits, editors, tags and follow prompts sit
CAPTION_MAX_CHARS = 150  # longer text in caption markup is kept (it is more likely prose)
SECTION_MAX_UNITS = 6  # a boilerplate section without a closing heading ends after this many units
REPEATED_MAX_CHARS = 60  # only short units can be a site's fixed header or footer
LINK_SHARE = 0.6  # a tail unit with at least this share of link text is a link list
TITLE_LABEL_MAX_CHARS = 8  # a label before an echoed title ("故宫 <title>")

_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_SENTENCE_INSIDE = re.compile(r"[。！？!?；;](?=.)")


@dataclass(frozen=True)
class Rule:
    family: str
    pattern: re.Pattern


@dataclass(frozen=True)
class BoilerplateRules:
    """Patterns by kind; every pattern belongs to a family, so a family can be switched off.

    drop / edge / caption / section patterns must match a whole unit (re.fullmatch), so a drop
    rule never removes a unit that merely contains a boilerplate word; strip patterns cut text.
    """

    drop: tuple[Rule, ...] = ()
    strip: tuple[Rule, ...] = ()
    edge: tuple[Rule, ...] = ()
    caption: tuple[Rule, ...] = ()
    section: tuple[Rule, ...] = ()

    def cut(self, text: str) -> tuple[str, str | None]:
        """The text without strip fragments (each cut leaves a space) and the family that cut."""
        family = None
        for rule in self.strip:
            cut = rule.pattern.sub(" ", text)
            if cut != text:
                text, family = cut, family or rule.family
        return collapse_space(text), family

    def match(self, kind: str, text: str) -> str | None:
        """The family of the first `kind` rule that matches all of `text`, else None."""
        return next((rule.family for rule in getattr(self, kind) if rule.pattern.fullmatch(text)), None)


@dataclass(frozen=True)
class Verdict:
    """One unit: its text as read, what is kept of it ('' when it all goes) and why it went."""

    text: str
    kept: str
    reason: str | None = None


def judge(units: Sequence[tuple[str, Block]], title: str | None, rules: BoilerplateRules,
          repeated: frozenset[str] = frozenset()) -> list[Verdict]:
    """Verdicts for the units (normalised text, block) of one post, in order."""
    verdicts, section_left = [], 0
    last = len(units) - 1
    for index, (text, block) in enumerate(units):
        edge = index < HEAD_UNITS or index > last - TAIL_UNITS
        kept, reason = _cut(text, block, title, rules)
        if section_left and block.tag not in _HEADINGS:
            verdicts.append(Verdict(text, "", "section"))
            section_left -= 1
            continue
        section_left = 0
        dropped = _dropped(kept, block, edge, index > last - TAIL_UNITS, rules, repeated)
        if dropped == "section":
            section_left = SECTION_MAX_UNITS
        verdicts.append(Verdict(text, "", dropped) if dropped else Verdict(text, kept, reason))
    return verdicts


def repeated_units(posts: Iterable[Sequence[str]], min_posts: int = 3) -> frozenset[str]:
    """Short units that open or close at least `min_posts` of the given posts (unit texts each):
    a site's fixed header or footer. Only the head and tail units of each post count, once each."""
    counts = Counter()
    for texts in posts:
        edges = list(texts[:HEAD_UNITS]) + list(texts[-TAIL_UNITS:])
        counts.update({text for text in edges if len(text) <= REPEATED_MAX_CHARS})
    return frozenset(text for text, count in counts.items() if count >= min_posts)


def _cut(text: str, block: Block, title: str | None, rules: BoilerplateRules) -> tuple[str, str | None]:
    reason = None
    for piece in block.hidden:
        if piece and piece in text:
            text, reason = collapse_space(text.replace(piece, " ")), "hidden"
    text, family = rules.cut(text)
    text, echoed = _without_title_echo(text, title)
    return text, reason or family or ("title_echo" if echoed else None)


def _dropped(text: str, block: Block, edge: bool, tail: bool, rules: BoilerplateRules,
             repeated: frozenset[str]) -> str | None:
    if not text:
        return "empty"
    if block.navigation:
        return "navigation"
    family = rules.match("drop", text) or (edge and rules.match("edge", text))
    if family:
        return family
    if block.caption or block.after_image:
        family = rules.match("caption", text)
        if family:
            return family
        if block.caption and len(text) <= CAPTION_MAX_CHARS:
            return "caption_markup"
    if (block.tag in _HEADINGS or len(text) <= 12) and rules.match("section", text):
        return "section"
    if text in repeated:
        return "repeated"
    if tail and _is_link_list(text, block):
        return "link_list"
    return None


def _is_link_list(text: str, block: Block) -> bool:
    chars = len("".join(text.split()))
    return chars > 0 and block.link_chars / chars >= LINK_SHARE and not _SENTENCE_INSIDE.search(text)


def _without_title_echo(text: str, title: str | None) -> tuple[str, bool]:
    """Cut '<short label> <title>' from the front of a unit that goes on with other text."""
    if not title or len(title) < 6:
        return text, False
    start = text.find(title)
    rest = text[start + len(title):].strip() if start >= 0 else ""
    label = text[:start].strip() if start >= 0 else ""
    if 0 < len(label) <= TITLE_LABEL_MAX_CHARS and not re.search(r"[，。！？：,.!?:]", label) and len(rest) >= 2:
        return rest, True
    return text, False
