"""Dataset files in: rows stream from JSONL/CSV/Parquet or a saved `datasets` folder."""
from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from .errors import ConfigError, NlpError

log = logging.getLogger(__name__)

FORMATS = {".jsonl": "json", ".json": "json", ".csv": "csv", ".parquet": "parquet"}
_HUB_DATASET_ID = re.compile(r"[\w.-]+/[\w.-]+")


def open_rows(data: str, split: str | None = None, subset: str | None = None):
    """Stream the rows of a JSONL/CSV/Parquet file, a saved `datasets` folder, or a `datasets`
    hub id (owner/name, with `subset` as its configuration) when the hub can be reached.

    `split` picks one split of a saved DatasetDict (default: its only split, else "train") or of
    a hub dataset (default: "test"); a plain file is a single split.
    """
    import datasets

    path = Path(data)
    if is_hub_dataset(data):
        return _hub_rows(data, split or "test", subset)
    if path.is_dir():
        try:
            loaded = datasets.load_from_disk(str(path))
        except FileNotFoundError:
            raise ConfigError(f"{data}: not a folder saved with datasets' save_to_disk") from None
        if isinstance(loaded, datasets.DatasetDict):
            split = split or (next(iter(loaded)) if len(loaded) == 1 else "train")
            if split not in loaded:
                raise ConfigError(f"{data}: no split {split!r} (splits: {', '.join(loaded)}); use --split")
            loaded = loaded[split]
        return loaded.to_iterable_dataset()
    if not path.is_file():
        raise ConfigError(f"{data}: no such file or folder")
    if path.suffix.lower() not in FORMATS:
        raise ConfigError(f"{data}: expected a .jsonl, .csv or .parquet file or a saved datasets folder")
    if path.stat().st_size == 0:
        raise NlpError(f"{data}: empty file")
    return datasets.load_dataset(FORMATS[path.suffix.lower()], data_files=str(path), split="train",
                                 streaming=True)


def is_hub_dataset(data: str) -> bool:
    """owner/name that is no local path and no file name: a dataset on the hub."""
    return (bool(_HUB_DATASET_ID.fullmatch(data)) and not Path(data).exists()
            and Path(data).suffix.lower() not in FORMATS)


def _hub_rows(data: str, split: str, subset: str | None):
    """Rows streamed from the hub; offline, one line that says how to evaluate without it."""
    import datasets

    from .runtime.store import first_line, why_offline

    offline = "HF_DATASETS_OFFLINE is set" if os.environ.get("HF_DATASETS_OFFLINE", "").lower() in (
        "1", "true", "yes", "on") else why_offline()
    if offline:
        raise ConfigError(f"{data}: no such file or folder, and as a datasets hub id it needs the hub, but "
                          f"{offline}; on a connected machine run datasets.load_dataset(...).save_to_disk(FOLDER) "
                          "and evaluate FOLDER")
    try:
        return datasets.load_dataset(data, subset, split=split, streaming=True)
    except Exception as exc:  # unknown id, subset or split: the hub client raises many types
        raise NlpError(f"{data}: cannot load {subset or 'the default subset'}, split {split!r}, from the hub: "
                       f"{first_line(exc)}") from None
