"""`nlp models convert`: a self-contained CTranslate2 copy of a transformers model.

The output folder (store.conversion_dir) holds the CTranslate2 model (model.bin, config.json,
vocabulary), the tokenizer, generation_config.json and the original config as
source_config.json: everything the CTranslate2 backend reads. CTranslate2's converter handles
Marian, BART, T5 and mT5 (and Pegasus, M2M100, mBART) configurations.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from ..config import RuntimeConfig
from ..errors import NlpError
from .ct2_backend import SOURCE_CONFIG
from .model import read_generation_config
from .store import conversion_dir, is_ctranslate2_folder, resolve, stored_compute_type


def convert(ref: str, runtime: RuntimeConfig, role: str = "model", compute_type: str | None = None) -> Path:
    """Convert the model `ref` (quantized to compute_type, default runtime.compute_type); returns the folder."""
    import ctranslate2
    import transformers

    source = resolve(ref, runtime, role)
    if is_ctranslate2_folder(source):
        raise NlpError(f"{role} model {ref} is already a CTranslate2 model")
    quantization = stored_compute_type(compute_type or runtime.compute_type)
    target = conversion_dir(ref, source, runtime, quantization)
    staging = target.with_name(f".{target.name}.partial")  # a half-written folder is never picked up
    shutil.rmtree(staging, ignore_errors=True)
    try:
        ctranslate2.converters.TransformersConverter(str(source)).convert(
            str(staging), quantization=quantization, force=True)
    except (ValueError, KeyError, AttributeError, NotImplementedError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        reason = " ".join(str(exc).split())[:300]  # one line, even for the converter's lists of attributes
        raise NlpError(f"{role} model {ref} ({source}): CTranslate2 cannot convert it ({quantization}): "
                       f"{reason}; use {role}.backend=transformers") from None
    tokenizer = transformers.AutoTokenizer.from_pretrained(source)
    tokenizer.save_pretrained(staging)
    _name_special_tokens(staging / "config.json", source / "config.json", tokenizer)
    read_generation_config(source).save_pretrained(staging)
    shutil.copyfile(source / "config.json", staging / SOURCE_CONFIG)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target



def _name_special_tokens(ct2_config: Path, model_config: Path, tokenizer) -> None:
    """Fill special tokens the converter left null (a BERT-style tokenizer has no bos_token, an
    mBART-50 one none either) from the ids in the model's config: CTranslate2 needs them as text."""
    converted = json.loads(ct2_config.read_text(encoding="utf-8"))
    ids = json.loads(model_config.read_text(encoding="utf-8"))
    for key in ("bos_token", "eos_token", "unk_token", "decoder_start_token"):
        if converted.get(key) is None and ids.get(f"{key}_id") is not None:
            converted[key] = tokenizer.convert_ids_to_tokens(ids[f"{key}_id"])
    ct2_config.write_text(json.dumps(converted, indent=2), encoding="utf-8")
