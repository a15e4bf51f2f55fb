"""Where the summariser's time goes, on the mT5-base-shaped random model (benchmarks/shapes.py).

    python benchmarks/summarizer_time.py [--threads 1] [--articles 3]

The quick workload's articles, each summarised in its own generate call (as the pipeline did) and
all in one shared call, forced to 84 new tokens at 4 beams with no_repeat_ngram_size 2 (the
configured settings). CPU seconds, so figures hold up on a shared machine at one thread.

- transformers (float32, the project's own loading and generate): timed forward hooks on the
  encoder, the decoder stack (layers, embeddings, final norm) and the output layer (d_model x
  vocab); the rest of the generate call is beam search and its bookkeeping (log-softmax over the
  vocabulary, logits processors, top-k, cache reordering, Python per step). Then the same
  without no_repeat_ngram_size, to show that processor's part.
- CTranslate2 int8 has no hooks: a decoding step costs (84-step call - 2-step call) / 82, the
  encoder the 2-step call minus two steps; the output layer is what restricting the output
  vocabulary to K tokens (a vmap.txt in a copy of the model folder, use_vmap=True) takes off a
  step, scaled to the full vocabulary: (step - step_K) x V / (V - K). K = the tokenizer's own
  pieces (all that text can contain here), and 32,000 (about what Chinese summaries could need
  from the real mT5's 250,112).
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from shapes import prepared_models
from workload import CORPUS_POSTS, MODEL_CACHE, SUMMARY_TOKENS, Clock, corpus_posts, spread

from nlp.config import load_config
from nlp.runtime import load_model

BEAMS, NO_REPEAT, MAX_ARTICLE_CHARS = 4, 2, 400
WIDE_VOCABULARY = 32_000


def transformers_parts(model, calls: list[list[str]], no_repeat: int) -> dict[str, float]:
    """CPU seconds of the summarisation calls, by part of the model (forward hooks)."""
    network = model.model
    parts = {"encoder": network.get_encoder(), "decoder layers": network.get_decoder(),
             "output layer": network.get_output_embeddings()}
    spent = dict.fromkeys(parts, 0.0)
    handles = []
    for name, module in parts.items():
        def before(_module, _inputs, name=name):
            spent[name] -= time.process_time()

        def after(_module, _inputs, _output, name=name):
            spent[name] += time.process_time()

        handles += [module.register_forward_pre_hook(before), module.register_forward_hook(after)]
    try:
        with Clock() as clock:
            for texts in calls:
                model.generate(texts, min_new_tokens=SUMMARY_TOKENS, max_new_tokens=SUMMARY_TOKENS, num_beams=BEAMS,
                               no_repeat_ngram_size=no_repeat, max_batch_tokens=1 << 30)
    finally:
        for handle in handles:
            handle.remove()
    return {**spent, "beam search and the rest": clock.cpu_seconds - sum(spent.values()), "total": clock.cpu_seconds}


def ctranslate2_seconds(translator, batches: list[list[list[str]]], steps: int, use_vmap: bool) -> float:
    with Clock() as clock:
        for tokens in batches:
            translator.translate_batch(tokens, beam_size=BEAMS, max_decoding_length=steps, min_decoding_length=steps,
                                       no_repeat_ngram_size=NO_REPEAT, max_input_length=0, use_vmap=use_vmap)
    return clock.cpu_seconds


def restricted_copy(folder: Path, keep: list[str], into: Path) -> Path:
    """A CTranslate2 model folder whose vmap.txt makes `keep` the only output candidates (its
    line with an empty source n-gram: tokens that are always candidates)."""
    into.mkdir()
    for path in folder.iterdir():
        (into / path.name).symlink_to(path)
    (into / "vmap.txt").write_text("\t" + " ".join(keep) + "\n", encoding="utf-8")
    return into


def ctranslate2_parts(folder: Path, threads: int, calls: list[list[list[str]]], vocabulary: list[str],
                      kept: dict[str, int]) -> dict[str, float]:
    import ctranslate2

    def translator(path: Path):
        return ctranslate2.Translator(str(path), device="cpu", compute_type="int8", intra_threads=threads)

    full = translator(folder)
    ctranslate2_seconds(full, [calls[0]], 2, False)  # one-time set-up

    def step(model, use_vmap: bool) -> tuple[float, float]:
        short, long = (ctranslate2_seconds(model, calls, n, use_vmap) for n in (2, SUMMARY_TOKENS))
        per_step = (long - short) / (SUMMARY_TOKENS - 2)
        return per_step, short - 2 * per_step

    full_step, encoder = step(full, False)
    steps = full_step * SUMMARY_TOKENS
    result = {"encoder": encoder, "decoding steps": steps, "total": encoder + steps}
    with tempfile.TemporaryDirectory() as scratch:
        for label, size in kept.items():
            restricted = translator(restricted_copy(folder, vocabulary[:size], Path(scratch) / label))
            ctranslate2_seconds(restricted, [calls[0]], 2, True)
            restricted_step, _ = step(restricted, True)
            result[f"steps, vocabulary {label}"] = restricted_step * SUMMARY_TOKENS
            if label == "tokenizer":
                output = (full_step - restricted_step) * len(vocabulary) / (len(vocabulary) - size)
                result["output layer (of the steps)"] = output * SUMMARY_TOKENS
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--articles", type=int, default=3)
    parser.add_argument("--workdir", default=str(MODEL_CACHE))
    args = parser.parse_args()
    config = load_config(overrides={"runtime.threads": args.threads, "runtime.workers": 1,  # as its parts run
                                    "runtime.dtype": "float32"})
    folder = prepared_models(Path(args.workdir))["summarizer"]
    posts = [view for view in corpus_posts(CORPUS_POSTS, config) if len(view.article.text) <= MAX_ARTICLE_CHARS]
    texts = [view.article.text for view in spread(posts, args.articles, key=lambda view: len(view.article.text))]
    layouts = {"one call per article": [[text] for text in texts], "one shared call": [texts]}
    print(f"{len(texts)} articles of {', '.join(str(len(t)) for t in texts)} characters; {SUMMARY_TOKENS} new tokens, "
          f"{BEAMS} beams; {args.threads} thread(s); CPU seconds per article; load average {os.getloadavg()[0]:.2f}")

    model = load_model(str(folder), config.runtime, "transformers", "summarizer")
    model.generate(["国务院"], max_new_tokens=2, min_new_tokens=2)
    print(f"source tokens per article: {model.count_tokens(texts)}")
    for layout, calls in layouts.items():
        for no_repeat in (NO_REPEAT, 0):
            _print(f"transformers {model.precision}, {layout}, no_repeat_ngram_size {no_repeat}",
                   transformers_parts(model, calls, no_repeat), len(texts))
    tokenizer = model.tokenizer
    del model

    ct2_folder = folder / "ctranslate2-int8"
    vocabulary = json.loads((ct2_folder / "shared_vocabulary.json").read_text(encoding="utf-8"))
    kept = {"tokenizer": len(tokenizer), "32k": WIDE_VOCABULARY}
    for layout, calls in layouts.items():
        tokens = [[tokenizer.convert_ids_to_tokens(tokenizer(text)["input_ids"]) for text in call] for call in calls]
        _print(f"ctranslate2 int8, {layout} (output vocabulary {len(vocabulary)}; restricted: tokenizer = "
               f"{len(tokenizer)}, 32k = {WIDE_VOCABULARY})",
               ctranslate2_parts(ct2_folder, args.threads, tokens, vocabulary, kept), len(texts))


def _print(title: str, parts: dict[str, float], articles: int) -> None:
    total = parts["total"]
    print(title)
    for name, seconds in parts.items():
        print(f"  {name:<34} {seconds / articles:7.2f} s  {seconds / total:6.1%}")


if __name__ == "__main__":
    main()
