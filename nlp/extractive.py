"""TextRank over an article's sentences, with a lead prior and redundancy control."""
from __future__ import annotations

import functools
import logging
import math
import re

import numpy as np

from .article import Article
from .config import ExtractiveConfig
from .summarize import Summary, require
from .text import ends_stop
from .tidy import fit_chars

MIN_QUOTABLE_CHARS = 10

# Function words that say nothing about what a sentence is about.
_STOPWORDS = frozenset(
    "的 了 和 与 及 是 在 对 等 也 将 为 以 并 或 就 都 而 其 这 那 之 上 中 下 有 被 把 从 向 到 由 于 "
    "要 会 已 还 又 该 此 各 个 我们 他们 一个 一些 进行 以及 通过 目前 同时 其中 今年 表示 据 称".split()
)


class ExtractiveSummarizer:
    """TextRank over the article's sentences, with a lead prior and redundancy control.

    Pieces that cleaning cut out of one over-long sentence are joined back first, and only
    sentences that end in 。！？ (not headings or captions) and have at least
    MIN_QUOTABLE_CHARS characters are candidates, unless none does; only the first
    `max_sentences` candidates are ranked, so the pairwise similarities (quadratic in the
    number of sentences) cost the same for a 5 KB and a 500 KB post.
    Sentences are jieba tokens minus stopwords and punctuation; two sentences are linked by
    their word overlap normalised by log lengths (Mihalcea & Tarau 2004); PageRank ranks them.
    The final score mixes the normalised rank with a lead prior 1/(position+1):
    `(1 - lead_weight) * rank + lead_weight * prior`, because news puts the gist first.
    Sentences are taken best first, skipping any too similar (set cosine >= redundancy) to one
    already taken or too long for what is left of `max_chars`, and printed in source order.
    The output is made of whole source sentences only, except when even the best sentence
    alone exceeds `max_chars`: then it is cut at its last clause boundary that fits, closed
    with "。", and a note says so.
    """

    def __init__(self, config: ExtractiveConfig):
        require(config.max_chars >= 1, "summarizer.extractive.max_chars", "at least 1", config.max_chars)
        require(config.max_sentences >= 1, "summarizer.extractive.max_sentences", "at least 1",
                config.max_sentences)
        for key in ("lead_weight", "redundancy", "damping"):
            value = getattr(config, key)
            require(0 <= value <= 1, f"summarizer.extractive.{key}", "between 0 and 1", value)
        self.config = config

    def summarize(self, article: Article) -> Summary:
        sentences = whole_sentences(article)
        if not sentences:
            return Summary("", "extractive", None, ("no sentences to summarise",))
        sentences = ([s for s in sentences if _quotable(s)] or sentences)[: self.config.max_sentences]
        words = [_content_words(s) for s in sentences]
        scores = self._scores(words)
        chosen = self._select(sentences, words, scores)
        if chosen:
            return Summary("".join(sentences[i] for i in sorted(chosen)), "extractive", None)
        best = sentences[int(np.argmax(scores))]
        text = fit_chars(best, self.config.max_chars)
        notes = (f"best sentence ({len(best)} chars) exceeds max_chars {self.config.max_chars}; "
                 "cut at a clause boundary",) if text != best else ()
        return Summary(text, "extractive", None, notes)

    def _scores(self, words: list[set[str]]) -> np.ndarray:
        n = len(words)
        weights = np.zeros((n, n))
        for i in range(n):
            for j in range(i + 1, n):
                weights[i, j] = weights[j, i] = _overlap_similarity(words[i], words[j])
        rank = pagerank(weights, self.config.damping)
        prior = 1.0 / np.arange(1, n + 1)
        lead = self.config.lead_weight
        return (1 - lead) * rank / rank.max() + lead * prior

    def _select(self, sentences: list[str], words: list[set[str]], scores: np.ndarray) -> list[int]:
        chosen: list[int] = []
        room = self.config.max_chars
        for i in sorted(range(len(sentences)), key=lambda k: (-scores[k], k)):
            if len(sentences[i]) > room or not words[i]:
                continue
            if any(_set_cosine(words[i], words[j]) >= self.config.redundancy for j in chosen):
                continue
            chosen.append(i)
            room -= len(sentences[i])
        return chosen


def whole_sentences(article: Article) -> list[str]:
    """The article's sentences, with the pieces of a wrapped long sentence joined again: a piece
    that does not end a sentence is joined to the next one when they are adjacent in the text."""
    text, joined, end = article.text, [], -1
    for sentence in (s for s in article.sentences if s.strip()):
        at = text.find(sentence, max(end, 0))
        if joined and not ends_stop(joined[-1]) and at == end:
            joined[-1] += sentence
        else:
            joined.append(sentence)
        end = at + len(sentence) if at >= 0 else -1
    return joined


def _quotable(sentence: str) -> bool:
    """A whole sentence (not a heading or caption) and not a scrap like 规定所指的行为。"""
    return ends_stop(sentence) and len(sentence) >= MIN_QUOTABLE_CHARS


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


def _content_words(sentence: str) -> set[str]:
    tokens = (t.strip().lower() for t in _jieba().lcut(sentence))
    return {t for t in tokens if re.search(r"\w", t) and t not in _STOPWORDS}


def _overlap_similarity(a: set[str], b: set[str]) -> float:
    # log(1 + n) rather than the paper's log(n), so one-word sentences don't divide by zero
    return len(a & b) / (math.log1p(len(a)) + math.log1p(len(b))) if a and b else 0.0


def _set_cosine(a: set[str], b: set[str]) -> float:
    return len(a & b) / math.sqrt(len(a) * len(b)) if a and b else 0.0
