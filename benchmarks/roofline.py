"""How far each model runs from this machine's limit: a roofline estimate of the least time the
generate calls a variant made could take, from the model's shapes and what this machine was
measured to do in the same run (matrix-product throughput per precision, memory bandwidth).

Every phase of a call is bounded by whichever is slower, its arithmetic at the measured GEMM
throughput or its memory traffic at the measured bandwidth:
- the encoder (and the decoder's cross-attention keys and values, computed once per source
  token): compute-bound, every source token through every weight matrix;
- each decoding step: every active row (beams x inputs still decoding) through the decoder
  layers and the output layer (d_model x vocab), and every weight of those read once per step
  (shared by the rows of the step), plus the attention caches: each beam's own past, and each
  input's source keys and values once (beams of one input may share them).
Weights count in the precision the model ran (int8 weights: one byte, int8 GEMM throughput;
attention in the activations' precision). Bandwidth is that of main memory: weights that stay in
the last-level cache between steps could be read faster, so a small model's limit is less strict.
Rows end at their own target length (a trained model's work; padding is the implementation's
cost, not the work's), and rows share a step only when the variant put them in one call.
"""
from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

COPY_BYTES = 512 << 20  # twice this is copied through: more than the last-level caches of today's CPUs
BYTES = {"int8": 1, "int16": 2, "bfloat16": 2, "float16": 2, "float32": 4}


@dataclass(frozen=True)
class Machine:
    """Measured on this machine at `threads`: operations per second of a matrix product by
    precision, and memory bandwidth in bytes per second (a large copy, read + write counted)."""

    threads: int
    gemm: dict
    bandwidth: float

    def describe(self) -> str:
        rates = ", ".join(f"{name} {ops / 1e9:.0f} G{'OP' if name.startswith('int') else 'FLOP'}/s"
                          for name, ops in self.gemm.items())
        return f"{self.threads} thr: GEMM {rates}; memory copy {self.bandwidth / 1e9:.1f} GB/s"


@dataclass(frozen=True)
class Shape:
    """What the estimate needs of an encoder-decoder model: weights by where they are used."""

    d_model: int
    inner: int  # attention width, heads x head size
    encoder_layers: int
    decoder_layers: int
    encoder_layer_weights: int  # matrix parameters per encoder layer
    decoder_layer_weights: int  # per decoder layer, used at every step (cross-attention keys/values not)
    cross_kv_weights: int  # per decoder layer, applied once per source token
    vocab: int

    @property
    def step_weights(self) -> int:
        """Weights read at every decoding step: the decoder layers and the output layer."""
        return self.decoder_layers * self.decoder_layer_weights + self.d_model * self.vocab


@dataclass(frozen=True)
class Call:
    """One generate call as the variant made it: source tokens and target length per input."""

    input_tokens: Sequence[int]
    targets: Sequence[int]
    beams: int


def shape_of(config: dict) -> Shape | None:
    """Shape from a transformers config.json: T5/mT5 and BART-style (Marian, BART, mBART, M2M100)
    encoder-decoders; None for anything else."""
    d = config.get("d_model")
    if d is None:
        return None
    if config.get("model_type") in ("t5", "mt5", "umt5"):
        inner = config["num_heads"] * config["d_kv"]
        ffn = (3 if config.get("feed_forward_proj", "").startswith("gated") else 2) * d * config["d_ff"]
        return Shape(d, inner, config["num_layers"], config.get("num_decoder_layers") or config["num_layers"],
                     encoder_layer_weights=4 * d * inner + ffn, decoder_layer_weights=6 * d * inner + ffn,
                     cross_kv_weights=2 * d * inner, vocab=config["vocab_size"])
    if "encoder_layers" in config and "decoder_ffn_dim" in config:
        return Shape(d, d, config["encoder_layers"], config["decoder_layers"],
                     encoder_layer_weights=4 * d * d + 2 * d * config["encoder_ffn_dim"],
                     decoder_layer_weights=6 * d * d + 2 * d * config["decoder_ffn_dim"],
                     cross_kv_weights=2 * d * d, vocab=config["vocab_size"])
    return None


@dataclass
class Estimate:
    """Least seconds for a list of calls: `seconds`, each phase at its slower bound; `compute` and
    `memory`, each bound summed over all phases (which one dominates); `encoder`, the encoder
    phases' part of `seconds`; `output_layer`, the output layer's part of `seconds` (its arithmetic
    or its weights' reading, whichever bounds the step)."""

    seconds: float = 0.0
    compute: float = 0.0
    memory: float = 0.0
    encoder: float = 0.0
    output_layer: float = 0.0

    def add(self, compute: float, memory: float) -> float:
        self.seconds += max(compute, memory)
        self.compute += compute
        self.memory += memory
        return max(compute, memory)


def precisions(precision: str) -> tuple[str, str]:
    """(weights, activations) of a model's precision: int8_float32 -> (int8, float32);
    CTranslate2's plain int8 runs float32 activations on the CPU."""
    weights, _, activations = precision.partition("_")
    return weights, activations or ("float32" if weights.startswith("int") else weights)


def minimum_seconds(shape: Shape, calls: list[Call], machine: Machine, precision: str) -> Estimate:
    weights, activations = precisions(precision)
    weight_rate, act_rate = machine.gemm[weights], machine.gemm[activations]
    weight_bytes, act_bytes, bandwidth = BYTES[weights], BYTES[activations], machine.bandwidth
    encoder_weights = shape.encoder_layers * shape.encoder_layer_weights + shape.decoder_layers * shape.cross_kv_weights
    estimate = Estimate()
    for call in calls:
        sources = call.input_tokens
        attention = sum(4 * s * s * shape.inner * shape.encoder_layers for s in sources)
        estimate.encoder += estimate.add(2 * sum(sources) * encoder_weights / weight_rate + attention / act_rate,
                                         encoder_weights * weight_bytes / bandwidth)
        for step in range(1, max(call.targets) + 1):
            active = [s for s, target in zip(sources, call.targets) if target >= step]
            rows, per_layer = call.beams * len(active), shape.inner * shape.decoder_layers
            # every beam attends to its own past and its source; the source's keys and values are one
            # copy per input (an implementation may share them between beams), its own past one per beam
            attention = 4 * call.beams * sum(step + s for s in active) * per_layer / act_rate
            cache = 2 * sum(call.beams * step + s for s in active) * per_layer * act_bytes / bandwidth
            output = (2 * rows * shape.d_model * shape.vocab / weight_rate,
                      shape.d_model * shape.vocab * weight_bytes / bandwidth)
            layers = 2 * rows * shape.decoder_layers * shape.decoder_layer_weights / weight_rate
            compute, memory = layers + output[0] + attention, shape.step_weights * weight_bytes / bandwidth + cache
            estimate.add(compute, memory)
            estimate.output_layer += output[compute < memory]
    return estimate


def measure_machine(threads: int, shapes: list[Shape], native_bf16: bool, seconds: float = 0.3,
                    copy_bytes: int = COPY_BYTES) -> Machine:
    """GEMM throughput at the models' scale (512 tokens x d_model x 4 d_model, about an encoder's
    feed-forward product; the best over the models) in float32, int8 (torch._int_mm, int32
    accumulation) and bfloat16 where the CPU has it natively; bandwidth from copying 512 MiB."""
    import torch

    torch.set_num_threads(threads)
    rates: dict[str, float] = {}
    dtypes = {"float32": torch.float32, "int8": torch.int8, **({"bfloat16": torch.bfloat16} if native_bf16 else {})}
    for name, dtype in dtypes.items():
        for shape in shapes:
            k, n = shape.d_model, 4 * shape.d_model
            if dtype == torch.int8:
                a, b = torch.randint(-64, 64, (512, k), dtype=dtype), torch.randint(-64, 64, (k, n), dtype=dtype)
                product = torch._int_mm
            else:
                a, b, product = torch.randn(512, k, dtype=dtype), torch.randn(k, n, dtype=dtype), torch.mm
            rates[name] = max(rates.get(name, 0.0), 2 * 512 * k * n / _best_seconds(seconds, product, a, b))
    source = torch.ones(copy_bytes // 4, dtype=torch.float32)
    target = torch.empty_like(source)
    bandwidth = 2 * source.numel() * 4 / _best_seconds(seconds, target.copy_, source)
    return Machine(threads, rates, bandwidth)


def _best_seconds(budget: float, work, *args) -> float:
    """Fastest of repeated calls of `work(*args)` (after one warm-up), for about `budget` seconds."""
    work(*args)
    best, spent = float("inf"), 0.0
    while spent < budget or best == float("inf"):
        start = time.perf_counter()
        work(*args)
        elapsed = time.perf_counter() - start
        best, spent = min(best, elapsed), spent + elapsed
    return best
