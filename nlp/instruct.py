"""Instruction (chat) models as summarisers: the article goes into a chat prompt, the answer out.

`ChatSummaryModel` presents a decoder-only instruction model (Qwen2.5-Instruct, Qwen3, Llama
...) as a text-in, summary-out model, so the abstractive summariser's chunking, length limits,
checks and fallbacks apply to it unchanged: each text it is given (the article, or one chunk of
a long one) is written into `summarizer.chat.prompt` ({text}, {max_chars}), rendered with the
model's chat template, and the answer is freed of what instruction models wrap answers in
(a <think> block, Markdown, a "摘要：" label, quotes, control characters).
"""
from __future__ import annotations

import re

from .config import ChatConfig, SummarizerConfig
from .errors import ConfigError

_THINK_BLOCK = re.compile(r"<think>.*?(</think>|\Z)", re.S)
_MARKUP_LINE = re.compile(r"^\s*(```\w*|#{1,6}\s+|>\s*|[-*•]\s+|\d{1,2}[.)]\s+|\d{1,2}[、）])", re.M)
_EMPHASIS = re.compile(r"\*\*|__|`")
_LABEL = re.compile(r"^\s*(摘要|总结|概要|summary)\s*[:：]\s*", re.I)
_QUOTES = {"“": "”", '"': '"', "「": "」", "『": "』"}
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f\u200b-\u200f\ufeff]")  # byte-level decoding can yield them


class ChatSummaryModel:
    """A causal model whose inputs are articles and whose outputs are the answers to the prompt."""

    def __init__(self, model, chat: ChatConfig, max_chars: int, max_new_tokens: int):
        try:
            chat.prompt.format(text="", max_chars=max_chars)
        except (KeyError, IndexError, ValueError) as exc:
            raise ConfigError(f"summarizer.chat.prompt: only {{text}} and {{max_chars}} may appear in braces "
                              f"({type(exc).__name__}: {exc})") from None
        if "{text}" not in chat.prompt:
            raise ConfigError("summarizer.chat.prompt must contain {text}, where the article goes")
        model.render_chat([{"role": "user", "content": ""}])  # ModelUnavailable without a chat template
        self.model, self.chat, self.max_chars = model, chat, max_chars
        self.ref, self.path, self.backend = model.ref, model.path, model.backend
        self.precision, self.revision = model.precision, model.revision  # provenance and fingerprint
        if hasattr(model, "identity"):  # what the fingerprint records (nlp.runtime.identity)
            self.identity = model.identity
        self.max_input_tokens = model.max_input_tokens - max_new_tokens  # the answer shares the window
        if self.count_tokens([""])[0] >= self.max_input_tokens:
            raise ConfigError(f"summarizer.chat and max_new_tokens ({max_new_tokens}) leave no room for the "
                              f"article in {model.ref}'s {model.max_input_tokens}-token window")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.model!r}>"

    def prompt(self, text: str) -> str:
        """The whole prompt for `text`, in the model's chat template."""
        messages = [{"role": "system", "content": self.chat.system}] if self.chat.system else []
        messages.append({"role": "user", "content": self.chat.prompt.format(text=text, max_chars=self.max_chars)})
        return self.model.render_chat(messages)

    def count_tokens(self, texts: list[str]) -> list[int]:
        return self.model.count_tokens([self.prompt(text) for text in texts])

    def generate(self, texts: list[str], **settings) -> list[str]:
        answers = self.model.generate([self.prompt(text) if text.strip() else "" for text in texts], **settings)
        return [answer_text(answer) for answer in answers]


def answer_text(answer: str) -> str:
    """The summary inside a model's answer: without reasoning, Markdown, a label or enclosing quotes.

    An unfinished <think> block means the answer never began, so it gives "".
    """
    answer = _CONTROL.sub("", answer)
    text = _THINK_BLOCK.sub("", answer.split("</think>")[-1] if "<think>" not in answer else answer)
    text = _EMPHASIS.sub("", _MARKUP_LINE.sub("", text))
    text = _LABEL.sub("", "\n".join(line.strip() for line in text.splitlines() if line.strip()))
    if len(text) > 1 and _QUOTES.get(text[0]) == text[-1]:
        text = text[1:-1]
    return text.replace("\n", "").strip()


def summary_model(model, config: SummarizerConfig):
    """The model as the abstractive summariser uses it: a causal one behind its chat prompt."""
    if getattr(model, "kind", "seq2seq") != "causal":
        return model
    return ChatSummaryModel(model, config.chat, config.max_chars, config.max_new_tokens)
