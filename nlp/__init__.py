"""Bilingual abstracts for Chinese policy news posts. Public API only."""
from .article import Article
from .config import Config, load_config
from .errors import ConfigError, ModelUnavailable, NlpError, PostError

__all__ = ["Article", "Config", "ConfigError", "ModelUnavailable", "NlpError", "PostError", "load_config"]
