"""Speed and agreement of the restricted output vocabulary (`nlp models convert --chinese-vocabulary`).

    python benchmarks/output_vocabulary.py [--model FOLDER] [--articles 6] [--threads 1]

Summarises corpus articles with the CTranslate2 int8 summariser (the project's own loading and
generate, configured beams and no_repeat_ngram_size, forced to 84 new tokens) twice: with the
whole output vocabulary and with the map nlp.runtime.vocabulary writes, in a copy of the
converted folder. Prints the tokens kept, CPU seconds per article of both, and how far their
outputs agree (identical summaries; share of output tokens at the same position). FOLDER is a
transformers model folder with a ctranslate2-int8 conversion (default: the benchmark's
mT5-base-shaped summariser, benchmarks/shapes.py).
"""
from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from shapes import prepared_models
from workload import CORPUS_POSTS, MODEL_CACHE, SUMMARY_TOKENS, Clock, corpus_posts, spread

from nlp.config import load_config
from nlp.runtime import load_model
from nlp.runtime.vocabulary import write_vocabulary_map


def summaries(model, texts: list[str], settings: dict) -> tuple[list[str], float]:
    """Outputs, one generate call per article (as the pipeline's chunks), and CPU seconds per article."""
    model.generate(texts[:1], max_new_tokens=2, min_new_tokens=2)  # one-time set-up
    with Clock() as clock:
        outputs = [model.generate([text], **settings)[0] for text in texts]
    return outputs, clock.cpu_seconds / len(texts)


def same_position_share(first: str, second: str, tokenizer) -> float:
    a, b = tokenizer.tokenize(first), tokenizer.tokenize(second)
    return sum(x == y for x, y in zip(a, b)) / max(len(a), len(b), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="transformers model folder with a ctranslate2-int8 conversion")
    parser.add_argument("--articles", type=int, default=6)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--workdir", default=str(MODEL_CACHE))
    args = parser.parse_args()
    config = load_config(overrides={"runtime.threads": args.threads})
    folder = Path(args.model) if args.model else prepared_models(Path(args.workdir))["summarizer"]
    whole_folder = folder / "ctranslate2-int8"
    c = config.summarizer
    settings = {"num_beams": c.num_beams, "no_repeat_ngram_size": c.no_repeat_ngram_size,
                    "max_new_tokens": SUMMARY_TOKENS, "min_new_tokens": SUMMARY_TOKENS}
    whole = load_model(str(whole_folder), config.runtime, "ctranslate2", "summarizer")
    posts = [view for view in corpus_posts(CORPUS_POSTS, config)
             if whole.count_tokens([view.article.text])[0] <= whole.max_input_tokens]
    texts = [view.article.text for view in spread(posts, args.articles, key=lambda view: len(view.article.text))]
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "restricted"
        copy.mkdir()
        for path in whole_folder.iterdir():
            (copy / path.name).symlink_to(path)
        kept, size = write_vocabulary_map(copy)
        restricted = load_model(str(copy), config.runtime, "ctranslate2", "summarizer")
        base, base_seconds = summaries(whole, texts, settings)
        fast, fast_seconds = summaries(restricted, texts, settings)
    shares = [same_position_share(a, b, whole.tokenizer) for a, b in zip(base, fast)]
    print(f"{folder.name}: output vocabulary {size}, kept {kept} (and each input's own tokens); {len(texts)} articles, "
          f"{settings['num_beams']} beams, {SUMMARY_TOKENS} new tokens, {args.threads} thread(s), "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"CPU s per article: whole {base_seconds:.2f}, restricted {fast_seconds:.2f} "
          f"({base_seconds / fast_seconds:.1f}x)")
    print(f"agreement: {sum(a == b for a, b in zip(base, fast))}/{len(texts)} summaries identical, "
          f"{sum(shares) / len(shares):.0%} of output tokens the same at the same position")


if __name__ == "__main__":
    main()
