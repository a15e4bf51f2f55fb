"""What every variant is measured on: the same articles, the same sentences, the same output lengths.

Random weights never say </s> where a trained model would, and their text is noise, so two
things are put right here, identically for every variant:
- output length: each generate call is forced to min = max new tokens (1.3 target tokens per
  source character for translation, 84 tokens for a summary), batch by batch in the batches the
  model itself forms. A trained model's batch costs what its backend computes: transformers
  runs every row until the longest is done (so the batch is forced to its longest target, which
  is exact); CTranslate2 drops rows as they finish, which no per-call setting can reproduce, so
  its batch is decoded at its mean target and the time is corrected by the measured cost of
  CTranslate2's decoding steps as a function of the rows still decoding (see StepCost);
- summary text: the summariser's random tokens are replaced by the first ~100 characters of
  its input (whole sentences), the size of a real 84-token Chinese summary, so that the
  map-reduce rounds and the translation of the abstract get realistic input.
The arithmetic the models spend is untouched; only what they return is replaced.
"""
from __future__ import annotations

import ctypes
import os
import re
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from nlp.config import Config
from nlp.glossary import Glossary
from nlp.pipeline import Pipeline, PostView
from nlp.runtime.model import Decoding, map_at_once
from nlp.tidy import fit_chars

TARGET_TOKENS_PER_CHAR = 1.3
SUMMARY_TOKENS = 84
SUMMARY_CHARS = 100  # a real 84-token Chinese summary is about this long
CORPUS_POSTS = Path(__file__).resolve().parents[1] / "tests" / "data" / "corpus" / "posts"
MODEL_CACHE = Path(os.environ.get("XDG_CACHE_HOME", "~/.cache")).expanduser() / "nlp-abstracts" / "bench"
_LATIN_WORD = re.compile(r"[A-Za-z]+")  # a glossary term put into the input in English counts as one character


def corpus_posts(posts_dir: Path, config: Config) -> list[PostView]:
    """The posts that enrich would summarise (not skipped or failed), read and cleaned, by file name."""
    reader = Pipeline(config, summarizer=None, translator=None, glossary=Glossary.empty())  # inspect needs no model
    views = [reader.inspect(path) for path in sorted(posts_dir.glob("*.md"))]
    return [view for view in views if view.state not in ("skipped", "failed")]


def corpus_sentences(views: list[PostView], count: int) -> list[str]:
    """`count` sentences evenly spread over the cleaned sentences of `views`, in order."""
    return spread([sentence for view in views for sentence in view.article.sentences], count)


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
    Counters: `target_tokens` (what a trained model would have written, for tokens/s); `calls`, the
    generate calls made (source tokens, targets and beams: what roofline.py needs); `clock`,
    the wall-clock and CPU seconds spent in generate, `calibration` included (StepCost measuring
    itself: subtract it from every clock around a call); `correction`, what CTranslate2's per-row
    lengths add (zero for transformers); `to_max`, what forcing every row of a CTranslate2 batch
    to the batch's longest target would add. Without correction a CTranslate2 figure is the lower
    bound (every row at the batch mean), with `to_max` the upper bound. The batches, their order
    and the workers decoding them are the model's own (`model.plan`, `model.run_plan`): only the
    lengths are forced.
    """

    def __init__(self, model, target_tokens, one_per_call: bool = False, stand_in=None):
        self.model, self.target_tokens_of = model, target_tokens
        self.one_per_call, self.stand_in = one_per_call, stand_in
        self.step_cost = StepCost(model) if model.backend == "ctranslate2" else None
        self.reset()

    def reset(self) -> None:
        self.target_tokens, self.clock, self.calls = 0, Clock(), []
        self.correction, self.to_max, self.calibration = Clock(), Clock(), Clock()

    def __getattr__(self, name):  # ref, path, backend, max_input_tokens, count_tokens
        return getattr(self.model, name)

    def generate(self, texts: list[str], *, max_batch_tokens: int = 2048, **settings) -> list[str]:
        max_batch_tokens = 1 if self.one_per_call else max_batch_tokens
        return self.run_plan(texts, self.model.plan(texts, max_batch_tokens=max_batch_tokens, **settings))

    def run_plan(self, texts: list[str], jobs: list) -> list[str]:
        """The model's run_plan, with each batch forced to the length its rows call for."""
        lengths = self.model.count_tokens(texts)
        forced_jobs, targets_of_jobs = [], []
        for indices, decoding in jobs:
            targets = [self.target_tokens_of(texts[i]) for i in indices]
            self.calls.append({"input_tokens": [lengths[i] for i in indices], "targets": targets,
                               "beams": decoding.num_beams})
            length = max(targets) if self.step_cost is None else round(sum(targets) / len(targets))
            forced_jobs.append((indices, replace(decoding, min_new_tokens=length, max_new_tokens=length)))
            targets_of_jobs.append(targets)
        with self.clock:
            generated = self.model.run_plan(texts, forced_jobs)
            with self.calibration, PEAK_MEMORY.left_out():
                for (indices, decoding), targets in zip(forced_jobs, targets_of_jobs):
                    if self.step_cost is not None and len(set(targets)) > 1:
                        self.step_cost.add_corrections([texts[i] for i in indices], targets, decoding,
                                                       self.correction, self.to_max)
        self.target_tokens += sum(map(sum, targets_of_jobs))
        if self.stand_in:
            return [self.stand_in(text) if text.strip() else "" for text in texts]
        return generated


class Answered:
    """A loaded model that answers without computing (`answer(input)` per input), with the model's
    own identity (ref, revision, backend, precision), so that what it writes carries the same
    settings fingerprint as the real model's output: the re-enrich measurement's first pass only
    has to leave abstracts behind that the second pass finds up to date."""

    def __init__(self, model, answer):
        self.model, self.answer = model, answer

    def __getattr__(self, name):
        return getattr(self.model, name)

    def generate(self, texts: list[str], **_settings) -> list[str]:
        return [self.answer(text) if text.strip() else "" for text in texts]


class StepCost:
    """Seconds per decoding step of a CTranslate2 model, by the number of rows still decoding.

    A batch whose rows finish at their own lengths L1 <= ... <= Ln costs its encoder plus, for
    every step t, one step with the rows whose target is longer than t. ForcedLength decodes the
    batch at the mean length Lf (every row, which decodes the same number of tokens); the
    difference is sum_t step(rows at t) - Lf * step(n), added as `correction`. step(m) is measured
    on the batch's own longest-target inputs, as the time of m rows decoding STEPS[1] tokens
    minus STEPS[0] tokens (the encoder cancels), at m = 1, 2, 4, ... and n, linear in between;
    measured once per row count (on the first batch that needs it) and cached. `to_max`, what
    every row at the batch's longest target would add, is measured on each batch (the batch at
    its longest target minus at Lf), not estimated from step(n): a step of many rows costs more
    the longer the rows already are (8 rows x 6 beams: 0.035 s per step up to 26 tokens, 0.13 s
    from 90 to 181, one thread), while few long rows, the ones the correction follows, hardly
    grow (check_step_cost.py checks the correction against real calls). With several workers,
    every measurement has every worker decoding a copy, and each batch is charged its share
    (the clock divided by the workers), as its batches shared the workers.
    """

    STEPS = (2, 26)

    def __init__(self, model):
        self.model = model
        self.seconds: dict[int, tuple[float, float]] = {}  # rows -> (wall, CPU) seconds per step

    def add_corrections(self, inputs, targets, forced: Decoding, correction, to_max) -> None:
        by_target = [text for _, text in sorted(zip(targets, inputs), key=lambda pair: -pair[0])]
        rows = len(inputs)
        for count in sorted({1 << k for k in range(rows.bit_length())} | {rows}):
            if count not in self.seconds:
                self.seconds[count] = self._measure(by_target[:count], forced)
        at_forced, at_max = (self._share(inputs, forced, steps) for steps in (forced.max_new_tokens, max(targets)))
        for index, field in enumerate(("seconds", "cpu_seconds")):
            def step(m: int) -> float:
                return _interpolate(self.seconds, m)[index]
            _add(correction, field, staircase_extra(targets, forced.max_new_tokens, step))
            _add(to_max, field, at_max[index] - at_forced[index])

    def _measure(self, inputs: list[str], decoding: Decoding) -> tuple[float, float]:
        """(wall, CPU) seconds per step of `inputs` decoding together."""
        (wall_short, cpu_short), (wall_long, cpu_long) = (self._share(inputs, decoding, steps) for steps in self.STEPS)
        span = self.STEPS[1] - self.STEPS[0]
        return (wall_long - wall_short) / span, (cpu_long - cpu_short) / span

    def _share(self, inputs: list[str], decoding: Decoding, steps: int) -> tuple[float, float]:
        """(wall, CPU) seconds of `inputs` decoding `steps` tokens as one batch, with as many copies
        decoding at once as the model has workers (each worker busy, as in the batches measured),
        divided by that number: a batch's share of the clock."""
        workers = self.model.workers
        job = (list(range(len(inputs))), replace(decoding, min_new_tokens=steps, max_new_tokens=steps))
        with Clock() as clock:
            map_at_once(lambda _: self.model.run_plan(inputs, [job]), range(workers), workers)
        return clock.seconds / workers, clock.cpu_seconds / workers


def staircase_extra(targets: list[int], forced: int, step_seconds) -> float:
    """Seconds that rows finishing at their own `targets` take beyond all rows decoding `forced`
    steps, given `step_seconds(rows still decoding)`."""
    ordered, rows, total, done = sorted(targets), len(targets), 0.0, 0
    for finished, length in enumerate(ordered):
        total += (length - done) * step_seconds(rows - finished)
        done = length
    return total - forced * step_seconds(rows)


def _add(clock: "Clock", field: str, seconds: float) -> None:
    setattr(clock, field, getattr(clock, field) + seconds)


def _interpolate(points: dict[int, tuple[float, float]], rows: int) -> tuple[float, float]:
    if rows in points:
        return points[rows]
    below = max(m for m in points if m < rows)
    above = min(m for m in points if m > rows)
    share = (rows - below) / (above - below)
    return tuple(low + share * (high - low) for low, high in zip(points[below], points[above]))


class PeakMemory:
    """This process's own peak resident memory, leaving out the stretches `left_out` marks: the
    step-cost calibration decodes copies at once, at their longest targets, which the project
    never does. VmHWM from /proc/self/status, reset after such a stretch (with glibc's freed
    memory returned to the system first) through /proc/self/clear_refs. Not getrusage's
    ru_maxrss: Linux carries that over from the parent across fork and exec, so a parent that
    built the models (4 GB) would set every variant's figure."""

    def __init__(self):
        self._kept_kb = 0

    def mb(self) -> float:
        return max(self._kept_kb, self._high_water_kb()) / 1024

    @contextmanager
    def left_out(self):
        self._kept_kb = max(self._kept_kb, self._high_water_kb())
        try:
            yield
        finally:
            ctypes.CDLL(None).malloc_trim(0)  # glibc keeps freed memory resident in its arenas otherwise
            Path("/proc/self/clear_refs").write_text("5", encoding="ascii")  # the high-water mark := now

    @staticmethod
    def _high_water_kb() -> int:
        for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        raise RuntimeError("no VmHWM in /proc/self/status (peak memory is measured on Linux only)")


PEAK_MEMORY = PeakMemory()


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
