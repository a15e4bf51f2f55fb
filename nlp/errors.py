"""Errors a user can act on: each carries a one-line message the CLI prints as is."""
from __future__ import annotations


class NlpError(Exception):
    """Base class: the message is meant for the user, never a traceback."""


class ConfigError(NlpError):
    """Bad configuration file, unknown key, or bad --set override."""


class PostError(NlpError):
    """A post that cannot be read, parsed or written safely."""

    def __init__(self, path, problem: str, line: int | None = None):
        self.path, self.problem, self.line = path, problem, line
        where = f"{path}:{line}" if line else f"{path}"
        super().__init__(f"{where}: {problem}")


class ModelUnavailable(NlpError):
    """A configured model is neither on disk nor reachable."""
