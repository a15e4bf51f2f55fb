"""Chinese abstracts of an Article: abstractive (a seq2seq model) or extractive (TextRank).

Both implement one protocol, `Summarizer.summarize(article) -> Summary`, so the pipeline
never needs to know which one it holds. `make_summarizer` picks one from the config and,
in `auto` mode, falls back to extractive when the model is unavailable, saying so in
`Summary.notes`.
"""
from __future__ import annotations

import functools
import logging
import math
import re
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from .article import Article
from .config import ExtractiveConfig, RuntimeConfig, SummarizerConfig
from .errors import ConfigError, ModelUnavailable, NlpError
from .text import CJK_CHARS

METHODS = ("auto", "abstractive", "extractive")
MIN_QUOTABLE_CHARS = 10

_SENTENCE_END = re.compile(r"[。！？!?…]+[”’」』）)]*")
_CLAUSE_END = re.compile(r"[，,；;：:、]")
_TERMINAL = "。！？!?…"
_CLOSERS = "”’」』）)"
_CJK = CJK_CHARS + r"\u3000-\u303f\uff00-\uffef\u2018-\u201f\u2026"  # ideographs and Chinese punctuation
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_REPEAT = re.compile(r"(.{2,}?)\1+", re.S)
_PUNCT_BEFORE_END = re.compile(r"[，,；;：:、]+(?=[。！？!?])")

# Function words that say nothing about what a sentence is about.
_STOPWORDS = frozenset(
    "的 了 和 与 及 是 在 对 等 也 将 为 以 并 或 就 都 而 其 这 那 之 上 中 下 有 被 把 从 向 到 由 于 "
    "要 会 已 还 又 该 此 各 个 我们 他们 一个 一些 进行 以及 通过 目前 同时 其中 今年 表示 据 称".split()
)


@dataclass(frozen=True)
class Summary:
    """A Chinese abstract and where it came from."""

    text: str
    method: str  # "abstractive" | "extractive"
    model: str | None
    notes: tuple[str, ...] = ()


class Summarizer(Protocol):
    def summarize(self, article: Article) -> Summary: ...


def make_summarizer(config: SummarizerConfig, runtime: RuntimeConfig) -> Summarizer:
    """The configured summarizer; `auto` falls back to extractive when the model can't load."""
    if config.method not in METHODS:
        raise ConfigError(f"summarizer.method must be one of {', '.join(METHODS)}, got {config.method!r}")
    if config.method == "extractive":
        return ExtractiveSummarizer(config.extractive)
    from .runtime import load_model

    try:
        model = load_model(config.model, runtime, backend=config.backend, role="summarizer", languages=("zh", "zh"))
    except ModelUnavailable as exc:
        if config.method == "abstractive":
            raise
        logging.getLogger(__name__).warning("warning: %s; summarising extractively (TextRank)", exc)
        note = f"abstractive model {config.model} unavailable; used extractive"
        return AnnotatedSummarizer(ExtractiveSummarizer(config.extractive), note)
    if not config.prefix:  # T5-style folders say which prefix they were trained with
        config = replace(config, prefix=model.task_params.get("summarization", {}).get("prefix", ""))
    return AbstractiveSummarizer(model, config)


@dataclass(frozen=True)
class AnnotatedSummarizer:
    """Another summarizer whose every Summary also carries `note` (e.g. why it was used)."""

    inner: Summarizer
    note: str

    def summarize(self, article: Article) -> Summary:
        summary = self.inner.summarize(article)
        return replace(summary, notes=(self.note, *summary.notes))


# --- extractive --------------------------------------------------------------------------

class ExtractiveSummarizer:
    """TextRank over the article's sentences, with a lead prior and redundancy control.

    Pieces that cleaning cut out of one over-long sentence are joined back first, and only
    sentences that end in 。！？ (not headings or captions) and have at least
    MIN_QUOTABLE_CHARS characters are candidates, unless none does.
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
        _require(config.max_chars >= 1, "summarizer.extractive.max_chars", "at least 1", config.max_chars)
        for key in ("lead_weight", "redundancy", "damping"):
            value = getattr(config, key)
            _require(0 <= value <= 1, f"summarizer.extractive.{key}", "between 0 and 1", value)
        self.config = config

    def summarize(self, article: Article) -> Summary:
        sentences = whole_sentences(article)
        if not sentences:
            return Summary("", "extractive", None, ("no sentences to summarise",))
        sentences = [s for s in sentences if _quotable(s)] or sentences
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
    text, joined = article.text, []
    for sentence in (s for s in article.sentences if s.strip()):
        if joined and not _ends_sentence(joined[-1]) and joined[-1] + sentence in text:
            joined[-1] += sentence
        else:
            joined.append(sentence)
    return joined


def _quotable(sentence: str) -> bool:
    """A whole sentence (not a heading or caption) and not a scrap like 规定所指的行为。"""
    return _ends_sentence(sentence) and len(sentence) >= MIN_QUOTABLE_CHARS


def _ends_sentence(text: str) -> bool:
    return text.rstrip(_CLOSERS)[-1:] in tuple(_TERMINAL)


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


def _require(ok: bool, key: str, expectation: str, value) -> None:
    if not ok:
        raise ConfigError(f"config key '{key}' must be {expectation}, got {value!r}")


# --- text finishing, shared by both summarizers ------------------------------------------

def fit_chars(text: str, max_chars: int) -> str:
    """`text` within `max_chars`: cut after the last whole sentence that fits, else at the last
    clause boundary (closed with "。"), else hard (closed with "。")."""
    if len(text) <= max_chars:
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text) if m.end() <= max_chars]
    if ends:
        return text[: ends[-1]]
    clauses = [m.start() for m in _CLAUSE_END.finditer(text) if 0 < m.start() <= max_chars - 1]
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
    if not text or _ends_sentence(text):
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    if ends:
        return text[: ends[-1]]
    fragment = text.rstrip("，,；;：:、 ")
    return fragment + "。" if fragment else ""


def tidy_summary(text: str) -> str:
    """Model output made presentable: broken bytes, spacing, loops and the ending."""
    text = collapse_repeats(normalise_space(text.replace("\ufffd", "")))
    return close_sentence(_PUNCT_BEFORE_END.sub("", text))


# --- abstractive -------------------------------------------------------------------------

class AbstractiveSummarizer:
    """A seq2seq model (mT5/T5 with an optional prefix, BART, Pegasus) that never truncates.

    Strategy for long inputs (map-reduce): the article's sentences are packed, in order, into
    chunks whose tokens (prefix included) fit `min(config.max_input_tokens,
    model.max_input_tokens)`; a sentence too long on its own is split at clause boundaries,
    then in halves, until its pieces fit. All chunks are summarised in one batched `generate`
    call; the chunk summaries, in order, become the input of the next round, packed the same
    way, until a single chunk remains, whose summary is the abstract. Length is bounded in
    tokens by the generation settings and in characters by `config.max_chars`, trimming at a
    sentence or clause boundary.
    """

    def __init__(self, model, config: SummarizerConfig):
        _require(config.max_chars >= 1, "summarizer.max_chars", "at least 1", config.max_chars)
        self.model, self.config = model, config
        self.limit = min(config.max_input_tokens, model.max_input_tokens)
        if self._tokens(config.prefix) >= self.limit:
            raise ConfigError(f"summarizer.prefix {config.prefix!r} leaves no room for input "
                              f"within {self.limit} tokens")

    def summarize(self, article: Article) -> Summary:
        units = [s for s in article.sentences if s.strip()]
        if not units:
            return Summary("", "abstractive", self.model.ref, ("no sentences to summarise",))
        counts: list[int] = []  # chunks per round
        while units and (not counts or counts[-1] > 1):
            chunks = self._pack(units)
            if counts and len(chunks) >= counts[-1]:
                raise NlpError(f"summarizer: chunk summaries no longer shrink within {self.limit} "
                               f"input tokens; lower summarizer.max_new_tokens ({self.config.max_new_tokens})")
            counts.append(len(chunks))
            units = [s for s in map(tidy_summary, self._generate(chunks)) if s]
        rounds = " -> ".join(map(str, counts))
        notes = (f"long input: {rounds} chunks in {len(counts)} rounds",) if len(counts) > 1 else ()
        if not units:
            return Summary("", "abstractive", self.model.ref, (*notes, "the model produced an empty summary"))
        return Summary(fit_chars(units[0], self.config.max_chars), "abstractive", self.model.ref, notes)

    def _generate(self, chunks: list[str]) -> list[str]:
        c = self.config
        return self.model.generate([c.prefix + chunk for chunk in chunks], max_new_tokens=c.max_new_tokens,
                                   min_new_tokens=c.min_new_tokens, num_beams=c.num_beams,
                                   no_repeat_ngram_size=c.no_repeat_ngram_size)

    def _pack(self, units: list[str]) -> list[str]:
        """Consecutive units joined into as few chunks as fit the token limit, in order."""
        chunks: list[str] = []
        for piece in (p for unit in units for p in self._pieces(unit)):
            if chunks and self._fits(chunks[-1] + piece):
                chunks[-1] += piece
            else:
                chunks.append(piece)
        return chunks

    def _pieces(self, text: str) -> list[str]:
        """`text` split at clause boundaries, then in halves, until every piece fits."""
        if self._fits(text) or len(text) < 2:
            return [text]
        cuts = [m.end() for m in _CLAUSE_END.finditer(text) if m.end() < len(text)]
        middle = cuts[len(cuts) // 2] if cuts else len(text) // 2
        return self._pieces(text[:middle]) + self._pieces(text[middle:])

    def _fits(self, text: str) -> bool:
        return self._tokens(self.config.prefix + text) <= self.limit

    def _tokens(self, text: str) -> int:
        return self.model.count_tokens([text])[0]
