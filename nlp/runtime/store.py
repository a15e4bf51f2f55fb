"""Where models live: find a model on this machine, fetch it from the hub, say what is stored.

A reference is a local folder or a hub id. Resolution order: the folder itself; the models
folder (<models_dir>/<hub id>, what `nlp models pull` fills); the Hugging Face cache; and only
then, unless HF_HUB_OFFLINE/TRANSFORMERS_OFFLINE is set and only after a 3-second reachability
check, a download into the models folder. Anything else is one ModelUnavailable line, in seconds.

CTranslate2 conversions sit next to the model they come from, in ctranslate2-<compute_type>/
(for models found in the Hugging Face cache, which is not ours to write: <models_dir>/<id>/).
"""
from __future__ import annotations

import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from ..config import RuntimeConfig, default_models_dir
from ..errors import ConfigError, ModelUnavailable
from .licences import MODEL_CARD

REACHABILITY_TIMEOUT_S = 3
WEIGHT_SUFFIXES = (".safetensors", ".bin")
STORED_COMPUTE_TYPE = "int8"  # what compute_type auto converts to, and runs on the CPU
COMPUTE_TYPES = ("auto", "int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16", "float16", "bfloat16",
                 "float32")  # CTranslate2's, and auto
SMALL_FILE_SUFFIXES = (".json", ".spm", ".model", ".txt", ".tiktoken", ".jinja")  # configs, tokenizers, vocabularies


@dataclass(frozen=True)
class StoredModel:
    """What `nlp models list` shows for one configured model."""

    role: str
    ref: str
    path: Path | None
    size_bytes: int
    conversions: tuple[str, ...]  # compute types with a CTranslate2 folder


def resolve(ref: str, runtime: RuntimeConfig, role: str = "model") -> Path:
    """Folder of the model `ref`, downloading it only when the hub answers; else ModelUnavailable."""
    local = find_local(ref, runtime, role)
    if local is not None:
        return local
    if _looks_like_path(ref):
        raise ModelUnavailable(f"{role} model folder {ref} does not exist; {_how_to_get(ref, runtime, role)}")
    return pull(ref, runtime, role)


def find_local(ref: str, runtime: RuntimeConfig, role: str = "model") -> Path | None:
    """The model's folder on this machine, without any network access."""
    folder = Path(ref).expanduser()
    if folder.is_dir():
        if not is_model_folder(folder):
            raise ModelUnavailable(f"{role} model folder {ref} has no config.json and weights")
        return folder.resolve()
    if _looks_like_path(ref):
        return None
    stored = models_dir(runtime) / ref
    return stored if is_model_folder(stored) else _hf_cached(ref)


def pull(ref: str, runtime: RuntimeConfig, role: str = "model", revision: str = "") -> Path:
    """Download `ref` at `revision` (a commit, tag or branch; "" = main) from the hub into
    <models_dir>/<ref>, with a progress bar, and record the commit it resolved to in
    REVISION_FILE (offline, a copy already on this machine is kept as it is)."""
    if _looks_like_path(ref):
        return resolve(ref, runtime, role)
    reason = why_offline()
    if reason:
        local = find_local(ref, runtime, role)
        if local is None:
            raise ModelUnavailable(f"{role} model {ref} is not on this machine and {reason}; "
                                   f"{_how_to_get(ref, runtime, role)}")
        return local
    from huggingface_hub import HfApi, snapshot_download

    target = models_dir(runtime) / ref
    try:
        info = HfApi().model_info(ref, revision=revision or None)
        files = [sibling.rfilename for sibling in info.siblings or ()]
        snapshot_download(ref, revision=info.sha, local_dir=target, allow_patterns=wanted_files(files))
    except Exception as exc:  # any hub client failure becomes one line naming the model
        raise ModelUnavailable(f"{role} model {ref}: download failed ({first_line(exc)}); "
                               f"{_how_to_get(ref, runtime, role)}") from None
    import json

    (target / REVISION_FILE).write_text(json.dumps({"ref": ref, "revision": info.sha}) + "\n", encoding="utf-8")
    return target


def describe(ref: str, runtime: RuntimeConfig, role: str) -> StoredModel:
    """Where a configured model is, how big, and which CTranslate2 conversions exist (no network)."""
    try:
        path = find_local(ref, runtime, role)
    except ModelUnavailable:
        path = None
    if path is None:
        return StoredModel(role, ref, None, 0, ())
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    conversions = tuple(sorted(d.name.removeprefix("ctranslate2-")
                               for d in conversion_base(ref, path, runtime).glob("ctranslate2-*")
                               if is_ctranslate2_folder(d)))
    return StoredModel(role, ref, path, size, conversions)


def models_dir(runtime: RuntimeConfig) -> Path:
    """The configured models folder; "" (a RuntimeConfig made in code, not by load_config) means
    what load_config would make of it, never the current folder."""
    return Path(runtime.models_dir or os.environ.get("NLP_MODELS_DIR") or default_models_dir()).expanduser()


def conversion_base(ref: str, path: Path, runtime: RuntimeConfig) -> Path:
    """Folder that holds the ctranslate2-<compute_type>/ conversions of the model at `path`."""
    from huggingface_hub import constants

    cache = Path(constants.HF_HUB_CACHE).resolve()
    return models_dir(runtime) / ref if path.resolve().is_relative_to(cache) else path


def conversion_dir(ref: str, path: Path, runtime: RuntimeConfig, compute_type: str | None = None) -> Path:
    quantization = stored_compute_type(compute_type or runtime.compute_type)
    return conversion_base(ref, path, runtime) / f"ctranslate2-{quantization}"


def stored_compute_type(compute_type: str) -> str:
    """The quantization a conversion is written in: `auto` stores int8 (CTranslate2 converts the
    activations' type when it loads, per device). A misspelt type is an error here, not a
    conversion that is never found (which `backend: auto` would quietly answer with transformers)."""
    if compute_type not in COMPUTE_TYPES:
        raise ConfigError(f"runtime.compute_type must be one of {', '.join(COMPUTE_TYPES)}, got {compute_type!r}")
    return STORED_COMPUTE_TYPE if compute_type == "auto" else compute_type


def is_model_folder(folder: Path) -> bool:
    return (folder / "config.json").is_file() and any(
        f.suffix in WEIGHT_SUFFIXES for f in folder.iterdir() if f.is_file())


def is_ctranslate2_folder(folder: Path) -> bool:
    return (folder / "model.bin").is_file() and (folder / "config.json").is_file()


def wanted_files(files: list[str]) -> list[str]:
    """Top-level files a model needs: safetensors weights if there are any (else PyTorch .bin, else
    a CTranslate2-native model.bin), configs, tokenizer files and vocabularies, and the model card
    (its licence); TF, Flax, Rust and ONNX copies, and training checkpoints in subfolders, are skipped."""
    top = [f for f in files if "/" not in f]
    weights = [f for f in top if f.endswith(".safetensors")] or [
        f for f in top if f.endswith(".bin") and f.startswith("pytorch_model")] or [
        f for f in top if f == "model.bin"]
    return weights + [f for f in top if f.endswith(SMALL_FILE_SUFFIXES) or f == MODEL_CARD]


def why_offline() -> str | None:
    """Why the hub cannot be used now (an offline variable, or no answer), or None when it can."""
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        if os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on"):
            return f"{name} is set"
    return None if hub_reachable() else "the hub cannot be reached"


def hub_reachable() -> bool:
    """Whether the hub answers at all within a few seconds (any HTTP status counts)."""
    from huggingface_hub import constants

    request = urllib.request.Request(constants.ENDPOINT, method="HEAD")
    try:
        urllib.request.urlopen(request, timeout=REACHABILITY_TIMEOUT_S).close()
    except urllib.error.HTTPError:
        return True
    except (OSError, ValueError):
        return False
    return True


def _hf_cached(ref: str) -> Path | None:
    from huggingface_hub import snapshot_download

    try:
        folder = Path(snapshot_download(ref, local_files_only=True))
    except (OSError, ValueError):  # LocalEntryNotFoundError: not in the cache
        return None
    return folder if is_model_folder(folder) else None


def _looks_like_path(ref: str) -> bool:
    """Hub ids are `name` or `owner/name` (no leading ./ or /, no backslashes, no `..`);
    anything else can only be meant as a folder."""
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    try:
        validate_repo_id(ref)
    except HFValidationError:
        return True
    return False


def _how_to_get(ref: str, runtime: RuntimeConfig, role: str) -> str:
    key = f"{role}.model" if role in ("translator", "summarizer") else "<section>.model"
    local = f"point to a local model folder with --set {key}=/path/to/folder"
    if _looks_like_path(ref):
        return local
    return f"run `nlp models pull` on a connected machine (it fills {models_dir(runtime)}), or {local}"


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


REVISION_FILE = "nlp-revision.json"  # what `nlp models pull` fetched: {"ref": ..., "revision": <commit>}


def folder_revision(folder: Path) -> str:
    """Which version of a model this folder holds, for provenance and the settings fingerprint:
    the commit `nlp models pull` recorded, else the Hugging Face cache snapshot it sits in, else
    a hash of its config and weight sizes (stable when the folder is copied elsewhere). A
    CTranslate2 conversion inside a model folder takes the model's revision."""
    import hashlib
    import json

    folder = Path(folder)
    for candidate in (folder, folder.parent):
        recorded = candidate / REVISION_FILE
        if recorded.is_file():
            try:
                return str(json.loads(recorded.read_text(encoding="utf-8"))["revision"])
            except (OSError, ValueError, KeyError, TypeError):
                break
        if candidate.parent.name == "snapshots":
            return candidate.name
    digest = hashlib.sha256()
    for file in sorted(f for f in folder.iterdir() if f.is_file()):
        if file.name == "config.json":
            digest.update(file.read_bytes())
        elif file.suffix in WEIGHT_SUFFIXES or file.name == "model.bin":
            digest.update(f"{file.name}:{file.stat().st_size}".encode())
    return "local-" + digest.hexdigest()[:12]
