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
    def summarize(self, article: Article) -> Summary: ...


def make_summarizer(config: SummarizerConfig, runtime: RuntimeConfig) -> Summarizer:
    """The configured summarizer; `auto` falls back to extractive when the model can't load."""
    from .abstractive import AbstractiveSummarizer
    from .extractive import ExtractiveSummarizer

    if config.method not in METHODS:
        raise ConfigError(f"summarizer.method must be one of {', '.join(METHODS)}, got {config.method!r}")
    if config.method == "extractive":
        return ExtractiveSummarizer(config.extractive)
    from .instruct import summary_model
    from .runtime import load_model

    try:
        loaded = load_model(config.model, runtime, backend=config.backend, role="summarizer", kind=config.kind,
                            languages=("zh", "zh"))
        model = summary_model(loaded, config)
    except ModelUnavailable as exc:
        if config.method == "abstractive":
            raise
        logging.getLogger(__name__).warning("warning: %s; summarising extractively (TextRank)", exc)
        note = f"abstractive model {config.model} unavailable; used extractive"
        return AnnotatedSummarizer(ExtractiveSummarizer(config.extractive), note)
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
