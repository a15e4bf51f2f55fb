"""Typed configuration: configs/default.yaml, then a user file, then --set overrides and env.

One loader, plain frozen dataclasses, and errors that name the file and the key path.
Paths in a config file are relative to that file; paths given with --set are relative to
the working directory.
"""
from __future__ import annotations

import copy
import math
import os
import typing
from dataclasses import dataclass, field, fields, is_dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from ruamel.yaml.error import YAMLError

from .errors import ConfigError
from .yaml_values import TooManyValues, load_bounded

PATH = {"path": True}  # field metadata: resolve relative to the file that set it


@dataclass(frozen=True)
class FrontMatterKeys:
    title_en: str = "title_en"
    abstract_zh: str = "abstract_zh"
    abstract_en: str = "abstract_en"
    meta: str = "abstract_meta"
    opt_out: str = "auto_abstract"  # a post with this key set to false is skipped ("" = no opt-out)


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
    title_weight: float = 0.3
    redundancy: float = 0.6
    damping: float = 0.85
    max_sentences: int = 200
    keep_share: float = 0.6


@dataclass(frozen=True)
class ChatConfig:
    """The prompt an instruction (causal) model summarises from; see nlp/instruct.py."""

    system: str = ""
    prompt: str = "{text}"  # {text}: the article (or a chunk of it); {max_chars}: the length budget


@dataclass(frozen=True)
class SummarizerConfig:
    method: str = "auto"
    model: str = "csebuetnlp/mT5_multilingual_XLSum"
    revision: str = ""  # hub commit, tag or branch `nlp models pull` fetches ("" = main, recorded)
    backend: str = "auto"
    kind: str = "auto"  # auto (from the model's architectures) | seq2seq | causal
    prefix: str = ""
    max_input_tokens: int = 512
    max_new_tokens: int = 84
    min_new_tokens: int = 0
    num_beams: int = 4
    no_repeat_ngram_size: int = 2
    max_chars: int = 160
    extractive: ExtractiveConfig = ExtractiveConfig()
    chat: ChatConfig = ChatConfig()


@dataclass(frozen=True)
class TranslatorConfig:
    enabled: bool = True
    model: str = "Helsinki-NLP/opus-mt-zh-en"
    revision: str = ""
    backend: str = "auto"
    source_lang: str = "zh"  # for models with language codes (mBART-50, M2M100, NLLB): ISO or the model's code
    target_lang: str = "en"
    num_beams: int = 0  # 0: the model's own generation config
    max_input_tokens: int = 256
    max_batch_tokens: int = 2048


@dataclass(frozen=True)
class GlossaryConfig:
    files: tuple[str, ...] = field(default=(), metadata=PATH)
    enforce: bool = True
    inject: bool = False  # splice English terms into the Chinese before translating (unmeasured; opt-in)


@dataclass(frozen=True)
class RuntimeConfig:
    device: str = "cpu"
    threads: int = 0  # 0: all cores
    workers: int = 0  # CTranslate2 batches decoded at once, sharing the threads; 0: one per thread
    dtype: str = "auto"
    compute_type: str = "auto"  # CTranslate2; auto: int8 on the CPU, int8 with 16-bit activations on a GPU
    models_dir: str = field(default="", metadata=PATH)


@dataclass(frozen=True)
class LimitsConfig:
    max_file_bytes: int = 5_000_000
    max_source_chars: int = 20_000
    min_chinese_ratio: float = 0.3
    max_abstract_share: float = 0.8
    max_title_chars: int = 500


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
        _set_dotted(raw, key, _parse_scalar(key, value) if isinstance(value, str) else value)
    if os.environ.get("NLP_MODELS_DIR") and not _dotted_in(overrides, "runtime.models_dir"):
        raw.setdefault("runtime", {})["models_dir"] = os.environ["NLP_MODELS_DIR"]
    config = _build(Config, raw, "")
    _check_ranges(config)
    _check_key_names(config.front_matter)
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
        data = load_bounded(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: {what} not found") from None
    except TooManyValues as exc:
        raise ConfigError(f"{path}: {exc}") from None
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


def _parse_scalar(key: str, text: str):
    try:
        return load_bounded(text) if text.strip() else ""
    except TooManyValues as exc:
        raise ConfigError(f"--set {key}: {exc}") from None
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
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
    elif kind is str:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
        if value is None:
            return ""
    expected = "a finite number" if kind is float else kind.__name__
    raise ConfigError(f"config key '{where}' must be {expected}, got {_short(value)}")


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."


# Allowed values of numeric settings, checked at load time: (lowest, highest), None for no bound.
# A numeric setting not listed here must be zero or more.
RANGES = {
    "clean.max_sentence_chars": (1, None),
    "summarizer.max_input_tokens": (1, None),
    "summarizer.max_new_tokens": (1, None),
    "summarizer.num_beams": (1, None),
    "summarizer.max_chars": (1, None),
    "summarizer.extractive.max_chars": (1, None),
    "summarizer.extractive.lead_weight": (0, 1),
    "summarizer.extractive.redundancy": (0, 1),
    "summarizer.extractive.damping": (0, 1),
    "translator.max_input_tokens": (1, None),
    "translator.max_batch_tokens": (1, None),
    "limits.max_file_bytes": (1, None),
    "limits.max_source_chars": (1, None),
    "limits.min_chinese_ratio": (0, 1),
    "limits.max_title_chars": (1, None),
}
# Keys posts already use for their own content: a managed key with one of these names would overwrite it.
POST_KEYS = frozenset("""title date updated lastmod publishdate expirydate tags categories category layout
    permalink slug url aliases draft published author authors description summary excerpt keywords
    weight type id lang image cover toc comments auto_abstract""".split())


def _check_ranges(config: Config) -> None:
    for key, value in _numeric_settings(config, ""):
        low, high = RANGES.get(key, (0, None))
        if value < low or (high is not None and value > high):
            expectation = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise ConfigError(f"config key '{key}' must be {expectation}, got {value!r}")
    if config.summarizer.min_new_tokens > config.summarizer.max_new_tokens:
        raise ConfigError(f"config key 'summarizer.min_new_tokens' must be at most summarizer.max_new_tokens "
                          f"({config.summarizer.max_new_tokens}), got {config.summarizer.min_new_tokens}")


def _numeric_settings(section, where: str):
    for f in fields(section):
        value, key = getattr(section, f.name), _join(where, f.name)
        if is_dataclass(value):
            yield from _numeric_settings(value, key)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            yield key, value


def _check_key_names(keys: FrontMatterKeys) -> None:
    """Managed keys are written over whatever a post holds under their names: they must be our own.
    The opt-out key is the post's own (read, never written), but must not be a managed one."""
    seen: dict[str, str] = {}
    for f in fields(keys):
        name, where = getattr(keys, f.name), f"front_matter.{f.name}"
        if f.name == "opt_out":
            if name.casefold() in seen:
                raise ConfigError(f"config key '{where}' is {name!r}, the same as {seen[name.casefold()]}; "
                                  "the opt-out key is read from posts, not written")
            continue
        if not name.strip():
            raise ConfigError(f"config key '{where}' must be a key name, got {name!r}")
        if name.casefold() in POST_KEYS:
            raise ConfigError(f"config key '{where}' is {name!r}, a key posts use for their own content; "
                              "choose a name of its own")
        if name.casefold() in seen:
            raise ConfigError(f"config key '{where}' is {name!r}, the same as {seen[name.casefold()]}; "
                              "each managed key needs a name of its own")
        seen[name.casefold()] = where


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _replace(config: Config, dotted: str, value) -> Config:
    from dataclasses import replace

    section, leaf = dotted.split(".")
    return replace(config, **{section: replace(getattr(config, section), **{leaf: value})})
