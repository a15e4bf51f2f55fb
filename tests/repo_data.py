"""Where the test data lives: tests/data/ inside this repository (provenance: tests/data/PROVENANCE.md).

Tests and benchmarks read data only through these paths, so a clone runs on its own.
"""
from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
SEED = DATA / "seed" / "000_f89112927f6a09e8.txt"
CORPUS = DATA / "corpus"
POSTS_DIR = CORPUS / "posts"
PARALLEL = CORPUS / "parallel"
CLEANING = DATA / "cleaning"  # labelled cleaning set: posts/, labels/, SOURCES.tsv
SUMMARIES = DATA / "summaries"  # real posts with site-written abstracts: MANIFEST.tsv, posts/, *.jsonl
