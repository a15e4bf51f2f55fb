"""Typed configuration: configs/default.yaml, then a user file, then --set overrides and env.

One loader, plain frozen dataclasses, and errors that name the file and the key path.
Paths in a config file are relative to that file; paths given with --set are relative to
the working directory.
"""
from __future__ import annotations

import copy
import os
import typing
from dataclasses import dataclass, field, fields, is_dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from .errors import ConfigError

PATH = {"path": True}  # field metadata: resolve relative to the file that set it


@dataclass(frozen=True)
class FrontMatterKeys:
    title_en: str = "title_en"
    abstract_zh: str = "abstract_zh"
    abstract_en: str = "abstract_en"
    meta: str = "abstract_meta"


@dataclass(frozen=True)
class CleanConfig:
    rules: tuple[str, ...] = field(default=(), metadata=PATH)
    to_simplified: bool = True
    min_paragraph_chars: int = 2
    max_sentence_chars: int = 150


@dataclass(frozen=True)
class ExtractiveConfig:
    max_chars: int = 160
    lead_weight: float = 0.3
    redundancy: float = 0.6
    damping: float = 0.85


@dataclass(frozen=True)
class SummarizerConfig:
    method: str = "auto"
    model: str = "csebuetnlp/mT5_multilingual_XLSum"
    backend: str = "auto"
    prefix: str = ""
    max_input_tokens: int = 512
    max_new_tokens: int = 84
    min_new_tokens: int = 0
    num_beams: int = 4
    no_repeat_ngram_size: int = 2
    max_chars: int = 160
    extractive: ExtractiveConfig = ExtractiveConfig()


@dataclass(frozen=True)
class TranslatorConfig:
    enabled: bool = True
    model: str = "Helsinki-NLP/opus-mt-zh-en"
    backend: str = "auto"
    num_beams: int = 0  # 0: the model's own generation config
    max_input_tokens: int = 256
    max_batch_tokens: int = 2048


@dataclass(frozen=True)
class GlossaryConfig:
    files: tuple[str, ...] = field(default=(), metadata=PATH)
    enforce: bool = True


@dataclass(frozen=True)
class RuntimeConfig:
    device: str = "cpu"
    threads: int = 0  # 0: all cores
    dtype: str = "auto"
    compute_type: str = "int8"
    models_dir: str = field(default="", metadata=PATH)


@dataclass(frozen=True)
class LimitsConfig:
    max_file_bytes: int = 5_000_000
    max_source_chars: int = 20_000
    min_chinese_ratio: float = 0.3
    max_abstract_share: float = 0.8


@dataclass(frozen=True)
class DatasetConfig:
    """`nlp enrich-dataset`: how rows are batched, written in parts, and spread over a Ray cluster."""
    engine: str = "local"          # local | ray
    batch_size: int = 32           # rows whose articles share translation batches
    batches_per_part: int = 32     # a part file holds this many batches; a rerun skips finished parts
    address: str = ""              # Ray: "" starts a local instance; auto | ray://host:10001
    actors: int = 0                # Ray: pipelines in the actor pool; 0 = one per CPU (or GPU) available
    cpus_per_actor: float = 1.0
    gpus_per_actor: float = 0.0


@dataclass(frozen=True)
class Config:
    front_matter: FrontMatterKeys = FrontMatterKeys()
    clean: CleanConfig = CleanConfig()
    summarizer: SummarizerConfig = SummarizerConfig()
    translator: TranslatorConfig = TranslatorConfig()
    glossary: GlossaryConfig = GlossaryConfig()
    runtime: RuntimeConfig = RuntimeConfig()
    limits: LimitsConfig = LimitsConfig()
    dataset: DatasetConfig = DatasetConfig()


def default_config_path() -> Path:
    return Path(str(resources.files("nlp.configs").joinpath("default.yaml")))


def default_models_dir() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "nlp-abstracts" / "models"


def load_config(path: str | os.PathLike | None = None, overrides: Mapping[str, Any] | None = None) -> Config:
    """Default config, merged with the file at `path`, then `overrides` ({"a.b": value})."""
    raw = _read_yaml(default_config_path())
    if path is not None:
        _merge(raw, _read_yaml(Path(path)), str(path))
    for key, value in (overrides or {}).items():
        _set_dotted(raw, key, _parse_scalar(value) if isinstance(value, str) else value)
    if os.environ.get("NLP_MODELS_DIR") and not _dotted_in(overrides, "runtime.models_dir"):
        raw.setdefault("runtime", {})["models_dir"] = os.environ["NLP_MODELS_DIR"]
    config = _build(Config, raw, "")
    if not config.runtime.models_dir:
        config = _replace(config, "runtime.models_dir", str(default_models_dir()))
    return config


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    """`--set key.path=value` strings to a dict; values are parsed later as YAML scalars."""
    result = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set expects key.path=value, got {pair!r}")
        result[key.strip()] = value
    return result


def read_yaml_mapping(path: Path, what: str = "config file", top: str = "a mapping") -> dict:
    """A YAML file whose top level is a mapping (empty file: {}), or a ConfigError naming it."""
    try:
        data = YAML(typ="safe").load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: {what} not found") from None
    except (YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid YAML: {str(exc).splitlines()[0]}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected {top} at the top level")
    return data


def _read_yaml(path: Path) -> dict:
    return _resolve_paths(Config, read_yaml_mapping(path), path.parent.resolve(), str(path))


def _resolve_paths(cls, data: dict, base: Path, where: str) -> dict:
    """Make path-typed values absolute relative to the file's folder, before merging."""
    known = {f.name: f for f in fields(cls)}
    for key, value in data.items():
        spec = known.get(key)
        if spec is None:
            continue  # reported with its full path by _build
        if spec.metadata.get("path"):
            data[key] = _absolute(value, base)
        elif is_dataclass(_field_type(cls, key)) and isinstance(value, dict):
            _resolve_paths(_field_type(cls, key), value, base, where)
    return data


def _absolute(value, base: Path):
    if isinstance(value, list):
        return [_absolute(v, base) for v in value]
    if isinstance(value, str) and value and not os.path.isabs(os.path.expanduser(value)):
        return str(base / value)
    return os.path.expanduser(value) if isinstance(value, str) else value


def _merge(base: dict, extra: dict, where: str) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value, where)
        else:
            base[key] = copy.deepcopy(value)


def _set_dotted(raw: dict, dotted: str, value) -> None:
    *parents, leaf = dotted.split(".")
    node = raw
    for part in parents:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"--set {dotted}: {part} is not a section")
    if isinstance(value, str) and leaf in _path_fields():
        value = _absolute(value, Path.cwd())
    node[leaf] = value


def _dotted_in(overrides, dotted: str) -> bool:
    return bool(overrides) and dotted in overrides


def _path_fields() -> set[str]:
    names = set()

    def walk(cls):
        for f in fields(cls):
            if f.metadata.get("path"):
                names.add(f.name)
            elif is_dataclass(_field_type(cls, f.name)):
                walk(_field_type(cls, f.name))

    walk(Config)
    return names


def _parse_scalar(text: str):
    try:
        return YAML(typ="safe").load(text) if text.strip() else ""
    except YAMLError:
        return text


def _field_type(cls, name: str):
    return typing.get_type_hints(cls)[name]


def _build(cls, data, where: str):
    """Turn a nested dict into the dataclass `cls`, naming the key path on any error."""
    if not isinstance(data, dict):
        raise ConfigError(f"config key '{where or '<top>'}' must be a mapping, got {data!r}")
    hints = typing.get_type_hints(cls)
    unknown = set(data) - set(hints)
    if unknown:
        key = sorted(unknown)[0]
        known = ", ".join(sorted(hints))
        raise ConfigError(f"unknown config key '{_join(where, key)}' (known: {known})")
    values = {}
    for name, value in data.items():
        values[name] = _coerce(hints[name], value, _join(where, name))
    return cls(**values)


def _coerce(kind, value, where: str):
    if is_dataclass(kind):
        return _build(kind, value, where)
    origin = typing.get_origin(kind)
    if origin is tuple:
        items = value if isinstance(value, (list, tuple)) else [value]
        return tuple(_coerce(str, v, where) for v in items if v not in (None, ""))
    if kind is bool:
        if isinstance(value, bool):
            return value
    elif kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif kind is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif kind is str:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
        if value is None:
            return ""
    raise ConfigError(f"config key '{where}' must be {kind.__name__}, got {value!r}")


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _replace(config: Config, dotted: str, value) -> Config:
    from dataclasses import replace

    section, leaf = dotted.split(".")
    return replace(config, **{section: replace(getattr(config, section), **{leaf: value})})
