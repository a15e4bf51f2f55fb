"""A real model wrapped so a test can see what each `generate` call was given."""
from __future__ import annotations


class RecordingModel:
    """The real model, with every `generate` call's inputs kept for inspection."""

    def __init__(self, model):
        self.model, self.calls = model, []

    def __getattr__(self, name):
        return getattr(self.model, name)

    def generate(self, texts, **settings):
        self.calls.append(list(texts))
        return self.model.generate(texts, **settings)
