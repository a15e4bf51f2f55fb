"""Conformance matrix: the model families users point translator.model / summarizer.model at.

Each family is a tiny random-weight model built from the real folder's layout: model class,
the config and generation-config keys that matter (or their absence), tokenizer class and
special-token ids. No hub is reachable here, so the layouts are reconstructed from the model
cards and config files named below (the keys that decide loading and decoding, not byte copies);
the t5-small task_specific_params and the mBART-50 usage (tokenizer.src_lang, then generate with
forced_bos_token_id = the target code's id) were confirmed in public code found with the search
tool. Where each layout comes from:

- opus-mt-zh-en: https://huggingface.co/Helsinki-NLP/opus-mt-zh-en (config.json: MarianMTModel,
  pad/decoder start 65000, eos 0, num_beams 6, max_length 512, bad_words_ids [[65000]])
- mT5 XLSum: https://huggingface.co/csebuetnlp/mT5_multilingual_XLSum (no generation_config.json;
  config.json: MT5ForConditionalGeneration, T5Tokenizer; model card generates with max_length 84,
  no_repeat_ngram_size 2, num_beams 4)
- T5 with "summarize: ": https://huggingface.co/t5-small/resolve/main/config.json
  (task_specific_params.summarization, prefix "summarize: ")
- BART-Chinese: https://huggingface.co/fnlp/bart-base-chinese (BartForConditionalGeneration with
  BertTokenizer, [CLS]/[SEP]/[PAD] as bos/eos/pad, normalize_before false)
- Pegasus-Chinese: https://huggingface.co/IDEA-CCNL/Randeng-Pegasus-238M-Summary-Chinese
  (PegasusForConditionalGeneration, BERT-style vocabulary, pad 0, eos 1, decoder start 0)
- mBART-50: https://huggingface.co/facebook/mbart-large-50-many-to-many-mmt (MBart50Tokenizer,
  zh_CN/en_XX, decoder start </s>, forced_bos_token_id for the target, num_beams 5, max_length 200)
- M2M100: https://huggingface.co/facebook/m2m100_418M (M2M100Tokenizer, __zh__/__en__ as
  additional special tokens, vocabulary with 8 made-up words, num_beams 5, max_length 200)
- NLLB: https://huggingface.co/facebook/nllb-200-distilled-600M (M2M100ForConditionalGeneration,
  NllbTokenizer with zho_Hans/eng_Latn, max_length 200)
- a Marian folder whose generation_config.json has no max_length, and one with no generation
  config at all (neither the file nor generation keys in config.json).

Every family goes through the CLI (translate or summarize), the API (enrich_file) and the demo's
generate handler, on transformers and on CTranslate2 where its converter takes the family; where
it does not, the error is one line naming the folder. Outputs are random-weight text: only their
presence and structure are asserted.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

import model_factory as factory
from nlp.cli import main as nlp_main
from nlp.config import RuntimeConfig
from nlp.errors import NlpError
from nlp.pipeline import Pipeline
from nlp.posts import read_post
from nlp.runtime import convert_model, load_model

from repo_data import SEED

TEXT = "国务院发布了新的政策。成都国际铁路港经开区与重庆经开区签订战略合作协议。"


@dataclass(frozen=True)
class Family:
    role: str  # translator | summarizer
    build: Callable[[Path], Path]
    converts: bool  # the CTranslate2 converter takes it
    languages: tuple[str, str] | None = None  # (source, target) tokens of a language-coded model


FAMILIES = {
    "opus-mt-marian": Family("translator", factory.build_tiny_marian, True),
    "mt5-xlsum-no-generation-config": Family("summarizer", factory.build_tiny_mt5_xlsum, True),
    "t5-summarize-prefix": Family("summarizer", factory.build_tiny_t5_summarize, True),
    "bart-chinese-bert-tokenizer": Family("summarizer", factory.build_tiny_bart_chinese, True),
    "pegasus-chinese-bert-tokenizer": Family("summarizer", factory.build_tiny_pegasus_chinese, False),
    "mbart-50": Family("translator", factory.build_tiny_mbart50, True, ("zh_CN", "en_XX")),
    "m2m100": Family("translator", factory.build_tiny_m2m100, True, ("__zh__", "__en__")),
    "nllb": Family("translator", factory.build_tiny_nllb, True, ("zho_Hans", "eng_Latn")),
    "marian-no-max-length": Family("translator", factory.build_tiny_marian_without_max_length, True),
    "marian-no-generation-config": Family("translator", factory.build_tiny_marian_without_generation_config, True),
}
CASES = [(name, backend) for name, family in FAMILIES.items() for backend in ("transformers", "ctranslate2")]
RUNTIME = RuntimeConfig(threads=1)


@pytest.fixture(scope="session")
def family_folders(tmp_path_factory) -> dict[str, Path]:
    """Every family built once, and converted to CTranslate2 int8 where the converter takes it."""
    root = tmp_path_factory.mktemp("families")
    folders = {}
    for name, family in FAMILIES.items():
        folders[name] = family.build(root / name)
        if family.converts:
            convert_model(str(folders[name]), RUNTIME, family.role)
    return folders


def overrides(name: str, folder: Path, backend: str) -> dict:
    role = FAMILIES[name].role
    settings = {f"{role}.model": str(folder), f"{role}.backend": backend, "runtime.threads": 1}
    if role == "summarizer":
        return {**settings, "summarizer.method": "abstractive", "translator.enabled": False}
    return {**settings, "summarizer.method": "extractive"}


def cli_args(name: str, folder: Path, backend: str) -> list[str]:
    pairs = overrides(name, folder, backend).items()
    return [arg for key, value in pairs for arg in ("--set", f"{key}={str(value).lower()}")]


@pytest.mark.parametrize("name", [n for n, f in FAMILIES.items() if not f.converts])
def test_a_family_the_converter_refuses_gets_one_clear_line(name, family_folders, capsys, tmp_path):
    folder = family_folders[name]
    with pytest.raises(NlpError) as error:
        convert_model(str(folder), RUNTIME, FAMILIES[name].role)
    message = str(error.value)
    assert "\n" not in message and str(folder) in message and "cannot convert" in message
    text = tmp_path / "text.txt"
    text.write_text(TEXT, encoding="utf-8")
    command = "translate" if FAMILIES[name].role == "translator" else "summarize"
    capsys.readouterr()  # the converter's own progress output
    assert nlp_main([command, str(text), *cli_args(name, folder, "ctranslate2")]) == 2
    error_line = capsys.readouterr().err.strip()
    assert "\n" not in error_line and str(folder) in error_line and "nlp models convert" in error_line


@pytest.mark.parametrize("name, backend", CASES)
def test_family_through_cli_api_and_demo(name, backend, family_folders, tmp_path, capsys):
    family, folder = FAMILIES[name], family_folders[name]
    if backend == "ctranslate2" and not family.converts:
        pytest.skip("the CTranslate2 converter does not take this family (tested above)")
    model = load_model(str(folder), RUNTIME, backend, family.role,
                       languages=("zh", "en") if family.role == "translator" else ("zh", "zh"))
    assert model.backend == backend
    sentences = ["国务院发布了新的政策。", "成都国际铁路港经开区与重庆经开区签订战略合作协议。"]
    assert all(out.strip() for out in model.generate(sentences)), "the model gave an empty output"
    if family.languages:
        source, target = family.languages
        assert model.tokenizer.convert_ids_to_tokens(model.generation_config.forced_bos_token_id) == target
        assert source in model.tokenizer.convert_ids_to_tokens(model.tokenizer(sentences[0])["input_ids"])

    text = tmp_path / "text.txt"
    text.write_text(TEXT, encoding="utf-8")
    command = "translate" if family.role == "translator" else "summarize"
    assert nlp_main([command, str(text), *cli_args(name, folder, backend)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines and all(line.strip() for line in lines)
    if family.role == "translator":
        assert len(lines) == 2  # one line per input sentence

    pipe = Pipeline.from_config(overrides=overrides(name, folder, backend))
    post = Path(shutil.copy(SEED, tmp_path / "post.md"))
    assert pipe.enrich_file(post).status == "updated"
    data = read_post(post).data
    assert data["abstract_zh"].strip() and data["abstract_meta"]["backend"].startswith(backend)
    if family.role == "translator":
        assert data["abstract_en"].strip() and data["title_en"].strip()
    assert pipe.enrich_file(post).status == "unchanged"

    from nlp.demo import DemoApp

    app = DemoApp(pipe, None)  # holds the folder of the download
    cleaned, zh, en, title_en, checks, about, download = app.generate(TEXT, None)
    assert zh.strip() and Path(download).is_file()
    assert bool(en.strip()) == (family.role == "translator")


def test_a_t5_folder_brings_its_summarize_prefix(family_folders):
    folder = family_folders["t5-summarize-prefix"]
    pipe = Pipeline.from_config(overrides=overrides("t5-summarize-prefix", folder, "transformers"))
    assert pipe.summarizer.config.prefix == "summarize: "
    explicit = Pipeline.from_config(overrides={**overrides("t5-summarize-prefix", folder, "transformers"),
                                               "summarizer.prefix": "摘要："})
    assert explicit.summarizer.config.prefix == "摘要："


def test_a_language_coded_model_without_the_language_says_so(family_folders, tmp_path, capsys):
    folder = family_folders["mbart-50"]
    text = tmp_path / "text.txt"
    text.write_text(TEXT, encoding="utf-8")
    code = nlp_main(["translate", str(text), *cli_args("mbart-50", folder, "transformers"),
                     "--set", "translator.target_lang=xx_YY"])
    error = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in error and str(folder) in error and "xx_YY" in error


def test_decoding_is_bounded_by_the_input_length(family_folders):
    """A folder without max_length must not run to the window on a looping short sentence."""
    model = load_model(str(family_folders["marian-no-max-length"]), RUNTIME, "transformers", "translator")
    assert model.generation_config.max_length is None
    short = "政策。"
    bound = 2 * 8 + 10  # OUTPUT_TOKENS_PER_INPUT_TOKEN x the length bucket (8) + OUTPUT_TOKENS_MARGIN
    output = model.generate([short], num_beams=1)[0]
    assert len(model.tokenizer(text_target=output)["input_ids"]) <= bound + 2
