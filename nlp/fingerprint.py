"""What an abstract depends on besides its source text, as one hash: abstract_meta.settings_sha256.

Everything that changes the output goes in: the summariser's method, model (id, revision,
backend, precision, a restricted output vocabulary) and length settings; whether there is a
translator and which (same details, languages, beams); the glossary's terms; the cleaning settings and the contents of the
rule files; how much source the models see. Nothing that only changes speed (threads, batch
sizes, device) or where files are (a model folder's path counts by its name only).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

from .deferred import Deferred

FINGERPRINT_VERSION = 1  # bump when the meaning of a setting changes
_SPEED_ONLY = ("max_batch_tokens", "backend")  # backend: the one really used is in "model"


def settings_fingerprint(config, summarizer, translator, glossary) -> str:
    settings = {
        "version": FINGERPRINT_VERSION,
        "summarizer": summarizer_settings(summarizer, config),
        "translator": translator_settings(translator, config),
        "glossary": sorted([term.zh, term.en] for term in glossary.terms),
        "glossary_inject": config.glossary.inject,
        "clean": {**asdict(config.clean), "rules": [_file_hash(path) for path in config.clean.rules]},
        "max_source_chars": config.limits.max_source_chars,
    }
    return hashlib.sha256(json.dumps(settings, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def summarizer_settings(summarizer, config) -> dict:
    model = summarizer_model(summarizer)
    if model is None:  # extractive (TextRank), the fallback included
        return {"method": "extractive", **asdict(config.summarizer.extractive)}
    return {"method": "abstractive", "model": model_settings(model), **_without(asdict(config.summarizer),
                                                                              "model", "method", *_SPEED_ONLY)}


def translator_settings(translator, config) -> dict | None:
    model = translator_model(translator)
    if model is None:
        return None
    return {"model": model_settings(model),
            **_without(asdict(config.translator), "model", "enabled", *_SPEED_ONLY)}


def model_settings(model) -> dict:
    settings = {"ref": _model_name(model.ref), "revision": model.revision, "backend": model.backend,
                "precision": model.precision}
    if getattr(model, "output_vocabulary", ""):  # only when restricted: earlier fingerprints stay valid
        settings["output_vocabulary"] = model.output_vocabulary
    return settings


def backend_description(summarizer, translator) -> str | None:
    """`<backend> <precision>` of the models, e.g. "ctranslate2 int8"; both when they differ."""
    models = {"summarizer": summarizer_model(summarizer), "translator": translator_model(translator)}
    described = {role: f"{m.backend} {m.precision}" for role, m in models.items() if m is not None}
    if len(set(described.values())) <= 1:
        return next(iter(described.values()), None)
    return "; ".join(f"{role} {value}" for role, value in described.items())


def summarizer_model(summarizer):
    """The identity of the summariser's model (None: extractive), without loading a deferred one."""
    while not isinstance(summarizer, Deferred) and hasattr(summarizer, "inner"):  # wrapped to add notes
        summarizer = summarizer.inner
    if isinstance(summarizer, Deferred):
        return summarizer.identity
    model = getattr(summarizer, "model", None)
    return None if model is None or isinstance(model, str) else _identity(model)


def translator_model(translator):
    if translator is None:
        return None
    return translator.identity if isinstance(translator, Deferred) else _identity(translator.seq2seq)


def _identity(model):
    """What a loaded model was identified as (stand-ins in tests carry the same four attributes)."""
    return getattr(model, "identity", model)


def _model_name(ref: str) -> str:
    """A hub id as is; a local folder by its name, so a copied folder keeps its fingerprint."""
    return Path(ref).name if ("\\" in ref or ref.startswith((".", "/", "~")) or ref.count("/") > 1) else ref


def _without(values: dict, *keys: str) -> dict:
    return {k: v for k, v in values.items() if k not in keys}


def _file_hash(path: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return f"unreadable {Path(path).name}"
