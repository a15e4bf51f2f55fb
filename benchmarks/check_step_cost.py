"""Check StepCost (workload.py) against the true cost of rows finishing at their own lengths.

    python benchmarks/check_step_cost.py [--sentences 8] [--compute-type int8] [--threads 1]

CTranslate2 cannot end rows at different lengths in one call with random weights, but the true
cost of such a batch can be assembled from real calls: all rows decoding the shortest target,
then, for each further stretch of steps, the rows still decoding, timed at the stretch's end
minus at its start (their encoder cancels). That takes 2n-1 calls per batch of n, too many for
the benchmark; this script compares it once with StepCost's estimate and the two bounds (every
row at the batch mean, at the batch max), all measured in CPU seconds on the same sentences.
"""
from __future__ import annotations

import argparse
import os
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from shapes import prepared_models  # noqa: E402
from workload import (  # noqa: E402
    CORPUS_POSTS,
    MODEL_CACHE,
    Clock,
    ForcedLength,
    corpus_posts,
    corpus_sentences,
    translation_tokens,
)

from nlp.config import load_config  # noqa: E402
from nlp.runtime import load_model  # noqa: E402


def one_batch(model, inputs: list[str], steps: int = 0) -> list:
    """All of `inputs` as one batch (a plan of one job) with the model's own decoding settings,
    decoding `steps` tokens (0: as the model would)."""
    decoding = model.plan(inputs[:1])[0][1]
    if steps:
        decoding = replace(decoding, min_new_tokens=steps, max_new_tokens=steps)
    return [(list(range(len(inputs))), decoding)]


def cpu_seconds(model, inputs: list[str], steps: int) -> float:
    if steps == 0:
        return 0.0
    with Clock() as clock:
        model.run_plan(inputs, one_batch(model, inputs, steps))
    return clock.cpu_seconds


def true_cost(model, inputs: list[str], targets: list[int]) -> float:
    """CPU seconds of the batch with every row ending at its own target, from real calls."""
    order = sorted(range(len(inputs)), key=targets.__getitem__)
    total, done = 0.0, 0
    for k, index in enumerate(order):
        length = targets[index]
        if length > done:
            active = [inputs[i] for i in order[k:]]
            total += cpu_seconds(model, active, length) - cpu_seconds(model, active, done)
            done = length
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=int, default=8)
    parser.add_argument("--compute-type", default="int8")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--workdir", default=str(MODEL_CACHE))
    args = parser.parse_args()
    # one worker: the true cost is assembled from calls made one at a time
    config = load_config(overrides={"runtime.threads": args.threads, "runtime.workers": 1,
                                    "runtime.compute_type": args.compute_type})
    folder = prepared_models(Path(args.workdir))["translator"]
    model = load_model(str(folder), config.runtime, "ctranslate2", "translator")
    cpu_seconds(model, ["国务院"], 2)  # one-time set-up
    sentences = corpus_sentences(corpus_posts(CORPUS_POSTS, config), args.sentences)
    targets = [translation_tokens(s) for s in sentences]
    forced = ForcedLength(model, translation_tokens)
    forced.run_plan(sentences, one_batch(model, sentences))
    at_mean = forced.clock.cpu_seconds - forced.calibration.cpu_seconds
    print(f"{model.backend} {model.precision}, {args.threads} thread(s), {len(sentences)} sentences, "
          f"targets {sorted(targets)}")
    print(f"true cost (2n-1 real calls):      {true_cost(model, sentences, targets):7.2f} CPU s")
    print(f"StepCost estimate:                {at_mean + forced.correction.cpu_seconds:7.2f} CPU s")
    print(f"lower bound, all rows at the mean: {at_mean:7.2f} CPU s (measured)")
    print(f"upper bound, all rows at the max:  {cpu_seconds(model, sentences, max(targets)):7.2f} CPU s (measured), "
          f"{at_mean + forced.to_max.cpu_seconds:.2f} as the benchmark charges it")


if __name__ == "__main__":
    main()
