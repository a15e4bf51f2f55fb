"""Decoder-only (causal) language models, such as instruction models that answer a chat prompt.

Texts given to these models are whole prompts, already rendered with the model's chat template
(`render_chat`), so they are encoded without adding special tokens again; what comes back is
only the newly generated text. Both backends share this class: transformers with
AutoModelForCausalLM, and a CTranslate2 Generator converted by `nlp models convert`.
"""
from __future__ import annotations

import copy

from ..errors import ModelUnavailable
from .ct2_backend import CTranslate2Seq2Seq
from .model import BatchedModel, Decoding
from .torch_backend import TorchSeq2Seq

DEFAULT_MAX_NEW_TOKENS = 256  # when neither the call nor the generation config bounds the answer


def is_causal(model_config: dict) -> bool:
    """Whether a transformers config describes a decoder-only model (e.g. Qwen2ForCausalLM)."""
    return any(name.endswith("ForCausalLM") for name in model_config.get("architectures") or ())


class CausalLM(BatchedModel):
    """The parts both causal backends share: prompts, encoding, and length defaults."""

    kind = "causal"

    def render_chat(self, messages: list[dict]) -> str:
        """The prompt text for `messages`, ending where the assistant's answer begins.

        enable_thinking=False asks templates that know it (Qwen3) for an answer without a
        reasoning block; other templates ignore it.
        """
        if not getattr(self.tokenizer, "chat_template", None):
            raise ModelUnavailable(f"{self.ref} has no chat template; a causal summarizer needs an "
                                   "instruction (chat) model")
        return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True,
                                                  enable_thinking=False)

    def _encode(self, texts: list[str]) -> list[list[int]]:
        # the chat template already wrote every special token the model expects
        return self.tokenizer(list(texts), add_special_tokens=False, verbose=False)["input_ids"] if texts else []

    def _decoding(self, max_new_tokens, min_new_tokens, num_beams, no_repeat_ngram_size) -> Decoding:
        config = self.generation_config
        # a causal model's max_length counts the prompt, so only max_new_tokens is a default answer length
        return Decoding(
            max_new_tokens=max_new_tokens or config.max_new_tokens or DEFAULT_MAX_NEW_TOKENS,
            min_new_tokens=min_new_tokens or config.min_new_tokens or 0,
            num_beams=num_beams or config.num_beams or 1,
            no_repeat_ngram_size=(config.no_repeat_ngram_size or 0) if no_repeat_ngram_size is None
            else no_repeat_ngram_size,
        )

    def end_ids(self) -> list[int]:
        """Token ids that end an answer (instruction models list <|im_end|> and <|endoftext|>)."""
        eos = self.generation_config.eos_token_id
        ids = eos if isinstance(eos, list) else [eos] if eos is not None else []
        return ids or [self.tokenizer.eos_token_id]


class TorchCausalLM(CausalLM, TorchSeq2Seq):
    auto_class = "AutoModelForCausalLM"

    def __init__(self, ref, path, runtime, languages):
        super().__init__(ref, path, runtime, languages)
        self.tokenizer.padding_side = "left"  # prompts end where generation starts
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token_id = self.end_ids()[-1]

    def _generate_ids(self, batch: list[list[int]], decoding: Decoding) -> list[list[int]]:
        import torch

        inputs = self.tokenizer.pad({"input_ids": batch}, return_tensors="pt").to(self.device)
        config = copy.deepcopy(self.generation_config)
        config.update(max_length=None, min_length=0, max_new_tokens=decoding.max_new_tokens,
                      min_new_tokens=decoding.min_new_tokens or None, num_beams=decoding.num_beams,
                      no_repeat_ngram_size=decoding.no_repeat_ngram_size, do_sample=False,
                      temperature=None, top_p=None, top_k=None, eos_token_id=self.end_ids(),
                      pad_token_id=self.tokenizer.pad_token_id)
        with torch.inference_mode():
            output = self.model.generate(**inputs, generation_config=config)
        return output[:, inputs["input_ids"].shape[1]:].tolist()


class CTranslate2CausalLM(CausalLM, CTranslate2Seq2Seq):
    engine = "Generator"

    def _generate_ids(self, batch: list[list[int]], decoding: Decoding) -> list[list[int]]:
        config, tokenizer = self.generation_config, self.tokenizer
        results = self.translator.generate_batch(
            [tokenizer.convert_ids_to_tokens(ids) for ids in batch], include_prompt_in_result=False,
            max_length=decoding.max_new_tokens, min_length=decoding.min_new_tokens, beam_size=decoding.num_beams,
            no_repeat_ngram_size=decoding.no_repeat_ngram_size, end_token=self.end_ids(),
            length_penalty=config.length_penalty or 1.0, repetition_penalty=config.repetition_penalty or 1.0)
        return [result.sequences_ids[0] for result in results]
