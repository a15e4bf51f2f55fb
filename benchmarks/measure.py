"""One variant, measured in this process; run.py starts a fresh process per variant so that peak
RSS is that variant's own. Prints one JSON line.

Every variant runs the project's real code (nlp.runtime.load_model, Seq2SeqTranslator,
AbstractiveSummarizer, Pipeline); variants differ only in how the models run.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from workload import (
    PEAK_MEMORY,
    Answered,
    Clock,
    ForcedLength,
    corpus_posts,
    corpus_sentences,
    spread,
    summary_stand_in,
    summary_tokens,
    translation_tokens,
)

from nlp.abstractive import AbstractiveSummarizer
from nlp.config import load_config
from nlp.enrich import find_posts
from nlp.glossary import Glossary
from nlp.pipeline import Pipeline
from nlp.runtime import load_model
from nlp.runtime.model import thread_count
from nlp.translate import Seq2SeqTranslator

STAND_IN_TRANSLATION = "The State Council issued a notice on the work."


@dataclass(frozen=True)
class Variant:
    backend: str
    runtime: dict
    one_per_call: bool = False  # every sentence (or chunk) in its own generate call


VARIANTS = {
    "naive": Variant("transformers", {"dtype": "float32"}, True),
    "transformers-fp32": Variant("transformers", {"dtype": "float32"}),
    "transformers-bf16": Variant("transformers", {"dtype": "bfloat16"}),
    "ctranslate2-fp32": Variant("ctranslate2", {"compute_type": "float32"}),
    "ctranslate2-int8-unbatched": Variant("ctranslate2", {}, True),
    "default-one-worker": Variant("auto", {"workers": 1}),  # every thread on one batch at a time
    "default": Variant("auto", {}),
}


def measure(args) -> dict:
    variant, load_before = VARIANTS[args.variant], os.getloadavg()[0]
    overrides = {f"runtime.{key}": value for key, value in variant.runtime.items()}
    config = load_config(overrides={**overrides, "runtime.threads": args.threads, "runtime.device": args.device})
    start = time.perf_counter()
    models = {role: load_model(str(folder), config.runtime, variant.backend, role)
              for role, folder in (("translator", args.translator), ("summarizer", args.summarizer))}
    load_s = time.perf_counter() - start
    for model in models.values():  # one-time kernel set-up is not what we measure
        model.generate(["国务院"], max_new_tokens=2, min_new_tokens=2)
    translator_model = ForcedLength(models["translator"], translation_tokens, variant.one_per_call)
    summarizer_model = ForcedLength(models["summarizer"], summary_tokens, variant.one_per_call, summary_stand_in)
    glossary = Glossary.load(config.glossary.files)
    translator = Seq2SeqTranslator(translator_model, config.translator, glossary)
    pipeline = Pipeline(config, AbstractiveSummarizer(summarizer_model, config.summarizer), translator, glossary)

    posts = corpus_posts(Path(args.posts), config)
    sentences = corpus_sentences(posts, args.sentences)
    articles = spread([v for v in posts if len(v.article.text) <= args.max_article_chars], args.articles,
                      key=lambda view: len(view.article.text))
    result = {
        "variant": args.variant, "one_per_call": variant.one_per_call, "threads": args.threads, "load_s": load_s,
        "cores": len(os.sched_getaffinity(0)),
        "ran": {role: f"{m.backend} {m.precision}" for role, m in models.items()},
        "workers": {role: m.workers for role, m in models.items()},
        "device": {role: m.device for role, m in models.items()},
        "threads_used": thread_count(config.runtime.threads),
        "translate": {**time_translation(translator, translator_model, sentences),
                      "sentences_per_article": sum(len(v.article.sentences) for v in posts) / len(posts)},
        **time_pipeline(pipeline, translator_model, summarizer_model, articles),
    }
    if args.rerun_posts:
        models = {"translator": args.translator, "summarizer": args.summarizer}
        result["rerun"] = time_rerun(pipeline, Path(args.posts), args.rerun_posts, models)
    result["peak_rss_mb"] = PEAK_MEMORY.mb()
    result["load"] = max(load_before, os.getloadavg()[0])  # other work on the machine meanwhile (1-minute average)
    return result


def time_translation(translator, model: ForcedLength, sentences: list[str]) -> dict:
    model.reset()
    with Clock() as clock:
        translator.translate(sentences)
    return {**_times(clock, [model]), "sentences": len(sentences), "target_tokens": model.target_tokens,
            "calls": model.calls}


def time_pipeline(pipeline: Pipeline, translator_model, summarizer_model, views) -> dict:
    """clean + summarise + translate (abstracts and titles together), as enrich does for a batch.
    The summarize figures are the summariser's model calls within it."""
    translator_model.reset()
    summarizer_model.reset()
    with Clock() as clock:
        articles = [pipeline.clean(view.post.body, view.article.title) for view in views]
        pipeline.process_articles(articles)
    return {"summarize": {**_times(summarizer_model.clock, [summarizer_model]), "articles": len(views),
                          "target_tokens": summarizer_model.target_tokens, "calls": summarizer_model.calls},
            "pipeline": {**_times(clock, [translator_model, summarizer_model]), "articles": len(views),
                         "chars": sum(len(a.text) for a in articles),
                         "target_tokens": summarizer_model.target_tokens + translator_model.target_tokens}}


def _times(clock: Clock, models: list[ForcedLength]) -> dict:
    """Seconds of `clock` without the models' calibration: with every row at its own length
    (`seconds`, `cpu_seconds`), and the bounds with every CTranslate2 row at its batch's mean
    (`at_mean`) and at its batch's longest target (`at_max`)."""
    fields = ("seconds", "cpu_seconds")
    at_mean = {f: getattr(clock, f) - sum(getattr(m.calibration, f) for m in models) for f in fields}
    return {**{f: at_mean[f] + sum(getattr(m.correction, f) for m in models) for f in fields}, "at_mean": at_mean,
            "at_max": {f: at_mean[f] + sum(getattr(m.to_max, f) for m in models) for f in fields}}


def time_rerun(pipeline: Pipeline, posts_dir: Path, count: int, models: dict) -> dict:
    """enrich_files over a copied folder a second time, when every post already has its abstract;
    then `nlp enrich` on it, whose time includes start-up and loading the models.

    The first pass writes the abstracts with models that answer without computing (Answered),
    under the same settings fingerprint: what the second pass reads does not depend on how the
    abstracts were made.
    """
    folder = Path(tempfile.mkdtemp(prefix="bench-posts-"))
    try:
        for path in spread(sorted(posts_dir.glob("*.md")), count):
            shutil.copy2(path, folder / path.name)
        paths = find_posts([str(folder)])
        config, translator = pipeline.config, pipeline.translator
        summarizer = AbstractiveSummarizer(Answered(pipeline.summarizer.model, summary_stand_in), config.summarizer)
        translator = Seq2SeqTranslator(Answered(translator.seq2seq, lambda _: STAND_IN_TRANSLATION),
                                       config.translator, pipeline.glossary)
        first = Pipeline(config, summarizer, translator, pipeline.glossary)
        first_statuses = Counter(str(result.status) for result in first.enrich_files(paths))
        start = time.perf_counter()
        statuses = Counter(str(result.status) for result in pipeline.enrich_files(paths))
        seconds = time.perf_counter() - start
        cli = time_cli_enrich(folder, models)
    finally:
        shutil.rmtree(folder)
    return {"posts": len(paths), "seconds": seconds, "first_pass": dict(first_statuses), "statuses": dict(statuses),
            **cli}


def time_cli_enrich(folder: Path, models: dict) -> dict:
    """`nlp enrich FOLDER` in a new process: start-up, model loading and the run, with its summary line."""
    command = [sys.executable, "-m", "nlp", "enrich", str(folder),
               *(arg for role, path in models.items() for arg in ("--set", f"{role}.model={path}"))]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return {"cli_seconds": time.perf_counter() - start,
            "cli_summary": done.stdout.strip().splitlines()[-1:] or [done.stderr[-300:]]}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("variant", choices=VARIANTS)
    parser.add_argument("--translator", required=True)
    parser.add_argument("--summarizer", required=True)
    parser.add_argument("--posts", required=True)
    parser.add_argument("--sentences", type=int, required=True)
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--max-article-chars", type=int, required=True)
    parser.add_argument("--rerun-posts", type=int, default=0)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--device", default="cpu")
    print(json.dumps(measure(parser.parse_args(argv))))


if __name__ == "__main__":
    main()
