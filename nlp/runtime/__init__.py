"""Model loading: one seq2seq model per (folder, backend, runtime settings), loaded once per process.

Backends: `transformers` (torch) and `ctranslate2`. `auto` takes the CTranslate2 conversion
for runtime.compute_type when `nlp models convert` has made one, else transformers.
torch and ctranslate2 are imported only when a model is loaded.
"""
from __future__ import annotations

import threading
from pathlib import Path

from ..config import RuntimeConfig
from ..errors import ConfigError, ModelUnavailable
from .model import Seq2SeqModel, token_batches
from .store import StoredModel, conversion_dir, describe, first_line, is_ctranslate2_folder, pull, resolve

BACKENDS = ("auto", "transformers", "ctranslate2")

_loaded: dict[tuple, Seq2SeqModel] = {}
_lock = threading.Lock()


def load_model(ref: str, runtime: RuntimeConfig, backend: str = "auto", role: str = "model",
               languages: tuple[str, str] = ("zh", "en")) -> Seq2SeqModel:
    """The model `ref` (hub id or folder); ModelUnavailable, within seconds, when it cannot be had.

    `languages` (source, target) matter only to models with language codes (mBART-50, M2M100, NLLB).
    """
    if backend not in BACKENDS:
        raise ConfigError(f"{role}.backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    kind, folder = _choose_backend(ref, resolve(ref, runtime, role), runtime, backend, role)
    key = (str(folder), kind, runtime, languages)
    with _lock:
        if key not in _loaded:
            _loaded[key] = _load(kind, ref, folder, runtime, role, languages)
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


def _load(kind: str, ref: str, folder: Path, runtime: RuntimeConfig, role: str,
          languages: tuple[str, str]) -> Seq2SeqModel:
    if kind == "ctranslate2":
        from .ct2_backend import CTranslate2Seq2Seq as backend_class
    else:
        from .torch_backend import TorchSeq2Seq as backend_class
    try:
        return backend_class(ref, folder, runtime, languages)
    except (OSError, ValueError, RuntimeError) as exc:  # unreadable or incompatible files
        raise ModelUnavailable(f"{role} model {ref} could not be loaded from {folder} ({kind}): "
                               f"{first_line(exc)}") from None


__all__ = ["BACKENDS", "Seq2SeqModel", "StoredModel", "convert_model", "describe", "load_model", "pull",
           "resolve", "token_batches"]
