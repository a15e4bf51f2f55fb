"""The Seq2SeqModel protocol, and the batching every backend shares.

A backend only turns one batch of token ids into output ids. Sorting by length, batching by
token count, restoring the order, refusing over-long inputs and filling in the model's own
generation defaults happen here, once, so both backends behave the same.

Generation defaults, for any seq2seq folder: generation_config.json, else the generation keys of
config.json, else DEFAULT_NUM_BEAMS and no length setting. Whatever they say, each output is
bounded relative to its input (OUTPUT_TOKENS_PER_INPUT_TOKEN x its length bucket, + OUTPUT_TOKENS_MARGIN)
and by the model's window, so a looping sentence stops early; inputs with the same bound share
batches, so an output never depends on what else was in its batch.
"""
from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Protocol, runtime_checkable

from ..errors import ConfigError
from .languages import set_languages
from .store import folder_revision

DEFAULT_WINDOW = 512  # input length when neither config nor tokenizer states one (T5-style relative positions)
DEFAULT_NUM_BEAMS = 4  # when no generation config says otherwise (what most summarisation and MT cards use)
OUTPUT_TOKENS_PER_INPUT_TOKEN = 2  # a translation or summary is rarely longer; a loop is cut here
OUTPUT_TOKENS_MARGIN = 10  # room for very short inputs (a title of two tokens)
LENGTH_BUCKET_FIRST = 8  # input lengths are bucketed 8, 16, 32, ... for the output bound (length_bucket)


@runtime_checkable
class Seq2SeqModel(Protocol):
    ref: str
    path: Path
    backend: str
    precision: str
    revision: str
    max_input_tokens: int

    def count_tokens(self, texts: list[str]) -> list[int]: ...

    def generate(self, texts: list[str], *, max_new_tokens: int | None = None, min_new_tokens: int | None = None,
                 num_beams: int | None = None, no_repeat_ngram_size: int | None = None,
                 max_batch_tokens: int = 2048, min_batches: int = 0) -> list[str]: ...


@dataclass(frozen=True)
class Decoding:
    """Settings of one generate call, with the model's generation-config defaults filled in."""

    max_new_tokens: int | None  # None: only the input-relative bound
    min_new_tokens: int
    num_beams: int
    no_repeat_ngram_size: int


Job = tuple[list[int], Decoding]  # a batch: the indices of its inputs, and how they are decoded


class BatchedModel:
    """Shared generate(): backends implement `_generate_ids(batch, decoding) -> output ids`."""

    backend = ""
    precision = ""  # dtype (transformers) or compute type (CTranslate2) the weights run in
    output_vocabulary = ""  # digest of a restricted output vocabulary (runtime/vocabulary.py); "" = the whole
    workers = 1  # batches decoded at once (CTranslate2's inter_threads)
    device = "cpu"  # where it runs: cpu or cuda

    def __init__(self, ref: str, path: Path, tokenizer, generation_config, model_config: dict,
                 languages: tuple[str, str]):
        self.ref, self.path = ref, Path(path)
        self.tokenizer, self.generation_config = tokenizer, generation_config
        self.max_input_tokens = input_window(model_config, tokenizer)
        self.revision = folder_revision(self.path)
        self.task_params: dict = model_config.get("task_specific_params") or {}
        self.target_token = set_languages(tokenizer, *languages, where=f"{ref} ({path})")
        if self.target_token is not None:  # the decoder must start with the target language
            self.generation_config = copy_generation_config(generation_config, forced_bos_token_id=self.target_token)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.ref} from {self.path}>"

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Input length of each text in tokens, special tokens included (what max_input_tokens limits)."""
        return [len(ids) for ids in self._encode(texts)]

    def generate(self, texts: list[str], *, max_new_tokens=None, min_new_tokens=None, num_beams=None,
                 no_repeat_ngram_size=None, max_batch_tokens: int = 2048, min_batches: int = 0) -> list[str]:
        """Output text per input, in input order; blank inputs give "". None = the model's default.
        The batches decoded at once hold at most max_batch_tokens padded tokens together (each
        worker's a share), and there are at least min_batches of them where the inputs allow
        (0: one per worker, so that every worker decodes one)."""
        jobs = self.plan(texts, max_new_tokens=max_new_tokens, min_new_tokens=min_new_tokens, num_beams=num_beams,
                         no_repeat_ngram_size=no_repeat_ngram_size, max_batch_tokens=max_batch_tokens,
                         min_batches=min_batches)
        return self.run_plan(texts, jobs)

    def plan(self, texts: list[str], *, max_new_tokens=None, min_new_tokens=None, num_beams=None,
             no_repeat_ngram_size=None, max_batch_tokens: int = 2048, min_batches: int = 0) -> list[Job]:
        """The batches generate decodes `texts` in (indices into `texts`, their decoding), in the
        order it starts them: the longest inputs first, so that the last batches to start are
        short ones and no worker is left alone with a long one at the end. Public so that a
        benchmark forcing output lengths decodes exactly these batches."""
        decoding = self._decoding(max_new_tokens, min_new_tokens, num_beams, no_repeat_ngram_size)
        lengths = [len(tokens) for tokens in self._checked_ids(texts)]
        groups: dict[Decoding, list[int]] = {}  # one output bound per batch, whatever else is in it
        for i, text in enumerate(texts):
            if text.strip():
                groups.setdefault(self._bounded(decoding, lengths[i]), []).append(i)
        jobs = [([members[b] for b in batch], bounded) for bounded, members in groups.items()
                for batch in worker_batches([lengths[i] for i in members], max_batch_tokens, self.workers)]
        jobs.sort(key=lambda job: -max(lengths[i] for i in job[0]))
        return split_for_workers(jobs, min_batches or self.workers)

    def run_plan(self, texts: list[str], jobs: list[Job]) -> list[str]:
        """Output text per input of `texts` for the planned `jobs`, in input order ("" for inputs no job holds)."""
        ids = self._checked_ids(texts)
        generated = self._map_batches([([ids[i] for i in indices], decoding) for indices, decoding in jobs])
        outputs = [""] * len(texts)
        for (indices, _), batch_output in zip(jobs, generated):
            batch_output = [self._without_language(out) for out in batch_output]
            for i, text in zip(indices, self.tokenizer.batch_decode(batch_output, skip_special_tokens=True)):
                outputs[i] = text.strip()
        return outputs

    def _checked_ids(self, texts: list[str]) -> list[list[int]]:
        """Token ids of each text; an input longer than the model's window is an error, never truncated."""
        ids = self._encode(texts)
        for text, tokens in zip(texts, ids):
            if len(tokens) > self.max_input_tokens:
                raise ValueError(f"{self.ref}: input of {len(tokens)} tokens is longer than the model's "
                                 f"{self.max_input_tokens}-token window (split it first): {text[:40]!r}...")
        return ids

    def _map_batches(self, jobs: list[tuple[list, Decoding]]) -> list[list]:
        """Output ids of each (batch, decoding), in order; up to `workers` batches at once (the
        backend releases the GIL while it decodes). A batch's output never depends on the others."""
        return map_at_once(lambda job: self._generate_ids(*job), jobs, self.workers)

    def _without_language(self, output: list[int]) -> list[int]:
        """Output ids without the forced target-language token (not every tokenizer marks it special)."""
        if self.target_token is None:
            return output
        return [token for k, token in enumerate(output) if k > 1 or token != self.target_token]

    def _encode(self, texts: list[str]) -> list[list[int]]:
        # verbose=False: lengths are checked here, the tokenizer's own warning would only be noise
        return self.tokenizer(list(texts), verbose=False)["input_ids"] if texts else []

    def _decoding(self, max_new_tokens, min_new_tokens, num_beams, no_repeat_ngram_size) -> Decoding:
        config = self.generation_config
        # encoder-decoder max_length/min_length count the decoder start token; either may be unset
        default_max = config.max_new_tokens or (config.max_length - 1 if config.max_length else None)
        default_min = config.min_new_tokens or max((config.min_length or 0) - 1, 0)
        return Decoding(
            max_new_tokens=default_max if max_new_tokens is None else max_new_tokens,
            min_new_tokens=default_min if min_new_tokens is None else min_new_tokens,
            num_beams=(config.num_beams or DEFAULT_NUM_BEAMS) if num_beams is None else num_beams,
            no_repeat_ngram_size=(config.no_repeat_ngram_size or 0) if no_repeat_ngram_size is None
            else no_repeat_ngram_size,
        )

    def _bounded(self, decoding: Decoding, input_tokens: int) -> Decoding:
        """`decoding` with a concrete output bound: its own, the input-relative one and the window.
        The input-relative one is taken from the input's length bucket (length_bucket), so inputs
        of similar length share a batch."""
        bound = min(OUTPUT_TOKENS_PER_INPUT_TOKEN * length_bucket(input_tokens) + OUTPUT_TOKENS_MARGIN,
                    self.max_input_tokens - 1)
        if decoding.max_new_tokens is not None:
            bound = min(bound, decoding.max_new_tokens)
        bound = max(bound, 1)
        return replace(decoding, max_new_tokens=bound, min_new_tokens=min(decoding.min_new_tokens, bound))

    def _generate_ids(self, batch: list[list[int]], decoding: Decoding) -> list[list[int]]:
        raise NotImplementedError


def length_bucket(tokens: int) -> int:
    """The input length an output bound is computed from: `tokens` rounded up to the next of
    8, 16, 32, 64, ... Every bucket is a batch of its own (an output must not depend on what else
    its batch holds, and CTranslate2's bound is per call), so buckets are coarse: with steps of
    8 tokens, 32 ordinary sentences made 13 batches of one to six rows, and decoding steps shared
    by few rows are mostly weight reads."""
    bucket = LENGTH_BUCKET_FIRST
    while bucket < tokens:
        bucket *= 2
    return bucket


def map_at_once(function: Callable, items, workers: int) -> list:
    """[function(item) for item in items], up to `workers` calls at a time, in order."""
    items = list(items)
    if workers == 1 or len(items) < 2:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(function, items))


def split_for_workers(jobs: list[tuple[list, object]], workers: int) -> list[tuple[list, object]]:
    """(rows, settings) jobs with the one of most rows halved until there are `workers` of them
    (or none has two rows): idle workers make nothing faster. A CTranslate2 output does not
    depend on what else its batch holds (tested), so splitting changes no output."""
    jobs = list(jobs)
    while 0 < len(jobs) < workers:
        largest = max(range(len(jobs)), key=lambda j: len(jobs[j][0]))
        rows, settings = jobs[largest]
        if len(rows) < 2:
            break
        half = (len(rows) + 1) // 2
        jobs[largest:largest + 1] = [(rows[:half], settings), (rows[half:], settings)]
    return jobs


def worker_batches(lengths: list[int], max_tokens: int, workers: int) -> list[list[int]]:
    """token_batches for `workers` decoding at once, each batch within max_tokens / workers: the
    tokens in flight, and so the memory they take, stay within max_tokens however many workers."""
    return token_batches(lengths, max(max_tokens // workers, 1))


def token_batches(lengths: list[int], max_tokens: int) -> list[list[int]]:
    """Indices grouped shortest first so that each batch's padded size (longest x count) stays
    within max_tokens; a single longer input still gets a batch of its own."""
    batches: list[list[int]] = []
    for index in sorted(range(len(lengths)), key=lengths.__getitem__):
        if batches and lengths[index] * (len(batches[-1]) + 1) <= max_tokens:
            batches[-1].append(index)
        else:
            batches.append([index])
    return batches


def input_window(model_config: dict, tokenizer) -> int:
    """Longest input the model takes: its position table, else the tokenizer's stated limit."""
    for key in ("max_position_embeddings", "n_positions"):
        if model_config.get(key):
            return int(model_config[key])
    limit = getattr(tokenizer, "model_max_length", None)
    return int(limit) if limit and limit < 1_000_000 else DEFAULT_WINDOW


def read_generation_config(folder: Path):
    """generation_config.json, else the generation keys of config.json (older and converted
    folders keep them there), else transformers' defaults; never an error for a missing file."""
    import transformers

    try:
        return transformers.GenerationConfig.from_pretrained(folder)
    except OSError:
        pass
    try:
        model_config = json.loads((Path(folder) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        model_config = {}
    known = vars(transformers.GenerationConfig())
    return transformers.GenerationConfig.from_dict(
        {key: value for key, value in model_config.items() if key in known and not key.startswith("_")})


def copy_generation_config(config, **changes):
    import copy

    config = copy.deepcopy(config)
    config.update(**changes)
    return config


def thread_count(threads: int) -> int:
    """Configured threads; 0 means $OMP_NUM_THREADS when set, else every core this process may use."""
    if threads > 0:
        return threads
    if os.environ.get("OMP_NUM_THREADS", "").isdigit() and int(os.environ["OMP_NUM_THREADS"]) > 0:
        return int(os.environ["OMP_NUM_THREADS"])
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def worker_threads(runtime, device: str = "cpu") -> tuple[int, int]:
    """(workers, threads per worker) for CTranslate2: `runtime.workers` batches decoded at once,
    sharing `runtime.threads`. Workers 0 means one per thread on the CPU: on the 2-core machine
    measured (docs/benchmarks.md), two one-thread workers decode two batches faster than one
    two-thread worker decodes them in turn, for both models. On a GPU it means one."""
    threads = thread_count(runtime.threads)
    if device == "cuda":
        return runtime.workers or 1, 1
    workers = min(runtime.workers or threads, threads)
    return workers, max(threads // workers, 1)


def pick_device(device: str, has_cuda: Callable[[], bool]) -> str:
    """cpu or cuda as configured; auto takes cuda when there is one."""
    if device not in ("cpu", "cuda", "auto"):
        raise ConfigError(f"runtime.device must be cpu, cuda or auto, got {device!r}")
    if device == "cpu":
        return device
    if has_cuda():
        return "cuda"
    if device == "cuda":
        raise ConfigError("runtime.device is cuda but no CUDA device is usable here (use cpu or auto)")
    return "cpu"
