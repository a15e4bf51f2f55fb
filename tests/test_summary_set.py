"""The evaluation set of real posts with site-written abstracts (tests/data/summaries)."""
from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
from pathlib import Path

from repo_data import SUMMARIES as SET

ROOT = Path(__file__).resolve().parent.parent


def builder():
    spec = importlib.util.spec_from_file_location("summary_set", ROOT / "benchmarks" / "summary_set.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def manifest() -> list[dict]:
    with open(SET / "MANIFEST.tsv", encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file, delimiter="\t"))


def test_posts_are_the_recorded_bytes_and_every_third_row_is_held_out():
    entries = manifest()
    assert len(entries) >= 24
    for number, entry in enumerate(entries, 1):
        assert entry["file"] == f"r{number:02d}.md"
        assert hashlib.sha256((SET / "posts" / entry["file"]).read_bytes()).hexdigest() == entry["sha256"]
        assert entry["split"] == ("held_out" if number % 3 == 0 else "tuned")


def test_the_shipped_rows_are_what_the_builder_makes_from_the_posts():
    built = builder().rows()
    for split, rows in built.items():
        lines = (SET / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
        assert [json.loads(line) for line in lines] == rows
        for row in rows:
            assert row["summary_zh"].strip() and row["title"].strip()
            assert not row["text"].startswith("---")  # the body only: no front matter, so no reference
