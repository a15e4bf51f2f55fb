"""transformers backend: AutoTokenizer + AutoModelForSeq2SeqLM (or ForCausalLM), in inference mode.

The only module that imports torch (besides the CTranslate2 converter).
"""
from __future__ import annotations

from pathlib import Path

from ..config import RuntimeConfig
from .identity import transformers_dtype
from .model import BatchedModel, Decoding, copy_generation_config, pick_device, thread_count


class TorchSeq2Seq(BatchedModel):
    backend = "transformers"
    auto_class = "AutoModelForSeq2SeqLM"  # causal.TorchCausalLM loads AutoModelForCausalLM the same way

    def __init__(self, ref: str, path: Path, runtime: RuntimeConfig, languages: tuple[str, str]):
        import torch
        import transformers

        torch.set_num_threads(thread_count(runtime.threads))
        self.device = pick_device(runtime.device, torch.cuda.is_available)
        tokenizer = transformers.AutoTokenizer.from_pretrained(path)
        dtype = getattr(torch, transformers_dtype(runtime.dtype, self.device, torch.cuda.is_bf16_supported))
        transformers.utils.logging.disable_progress_bar()  # a "Loading weights" bar per model is log noise
        try:
            model = getattr(transformers, self.auto_class).from_pretrained(path, dtype=dtype)
        finally:
            transformers.utils.logging.enable_progress_bar()  # downloads still show theirs
        self.model = model.to(self.device).eval()
        self.precision = str(model.dtype).removeprefix("torch.")
        # with no generation_config.json, transformers fills generation_config from config.json
        super().__init__(ref, path, tokenizer, model.generation_config, model.config.to_dict(), languages)

    def _generate_ids(self, batch: list[list[int]], decoding: Decoding) -> list[list[int]]:
        import torch

        inputs = self.tokenizer.pad({"input_ids": batch}, return_tensors="pt").to(self.device)
        # lengths as max_length/min_length (decoder start included), so the config's own values are replaced
        config = copy_generation_config(
            self.generation_config, max_new_tokens=None, min_new_tokens=None, max_length=decoding.max_new_tokens + 1,
            min_length=decoding.min_new_tokens + 1 if decoding.min_new_tokens else 0,
            num_beams=decoding.num_beams, no_repeat_ngram_size=decoding.no_repeat_ngram_size)
        with torch.inference_mode():
            output = self.model.generate(**inputs, generation_config=config)
        return output.tolist()
