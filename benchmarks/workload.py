"""What every variant is measured on: the same articles, the same sentences, the same output lengths.

Random weights never say </s> where a trained model would, and their text is noise, so two
things are put right here, identically for every variant:
- output length: each generate call is forced to min = max new tokens (1.3 target tokens per
  source character for translation, 84 tokens for a summary), batch by batch in the batches the
  model itself forms. A trained model's batch costs what its backend computes: transformers
  runs every row until the longest is done (so the batch is forced to its longest target),
  CTranslate2 drops rows as they finish (so the batch is forced to its mean target, which
  decodes the same number of tokens);
- summary text: the summariser's random tokens are replaced by the first ~100 characters of
  its input (whole sentences), the size of a real 84-token Chinese summary, so that the
  map-reduce rounds and the translation of the abstract get realistic input.
The arithmetic the models spend is untouched; only what they return is replaced.
"""
from __future__ import annotations

import re
import time
from pathlib import Path

from nlp.config import Config
from nlp.glossary import Glossary
from nlp.pipeline import Pipeline, PostView
from nlp.runtime import token_batches
from nlp.tidy import fit_chars

TARGET_TOKENS_PER_CHAR = 1.3
SUMMARY_TOKENS = 84
SUMMARY_CHARS = 100  # a real 84-token Chinese summary is about this long
_LATIN_WORD = re.compile(r"[A-Za-z]+")  # a glossary term put into the input in English counts as one character


def corpus_posts(posts_dir: Path, config: Config) -> list[PostView]:
    """The posts that enrich would summarise (not skipped or failed), read and cleaned, by file name."""
    reader = Pipeline(config, summarizer=None, translator=None, glossary=Glossary.empty())  # inspect needs no model
    views = [reader.inspect(path) for path in sorted(posts_dir.glob("*.md"))]
    return [view for view in views if view.state not in ("skipped", "failed")]


def spread(items: list, count: int, key=None) -> list:
    """`count` items evenly spread over `items` (sorted by `key` when given), in that order."""
    ordered = sorted(items, key=key) if key else list(items)
    if count >= len(ordered):
        return ordered
    return [ordered[int((i + 0.5) * len(ordered) / count)] for i in range(count)]


def translation_tokens(text: str) -> int:
    """Target tokens a real zh→en model would write for `text`."""
    return max(1, round(TARGET_TOKENS_PER_CHAR * len(_LATIN_WORD.sub("a", "".join(text.split())))))


def summary_tokens(_text: str) -> int:
    return SUMMARY_TOKENS


def summary_stand_in(text: str) -> str:
    return fit_chars(text, SUMMARY_CHARS)


class ForcedLength:
    """A loaded Seq2SeqModel whose outputs have the lengths a trained model's would have.

    `one_per_call` sends every input in its own generate call (the naive baseline).
    `stand_in`, when given, replaces each output text (see the module docstring).
    Counters: `target_tokens` (what a trained model would have written, for tokens/s), and the
    wall-clock and CPU seconds spent in generate.
    """

    def __init__(self, model, target_tokens, one_per_call: bool = False, stand_in=None):
        self.model, self.target_tokens_of = model, target_tokens
        self.one_per_call, self.stand_in = one_per_call, stand_in
        self.reset()

    def reset(self) -> None:
        self.target_tokens, self.clock = 0, Clock()

    def __getattr__(self, name):  # ref, path, backend, max_input_tokens, count_tokens
        return getattr(self.model, name)

    def generate(self, texts: list[str], *, max_batch_tokens: int = 2048, **settings) -> list[str]:
        max_batch_tokens = 1 if self.one_per_call else max_batch_tokens
        todo = [i for i, text in enumerate(texts) if text.strip()]
        outputs = [""] * len(texts)
        for batch in token_batches(self.model.count_tokens([texts[i] for i in todo]), max_batch_tokens):
            inputs = [texts[todo[b]] for b in batch]
            targets = [self.target_tokens_of(text) for text in inputs]
            length = max(targets) if self.model.backend == "transformers" else round(sum(targets) / len(targets))
            forced = {**settings, "min_new_tokens": length, "max_new_tokens": length}
            with self.clock:
                generated = self.model.generate(inputs, max_batch_tokens=max_batch_tokens, **forced)
            self.target_tokens += sum(targets)
            for b, text, output in zip(batch, inputs, generated):
                outputs[todo[b]] = self.stand_in(text) if self.stand_in else output
        return outputs


class Clock:
    """Wall-clock and CPU seconds (all threads of this process) spent inside `with clock:` blocks.

    CPU seconds hardly change when other processes share the cores (at one thread), wall-clock
    seconds do: the report shows both.
    """

    def __init__(self):
        self.seconds = self.cpu_seconds = 0.0

    def __enter__(self):
        self._started = (time.perf_counter(), time.process_time())
        return self

    def __exit__(self, *_):
        self.seconds += time.perf_counter() - self._started[0]
        self.cpu_seconds += time.process_time() - self._started[1]
