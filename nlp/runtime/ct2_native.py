"""CTranslate2-native translator folders, laid out as quickmt publishes them.

Such a folder holds the CTranslate2 model (model.bin, config.json and its vocabularies:
source_vocabulary.json + target_vocabulary.json, or one shared_vocabulary.json) and the
SentencePiece models it was trained with: src.spm.model + tgt.spm.model, or one joint.spm.model.
There is no transformers tokenizer or generation config, so inputs are SentencePiece pieces
followed by </s> (as quickmt feeds them) and the decoding defaults are quickmt's.
"""
from __future__ import annotations

from pathlib import Path

from ..config import RuntimeConfig
from .ct2_backend import open_engine
from .model import BatchedModel, Decoding

SENTENCEPIECE_LAYOUTS = (("src.spm.model", "tgt.spm.model"), ("joint.spm.model", "joint.spm.model"))
DEFAULT_BEAMS = 5  # quickmt's beam_size
DEFAULT_MAX_NEW_TOKENS = 256  # quickmt's max_decoding_length


def sentencepiece_models(folder: Path) -> tuple[Path, Path] | None:
    """(source, target) SentencePiece models of a native folder, or None when it has none."""
    for source, target in SENTENCEPIECE_LAYOUTS:
        if (folder / source).is_file() and (folder / target).is_file():
            return folder / source, folder / target
    return None


class SentencePieceCodec:
    """Text to source pieces and target pieces to text: the tokenizer of a native folder."""

    def __init__(self, source: Path, target: Path):
        import sentencepiece as spm

        self.source = spm.SentencePieceProcessor(model_file=str(source))
        self.target = spm.SentencePieceProcessor(model_file=str(target))

    def encode(self, texts: list[str]) -> list[list[str]]:
        return [pieces + ["</s>"] for pieces in self.source.encode(list(texts), out_type=str)]

    def batch_decode(self, pieces: list[list[str]], skip_special_tokens: bool = True) -> list[str]:
        return [self.target.decode([p for p in hypothesis if p not in ("</s>", "<s>", "<unk>")])
                for hypothesis in pieces]


class CTranslate2Native(BatchedModel):
    backend = "ctranslate2"
    kind = "native"

    def __init__(self, ref: str, path: Path, runtime: RuntimeConfig, languages: tuple[str, str]):
        import transformers

        models = sentencepiece_models(Path(path))
        if models is None:
            raise ValueError(f"no SentencePiece models ({' or '.join(s for s, _ in SENTENCEPIECE_LAYOUTS)})")
        open_engine(self, "Translator", path, runtime)
        defaults = transformers.GenerationConfig(num_beams=DEFAULT_BEAMS, max_new_tokens=DEFAULT_MAX_NEW_TOKENS)
        # no config states a window (so the default one); SentencePiece models carry no language codes
        super().__init__(ref, path, SentencePieceCodec(*models), defaults, {}, languages)

    def _encode(self, texts: list[str]) -> list[list[str]]:
        return self.tokenizer.encode(texts) if texts else []

    def _generate_ids(self, batch: list[list[str]], decoding: Decoding) -> list[list[str]]:
        results = self.translator.translate_batch(
            batch, beam_size=decoding.num_beams, max_decoding_length=decoding.max_new_tokens,
            min_decoding_length=min(decoding.min_new_tokens, decoding.max_new_tokens),
            no_repeat_ngram_size=decoding.no_repeat_ngram_size, disable_unk=True, max_input_length=0)
        return [result.hypotheses[0] for result in results]
