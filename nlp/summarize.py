"""Chinese abstracts of an Article: abstractive (a seq2seq model) or extractive (TextRank).

Both implement one protocol, `Summarizer.summarize(article) -> Summary`, so the pipeline
never needs to know which one it holds. `make_summarizer` picks one from the config and,
in `auto` mode, falls back to extractive when the model is unavailable, saying so in
`Summary.notes`. The summarisers live in nlp.extractive and nlp.abstractive, the finishing
of their text in nlp.tidy.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Protocol

from .article import Article
from .config import RuntimeConfig, SummarizerConfig
from .errors import ConfigError, ModelUnavailable

METHODS = ("auto", "abstractive", "extractive")


@dataclass(frozen=True)
class Summary:
    """A Chinese abstract and where it came from."""

    text: str
    method: str  # "abstractive" | "extractive"
    model: str | None
    notes: tuple[str, ...] = ()


class Summarizer(Protocol):
    """May also have summarize_many(articles), which shares model calls between articles."""

    def summarize(self, article: Article) -> Summary: ...


def summarize_many(summarizer: Summarizer, articles: list[Article]) -> list[Summary]:
    """The summary of each article, in shared model calls where the summarizer can make them."""
    many = getattr(summarizer, "summarize_many", None)
    return many(articles) if many is not None else [summarizer.summarize(article) for article in articles]


def make_summarizer(config: SummarizerConfig, runtime: RuntimeConfig, deferred: bool = False) -> Summarizer:
    """The configured summarizer; `auto` falls back to extractive when the model is not to be had.

    `deferred`: the model is only identified now (so a missing one is known at once) and loads
    when the first article is summarised (nlp.deferred)."""
    from .extractive import ExtractiveSummarizer

    if config.method not in METHODS:
        raise ConfigError(f"summarizer.method must be one of {', '.join(METHODS)}, got {config.method!r}")
    if config.method == "extractive":
        return ExtractiveSummarizer(config.extractive)
    from .runtime import identify

    try:
        identity = identify(config.model, runtime, backend=config.backend, role="summarizer", kind=config.kind)
        if deferred:
            from .deferred import Deferred

            return Deferred(lambda: _abstractive(identity, config, runtime), identity)
        return _abstractive(identity, config, runtime)
    except ModelUnavailable as exc:
        if config.method == "abstractive":
            raise
        logging.getLogger(__name__).warning("warning: %s; summarising extractively (TextRank)", exc)
        note = f"abstractive model {config.model} unavailable; used extractive"
        return AnnotatedSummarizer(ExtractiveSummarizer(config.extractive), note)


def _abstractive(identity, config: SummarizerConfig, runtime: RuntimeConfig) -> Summarizer:
    from .abstractive import AbstractiveSummarizer
    from .instruct import summary_model
    from .runtime import load_identified

    loaded = load_identified(identity, runtime, role="summarizer", languages=("zh", "zh"))
    model = summary_model(loaded, config)
    if not config.prefix:  # T5-style folders say which prefix they were trained with
        config = replace(config, prefix=loaded.task_params.get("summarization", {}).get("prefix", ""))
    return AbstractiveSummarizer(model, config)


@dataclass(frozen=True)
class AnnotatedSummarizer:
    """Another summarizer whose every Summary also carries `note` (e.g. why it was used)."""

    inner: Summarizer
    note: str

    def summarize(self, article: Article) -> Summary:
        summary = self.inner.summarize(article)
        return replace(summary, notes=(self.note, *summary.notes))


def require(ok: bool, key: str, expectation: str, value) -> None:
    """A ConfigError naming the config key unless `ok`."""
    if not ok:
        raise ConfigError(f"config key '{key}' must be {expectation}, got {value!r}")
