"""What length buckets gained: output bounds from 8-token steps of input length (as before) or
from length buckets 8, 16, 32, ... (nlp.runtime.model.length_bucket, now), on the full run's 32
translation sentences with the default CTranslate2 translator and the benchmark's equal work.

    python benchmarks/length_buckets.py [--repeats 4] [--sentences 32] [--workdir DIR]

The two ways are run alternately, `--repeats` times each, and the medians are compared; the
sentences, their forced lengths and the model are the same, only the batches differ.
"""
from __future__ import annotations

import argparse
import os
import statistics
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from measure import time_translation  # noqa: E402
from shapes import prepared_models  # noqa: E402
from workload import (  # noqa: E402
    CORPUS_POSTS,
    MODEL_CACHE,
    ForcedLength,
    corpus_posts,
    corpus_sentences,
    translation_tokens,
)

import nlp.runtime.model as runtime_model  # noqa: E402
from nlp.config import load_config  # noqa: E402
from nlp.glossary import Glossary  # noqa: E402
from nlp.runtime import load_model  # noqa: E402
from nlp.translate import Seq2SeqTranslator  # noqa: E402


def steps_of_eight(tokens: int) -> int:
    """The input length bounds were computed from before buckets: rounded up to a multiple of 8."""
    return max(8, -(-tokens // 8) * 8)


WAYS = {"8-token steps": steps_of_eight, "length buckets": runtime_model.length_bucket}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=4)
    parser.add_argument("--sentences", type=int, default=32)
    parser.add_argument("--workdir", default=str(MODEL_CACHE))
    args = parser.parse_args()
    config = load_config()
    model = load_model(str(prepared_models(Path(args.workdir))["translator"]), config.runtime, "auto", "translator")
    model.generate(["国务院"], max_new_tokens=2, min_new_tokens=2)  # one-time set-up
    forced = ForcedLength(model, translation_tokens)
    translator = Seq2SeqTranslator(forced, config.translator, Glossary.load(config.glossary.files))
    sentences = corpus_sentences(corpus_posts(CORPUS_POSTS, config), args.sentences)
    print(f"{model.backend} {model.precision}, {model.workers} worker(s), {len(sentences)} sentences, "
          f"load average {os.getloadavg()[0]:.2f}")
    runs = {way: [] for way in WAYS}
    for repeat in range(args.repeats):
        for way, bucket in WAYS.items():
            runtime_model.length_bucket = bucket  # what BatchedModel.plan bounds its batches by
            result = time_translation(translator, forced, sentences)
            runs[way].append(result)
            print(f"{way:15} repeat {repeat + 1}: {result['seconds']:6.2f} s, {result['cpu_seconds']:6.2f} CPU s, "
                  f"{len(result['calls'])} batches", flush=True)
    runtime_model.length_bucket = WAYS["length buckets"]
    medians = {way: statistics.median(r["seconds"] for r in results) for way, results in runs.items()}
    for way, results in runs.items():
        print(f"{way:15} median {medians[way]:6.2f} s, {statistics.median(r['cpu_seconds'] for r in results):6.2f} "
              f"CPU s, {len(results[0]['calls'])} batches")
    print(f"length buckets {medians['8-token steps'] / medians['length buckets']:.2f}x faster; "
          f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
