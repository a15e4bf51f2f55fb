"""CTranslate2-native translator folders laid out like quickmt's, as `translator.model`.

The tiny folder is a Marian network converted by CTranslate2 with its SentencePiece models
beside it, so the same network loaded through transformers is the reference.
"""
from __future__ import annotations

import io
import shutil
import sys
from dataclasses import replace

import pytest

from model_factory import build_tiny_marian, chinese_corpus, quickmt_layout
from nlp.cli import main
from nlp.config import load_config
from nlp.errors import ModelUnavailable
from nlp.runtime import load_model
from nlp.runtime.store import wanted_files

QUICKMT_FILES = {"config.json", "model.bin", "source_vocabulary.json", "target_vocabulary.json", "src.spm.model",
                 "tgt.spm.model"}


@pytest.fixture(scope="module")
def runtime(tmp_path_factory):
    return replace(load_config().runtime, models_dir=str(tmp_path_factory.mktemp("models-dir")),
                   compute_type="float32")


@pytest.fixture(scope="module")
def sentences():
    lines = [line for line in chinese_corpus() if 4 <= len(line) <= 60]
    return sorted(lines, key=len)[::len(lines) // 8][:8]


def test_the_folder_is_laid_out_like_quickmt_and_loads_as_a_native_translator(tiny_quickmt, runtime):
    assert {p.name for p in tiny_quickmt.iterdir()} == QUICKMT_FILES
    model = load_model(str(tiny_quickmt), runtime, role="translator")
    assert (model.kind, model.backend, model.path) == ("native", "ctranslate2", tiny_quickmt)


def test_it_translates_like_the_same_network_through_transformers(tmp_path, runtime, sentences):
    marian = build_tiny_marian(tmp_path / "marian", max_positions=512)
    native = load_model(str(quickmt_layout(marian, tmp_path / "quickmt")), runtime)
    reference = load_model(str(marian), runtime, backend="transformers")
    # Marian's generation config forces </s> on its last step; the native folder has no such rule
    expected = reference.generate(sentences, num_beams=1, max_new_tokens=8)
    assert len(set(expected)) > 1
    assert native.generate(sentences, num_beams=1, max_new_tokens=7) == expected
    assert native.count_tokens(sentences) == reference.count_tokens(sentences)  # pieces + </s>


def test_a_joint_sentencepiece_model_is_used_for_both_sides(tiny_quickmt, tmp_path, runtime, sentences):
    joint = shutil.copytree(tiny_quickmt, tmp_path / "joint")
    (joint / "src.spm.model").rename(joint / "joint.spm.model")
    (joint / "tgt.spm.model").unlink()
    outputs = load_model(str(joint), runtime).generate(sentences, num_beams=1, max_new_tokens=5)
    assert len(outputs) == len(sentences) and all(isinstance(text, str) for text in outputs)


def test_a_folder_without_sentencepiece_models_is_one_clear_line(tiny_quickmt, tmp_path, runtime):
    broken = shutil.copytree(tiny_quickmt, tmp_path / "broken", ignore=shutil.ignore_patterns("*.spm.model"))
    with pytest.raises(ModelUnavailable, match="SentencePiece") as error:
        load_model(str(broken), runtime, role="translator")
    assert str(broken) in str(error.value) and "\n" not in str(error.value)
    with pytest.raises(ModelUnavailable, match="CTranslate2 folder"):
        load_model(str(tiny_quickmt), runtime, backend="transformers", role="translator")


def test_pull_fetches_a_native_folder_and_its_model_card_but_not_training_checkpoints():
    hub_files = sorted(QUICKMT_FILES) + ["README.md", ".gitattributes", "eole-model/config.json",
                                         "eole-model/model.00.safetensors", "eole-model/vocab.json"]
    assert set(wanted_files(hub_files)) == QUICKMT_FILES | {"README.md"}


def test_cli_translate_with_the_native_folder(tiny_quickmt, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("国务院召开常务会议。会议强调，要加强金融支持实体经济。"))
    code = main(["translate", "-", "--set", f"translator.model={tiny_quickmt}"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0 and len(out) == 2 and all(out)
    assert main(["models", "list", "translator", "--set", f"translator.model={tiny_quickmt}"]) == 0
    assert capsys.readouterr().out.split("\t")[4] == "a CTranslate2 model"
