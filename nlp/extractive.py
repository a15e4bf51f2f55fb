"""TextRank over an article's sentences, with lead and title priors, redundancy control, and
only sentences that read on their own (nlp.quotable)."""
from __future__ import annotations

import functools
import logging
import math
import re

import numpy as np

from .article import Article
from .config import ExtractiveConfig
from .headline import TitleFacts, title_facts
from .quotable import dependency, is_list_fragment, opening, opens_quote, quotes_balanced
from .summarize import Summary, require
from .text import ends_stop
from .tidy import fit_chars

MIN_QUOTABLE_CHARS = 10
MAX_QUOTE_CHARS = 300  # a quote still open after this many characters is not joined any further
_HAN = re.compile(r"[\u4e00-\u9fff]")
_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)

# Function words that say nothing about what a sentence is about.
_STOPWORDS = frozenset(
    "的 了 和 与 及 是 在 对 等 也 将 为 以 并 或 就 都 而 其 这 那 之 上 中 下 有 被 把 从 向 到 由 于 "
    "要 会 已 还 又 该 此 各 个 我们 他们 一个 一些 进行 以及 通过 目前 同时 其中 今年 表示 据 称".split()
)


class ExtractiveSummarizer:
    """TextRank over the article's sentences, with a lead prior, a title prior and redundancy control.

    Pieces that cleaning cut out of one over-long sentence, or out of one quotation, are joined
    back first. Candidates are the quotable sentences (nlp.quotable): ending in 。！？, at least
    MIN_QUOTABLE_CHARS long, quotes balanced, not a fragment of a numbered list; unless none is.
    Only the first `max_sentences` candidates are ranked, so the pairwise similarities (quadratic
    in the number of sentences) cost the same for a 5 KB and a 500 KB post.
    Sentences are jieba tokens minus stopwords and punctuation; two sentences are linked by
    their word overlap normalised by log lengths (Mihalcea & Tarau 2004); PageRank ranks them.
    The score mixes three things, because news puts the gist first and its title announces it:
    `(1 - lead_weight - title_weight) * rank + lead_weight * 1/(position+1) + title_weight * title`,
    where rank is normalised to a maximum of 1 and title is the share of the title's content words
    that the sentence contains, the title's entities and numbers (nlp.headline) counting twice.
    Sentences are taken best first, skipping any too similar (set cosine >= redundancy) to one
    already taken or too long for what is left of `max_chars`, until the best left scores below
    `keep_share` of the first one taken; they are printed in source order. If the title's key
    items (nlp.headline) are then not all stated, the lines that complete them are added when
    they fit, a statement line (a heading or item) where no sentence has them. A
    sentence that opens with a connective is taken only after some earlier sentence, one that
    opens with a reference ("这一问题", "该") only after the sentence right before it, so the
    abstract never starts with either.
    The output is made of whole source sentences only, except when even the best sentence
    alone exceeds `max_chars`: then it is cut at its last clause boundary that fits, closed
    with "。", and a note says so.
    """

    def __init__(self, config: ExtractiveConfig):
        require(config.max_chars >= 1, "summarizer.extractive.max_chars", "at least 1", config.max_chars)
        require(config.max_sentences >= 1, "summarizer.extractive.max_sentences", "at least 1",
                config.max_sentences)
        for key in ("lead_weight", "title_weight", "redundancy", "damping", "keep_share"):
            value = getattr(config, key)
            require(0 <= value <= 1, f"summarizer.extractive.{key}", "between 0 and 1", value)
        priors = config.lead_weight + config.title_weight
        require(priors <= 1, "summarizer.extractive.lead_weight + title_weight", "at most 1", round(priors, 6))
        self.config = config

    def summarize(self, article: Article) -> Summary:
        whole = whole_sentences(article)
        if not whole:
            return Summary("", "extractive", None, ("no sentences to summarise",))
        at = ([i for i, s in enumerate(whole) if _quotable(s)] or list(range(len(whole))))[: self.config.max_sentences]
        sentences = [whole[i] for i in at]
        words = [_content_words(s) for s in sentences]
        needs = [dependency(s, first_word(s)) for s in sentences]
        facts, title_words = title_facts(article.title or ""), _content_words(article.title or "")
        items = [facts.found_in(s) for s in sentences]
        title_share = np.array([_title_share(w, i, title_words, facts) for w, i in zip(words, items)])
        scores = self._scores(words, title_share)
        chosen = self._select(sentences, words, needs, scores, items, len(facts))
        if chosen:
            taken = {at[i]: sentences[i] for i in chosen}
            taken.update(self._complete(whole[: at[-1] + 1], taken, facts))
            return Summary("".join(taken[i] for i in sorted(taken)), "extractive", None)
        free = [i for i in range(len(sentences)) if needs[i] is None] or range(len(sentences))
        best = sentences[max(free, key=lambda i: (scores[i], -i))]
        text = fit_chars(best, self.config.max_chars)
        notes = (f"best sentence ({len(best)} chars) exceeds max_chars {self.config.max_chars}; "
                 "cut at a clause boundary",) if text != best else ()
        return Summary(text, "extractive", None, notes)

    def _scores(self, words: list[set[str]], title_share: np.ndarray) -> np.ndarray:
        n = len(words)
        weights = np.zeros((n, n))
        for i in range(n):
            for j in range(i + 1, n):
                weights[i, j] = weights[j, i] = _overlap_similarity(words[i], words[j])
        rank = pagerank(weights, self.config.damping)
        position = 1.0 / np.arange(1, n + 1)
        lead, title_weight = self.config.lead_weight, self.config.title_weight
        return (1 - lead - title_weight) * rank / rank.max() + lead * position + title_weight * title_share

    def _select(self, sentences: list[str], words: list[set[str]], needs: list[str | None],
                scores: np.ndarray, items: list[frozenset[str]], key_items: int) -> list[int]:
        """Greedy within the budget: each round takes the eligible sentence with the best score plus
        title_weight times the share of the title's key items it adds to those already taken. A
        sentence too long for the room left or too similar to a taken one drops out; a dependent
        one becomes eligible once what it needs is taken. It stops when the best value left is below
        keep_share times the first one's: room is not filled with sentences the ranking thinks
        little of (an "About us" blurb, a call to action)."""
        chosen: list[int] = []
        covered: set[str] = set()
        room = self.config.max_chars
        waiting = set(range(len(sentences)))
        gain = self.config.title_weight / max(key_items, 1)
        floor = None
        while True:
            waiting -= {i for i in waiting if len(sentences[i]) > room or not words[i] or any(
                _set_cosine(words[i], words[j]) >= self.config.redundancy for j in chosen)}
            eligible = [i for i in waiting if _supported(i, needs[i], chosen)]
            if not eligible:
                return chosen
            value = lambda i: scores[i] + gain * len(items[i] - covered)
            best = max(eligible, key=lambda i: (value(i), -i))
            if floor is None:
                floor = self.config.keep_share * value(best)
            elif value(best) < floor:
                return chosen
            chosen.append(best)
            covered |= items[best]
            room -= len(sentences[best])
            waiting.remove(best)

    def _complete(self, lines: list[str], taken: dict[int, str], facts: TitleFacts) -> dict[int, str]:
        """Lines that complete the title's fact (all its key items, nlp.headline) where the chosen
        sentences leave some out: each round the line adding the most missing items (a whole
        sentence before a statement line, then the earliest), while they fit in what is left of
        max_chars. A statement line is one nlp.quotable would not quote but that states something,
        such as the item "议题 1：API网关上云，……"; it is closed with "。". Nothing is added unless
        the fact is then complete: a headline's fact belongs in its abstract even when the ranking
        put it below the rest, a part of it is not worth the room."""
        covered = set().union(*(facts.found_in(text) for text in taken.values()))
        missing = set(facts.entities | facts.numbers) - covered
        room = self.config.max_chars - sum(len(text) for text in taken.values())
        added: dict[int, str] = {}
        while missing:
            options = []
            for i, line in enumerate(lines):
                if i in taken or i in added or not (_quotable(line) or _statement_line(line)):
                    continue
                text = line if ends_stop(line) else line.rstrip() + "。"
                new = facts.found_in(line) & missing
                if new and len(text) <= room:
                    options.append((len(new), _quotable(line), -i, text, new))
            if not options:
                return {}  # the fact cannot be completed: leave the abstract as ranked
            _, _, minus_i, text, new = max(options, key=lambda option: option[:3])
            added[-minus_i] = text
            missing -= new
            room -= len(text)
        return added


def _statement_line(line: str) -> bool:
    """A line that is not a quotable sentence but states something: Chinese words, quotes closed,
    no link, not a numbered item, not a lead-in ending in a colon."""
    line = line.strip()
    return (len(line) >= MIN_QUOTABLE_CHARS and bool(_HAN.search(line)) and quotes_balanced(line)
            and not _LINK.search(line) and not is_list_fragment(line) and not line.endswith((":", "：")))


def _title_share(words: set[str], items: frozenset[str], title_words: set[str], facts: TitleFacts) -> float:
    """The share of the title's content words and key items (nlp.headline) found in a sentence: an
    entity or number of the title counts twice, as a word and as an item."""
    total = len(title_words) + len(facts)
    found = len(title_words & words) + len(items)
    return found / total if total else 0.0


def _supported(i: int, need: str | None, chosen: list[int]) -> bool:
    if need == "connective":
        return any(j < i for j in chosen)
    if need == "reference":
        return i - 1 in chosen
    return True


def whole_sentences(article: Article) -> list[str]:
    """The article's sentences, with pieces joined again when they are adjacent in the text: a
    piece that does not end a sentence (a wrapped long sentence), or that leaves a quote open
    (a quotation of several sentences, up to MAX_QUOTE_CHARS), is joined to the next one."""
    text, joined, end = article.text, [], -1
    for sentence in (s for s in article.sentences if s.strip()):
        at = text.find(sentence, max(end, 0))
        if joined and at == end and (not ends_stop(joined[-1]) or (
                opens_quote(joined[-1]) and len(joined[-1]) + len(sentence) <= MAX_QUOTE_CHARS)):
            joined[-1] += sentence
        else:
            joined.append(sentence)
        end = at + len(sentence) if at >= 0 else -1
    return joined


def _quotable(sentence: str) -> bool:
    """A whole sentence (not a heading, caption or list item) with its quotes closed, and not a
    scrap like 规定所指的行为。"""
    return (ends_stop(sentence) and len(sentence) >= MIN_QUOTABLE_CHARS and quotes_balanced(sentence)
            and not is_list_fragment(sentence))


def pagerank(weights: np.ndarray, damping: float, tol: float = 1e-10, max_iter: int = 200) -> np.ndarray:
    """Weighted PageRank by power iteration; a sentence linked to nothing links to all."""
    n = len(weights)
    out = weights.sum(axis=1, keepdims=True)
    transition = np.where(out > 0, weights / np.where(out > 0, out, 1.0), 1.0 / n)
    rank = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        updated = (1 - damping) / n + damping * (transition.T @ rank)
        if np.abs(updated - rank).sum() < tol:
            return updated
        rank = updated
    return rank


@functools.cache
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def first_word(sentence: str) -> str:
    """The first jieba word of the sentence after its opening quotes."""
    words = _jieba().lcut(opening(sentence)[:8])
    return words[0] if words else ""


def _content_words(sentence: str) -> set[str]:
    tokens = (t.strip().lower() for t in _jieba().lcut(sentence))
    return {t for t in tokens if re.search(r"\w", t) and t not in _STOPWORDS}


def _overlap_similarity(a: set[str], b: set[str]) -> float:
    # log(1 + n) rather than the paper's log(n), so one-word sentences don't divide by zero
    return len(a & b) / (math.log1p(len(a)) + math.log1p(len(b))) if a and b else 0.0


def _set_cosine(a: set[str], b: set[str]) -> float:
    return len(a & b) / math.sqrt(len(a) * len(b)) if a and b else 0.0
