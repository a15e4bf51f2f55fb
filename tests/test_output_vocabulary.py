"""A restricted output vocabulary for the CTranslate2 summariser (`nlp models convert --chinese-vocabulary`):
which tokens it keeps, that they cover the shipped corpus, that CTranslate2 applies the map, and how
far the restricted model agrees with the unrestricted one on the tiny models."""
from __future__ import annotations

import shutil
from dataclasses import replace

import pytest
from model_factory import chinese_corpus

from nlp.cli import main
from nlp.config import load_config
from nlp.errors import NlpError
from nlp.runtime import load_model
from nlp.runtime.vocabulary import (
    VOCABULARY_MAP,
    is_chinese_token,
    output_vocabulary,
    restrict_vocabulary,
    write_vocabulary_map,
)


@pytest.mark.parametrize("token", ["国务院", "▁国务院", "2026", "，", "。", "“", "△", "β", "COVID", "％",
                                   "▁"])
def test_chinese_text_digits_punctuation_and_ascii_are_kept(token):
    assert is_chinese_token(token)


@pytest.mark.parametrize("token", ["<extra_id_3>", "<pad>", "▁Привет", "한국", "こんにちは", "▁café"])
def test_other_scripts_and_special_tokens_are_not(token):
    assert not is_chinese_token(token)


def test_the_kept_tokens_cover_every_token_of_the_shipped_corpus(tiny_mt5):
    """The tiny mT5's tokenizer is trained on the corpus: every piece its text becomes must be kept."""
    import transformers

    tokenizer = transformers.AutoTokenizer.from_pretrained(tiny_mt5)
    tokens = {token for line in chinese_corpus() for token in tokenizer.tokenize(line)}
    assert len(tokens) > 500
    assert sorted(token for token in tokens if not is_chinese_token(token)) == []


@pytest.fixture(scope="module")
def converted(tiny_mt5, tmp_path_factory):
    """The tiny mT5 converted by `nlp models convert summarizer --chinese-vocabulary`, and a copy
    of the same conversion without the map."""
    root = tmp_path_factory.mktemp("vocabulary")
    folder = shutil.copytree(tiny_mt5, root / "mt5")
    settings = ["--set", f"summarizer.model={folder}", "--set", f"runtime.models_dir={root / 'store'}"]
    assert main(["models", "convert", "summarizer", "--chinese-vocabulary", *settings]) == 0
    restricted = folder / "ctranslate2-int8"
    whole = shutil.copytree(restricted, root / "whole")
    (whole / VOCABULARY_MAP).unlink()
    return restricted, whole


@pytest.fixture(scope="module")
def runtime():
    return replace(load_config().runtime, threads=1)


@pytest.fixture(scope="module")
def articles():
    return [line for line in chinese_corpus() if 20 <= len(line) <= 120][:12]


def test_convert_writes_the_map_only_when_asked_and_the_model_uses_it(converted, runtime, capsys):
    restricted, whole = converted
    lines = (restricted / VOCABULARY_MAP).read_text(encoding="utf-8").splitlines()
    kept = lines[0].removeprefix("\t").split(" ")
    assert kept and all(is_chinese_token(token) for token in kept)
    assert all(line.split("\t")[0] == line.split("\t")[1] for line in lines[1:])  # the rest: copied from the input
    assert len(kept) + len(lines) - 1 <= len(output_vocabulary(restricted))
    assert load_model(str(restricted.parent), runtime, "ctranslate2", "summarizer").output_vocabulary
    assert load_model(str(whole), runtime, "ctranslate2", "summarizer").output_vocabulary == ""


def test_restricted_and_whole_vocabulary_agree_on_the_tiny_model(converted, runtime, articles):
    """Agreement measured on the tiny mT5 (random weights): its vocabulary is the corpus's, so every
    token it has is kept and beam search must not change at all."""
    restricted, whole = (load_model(str(folder), runtime, "ctranslate2", "summarizer") for folder in converted)
    settings = {"num_beams": 4, "no_repeat_ngram_size": 2, "max_new_tokens": 16}
    assert restricted.generate(articles, **settings) == whole.generate(articles, **settings)


def test_a_small_map_limits_the_output_to_its_tokens_and_the_inputs(converted, runtime, articles, tmp_path):
    """CTranslate2 applies the map: with few tokens kept, every output token is one of them or of the input."""
    _, whole = converted
    folder = shutil.copytree(whole, tmp_path / "small")
    allowed = set(output_vocabulary(folder)[3:40])
    write_vocabulary_map(folder, keep=allowed.__contains__)
    small, unrestricted = (load_model(str(f), runtime, "ctranslate2", "summarizer") for f in (folder, whole))
    tokenizer = small.tokenizer
    for article in articles[:4]:
        output = small.generate([article], num_beams=2, max_new_tokens=12)[0]
        permitted = allowed | set(tokenizer.tokenize(article)) | set(tokenizer.all_special_tokens)
        assert set(tokenizer.tokenize(output)) <= permitted | {"▁"}
    assert [small.generate([a], num_beams=2, max_new_tokens=12) for a in articles[:4]] != \
        [unrestricted.generate([a], num_beams=2, max_new_tokens=12) for a in articles[:4]]


def test_the_translator_is_never_restricted(tiny_marian, tmp_path):
    folder = shutil.copytree(tiny_marian, tmp_path / "marian")
    settings = ["--set", f"translator.model={folder}", "--set", f"runtime.models_dir={tmp_path / 'store'}"]
    assert main(["models", "convert", "translator", "--chinese-vocabulary", *settings]) == 0
    assert not (folder / "ctranslate2-int8" / VOCABULARY_MAP).exists()


def test_a_folder_without_an_output_vocabulary_is_one_clear_line(tmp_path):
    with pytest.raises(NlpError, match="cannot restrict its output vocabulary") as error:
        restrict_vocabulary(tmp_path)
    assert "\n" not in str(error.value)


def test_restricting_the_vocabulary_is_a_settings_change_found_without_loading(converted, tmp_path):
    from nlp import Pipeline

    restricted, whole = converted
    fingerprints = {}
    for name, folder in (("restricted", restricted), ("whole", whole)):
        pipe = Pipeline.from_config(overrides={"summarizer.model": str(folder), "translator.enabled": False,
                                               "runtime.models_dir": str(tmp_path)})
        assert not pipe.summarizer.is_built
        assert bool(pipe.summarizer.identity.output_vocabulary) == (name == "restricted")
        fingerprints[name] = pipe.settings_sha256
        assert pipe.summarizer.model.output_vocabulary == pipe.summarizer.identity.output_vocabulary  # loads it
    assert fingerprints["restricted"] != fingerprints["whole"]
