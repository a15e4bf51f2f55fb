"""Which source sentences an extract may quote, and which of them may open it.

An extractive abstract is read without the article, so a sentence it quotes must stand on its
own: not a fragment of a numbered list ("2．实施……"), not a quote cut in half, and, when it opens
the abstract, not a sentence that leans on what came before it: a connective ("此外", "值得一提的是",
"但") needs some earlier sentence, a reference ("这一问题", "该", "上述", "他") needs the sentence
right before it. The word lists are the openers of Chinese news prose, checked at the start of
the sentence after any opening quote or bracket.
"""
from __future__ import annotations

import re

CONNECTIVES = tuple(
    "值得一提的是 值得注意的是 值得关注的是 需要指出的是 需要注意的是 与此同时 除此之外 除此以外 另一方面 "
    "总的来说 也就是说 换句话说 此外 另外 同时 但是 然而 不过 而且 并且 而是 因此 因而 所以 于是 从而 "
    "进而 随后 其次 再次 最后 总之 同样 可见 例如 比如 譬如 尤其是 特别是 甚至 为此 据此 由此 就此 对此 "
    "其中 此后 此前".split())
SINGLE_CHAR_CONNECTIVES = frozenset("但 而 并 且 又 还 也 却 故 则 即 更 再".split())
REFERENCES = tuple("这 那些 那个 那种 那次 该 此 上述 以上 前述 前者 后者 两者 二者 双方 对方 其 他 她 它".split())

_OPENERS = "“「『‘\"'（(《【[ "
_PAIRS = (("“", "”"), ("「", "」"), ("『", "』"), ("‘", "’"), ("（", "）"), ("(", ")"), ("《", "》"))
_MARKER = r"(?:\d{1,2}\s*[．.、)）](?!\d)|[（(]\s*[\d一二三四五六七八九十]{1,3}\s*[)）]|[一二三四五六七八九十]{1,3}\s*[、．]|[①-⑳]|[•·▪●◆■])"
_LIST_START = re.compile(rf"^\s*(?:{_MARKER}|第[一二三四五六七八九十\d]{{1,3}}\s*[，、,：:])")
_LIST_INSIDE = re.compile(r"[：:；;，,。]\s*(?:\d{1,2}[．、](?!\d)|[（(]\d{1,2}[)）]|[①-⑳])")


def is_list_fragment(sentence: str) -> bool:
    """A numbered or bulleted item ("2．实施……", "（三）……", "第二，……") or a sentence running
    several items together ("……：1．推进……")."""
    return bool(_LIST_START.search(sentence) or _LIST_INSIDE.search(sentence))


def quotes_balanced(text: str) -> bool:
    """Every quote and bracket opened in `text` is closed in it, in order, and straight double
    quotes come in pairs."""
    depth = {opener: 0 for opener, _ in _PAIRS}
    closers = {closer: opener for opener, closer in _PAIRS}
    for char in text:
        if char in depth:
            depth[char] += 1
        elif char in closers:
            depth[closers[char]] -= 1
            if depth[closers[char]] < 0:
                return False
    return not any(depth.values()) and text.count('"') % 2 == 0


def opens_quote(text: str) -> bool:
    """Whether `text` leaves a quote or bracket open (more openers than closers, or an odd
    number of straight double quotes)."""
    return text.count('"') % 2 == 1 or any(text.count(opener) > text.count(closer) for opener, closer in _PAIRS)


def dependency(sentence: str, first_word: str = "") -> str | None:
    """"connective", "reference" or None: what the sentence needs before it to make sense.

    `first_word` is the first word of the sentence after its opening quotes (from a segmenter),
    so that 但 counts and 但凡 does not, and 以上 does while 以上海为例 does not; without it,
    single-character connectives are not recognised and references are matched as prefixes.
    """
    start = sentence.lstrip(_OPENERS)
    if start.startswith(CONNECTIVES) or first_word in SINGLE_CHAR_CONNECTIVES:
        return "connective"
    if (first_word or start).startswith(REFERENCES):
        return "reference"
    return None


def opening(sentence: str) -> str:
    """The sentence without the quotes and brackets that open it: where its first word starts."""
    return sentence.lstrip(_OPENERS)
