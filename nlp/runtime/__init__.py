"""Model loading: one model per (folder, backend, kind, runtime settings), loaded once per process.

Backends: `transformers` (torch) and `ctranslate2`. `auto` takes the CTranslate2 conversion
for runtime.compute_type when `nlp models convert` has made one, else transformers.
Kinds: `seq2seq` (encoder-decoder) and `causal` (decoder-only, e.g. instruction models);
`auto` reads the architecture from the model's config. A CTranslate2 folder without a
transformers config is a native translator (quickmt's layout, see ct2_native.py).
torch and ctranslate2 are imported only when a model is loaded.
"""
from __future__ import annotations

import json
import threading
from pathlib import Path

from ..config import RuntimeConfig
from ..errors import ConfigError, ModelUnavailable
from .model import Seq2SeqModel, token_batches
from .store import StoredModel, conversion_dir, describe, first_line, is_ctranslate2_folder, pull, resolve

BACKENDS = ("auto", "transformers", "ctranslate2")
KINDS = ("auto", "seq2seq", "causal")

_loaded: dict[tuple, Seq2SeqModel] = {}
_lock = threading.Lock()


def load_model(ref: str, runtime: RuntimeConfig, backend: str = "auto", role: str = "model",
               kind: str = "auto", languages: tuple[str, str] = ("zh", "en")) -> Seq2SeqModel:
    """The model `ref` (hub id or folder); ModelUnavailable, within seconds, when it cannot be had.

    `languages` (source, target) matter only to models with language codes (mBART-50, M2M100, NLLB).
    """
    if backend not in BACKENDS:
        raise ConfigError(f"{role}.backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    if kind not in KINDS:
        raise ConfigError(f"{role}.kind must be one of {', '.join(KINDS)}, got {kind!r}")
    engine, folder = _choose_backend(ref, resolve(ref, runtime, role), runtime, backend, role)
    kind = _model_kind(folder) if kind == "auto" else kind
    key = (str(folder), engine, kind, runtime, languages)
    with _lock:
        if key not in _loaded:
            _loaded[key] = _load(engine, kind, ref, folder, runtime, role, languages)
        return _loaded[key]


def convert_model(ref: str, runtime: RuntimeConfig, role: str = "model", compute_type: str | None = None) -> Path:
    """Write the CTranslate2 conversion that backend auto/ctranslate2 loads; returns its folder."""
    from .convert import convert

    return convert(ref, runtime, role, compute_type)


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
        raise ModelUnavailable(f"{role} model {ref} has no CTranslate2 {runtime.compute_type} conversion "
                               f"(expected {converted}); run `nlp models convert {role}`")
    return "ctranslate2", converted


def _model_kind(folder: Path) -> str:
    """seq2seq, causal (from the transformers config's architectures), or native (a CTranslate2
    folder without one: quickmt's layout)."""
    from .causal import is_causal
    from .ct2_backend import SOURCE_CONFIG

    config = folder / SOURCE_CONFIG if is_ctranslate2_folder(folder) else folder / "config.json"
    if not config.is_file():
        return "native"
    try:
        return "causal" if is_causal(json.loads(config.read_text(encoding="utf-8"))) else "seq2seq"
    except (OSError, ValueError):
        return "seq2seq"  # an unreadable config is reported by the loader itself


def _load(engine: str, kind: str, ref: str, folder: Path, runtime: RuntimeConfig, role: str,
          languages: tuple[str, str]) -> Seq2SeqModel:
    if kind == "native":
        from .ct2_native import CTranslate2Native as backend_class
    elif kind == "causal":
        from .causal import CTranslate2CausalLM, TorchCausalLM

        backend_class = CTranslate2CausalLM if engine == "ctranslate2" else TorchCausalLM
    elif engine == "ctranslate2":
        from .ct2_backend import CTranslate2Seq2Seq as backend_class
    else:
        from .torch_backend import TorchSeq2Seq as backend_class
    try:
        return backend_class(ref, folder, runtime, languages)
    except (OSError, ValueError, RuntimeError) as exc:  # unreadable or incompatible files
        raise ModelUnavailable(f"{role} model {ref} could not be loaded from {folder} ({engine}, {kind}): "
                               f"{first_line(exc)}") from None


__all__ = ["BACKENDS", "KINDS", "Seq2SeqModel", "StoredModel", "convert_model", "describe", "load_model", "pull",
           "resolve", "token_batches"]
