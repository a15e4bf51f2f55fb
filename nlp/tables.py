"""Dataset files in: rows stream from JSONL/CSV/Parquet or a saved `datasets` folder."""
from __future__ import annotations

from pathlib import Path

from .errors import ConfigError, NlpError

FORMATS = {".jsonl": "json", ".json": "json", ".csv": "csv", ".parquet": "parquet"}


def open_rows(data: str, split: str | None = None):
    """Stream the rows of a JSONL/CSV/Parquet file or a saved `datasets` folder.

    `split` picks one split of a saved DatasetDict (default: its only split, else "train");
    a plain file is a single split.
    """
    import datasets

    path = Path(data)
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
