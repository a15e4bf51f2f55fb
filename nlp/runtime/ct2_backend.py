"""CTranslate2 backend, from a folder written by `nlp models convert` (see convert.py).

The folder is self-contained: the CTranslate2 model, the tokenizer, generation_config.json and
the original config as source_config.json. Inputs are never truncated by CTranslate2
(max_input_length=0); lengths are checked against the model's window before translating.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..config import RuntimeConfig
from .model import BatchedModel, Decoding, pick_device, read_generation_config, worker_threads
from .vocabulary import vocabulary_map_digest

SOURCE_CONFIG = "source_config.json"


class CTranslate2Seq2Seq(BatchedModel):
    backend = "ctranslate2"
    engine = "Translator"  # causal.CTranslate2CausalLM runs a ctranslate2.Generator the same way

    def __init__(self, ref: str, path: Path, runtime: RuntimeConfig, languages: tuple[str, str]):
        import transformers

        open_engine(self, self.engine, path, runtime)
        self.output_vocabulary = vocabulary_map_digest(path)  # a restricted vocabulary is used when present
        tokenizer = transformers.AutoTokenizer.from_pretrained(path)
        source = Path(path) / SOURCE_CONFIG  # absent in CTranslate2-native folders
        source_config = json.loads(source.read_text(encoding="utf-8")) if source.is_file() else {}
        super().__init__(ref, path, tokenizer, read_generation_config(path), source_config, languages)

    def _generate_ids(self, batch: list[list[int]], decoding: Decoding) -> list[list[int]]:
        config, tokenizer = self.generation_config, self.tokenizer
        # transformers spends the last step on a forced </s>; CTranslate2 simply stops one step earlier
        max_length = decoding.max_new_tokens - (config.forced_eos_token_id is not None)
        prefix = None
        if config.forced_bos_token_id is not None:
            prefix = [[tokenizer.convert_ids_to_tokens(config.forced_bos_token_id)]] * len(batch)
        results = self.translator.translate_batch(
            [tokenizer.convert_ids_to_tokens(ids) for ids in batch], target_prefix=prefix,
            beam_size=decoding.num_beams, max_decoding_length=max_length,
            min_decoding_length=min(decoding.min_new_tokens, max_length),
            no_repeat_ngram_size=decoding.no_repeat_ngram_size, length_penalty=config.length_penalty or 1.0,
            repetition_penalty=config.repetition_penalty or 1.0, max_input_length=0,
            use_vmap=bool(self.output_vocabulary))
        return [tokenizer.convert_tokens_to_ids(result.hypotheses[0]) for result in results]


def open_engine(model: BatchedModel, engine: str, path: Path, runtime: RuntimeConfig) -> None:
    """Give `model` the CTranslate2 Translator or Generator at `path` (its `translator`), on the
    runtime's device, compute type and threads, and the workers, precision and device it runs with."""
    import ctranslate2

    device = pick_device(runtime.device, _has_cuda)
    model.workers, threads = worker_threads(runtime, device)
    model.translator = getattr(ctranslate2, engine)(str(path), device=device, compute_type=runtime.compute_type,
                                                    inter_threads=model.workers, intra_threads=threads)
    model.precision, model.device = model.translator.compute_type, model.translator.device


def _has_cuda() -> bool:
    import ctranslate2

    return ctranslate2.get_cuda_device_count() > 0


def cuda_compute_types() -> set[str]:
    import ctranslate2

    return set(ctranslate2.get_supported_compute_types("cuda"))
