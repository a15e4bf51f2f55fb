"""Random-weight models with the published shapes, built and converted once, cached by shape.

Building the mT5-base-sized summariser (580M parameters) and converting it to CTranslate2 takes
minutes, so the folders are kept under the work folder, named by a hash of everything that
goes into them (shape, factory code, library versions): a changed shape or factory builds anew.
The conversions are made by the project's own `nlp models convert` code (nlp.runtime.convert_model)
and sit where `backend: auto` looks for them.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parents[1] / "tests"
sys.path.insert(0, str(TESTS_DIR))

import ctranslate2
import transformers
from model_factory import MT5_BASE, OPUS_MT_ZH_EN, build_tiny_marian, build_tiny_mt5

from nlp.config import RuntimeConfig
from nlp.runtime import convert_model
from nlp.runtime.store import is_ctranslate2_folder, is_model_folder

MODELS = {  # role -> (name, builder, published shape)
    "translator": ("opus-mt-zh-en", build_tiny_marian, OPUS_MT_ZH_EN),
    "summarizer": ("mt5-base", build_tiny_mt5, MT5_BASE),
}
COMPUTE_TYPES = ("int8", "float32")


def prepared_models(workdir: Path, log=print) -> dict[str, Path]:
    """role -> folder of the transformers model, with its int8 and float32 conversions next to it."""
    return {role: _prepared(workdir, role, log) for role in MODELS}


def _prepared(workdir: Path, role: str, log) -> Path:
    name, build, shape = MODELS[role]
    folder = workdir / f"{name}-{_shape_key(shape)}"
    if not (folder.is_dir() and is_model_folder(folder)):
        log(f"building random-weight {name} ({_describe(shape)}) in {folder} ...")
        staging = folder.with_name(f".{folder.name}.partial")  # an interrupted build is never reused
        shutil.rmtree(staging, ignore_errors=True)
        build(staging, **shape)
        shutil.rmtree(folder, ignore_errors=True)
        staging.rename(folder)
    runtime = RuntimeConfig(models_dir=str(workdir))
    for compute_type in COMPUTE_TYPES:
        if not is_ctranslate2_folder(folder / f"ctranslate2-{compute_type}"):
            log(f"converting {name} to CTranslate2 {compute_type} ...")
            convert_model(str(folder), runtime, role, compute_type)
    return folder


def _shape_key(shape: dict) -> str:
    recipe = json.dumps({"shape": shape, "factory": (TESTS_DIR / "model_factory.py").read_text(encoding="utf-8"),
                         "transformers": transformers.__version__, "ctranslate2": ctranslate2.__version__},
                        sort_keys=True)
    return hashlib.sha256(recipe.encode("utf-8")).hexdigest()[:10]


def _describe(shape: dict) -> str:
    return ", ".join(f"{key} {value}" for key, value in shape.items())
