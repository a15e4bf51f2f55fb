"""The benchmark's roofline estimate (benchmarks/roofline.py): model shapes read from config.json
agree with the real models' weight matrices, and the estimate behaves as decoding does."""
from __future__ import annotations

import json

import pytest
import torch
import transformers
from repo_data import BENCHMARKS, load_script


@pytest.fixture(scope="module")
def roofline():
    return load_script(BENCHMARKS / "roofline.py")


def _matrix_weights(module) -> int:
    return sum(m.weight.numel() for m in module.modules() if isinstance(m, torch.nn.Linear))


@pytest.mark.parametrize("fixture", ["tiny_mt5", "tiny_marian", "tiny_bart"])
def test_shape_counts_the_models_own_weight_matrices(roofline, fixture, request):
    folder = request.getfixturevalue(fixture)
    shape = roofline.shape_of(json.loads((folder / "config.json").read_text(encoding="utf-8")))
    model = transformers.AutoModelForSeq2SeqLM.from_pretrained(folder)
    encoder, decoder = model.get_encoder(), model.get_decoder()
    encoder_layers = getattr(encoder, "block", None) or encoder.layers
    decoder_layers = getattr(decoder, "block", None) or decoder.layers
    cross = next(module for name, module in decoder_layers[0].named_modules()
                 if name.endswith(("EncDecAttention", "encoder_attn")))
    cross_kv = sum(getattr(cross, name).weight.numel() for name in ("k", "v", "k_proj", "v_proj")
                   if hasattr(cross, name))
    assert (shape.encoder_layers, shape.decoder_layers) == (len(encoder_layers), len(decoder_layers))
    assert shape.encoder_layer_weights == _matrix_weights(encoder_layers[0])
    assert shape.cross_kv_weights == cross_kv
    assert shape.decoder_layer_weights == _matrix_weights(decoder_layers[0]) - cross_kv
    assert shape.d_model * shape.vocab == model.get_output_embeddings().weight.numel()


def test_unknown_model_types_get_no_estimate(roofline):
    assert roofline.shape_of({"model_type": "qwen2", "d_model": 8}) is None
    assert roofline.shape_of({"model_type": "qwen2", "hidden_size": 8}) is None


@pytest.fixture()
def machine(roofline):
    return roofline.Machine(threads=1, gemm={"int8": 4e11, "float32": 1e11, "bfloat16": 2e11}, bandwidth=1e10)


@pytest.fixture()
def shape(roofline):
    return roofline.Shape(d_model=768, inner=768, encoder_layers=12, decoder_layers=12, encoder_layer_weights=7_077_888,
                          decoder_layer_weights=8_257_536, cross_kv_weights=1_179_648, vocab=250_112)


def test_one_row_decoding_is_bound_by_reading_the_weights(roofline, shape, machine):
    estimate = roofline.minimum_seconds(shape, [roofline.Call((300,), (84,), 4)], machine, "int8_float32")
    assert estimate.memory > estimate.compute
    assert estimate.memory >= 84 * shape.step_weights / machine.bandwidth  # int8: one byte per weight and step
    assert estimate.compute <= estimate.seconds <= estimate.compute + estimate.memory
    wider = roofline.minimum_seconds(shape, [roofline.Call((300,), (84,), 4)], machine, "float32")
    assert wider.memory > 3 * estimate.memory  # four bytes per weight


def test_inputs_sharing_a_call_share_the_weight_reads(roofline, shape, machine):
    def seconds(calls):
        return roofline.minimum_seconds(shape, calls, machine, "int8_float32").seconds

    alone = seconds([roofline.Call((300,), (84,), 4)])
    shared = seconds([roofline.Call((300, 300, 300), (84, 84, 84), 4)])
    assert alone < shared < 2 * alone
    assert seconds([roofline.Call((300,), (84,), 4)] * 3) == pytest.approx(3 * alone)
    # a row that ends earlier drops out of the remaining steps
    assert seconds([roofline.Call((300, 300), (20, 84), 4)]) < seconds([roofline.Call((300, 300), (84, 84), 4)])


def test_precisions_split_weights_and_activations(roofline):
    assert roofline.precisions("int8_float32") == ("int8", "float32")
    assert roofline.precisions("int8") == ("int8", "float32")
    assert roofline.precisions("bfloat16") == ("bfloat16", "bfloat16")


def test_the_machine_is_measured_in_every_precision_asked_for(roofline, shape):
    tiny = roofline.Shape(d_model=64, inner=64, encoder_layers=1, decoder_layers=1, encoder_layer_weights=1,
                          decoder_layer_weights=1, cross_kv_weights=1, vocab=8)
    machine = roofline.measure_machine(1, [tiny], native_bf16=False, seconds=0.01, copy_bytes=1 << 20)
    assert set(machine.gemm) == {"float32", "int8"}
    assert all(rate > 0 for rate in machine.gemm.values()) and machine.bandwidth > 0
    assert "int8" in machine.describe()
