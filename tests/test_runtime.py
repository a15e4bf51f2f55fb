"""Model loading and batched generation, with tiny random-weight models of the real classes.

Random weights say nothing about wording: these tests compare the models' outputs with
themselves (batched against one by one, twice in a row, shorter against longer).
"""
from __future__ import annotations

import json
import shutil
import time
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from model_factory import chinese_corpus
from nlp.config import RuntimeConfig, load_config
from nlp.errors import ConfigError, ModelUnavailable
from nlp.runtime import convert_model, load_model, token_batches
from nlp.runtime.model import length_bucket
from nlp.runtime.identity import cpu_flags
from nlp.runtime.store import models_dir


@pytest.fixture(scope="module")
def runtime(tmp_path_factory):
    return replace(load_config().runtime, models_dir=str(tmp_path_factory.mktemp("models-dir")),
                   dtype="float32")  # batch-independent outputs (bfloat16 rounding depends on padding)


@pytest.fixture(scope="module")
def marian(tiny_marian, runtime):
    return load_model(str(tiny_marian), runtime, role="translator")


@pytest.fixture(scope="module")
def sentences():
    """Corpus sentences of many lengths, so batches mix short and long inputs."""
    lines = [line for line in chinese_corpus() if 4 <= len(line) <= 80]
    return sorted(lines, key=len)[::len(lines) // 12][:12]


@pytest.mark.parametrize("kind", ["marian", "mt5", "bart"])
def test_tiny_models_load_through_load_model(kind, request, runtime):
    folder = request.getfixturevalue(f"tiny_{kind}")
    model = load_model(str(folder), runtime)
    config = json.loads((folder / "config.json").read_text())
    assert (model.backend, model.path, model.ref) == ("transformers", folder.resolve(), str(folder))
    assert model.max_input_tokens == (config.get("max_position_embeddings") or 512)  # mT5: tokenizer's 512
    outputs = model.generate(["国务院发布了新的政策。", "短"], max_new_tokens=5)
    assert len(outputs) == 2 and all(isinstance(text, str) for text in outputs)


def test_a_model_is_loaded_once_per_process(tiny_marian, runtime, marian):
    assert load_model(str(tiny_marian), runtime, role="summarizer") is marian
    assert load_model(str(tiny_marian), replace(runtime, threads=1)) is not marian


def test_batched_generation_gives_each_text_its_own_output_in_order(marian, sentences):
    one_by_one = [marian.generate([text], num_beams=1)[0] for text in sentences]
    assert len(set(one_by_one)) > len(sentences) // 2  # distinct outputs, so a mix-up would show
    for max_batch_tokens in (1, 64, 100_000):
        assert marian.generate(sentences, num_beams=1, max_batch_tokens=max_batch_tokens) == one_by_one


def test_beam_search_is_deterministic_and_blank_inputs_give_blank_outputs(marian, sentences):
    texts = sentences[:4] + ["", "  "]
    first = marian.generate(texts)
    assert first == marian.generate(texts)
    assert first[-2:] == ["", ""] and all(first[:4])


def test_defaults_come_from_the_generation_config(marian, sentences):
    beams = marian.generation_config.num_beams
    assert beams > 1
    assert marian.generate(sentences[:4]) == marian.generate(sentences[:4], num_beams=beams)


def test_max_new_tokens_bounds_the_output(marian, sentences):
    short = marian.generate(sentences, num_beams=1, max_new_tokens=3)
    long = marian.generate(sentences, num_beams=1, max_new_tokens=12)
    assert all(b.startswith(a) for a, b in zip(short, long))
    assert sum(map(len, short)) < sum(map(len, long))


def test_count_tokens_includes_special_tokens(marian):
    counts = marian.count_tokens(["国务院发布了新的政策。", ""])
    assert counts[1] == 1 and counts[0] > counts[1]  # "" is just </s>


def test_input_longer_than_the_window_is_refused_not_truncated(marian):
    text = "国务院发布了新的政策" * 40
    assert marian.count_tokens([text])[0] > marian.max_input_tokens
    with pytest.raises(ValueError, match=f"{marian.max_input_tokens}-token window"):
        marian.generate(["短句。", text])


@given(st.lists(st.integers(1, 300), max_size=40), st.integers(1, 2000))
def test_token_batches_cover_every_input_once_within_the_budget(lengths, max_tokens):
    batches = token_batches(lengths, max_tokens)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) == 1 or max(lengths[i] for i in batch) * len(batch) <= max_tokens
    order = [lengths[i] for batch in batches for i in batch]
    assert order == sorted(order)


@given(st.integers(1, 4096))
def test_an_input_length_bucket_is_at_most_twice_the_length_and_buckets_are_few(tokens):
    bucket = length_bucket(tokens)
    assert bucket >= tokens and (bucket < 2 * tokens or bucket == 8)
    assert length_bucket(bucket) == bucket and length_bucket(bucket + 1) == 2 * bucket


def test_inputs_of_one_output_bound_share_a_batch_and_the_longest_start_first(marian, sentences):
    lengths = marian.count_tokens(sentences)
    jobs = marian.plan(sentences, max_new_tokens=500, max_batch_tokens=100_000)
    assert sorted(i for indices, _ in jobs for i in indices) == list(range(len(sentences)))
    # the bound is 2 x the length bucket + 10, within the window; one batch per bound
    bounds = {min(2 * length_bucket(n) + 10, marian.max_input_tokens - 1) for n in lengths}
    assert len(jobs) == len(bounds) > 1 and {decoding.max_new_tokens for _, decoding in jobs} == bounds
    longest = [max(lengths[i] for i in indices) for indices, _ in jobs]
    assert longest == sorted(longest, reverse=True)
    assert marian.run_plan(sentences, jobs) == marian.generate(sentences, max_new_tokens=500, max_batch_tokens=100_000)


def test_a_model_stored_in_the_models_dir_is_found_by_its_hub_id(tiny_marian, runtime):
    stored = Path(shutil.copytree(tiny_marian, f"{runtime.models_dir}/tiny-org/tiny-marian"))
    model = load_model("tiny-org/tiny-marian", runtime)
    assert model.path == stored and model.ref == "tiny-org/tiny-marian"


def test_a_cached_hub_model_is_found_offline_and_converted_outside_the_cache(tiny_marian, runtime, tmp_path,
                                                                            monkeypatch):
    from huggingface_hub import constants

    repo = tmp_path / "models--tiny-org--cached-marian"
    snapshot = shutil.copytree(tiny_marian, repo / "snapshots" / ("0" * 40))
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("0" * 40)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path))
    assert load_model("tiny-org/cached-marian", runtime).path == snapshot
    converted = convert_model("tiny-org/cached-marian", runtime)  # never written into the cache
    assert converted == Path(runtime.models_dir, "tiny-org/cached-marian", "ctranslate2-int8")
    assert load_model("tiny-org/cached-marian", runtime).path == converted


@pytest.mark.parametrize("offline", [True, False])
def test_a_missing_model_fails_fast_with_one_line_naming_it(runtime, monkeypatch, offline):
    if not offline:  # no network here: the reachability check must answer within seconds
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    start = time.monotonic()
    with pytest.raises(ModelUnavailable) as error:
        load_model("nonexistent/model", runtime, role="translator")
    assert time.monotonic() - start < 10
    message = str(error.value)
    assert "\n" not in message and "nonexistent/model" in message and "nlp models pull" in message
    assert "--set translator.model=" in message


def test_a_missing_folder_is_named(runtime, tmp_path):
    with pytest.raises(ModelUnavailable, match="does not exist"):
        load_model(str(tmp_path / "no-such-model"), runtime, role="summarizer")
    with pytest.raises(ModelUnavailable, match="no config.json"):
        load_model(str(tmp_path), runtime, role="summarizer")


def test_bad_runtime_settings_are_config_errors(tiny_marian, runtime):
    import torch

    with pytest.raises(ConfigError, match="backend"):
        load_model(str(tiny_marian), runtime, backend="onnx")
    with pytest.raises(ConfigError, match="runtime.dtype"):
        load_model(str(tiny_marian), replace(runtime, dtype="float8"))
    with pytest.raises(ConfigError, match="runtime.device"):
        load_model(str(tiny_marian), replace(runtime, device="tpu"))
    if not torch.cuda.is_available():
        with pytest.raises(ConfigError, match="no CUDA device"):
            load_model(str(tiny_marian), replace(runtime, device="cuda"))
    assert load_model(str(tiny_marian), replace(runtime, device="auto")).backend == "transformers"


@pytest.mark.parametrize("dtype", ["auto", "bfloat16", "float32"])
def test_bfloat16_runs_only_where_the_cpu_computes_in_it(tiny_marian, runtime, sentences, dtype):
    import torch

    threads = torch.get_num_threads()
    try:
        model = load_model(str(tiny_marian), replace(runtime, dtype=dtype, threads=1))
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(threads)
    native = bool({"avx512_bf16", "amx_bf16"} & cpu_flags())
    expected = torch.bfloat16 if native and dtype != "float32" else torch.float32
    assert model.model.dtype == expected and model.precision == model.identity.precision == str(expected)[6:]
    assert len(model.generate(sentences[:3], num_beams=1)) == 3


def test_a_runtime_made_in_code_keeps_models_and_records_out_of_the_current_folder(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NLP_MODELS_DIR", str(tmp_path / "store"))
    assert models_dir(RuntimeConfig()) == tmp_path / "store"
    monkeypatch.delenv("NLP_MODELS_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert models_dir(RuntimeConfig()) == tmp_path / "cache" / "nlp-abstracts" / "models"
