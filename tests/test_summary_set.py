"""The evaluation set of real posts with site-written abstracts (tests/data/summaries)."""
from __future__ import annotations

import csv
import hashlib
import json

from repo_data import BENCHMARKS, load_script
from repo_data import SUMMARIES as SET

def builder():
    return load_script(BENCHMARKS / "summary_set.py")


def manifest() -> list[dict]:
    with open(SET / "MANIFEST.tsv", encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file, delimiter="\t"))


FIRST_SET = 24  # r01-r24: every third row held out; from r25 on, whole sites are held out


def test_posts_are_the_recorded_bytes_and_the_split_is_the_recorded_rule():
    entries = manifest()
    assert len(entries) >= FIRST_SET + 40
    for number, entry in enumerate(entries, 1):
        assert entry["file"] == f"r{number:02d}.md"
        assert hashlib.sha256((SET / "posts" / entry["file"]).read_bytes()).hexdigest() == entry["sha256"]
        if number <= FIRST_SET:
            assert entry["split"] == ("held_out" if number % 3 == 0 else "tuned")
    later = entries[FIRST_SET:]
    splits_of_site: dict[str, set[str]] = {}
    for entry in later:
        splits_of_site.setdefault(entry["repository"], set()).add(entry["split"])
    assert all(len(splits) == 1 for splits in splits_of_site.values())  # a site is never split
    assert len(splits_of_site) >= 5 and "apache/apisix-website" not in splits_of_site
    held = sum(entry["split"] == "held_out" for entry in later)
    assert 0.25 <= held / len(later) <= 0.4  # about a third held out


def test_the_added_references_are_not_copies_of_the_lead_or_the_title():
    module = builder()
    entries = manifest()[FIRST_SET:]
    by_id = {row["id"]: row for rows in module.rows().values() for row in rows}
    for entry in entries:
        lead, title = module.copies(by_id[entry["file"].removesuffix(".md")])
        assert lead < module.LEAD_COPY and title < module.TITLE_COPY, entry["file"]


def test_the_shipped_rows_are_what_the_builder_makes_from_the_posts():
    built = builder().rows()
    for split, rows in built.items():
        lines = (SET / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
        assert [json.loads(line) for line in lines] == rows
        for row in rows:
            assert row["summary_zh"].strip() and row["title"].strip()
            assert not row["text"].startswith("---")  # the body only: no front matter, so no reference
