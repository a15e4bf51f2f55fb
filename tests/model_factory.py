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


# --- the families users point translator.model / summarizer.model at (tests/test_model_families.py) ----------

TINY = dict(d_model=32, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4, decoder_attention_heads=4,
            encoder_ffn_dim=64, decoder_ffn_dim=64)


@lru_cache(maxsize=None)
def _shared_sentencepiece(pieces: int = 2000) -> bytes:
    """One SentencePiece model (Chinese and English) for the multilingual families, trained once."""
    return train_sentencepiece(chinese_corpus() + english_corpus(), pieces)


def _bert_vocab(specials: list[str]) -> list[str]:
    """BERT-Chinese layout: special tokens, every character of the corpus, ASCII word pieces."""
    chars = sorted({c for line in chinese_corpus() + english_corpus() for c in line if not c.isspace()})
    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)]
    return specials + [c for c in chars if c not in specials] + [f"##{c}" for c in letters + list("0123456789")]


def _move_generation_keys_into_config(folder: Path, keys: dict) -> None:
    """As older hub folders are: no generation_config.json, generation keys in config.json."""
    (folder / "generation_config.json").unlink(missing_ok=True)
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    config.update(keys)
    (folder / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")


def _edit_json(path: Path, **changes) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(changes)
    for key in [k for k, v in changes.items() if v is None]:
        data.pop(key)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def build_tiny_mt5_xlsum(folder) -> Path:
    """csebuetnlp/mT5_multilingual_XLSum: no generation_config.json; length_penalty 0.6, max_length 84,
    no_repeat_ngram_size 2, num_beams 4 in config.json (its model card: generate(max_length=84,
    no_repeat_ngram_size=2, num_beams=4))."""
    folder = build_tiny_mt5(folder)
    _move_generation_keys_into_config(folder, dict(length_penalty=0.6, max_length=84, no_repeat_ngram_size=2,
                                                   num_beams=4, tokenizer_class="T5Tokenizer"))
    return folder


def build_tiny_t5_summarize(folder, seed=0) -> Path:
    """t5-small's layout: T5ForConditionalGeneration, T5 SentencePiece tokenizer, and the
    task_specific_params of https://huggingface.co/t5-small/resolve/main/config.json (prefix
    "summarize: ", num_beams 4, max_length 200, min_length 30, no_repeat_ngram_size 3)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model_proto = train_sentencepiece(chinese_corpus() + english_corpus(), 2000, pad_id=0, eos_id=1, unk_id=2, bos_id=-1)
    (folder / "spiece.model").write_bytes(model_proto)
    tokenizer = transformers.T5Tokenizer.from_pretrained(folder, extra_ids=0, model_max_length=512)
    summarization = dict(early_stopping=True, length_penalty=2.0, max_length=200, min_length=30,
                         no_repeat_ngram_size=3, num_beams=4, prefix="summarize: ")
    config = transformers.T5Config(vocab_size=len(tokenizer), d_model=32, d_kv=8, d_ff=64, num_layers=2, num_heads=4,
                                   initializer_factor=3.0, pad_token_id=0, eos_token_id=1, decoder_start_token_id=0,
                                   task_specific_params={"summarization": summarization})
    torch.manual_seed(seed)
    return _save(transformers.T5ForConditionalGeneration(config), tokenizer, folder)


def _bert_tokenizer(folder: Path, specials: list[str], **tokens):
    (folder / "vocab.txt").write_text("\n".join(_bert_vocab(specials)) + "\n", encoding="utf-8")
    return transformers.BertTokenizer.from_pretrained(folder, model_max_length=512, **tokens)


def build_tiny_bart_chinese(folder, seed=0) -> Path:
    """fnlp/bart-base-chinese: BartForConditionalGeneration with a BertTokenizer (tokenizer_class
    BertTokenizer; [CLS] as bos, [SEP] as eos and decoder start, [PAD] as pad; model card:
    BertTokenizer + BartForConditionalGeneration)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = _bert_tokenizer(folder, ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    ids = tokenizer.convert_tokens_to_ids
    config = transformers.BartConfig(vocab_size=len(tokenizer), max_position_embeddings=512, init_std=0.5, **TINY,
                                     bos_token_id=ids("[CLS]"), eos_token_id=ids("[SEP]"), pad_token_id=ids("[PAD]"),
                                     decoder_start_token_id=ids("[SEP]"), forced_eos_token_id=ids("[SEP]"),
                                     normalize_before=False, tokenizer_class="BertTokenizer")
    torch.manual_seed(seed)
    return _save(transformers.BartForConditionalGeneration(config), tokenizer, folder, num_beams=4, max_length=128)


def build_tiny_pegasus_chinese(folder, seed=0) -> Path:
    """IDEA-CCNL/Randeng-Pegasus-238M-Summary-Chinese: PegasusForConditionalGeneration with a
    BERT-style character vocabulary (pad 0, eos 1, decoder start 0 as in its config.json). Its own
    tokenizer class is remote code that AutoTokenizer cannot load offline; this is the folder as
    users re-save it, with tokenizer_class BertTokenizer and the same special ids."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = _bert_tokenizer(folder, ["[PAD]", "[SEP]", "[UNK]", "[CLS]", "[MASK]"])
    config = transformers.PegasusConfig(vocab_size=len(tokenizer), max_position_embeddings=512, init_std=0.5, **TINY,
                                        pad_token_id=0, eos_token_id=1, decoder_start_token_id=0, forced_eos_token_id=1,
                                        scale_embedding=True, normalize_before=True, tokenizer_class="BertTokenizer")
    torch.manual_seed(seed)
    return _save(transformers.PegasusForConditionalGeneration(config), tokenizer, folder, num_beams=4, max_length=128)


def build_tiny_mbart50(folder, seed=0) -> Path:
    """facebook/mbart-large-50-many-to-many-mmt: MBartForConditionalGeneration, MBart50Tokenizer
    (SentencePiece + fairseq offset + language codes zh_CN, en_XX ...), decoder start </s>=2,
    num_beams 5, max_length 200; the target language goes in as forced_bos_token_id."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sentencepiece.bpe.model").write_bytes(_shared_sentencepiece())
    tokenizer = transformers.MBart50Tokenizer.from_pretrained(folder, src_lang="zh_CN", tgt_lang="en_XX")
    (folder / "sentencepiece.bpe.model").unlink()
    config = transformers.MBartConfig(vocab_size=len(tokenizer), max_position_embeddings=256, init_std=0.5, **TINY,
                                      bos_token_id=0, pad_token_id=1, eos_token_id=2, decoder_start_token_id=2,
                                      forced_eos_token_id=2, scale_embedding=True, normalize_before=True,
                                      add_final_layer_norm=True, tokenizer_class="MBart50Tokenizer")
    torch.manual_seed(seed)
    return _save(transformers.MBartForConditionalGeneration(config), tokenizer, folder, num_beams=5, max_length=200)


def build_tiny_m2m100(folder, seed=0) -> Path:
    """facebook/m2m100_418M: M2M100ForConditionalGeneration, M2M100Tokenizer (vocab.json + SentencePiece,
    <s>=0 <pad>=1 </s>=2 <unk>=3, language tokens __zh__, __en__), num_beams 5, max_length 200."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model = _shared_sentencepiece()
    (folder / "sentencepiece.bpe.model").write_bytes(model)
    pieces = ["<s>", "<pad>", "</s>", "<unk>"] + [p for p in _pieces(model) if p not in ("<s>", "</s>", "<unk>")]
    (folder / "vocab.json").write_text(json.dumps({p: i for i, p in enumerate(pieces)}, ensure_ascii=False))
    files = (str(folder / "vocab.json"), str(folder / "sentencepiece.bpe.model"))
    codes = list(transformers.M2M100Tokenizer(*files).lang_token_to_id)  # the hub's tokenizer_config lists them
    tokenizer = transformers.M2M100Tokenizer(*files, src_lang="zh", tgt_lang="en", additional_special_tokens=codes)
    config = transformers.M2M100Config(vocab_size=len(tokenizer) + 8,  # and 8 made-up words, as in its 128112
                                       max_position_embeddings=256, init_std=0.5, **TINY,
                                       bos_token_id=0, pad_token_id=1, eos_token_id=2, decoder_start_token_id=2,
                                       scale_embedding=True, tokenizer_class="M2M100Tokenizer")
    torch.manual_seed(seed)
    return _save(transformers.M2M100ForConditionalGeneration(config), tokenizer, folder, num_beams=5, max_length=200)


def build_tiny_nllb(folder, seed=0) -> Path:
    """facebook/nllb-200-distilled-600M: M2M100ForConditionalGeneration with an NllbTokenizer
    (FLORES-200 codes zho_Hans, eng_Latn as special tokens), max_length 200."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sentencepiece.bpe.model").write_bytes(_shared_sentencepiece())
    tokenizer = transformers.NllbTokenizer.from_pretrained(folder, additional_special_tokens=["zho_Hans", "eng_Latn"],
                                                           src_lang="zho_Hans", tgt_lang="eng_Latn")
    (folder / "sentencepiece.bpe.model").unlink()
    config = transformers.M2M100Config(vocab_size=len(tokenizer), max_position_embeddings=256, init_std=0.5, **TINY,
                                       bos_token_id=0, pad_token_id=1, eos_token_id=2, decoder_start_token_id=2,
                                       scale_embedding=True, tokenizer_class="NllbTokenizer")
    torch.manual_seed(seed)
    return _save(transformers.M2M100ForConditionalGeneration(config), tokenizer, folder, max_length=200)


def build_tiny_marian_without_max_length(folder) -> Path:
    """A fine-tuned or converted opus-mt folder whose generation_config.json has no max_length."""
    folder = build_tiny_marian(folder)
    _edit_json(folder / "generation_config.json", max_length=None)
    return folder


def build_tiny_marian_without_generation_config(folder) -> Path:
    """No generation_config.json and no generation keys in config.json at all."""
    folder = build_tiny_marian(folder)
    (folder / "generation_config.json").unlink()
    _edit_json(folder / "config.json", num_beams=None, max_length=None, bad_words_ids=None)
    return folder
