"""Which model a configured reference runs as, known without loading its weights.

Every post's settings fingerprint depends on the models (revision, backend, precision), but only
posts that need an abstract need the weights. `identify` answers from the folder's small files:
where the model is, which backend runs it (`auto` takes a CTranslate2 conversion when there is
one), its kind, its revision, the precision it will run in, and whether its output vocabulary
is restricted. What it finds is recorded in
<models_dir>/identities.json, so the same settings still identify a model whose folder is gone:
a rerun over unchanged posts then needs no model at all, and only a post that needs an abstract
fails (with the usual message naming the model and how to get it).
"""
from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

from ..config import RuntimeConfig
from ..errors import ConfigError, ModelUnavailable
from ..files import atomic_output, remove_leftovers
from .store import STORED_COMPUTE_TYPE, conversion_dir, folder_revision, is_ctranslate2_folder, models_dir, resolve
from .vocabulary import vocabulary_map_digest

BACKENDS = ("auto", "transformers", "ctranslate2")
KINDS = ("auto", "seq2seq", "causal")
DTYPES = ("auto", "float32", "bfloat16")
FP16_OVERFLOWS = ("t5", "mt5", "umt5", "longt5")  # trained in bf16; float16 activations overflow
NATIVE_BF16_FLAGS = ("avx512_bf16", "amx_bf16")  # CPU instructions that compute in bf16 (else it is emulated)
RECORDS = "identities.json"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelIdentity:
    """What a model's output depends on, and where to load it from (folder None: not on this machine)."""

    ref: str
    revision: str
    backend: str  # transformers | ctranslate2
    precision: str  # dtype (transformers) or compute type (CTranslate2) it runs in
    kind: str  # seq2seq | causal | native (a CTranslate2-native translator)
    output_vocabulary: str = ""  # digest of a restricted output vocabulary (vocabulary.py); "" = the whole
    folder: Path | None = None


def identify(ref: str, runtime: RuntimeConfig, backend: str = "auto", role: str = "model",
             kind: str = "auto") -> ModelIdentity:
    """The identity of `ref` under these settings; ModelUnavailable when it is neither on this
    machine (nor downloadable) nor recorded from an earlier run with the same settings."""
    if backend not in BACKENDS:
        raise ConfigError(f"{role}.backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    if kind not in KINDS:
        raise ConfigError(f"{role}.kind must be one of {', '.join(KINDS)}, got {kind!r}")
    key = json.dumps([ref, backend, kind, runtime.compute_type, runtime.dtype, runtime.device], ensure_ascii=False)
    try:
        folder = resolve(ref, runtime, role)
    except ModelUnavailable:
        recorded = _records(runtime).get(key)
        if recorded is None:
            raise
        return ModelIdentity(**recorded)
    identity = _identify_folder(ref, folder, runtime, backend, role, kind)
    _record(runtime, key, identity)
    return identity


def _identify_folder(ref: str, folder: Path, runtime: RuntimeConfig, backend: str, role: str,
                     kind: str) -> ModelIdentity:
    from .causal import is_causal

    engine, folder = _choose_backend(ref, folder, runtime, backend, role)
    config = _transformers_config(folder)
    model_type = (config or {}).get("model_type")
    precision = _precision(engine, runtime, model_type)
    if engine == "ctranslate2" and "float16" in precision and model_type in FP16_OVERFLOWS:
        raise ConfigError(f"{role} model {ref} is a {model_type} model, whose activations overflow in float16 "
                          "(NaN or empty output); use runtime.compute_type int8, int8_bfloat16 or bfloat16")
    if kind == "auto":
        kind = "native" if config is None else "causal" if is_causal(config) else "seq2seq"
    vocabulary = vocabulary_map_digest(folder) if engine == "ctranslate2" else ""
    return ModelIdentity(ref, folder_revision(folder), engine, precision, kind, vocabulary, folder)


def transformers_dtype(dtype: str, device: str, gpu_bf16: Callable[[], bool] = lambda: False) -> str:
    """The dtype transformers runs in: bfloat16 where the hardware computes in it natively
    (auto and bfloat16 alike; the benchmark measured it faster there), else float32."""
    if dtype not in DTYPES:
        raise ConfigError(f"runtime.dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
    native = gpu_bf16() if device == "cuda" else bool(cpu_flags() & set(NATIVE_BF16_FLAGS))
    return "bfloat16" if dtype != "float32" and native else "float32"


@lru_cache(maxsize=1)
def cpu_flags() -> frozenset[str]:
    """The CPU's feature flags (Linux); none elsewhere, which keeps float32."""
    try:
        lines = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return frozenset()
    return frozenset(flag for line in lines if line.startswith("flags") for flag in line.split(":", 1)[1].split())


def ct2_compute_type(asked: str, device: str, model_type: str | None,
                     gpu_types: Callable[[], set[str]] = set) -> str:
    """The compute type CTranslate2 runs in: as configured, except `auto`: int8 on the CPU; on a
    GPU, int8 weights with 16-bit activations, float16 for most models and bfloat16 for the T5
    family (whose activations overflow in float16) where the GPU has it, else float32 activations."""
    if asked != "auto":
        return asked
    if device != "cuda":
        return STORED_COMPUTE_TYPE
    if model_type in FP16_OVERFLOWS:
        return "int8_bfloat16" if "int8_bfloat16" in gpu_types() else "int8_float32"
    return "int8_float16"


def _precision(engine: str, runtime: RuntimeConfig, model_type: str | None) -> str:
    from .model import pick_device

    if engine == "ctranslate2":
        from .ct2_backend import _has_cuda, cuda_compute_types

        device = pick_device(runtime.device, _has_cuda)
        return ct2_compute_type(runtime.compute_type, device, model_type, cuda_compute_types)

    device = pick_device(runtime.device, _torch_cuda)
    return transformers_dtype(runtime.dtype, device, torch_cuda_bf16)


def _torch_cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def torch_cuda_bf16() -> bool:
    import torch

    return torch.cuda.is_bf16_supported()


def _choose_backend(ref: str, path: Path, runtime: RuntimeConfig, backend: str, role: str) -> tuple[str, Path]:
    if is_ctranslate2_folder(path):
        if backend == "transformers":
            raise ModelUnavailable(f"{role} model {ref} is a CTranslate2 folder; set {role}.backend to "
                                   "ctranslate2 or auto, or point to the transformers model")
        return "ctranslate2", path
    converted = conversion_dir(ref, path, runtime)
    if backend == "transformers" or (backend == "auto" and not is_ctranslate2_folder(converted)):
        return "transformers", path
    if not is_ctranslate2_folder(converted):
        stored = converted.name.removeprefix("ctranslate2-")
        raise ModelUnavailable(f"{role} model {ref} has no CTranslate2 {stored} conversion "
                               f"(expected {converted}); run `nlp models convert {role}`")
    return "ctranslate2", converted


def _transformers_config(folder: Path) -> dict | None:
    """The model's transformers config (a CTranslate2 conversion keeps it as source_config.json);
    None in a CTranslate2-native folder (quickmt's layout), {} when unreadable (the loader says why)."""
    from .ct2_backend import SOURCE_CONFIG

    config = folder / SOURCE_CONFIG if is_ctranslate2_folder(folder) else folder / "config.json"
    if not config.is_file():
        return None
    try:
        value = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _records(runtime: RuntimeConfig) -> dict[str, dict]:
    """The recorded identities by settings key (unreadable or foreign entries are ignored)."""
    try:
        records = json.loads((models_dir(runtime) / RECORDS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(records, dict):
        return {}
    return {key: value for key, value in records.items() if isinstance(value, dict) and set(value) == _RECORDED}


_RECORDED = {"ref", "revision", "backend", "precision", "kind", "output_vocabulary"}


def _record(runtime: RuntimeConfig, key: str, identity: ModelIdentity) -> None:
    """Remember `identity` under `key`, atomically; a read-only models folder remembers nothing."""
    value = {k: v for k, v in asdict(identity).items() if k in _RECORDED}
    records = _records(runtime)
    if records.get(key) == value:
        return
    folder = models_dir(runtime)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        remove_leftovers(folder, "identities")
        with atomic_output(folder / RECORDS, kind="identities") as tmp:
            tmp.write_text(json.dumps({**records, key: value}, ensure_ascii=False, indent=1, sort_keys=True),
                           encoding="utf-8")
    except OSError as exc:
        log.debug("could not record the identity of %s in %s: %s", identity.ref, folder, exc)
