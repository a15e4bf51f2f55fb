"""Where the test data lives: tests/data/ inside this repository (provenance: tests/data/PROVENANCE.md).

Tests and benchmarks read data only through these paths, so a clone runs on its own.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"
DATA = Path(__file__).resolve().parent / "data"
SEED = DATA / "seed" / "000_f89112927f6a09e8.txt"
CORPUS = DATA / "corpus"
POSTS_DIR = CORPUS / "posts"
PARALLEL = CORPUS / "parallel"
CLEANING = DATA / "cleaning"  # labelled cleaning set: posts/, labels/, SOURCES.tsv
SUMMARIES = DATA / "summaries"  # real posts with site-written abstracts: MANIFEST.tsv, posts/, *.jsonl


def load_script(path: Path):
    """A script of this repository (app.py, benchmarks/*.py) imported as a module named after its
    file, so tests can call its functions."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module
