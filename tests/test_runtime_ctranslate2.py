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
from nlp.runtime.identity import ct2_compute_type
from nlp.runtime.model import split_for_workers, worker_batches, worker_threads


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
    assert runtime.compute_type == "auto" and converted == folder / "ctranslate2-int8"  # auto stores int8
    model = load_model(str(folder), runtime, backend="ctranslate2")
    outputs = model.generate(sentences)
    assert model.backend == "ctranslate2" and len(outputs) == len(sentences) and any(outputs)
    assert (model.identity.precision, model.precision) == ("int8", "int8_float32")  # on the CPU
    assert outputs == model.generate(sentences)
    assert load_model(str(converted), runtime) is model  # the converted folder itself loads too
    assert describe(str(folder), runtime, "translator").conversions == ("int8",)


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


@pytest.mark.parametrize("backend", ["auto", "transformers", "ctranslate2"])
def test_a_misspelt_compute_type_is_refused_not_answered_by_another_backend(backend, tiny_marian, runtime, tmp_path):
    folder = _copy(tiny_marian, tmp_path)
    convert_model(str(folder), runtime)
    with pytest.raises(ConfigError, match="runtime.compute_type must be one of .*got 'int4'"):
        identify(str(folder), replace(runtime, compute_type="int4"), backend=backend)
    with pytest.raises(ConfigError, match="got 'int4'"):
        convert_model(str(folder), runtime, compute_type="int4")


@pytest.mark.parametrize("asked, device, model_type, gpu_types, runs", [
    ("auto", "cpu", "marian", {"int8_float16", "int8_bfloat16"}, "int8"),
    ("auto", "cpu", "mt5", {"int8_bfloat16"}, "int8"),
    ("auto", "cuda", "marian", {"int8_float16", "int8_bfloat16"}, "int8_float16"),
    ("auto", "cuda", "mt5", {"int8_float16", "int8_bfloat16"}, "int8_bfloat16"),
    ("auto", "cuda", "t5", {"int8_float16"}, "int8_float32"),  # a GPU without bf16: never float16 for T5
    ("float32", "cuda", "marian", {"int8_float16"}, "float32"),  # what is asked for explicitly is kept
    ("int8", "cuda", "mt5", {"int8_bfloat16"}, "int8"),
])
def test_compute_type_auto_follows_the_device_and_the_model(asked, device, model_type, gpu_types, runs):
    assert ct2_compute_type(asked, device, model_type, lambda: gpu_types) == runs


def test_compute_type_auto_never_reaches_the_float16_guard(tiny_mt5, runtime, tmp_path):
    folder = _copy(tiny_mt5, tmp_path)
    convert_model(str(folder), runtime)
    for device in ("cpu", "auto"):  # auto is the CPU here
        identity = identify(str(folder), replace(runtime, device=device), role="summarizer")
        assert (identity.backend, identity.precision) == ("ctranslate2", "int8")


@pytest.mark.parametrize("threads, workers, device, split", [
    (2, 0, "cpu", (2, 1)), (4, 0, "cpu", (4, 1)), (4, 2, "cpu", (2, 2)), (4, 1, "cpu", (1, 4)),
    (3, 2, "cpu", (2, 1)), (2, 8, "cpu", (2, 1)), (8, 0, "cuda", (1, 1)), (8, 2, "cuda", (2, 1)),
])
def test_workers_share_the_threads(threads, workers, device, split):
    runtime = replace(load_config().runtime, threads=threads, workers=workers)
    assert worker_threads(runtime, device) == split


def test_workers_decode_batches_at_once_with_the_outputs_of_one_worker(tiny_marian, runtime, tmp_path, sentences):
    folder = _copy(tiny_marian, tmp_path)
    convert_model(str(folder), runtime)
    one, two = (load_model(str(folder), replace(runtime, threads=2, workers=w), backend="ctranslate2")
                for w in (1, 2))
    assert (one.workers, two.workers) == (1, 2)
    many = sentences * 3  # small batches: many of them, decoded two at a time
    expected = one.generate(many, max_batch_tokens=64)
    assert len(set(expected)) > 1
    assert two.generate(many, max_batch_tokens=64) == expected


@pytest.mark.parametrize("rows, workers, expected", [
    ([4], 2, [2, 2]), ([3], 2, [2, 1]), ([5, 1], 4, [2, 1, 2, 1]), ([1], 2, [1]), ([3, 3], 2, [3, 3]),
    ([], 2, []), ([6], 1, [6]),
])
def test_batches_are_split_until_every_worker_has_one(rows, workers, expected):
    jobs, start = [], 0
    for count in rows:
        jobs.append((list(range(start, start + count)), f"settings of {start}"))
        start += count
    split = split_for_workers(jobs, workers)
    assert [len(batch) for batch, _ in split] == expected
    assert [row for batch, _ in split for row in batch] == list(range(start))  # every row once, in order
    settings_of = {row: settings for batch, settings in jobs for row in batch}
    assert all(settings_of[row] == settings for batch, settings in split for row in batch)


def test_a_lone_batch_split_over_workers_gives_the_outputs_of_one_batch(tiny_mt5, runtime, tmp_path, sentences):
    folder = _copy(tiny_mt5, tmp_path)
    convert_model(str(folder), runtime)
    model = load_model(str(folder), replace(runtime, threads=2, workers=2), backend="ctranslate2")
    whole = model.generate(sentences, max_batch_tokens=1 << 20, min_batches=1)
    assert len(set(whole)) > 1
    for min_batches in (0, 2, 5):  # 0: one per worker
        assert model.generate(sentences, max_batch_tokens=1 << 20, min_batches=min_batches) == whole


def test_the_tokens_in_flight_stay_within_max_batch_tokens_whatever_the_workers():
    lengths = [30, 10, 20, 40, 25, 35, 15, 5]
    for workers in (1, 2, 4):
        batches = worker_batches(lengths, 120, workers)
        assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
        assert all(max(lengths[i] for i in batch) * len(batch) <= 120 // workers  # or one longer input alone
                   or len(batch) == 1 for batch in batches)
    assert len(worker_batches(lengths, 120, 4)) > len(worker_batches(lengths, 120, 1))
