"""Model loading: one model per (folder, backend, kind, runtime settings), loaded once per process.

Backends: `transformers` (torch) and `ctranslate2`. `auto` takes the CTranslate2 conversion
for runtime.compute_type when `nlp models convert` has made one, else transformers.
Kinds: `seq2seq` (encoder-decoder) and `causal` (decoder-only, e.g. instruction models);
`auto` reads the architecture from the model's config. A CTranslate2 folder without a
transformers config is a native translator (quickmt's layout, see ct2_native.py).
Which model a reference means is decided without loading it (identity.py); torch and
ctranslate2 are imported only when a model is loaded.
"""
from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

from ..config import RuntimeConfig
from ..errors import ModelUnavailable
from .identity import BACKENDS, KINDS, ModelIdentity, identify
from .model import Seq2SeqModel, token_batches
from .store import StoredModel, describe, first_line, pull, resolve

_loaded: dict[tuple, Seq2SeqModel] = {}
_lock = threading.Lock()


def load_model(ref: str, runtime: RuntimeConfig, backend: str = "auto", role: str = "model",
               kind: str = "auto", languages: tuple[str, str] = ("zh", "en")) -> Seq2SeqModel:
    """The model `ref` (hub id or folder); ModelUnavailable, within seconds, when it cannot be had.

    `languages` (source, target) matter only to models with language codes (mBART-50, M2M100, NLLB).
    """
    return load_identified(identify(ref, runtime, backend, role, kind), runtime, role, languages)


def load_identified(identity: ModelIdentity, runtime: RuntimeConfig, role: str = "model",
                    languages: tuple[str, str] = ("zh", "en")) -> Seq2SeqModel:
    """The model `identify` found, loaded once per process; the loaded model keeps its identity
    (`model.identity`), which is what the settings fingerprint records."""
    if identity.folder is None:  # identified from the record of an earlier run: the folder is gone
        resolve(identity.ref, runtime, role)  # raises the message that says how to get it back
        raise ModelUnavailable(f"{role} model {identity.ref} appeared while running; run again")
    key = (str(identity.folder), identity.backend, identity.kind, runtime, languages)
    with _lock:
        if key not in _loaded:
            _loaded[key] = _load(identity, runtime, role, languages)
            _loaded[key].identity = identity
        return _loaded[key]


def convert_model(ref: str, runtime: RuntimeConfig, role: str = "model", compute_type: str | None = None) -> Path:
    """Write the CTranslate2 conversion that backend auto/ctranslate2 loads; returns its folder."""
    from .convert import convert

    return convert(ref, runtime, role, compute_type)


def _load(identity: ModelIdentity, runtime: RuntimeConfig, role: str, languages: tuple[str, str]) -> Seq2SeqModel:
    engine, kind, ref, folder = identity.backend, identity.kind, identity.ref, identity.folder
    if kind == "native":
        from .ct2_native import CTranslate2Native as backend_class
    elif kind == "causal":
        from .causal import CTranslate2CausalLM, TorchCausalLM

        backend_class = CTranslate2CausalLM if engine == "ctranslate2" else TorchCausalLM
    elif engine == "ctranslate2":
        from .ct2_backend import CTranslate2Seq2Seq as backend_class
    else:
        from .torch_backend import TorchSeq2Seq as backend_class
    if engine == "ctranslate2":  # the compute type identify resolved (auto: per device and model type)
        runtime = replace(runtime, compute_type=identity.precision)
    try:
        return backend_class(ref, folder, runtime, languages)
    except (OSError, ValueError, RuntimeError) as exc:  # unreadable or incompatible files
        raise ModelUnavailable(f"{role} model {ref} could not be loaded from {folder} ({engine}, {kind}): "
                               f"{first_line(exc)}") from None


__all__ = ["BACKENDS", "KINDS", "ModelIdentity", "Seq2SeqModel", "StoredModel", "convert_model", "describe",
           "identify", "load_identified", "load_model", "pull", "resolve", "token_batches"]
