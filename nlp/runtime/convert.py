"""`nlp models convert`: a self-contained CTranslate2 copy of a transformers model.

The output folder (store.conversion_dir) holds the CTranslate2 model (model.bin, config.json,
vocabulary), the tokenizer, generation_config.json and the original config as
source_config.json: everything the CTranslate2 backend reads. CTranslate2's converter handles
Marian, BART, T5 and mT5 (and Pegasus, M2M100, mBART) configurations.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from ..config import RuntimeConfig
from ..errors import NlpError
from .ct2_backend import SOURCE_CONFIG
from .model import read_generation_config
from .store import conversion_dir, is_ctranslate2_folder, resolve


def convert(ref: str, runtime: RuntimeConfig, role: str = "model", compute_type: str | None = None) -> Path:
    """Convert the model `ref` (quantized to compute_type, default runtime.compute_type); returns the folder."""
    import ctranslate2
    import transformers

    source = resolve(ref, runtime, role)
    if is_ctranslate2_folder(source):
        raise NlpError(f"{role} model {ref} is already a CTranslate2 model")
    quantization = compute_type or runtime.compute_type
    target = conversion_dir(ref, source, runtime, quantization)
    staging = target.with_name(f".{target.name}.partial")  # a half-written folder is never picked up
    shutil.rmtree(staging, ignore_errors=True)
    try:
        ctranslate2.converters.TransformersConverter(str(source)).convert(
            str(staging), quantization=quantization, force=True)
    except (ValueError, KeyError, AttributeError, NotImplementedError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise NlpError(f"{role} model {ref}: CTranslate2 cannot convert it ({quantization}): {exc}") from None
    transformers.AutoTokenizer.from_pretrained(source).save_pretrained(staging)
    read_generation_config(source).save_pretrained(staging)
    shutil.copyfile(source / "config.json", staging / SOURCE_CONFIG)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target

