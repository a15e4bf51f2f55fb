"""Models of the real classes with random weights, saved like published ones.

Tests build tiny ones (seconds); benchmarks pass the published sizes to the same functions, so
speed is measured on the same arithmetic as the real models. Tokenizers are trained here on the
repository's corpus copy in tests/data (SentencePiece for Marian and mT5, byte-level BPE for BART
and Qwen2), so Chinese input tokenizes the way it would with a real model, just with a small
vocabulary. Besides seq2seq models: a Qwen2 instruction model with a chat template, and a
CTranslate2-native translator folder laid out like quickmt's.
"""
from __future__ import annotations

import io
import json
import re
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

import ctranslate2
import sentencepiece as spm
import torch
import transformers
from tokenizers import ByteLevelBPETokenizer

from repo_data import CORPUS as CORPUS_DIR

OPUS_MT_ZH_EN = dict(d_model=512, layers=6, heads=8, ffn=2048, vocab_size=65001, max_positions=512,
                     num_beams=6, max_length=512)
MT5_BASE = dict(d_model=768, d_kv=64, d_ff=2048, layers=12, heads=12, vocab_size=250112,
                num_beams=4, max_length=84)


@lru_cache(maxsize=None)
def chinese_corpus() -> tuple[str, ...]:
    """Lines of Chinese text: post bodies without front matter or tags, and the parallel zh side."""
    lines = []
    for path in sorted((CORPUS_DIR / "posts").glob("*.md")):
        body = re.sub(r"\A\s*(---|\+\+\+).*?^\1\s*$", "", path.read_text(encoding="utf-8"), flags=re.S | re.M)
        lines += _text_lines(re.sub(r"<[^>]+>|&\w+;", " ", body))
    for path in sorted((CORPUS_DIR / "parallel").glob("*.zh.txt")):
        lines += _text_lines(path.read_text(encoding="utf-8"))
    return tuple(lines)


@lru_cache(maxsize=None)
def english_corpus() -> tuple[str, ...]:
    """Lines of the English side of the parallel corpus."""
    lines = []
    for path in sorted((CORPUS_DIR / "parallel").glob("*.en.txt")):
        lines += _text_lines(path.read_text(encoding="utf-8"))
    return tuple(lines)


def _text_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def train_sentencepiece(lines, vocab_size: int, **options) -> bytes:
    """A (unigram) SentencePiece model (serialized) trained in memory on `lines`."""
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(lines), model_writer=model, vocab_size=vocab_size,
                                   character_coverage=0.98, hard_vocab_limit=False, minloglevel=2, **options)
    return model.getvalue()


def _pieces(model: bytes) -> list[str]:
    processor = spm.SentencePieceProcessor(model_proto=model)
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def _save(model, tokenizer, folder: Path, **generation) -> Path:
    """save_pretrained model, tokenizer and a generation config, as on the hub."""
    folder.mkdir(parents=True, exist_ok=True)
    model.generation_config = transformers.GenerationConfig.from_model_config(model.config)
    model.generation_config.update(**generation)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def build_tiny_marian(folder, *, d_model=32, layers=2, heads=4, ffn=64, vocab_size=None, max_positions=128,
                      num_beams=4, max_length=24, source_pieces=1600, target_pieces=400, init_std=0.5,
                      seed=0) -> Path:
    """A MarianMTModel + MarianTokenizer zh→en in `folder`, laid out like Helsinki-NLP/opus-mt-zh-en.

    vocab.json is shared: </s>=0, <unk>=1, the source and target pieces, fillers up to
    `vocab_size`, and <pad> last (the decoder start, as in opus-mt).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    source = train_sentencepiece(chinese_corpus(), source_pieces)
    target = train_sentencepiece(english_corpus(), target_pieces)
    (folder / "source.spm").write_bytes(source)
    (folder / "target.spm").write_bytes(target)
    tokens = ["</s>", "<unk>"] + [p for p in dict.fromkeys(_pieces(source) + _pieces(target))
                                  if p not in ("<s>", "</s>", "<unk>")]
    vocab_size = vocab_size or len(tokens) + 1
    if vocab_size <= len(tokens):
        raise ValueError(f"vocab_size {vocab_size} is smaller than the {len(tokens) + 1} trained tokens")
    tokens += [f"<unused{i}>" for i in range(vocab_size - 1 - len(tokens))] + ["<pad>"]
    (folder / "vocab.json").write_text(json.dumps({t: i for i, t in enumerate(tokens)}, ensure_ascii=False))
    files = [str(folder / name) for name in ("source.spm", "target.spm", "vocab.json")]
    tokenizer = transformers.MarianTokenizer(*files, source_lang="zh", target_lang="en",
                                             model_max_length=max_positions)
    pad = vocab_size - 1
    config = transformers.MarianConfig(
        vocab_size=vocab_size, d_model=d_model, encoder_layers=layers, decoder_layers=layers,
        encoder_attention_heads=heads, decoder_attention_heads=heads, encoder_ffn_dim=ffn, decoder_ffn_dim=ffn,
        max_position_embeddings=max_positions, activation_function="swish", scale_embedding=True,
        pad_token_id=pad, decoder_start_token_id=pad, eos_token_id=0, forced_eos_token_id=0, init_std=init_std)
    torch.manual_seed(seed)
    model = transformers.MarianMTModel(config)
    return _save(model, tokenizer, folder, num_beams=num_beams, max_length=max_length, bad_words_ids=[[pad]])


def build_tiny_mt5(folder, *, d_model=32, d_kv=8, d_ff=64, layers=2, heads=4, vocab_size=None, pieces=2000,
                   num_beams=4, max_length=24, initializer_factor=3.0, seed=0) -> Path:
    """An MT5ForConditionalGeneration + T5 tokenizer (SentencePiece <pad>=0, </s>=1, <unk>=2) in `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model_proto = train_sentencepiece(chinese_corpus() + english_corpus(), pieces,
                                      pad_id=0, eos_id=1, unk_id=2, bos_id=-1)
    (folder / "spiece.model").write_bytes(model_proto)
    tokenizer = transformers.T5Tokenizer.from_pretrained(folder, extra_ids=0, model_max_length=512)
    config = transformers.MT5Config(
        vocab_size=vocab_size or len(tokenizer), d_model=d_model, d_kv=d_kv, d_ff=d_ff, num_layers=layers,
        num_heads=heads, feed_forward_proj="gated-gelu", tie_word_embeddings=False,
        initializer_factor=initializer_factor, pad_token_id=0, eos_token_id=1, decoder_start_token_id=0)
    torch.manual_seed(seed)
    model = transformers.MT5ForConditionalGeneration(config)
    return _save(model, tokenizer, folder, num_beams=num_beams, max_length=max_length)


def build_tiny_bart(folder, *, d_model=32, layers=2, heads=4, ffn=64, vocab_size=None, merges=800,
                    max_positions=128, num_beams=4, max_length=24, init_std=0.5, seed=0) -> Path:
    """A BartForConditionalGeneration + byte-level BPE BartTokenizer (<s>=0, <pad>=1, </s>=2) in `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(chinese_corpus() + english_corpus(), vocab_size=256 + 5 + merges, show_progress=False,
                            special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
    bpe.save_model(str(folder))
    tokenizer = transformers.BartTokenizer(vocab=str(folder / "vocab.json"), merges=str(folder / "merges.txt"),
                                           model_max_length=max_positions)
    config = transformers.BartConfig(
        vocab_size=vocab_size or len(tokenizer), d_model=d_model, encoder_layers=layers, decoder_layers=layers,
        encoder_attention_heads=heads, decoder_attention_heads=heads, encoder_ffn_dim=ffn, decoder_ffn_dim=ffn,
        max_position_embeddings=max_positions, init_std=init_std, bos_token_id=0, pad_token_id=1,
        eos_token_id=2, decoder_start_token_id=2, forced_bos_token_id=0, forced_eos_token_id=2,
        normalize_before=False)  # as in published BART configs; the CTranslate2 converter reads it
    torch.manual_seed(seed)
    model = transformers.BartForConditionalGeneration(config)
    return _save(model, tokenizer, folder, num_beams=num_beams, max_length=max_length)


# A chat template in Qwen's ChatML form, with Qwen3's switch for an empty thinking block.
CHATML_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n"
    "{% if enable_thinking is defined and enable_thinking is false %}<think>\n\n</think>\n\n{% endif %}"
    "{% endif %}")
QWEN_SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]


def build_tiny_qwen2(folder, *, hidden=32, layers=2, heads=4, kv_heads=2, ffn=64, vocab_size=None, merges=800,
                     max_positions=1024, initializer_range=0.5, seed=0) -> Path:
    """A Qwen2ForCausalLM instruction model in `folder`, laid out like Qwen/Qwen2.5-*-Instruct: a
    byte-level BPE tokenizer with ChatML special tokens and a chat template, and a generation
    config that stops at <|im_end|> or <|endoftext|>."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(chinese_corpus() + english_corpus(), vocab_size=256 + len(QWEN_SPECIAL_TOKENS) + merges,
                            show_progress=False, special_tokens=QWEN_SPECIAL_TOKENS)
    bpe.save_model(str(folder))
    tokenizer = transformers.Qwen2Tokenizer(vocab=str(folder / "vocab.json"), merges=str(folder / "merges.txt"),
                                            model_max_length=max_positions,
                                            additional_special_tokens=QWEN_SPECIAL_TOKENS[1:])
    tokenizer.chat_template = CHATML_TEMPLATE
    end, pad = tokenizer.convert_tokens_to_ids(["<|im_end|>", "<|endoftext|>"])
    config = transformers.Qwen2Config(
        vocab_size=vocab_size or len(tokenizer), hidden_size=hidden, intermediate_size=ffn, num_hidden_layers=layers,
        num_attention_heads=heads, num_key_value_heads=kv_heads, max_position_embeddings=max_positions,
        initializer_range=initializer_range, tie_word_embeddings=True, bos_token_id=pad, eos_token_id=end,
        pad_token_id=pad)
    torch.manual_seed(seed)
    model = transformers.Qwen2ForCausalLM(config)
    return _save(model, tokenizer, folder, eos_token_id=[end, pad], pad_token_id=pad, do_sample=False)


def build_tiny_quickmt(folder, **marian) -> Path:
    """A CTranslate2-native zh→en translator in `folder`, laid out like quickmt/quickmt-zh-en
    (see quickmt_layout), made from a tiny Marian."""
    marian.setdefault("max_positions", 512)  # room for quickmt's 256-token decoding default
    with tempfile.TemporaryDirectory() as scratch:
        return quickmt_layout(build_tiny_marian(Path(scratch) / "marian", **marian), folder)


def quickmt_layout(marian: Path, folder, compute_type: str = "float32") -> Path:
    """The Marian folder `marian` as quickmt publishes models: model.bin, config.json,
    source_vocabulary.json + target_vocabulary.json, src.spm.model + tgt.spm.model, and no
    transformers files."""
    folder = Path(folder)
    ctranslate2.converters.TransformersConverter(str(marian)).convert(str(folder), quantization=compute_type,
                                                                      force=True)
    shutil.copyfile(marian / "source.spm", folder / "src.spm.model")
    shutil.copyfile(marian / "target.spm", folder / "tgt.spm.model")
    shared = folder / "shared_vocabulary.json"
    if shared.exists():  # quickmt ships one vocabulary per side
        shutil.copyfile(shared, folder / "source_vocabulary.json")
        shared.rename(folder / "target_vocabulary.json")
    return folder
