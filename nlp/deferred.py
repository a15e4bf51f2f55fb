"""An object built on first use: a summariser or translator whose model loads only when called.

A run over unchanged posts needs every model's identity (for the settings fingerprint) but no
weights; `Deferred` holds the identity and builds the real object, once and under a lock, the
first time anything else is asked of it.
"""
from __future__ import annotations

import threading
from typing import Callable


class Deferred:
    def __init__(self, build: Callable[[], object], identity):
        self.identity = identity  # what the object will run (nlp.runtime.ModelIdentity)
        self._build, self._built, self._lock = build, None, threading.Lock()

    def __repr__(self) -> str:
        return f"<Deferred {self.identity.ref} ({'built' if self._built is not None else 'not built yet'})>"

    @property
    def is_built(self) -> bool:
        return self._built is not None

    def built(self):
        with self._lock:
            if self._built is None:
                self._built = self._build()
            return self._built

    def __getattr__(self, name: str):  # only for what the instance itself lacks: summarize, translate ...
        if name.startswith("_"):
            raise AttributeError(name)  # never build for copy/pickle probes
        return getattr(self.built(), name)
