"""Each model's licence, so that nobody ships a non-commercial model by accident.

Once a model is on this machine its model card (README.md front matter, `license:`) says;
before that, a table of the models this project suggests. Licences that forbid commercial
use are marked, because that is what a newsroom or company needs to know first.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

MODEL_CARD = "README.md"

# Hugging Face licence tags of the models named in configs/ and the README, as their model cards state them.
KNOWN_LICENCES = {
    "Helsinki-NLP/opus-mt-zh-en": "apache-2.0",
    "quickmt/quickmt-zh-en": "cc-by-4.0",
    "csebuetnlp/mT5_multilingual_XLSum": "cc-by-nc-sa-4.0",
    "facebook/nllb-200-distilled-600M": "cc-by-nc-4.0",
    "facebook/nllb-200-distilled-1.3B": "cc-by-nc-4.0",
    "facebook/m2m100_418M": "mit",
    "facebook/m2m100_1.2B": "mit",
    "Qwen/Qwen2.5-0.5B-Instruct": "apache-2.0",
    "Qwen/Qwen2.5-1.5B-Instruct": "apache-2.0",
    "Qwen/Qwen2.5-3B-Instruct": "qwen-research",
    "Qwen/Qwen3-0.6B": "apache-2.0",
    "Qwen/Qwen3-1.7B": "apache-2.0",
}
NON_COMMERCIAL = re.compile(r"(^|-)nc(-|$)|research|non-?commercial", re.I)
_FRONT_MATTER = re.compile(r"\A\ufeff?---\s*\n(.*?)\n---\s*(\n|\Z)", re.S)


@dataclass(frozen=True)
class Licence:
    name: str | None  # a Hugging Face licence tag, e.g. apache-2.0; None when nobody says
    source: str  # "model card", "known default" or "unknown"

    @property
    def commercial_use(self) -> bool | None:
        """False for non-commercial licences, True for others, None when unknown."""
        return None if self.name is None else not NON_COMMERCIAL.search(self.name)

    def __str__(self) -> str:
        if self.name is None:
            return "licence unknown"
        warning = " (non-commercial)" if self.commercial_use is False else ""
        return f"{self.name}{warning} [{self.source}]"


def model_licence(ref: str, folder: Path | None) -> Licence:
    """The licence stated by the model card in `folder` (a local copy), else the known default."""
    stated = card_licence(folder / MODEL_CARD) if folder is not None else None
    if stated:
        return Licence(stated, "model card")
    if ref in KNOWN_LICENCES:
        return Licence(KNOWN_LICENCES[ref], "known default")
    return Licence(None, "unknown")


def card_licence(card: Path) -> str | None:
    """`license:` (or, for `other`, `license_name:`) from a model card's front matter."""
    try:
        match = _FRONT_MATTER.match(card.read_text(encoding="utf-8"))
        data = YAML(typ="safe").load(match.group(1)) if match else None
    except (OSError, UnicodeDecodeError, YAMLError):
        return None
    if not isinstance(data, dict) or not data.get("license"):
        return None
    name = str(data["license"])
    return str(data.get("license_name") or name) if name == "other" else name
