"""Bilingual abstracts for Chinese policy news posts. Public API only."""
from importlib.metadata import PackageNotFoundError, version

from .article import Article
from .config import Config, load_config
from .errors import ConfigError, ModelUnavailable, NlpError, PostError
from .pipeline import Abstract, EnrichResult, Pipeline

try:
    __version__ = version("nlp-abstracts")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["Abstract", "Article", "Config", "ConfigError", "EnrichResult", "ModelUnavailable", "NlpError",
           "Pipeline", "PostError", "__version__", "load_config"]
