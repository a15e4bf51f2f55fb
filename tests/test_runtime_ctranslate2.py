"""CTranslate2: `nlp models convert`, backend choice, and equivalence with transformers.

Each test converts its own copy of a tiny model, so the shared fixtures never gain a
conversion that `backend: auto` would pick up in other tests.
"""
from __future__ import annotations

import shutil
from dataclasses import replace

import pytest

from model_factory import build_tiny_marian, chinese_corpus
from nlp.cli import main
from nlp.config import load_config
from nlp.errors import ConfigError, ModelUnavailable
from nlp.runtime import convert_model, describe, identify, load_model


@pytest.fixture(scope="module")
def runtime(tmp_path_factory):
    return replace(load_config().runtime, models_dir=str(tmp_path_factory.mktemp("models-dir")),
                   dtype="float32")  # outputs are compared with float32 conversions


@pytest.fixture(scope="module")
def sentences():
    lines = [line for line in chinese_corpus() if 4 <= len(line) <= 80]
    return sorted(lines, key=len)[::len(lines) // 10][:10]


def _copy(folder, tmp_path):
    return shutil.copytree(folder, tmp_path / folder.name)


@pytest.mark.parametrize("kind", ["marian", "mt5", "bart"])
def test_float32_conversion_gives_the_same_greedy_output_as_transformers(kind, request, runtime, tmp_path,
                                                                         sentences):
    folder = _copy(request.getfixturevalue(f"tiny_{kind}"), tmp_path)
    float32 = replace(runtime, compute_type="float32")
    converted = convert_model(str(folder), float32)
    reference = load_model(str(folder), float32, backend="transformers")
    fast = load_model(str(folder), float32)  # auto: the conversion exists
    assert (fast.backend, fast.path, reference.backend) == ("ctranslate2", converted, "transformers")
    assert fast.max_input_tokens == reference.max_input_tokens
    for max_new_tokens in (None, 7):
        expected = reference.generate(sentences, num_beams=1, max_new_tokens=max_new_tokens)
        assert len(set(expected)) > 1
        assert fast.generate(sentences, num_beams=1, max_new_tokens=max_new_tokens) == expected


def test_int8_conversion_loads_and_runs(tiny_marian, runtime, tmp_path, sentences):
    folder = _copy(tiny_marian, tmp_path)
    converted = convert_model(str(folder), runtime)
    assert converted == folder / f"ctranslate2-{runtime.compute_type}"
    model = load_model(str(folder), runtime, backend="ctranslate2")
    outputs = model.generate(sentences)
    assert model.backend == "ctranslate2" and len(outputs) == len(sentences) and any(outputs)
    assert outputs == model.generate(sentences)
    assert load_model(str(converted), runtime) is model  # the converted folder itself loads too
    assert describe(str(folder), runtime, "translator").conversions == (runtime.compute_type,)


def test_auto_uses_transformers_until_converted_and_ctranslate2_needs_a_conversion(tiny_marian, runtime,
                                                                                   tmp_path):
    folder = _copy(tiny_marian, tmp_path)
    assert load_model(str(folder), runtime).backend == "transformers"
    with pytest.raises(ModelUnavailable, match="nlp models convert"):
        load_model(str(folder), runtime, backend="ctranslate2", role="translator")


def test_inputs_beyond_1024_tokens_are_not_cut(tmp_path, runtime):
    """CTranslate2 truncates at 1024 tokens by default; a cut input would change the output."""
    folder = build_tiny_marian(tmp_path / "long-marian", max_positions=1400)
    float32 = replace(runtime, compute_type="float32")
    convert_model(str(folder), float32)
    text = "".join(line for line in chinese_corpus() if len(line) > 20)[:1500]
    reference = load_model(str(folder), float32, backend="transformers")
    fast = load_model(str(folder), float32, backend="ctranslate2")
    assert 1024 < fast.count_tokens([text])[0] <= fast.max_input_tokens
    expected = reference.generate([text], num_beams=1, max_new_tokens=6)
    assert fast.generate([text], num_beams=1, max_new_tokens=6) == expected
    cut = reference.tokenizer.decode(reference.tokenizer(text)["input_ids"][:1023], skip_special_tokens=True)
    assert reference.generate([cut], num_beams=1, max_new_tokens=6) != expected  # the test can tell a cut


def test_models_cli_converts_and_lists(tiny_marian, tmp_path, capsys):
    folder = _copy(tiny_marian, tmp_path)
    settings = ["--set", f"translator.model={folder}", "--set", f"runtime.models_dir={tmp_path / 'store'}"]
    assert main(["models", "list", "translator", *settings]) == 0
    assert capsys.readouterr().out.split("\t")[4] == "not converted"
    assert main(["models", "convert", "translator", *settings]) == 0
    assert (folder / "ctranslate2-int8" / "model.bin").is_file()
    capsys.readouterr()
    assert main(["models", "list", *settings]) == 0
    summarizer, translator = capsys.readouterr().out.splitlines()
    assert summarizer.split("\t")[2] == "not on this machine"
    assert translator.split("\t")[2] == str(folder) and translator.split("\t")[4] == "ctranslate2: int8"


def test_models_pull_offline_is_one_clear_line(capsys):
    assert main(["models", "pull", "translator", "--set", "translator.model=nonexistent/model"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "nonexistent/model" in err and "HF_HUB_OFFLINE" in err


@pytest.mark.parametrize("kind, refused", [("mt5", True), ("marian", False)])
def test_float16_compute_types_are_refused_for_t5_models_before_loading(kind, refused, request, runtime, tmp_path):
    folder = _copy(request.getfixturevalue(f"tiny_{kind}"), tmp_path)
    shutil.copytree(convert_model(str(folder), runtime), folder / "ctranslate2-int8_float16")
    half = replace(runtime, compute_type="int8_float16")
    if refused:
        with pytest.raises(ConfigError, match="overflow in float16.*int8_bfloat16"):
            identify(str(folder), half, role="summarizer")
    else:
        assert identify(str(folder), half).precision == "int8_float16"
