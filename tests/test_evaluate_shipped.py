"""The shipped evaluation set, and `python -m nlp evaluate` on it end to end, offline."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nlp.checks import run_checks
from nlp.config import load_config
from nlp.glossary import Glossary
from nlp.metrics import lead, rouge

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "examples" / "eval" / "policy_zh_en.jsonl"
from repo_data import PARALLEL  # noqa: E402
ROWS = [json.loads(line) for line in SHIPPED.read_text(encoding="utf-8").splitlines()]
SUMMARY_ROWS = [row for row in ROWS if "summary_zh" in row]
TRANSLATION_ROWS = [row for row in ROWS if "translation_en" in row]


def test_every_row_has_text_a_source_and_one_kind_of_reference():
    assert len(SUMMARY_ROWS) >= 8 and len(TRANSLATION_ROWS) == 7
    assert len({row["id"] for row in ROWS}) == len(ROWS)
    for row in ROWS:
        assert row["text"].strip() and row["source"]
        assert ("summary_zh" in row) != ("translation_en" in row), row["id"]


@pytest.mark.parametrize("row", SUMMARY_ROWS, ids=[row["id"] for row in SUMMARY_ROWS])
def test_reference_abstracts_are_short_and_pass_the_faithfulness_checks(row):
    config = load_config()
    assert 60 <= len(row["summary_zh"]) <= 150
    assert run_checks(row["text"], row["summary_zh"], None, Glossary.load(config.glossary.files), config.limits) == []


@pytest.mark.parametrize("row", TRANSLATION_ROWS, ids=[row["id"] for row in TRANSLATION_ROWS])
def test_translation_rows_are_the_official_parallel_pairs_unchanged(row):
    number = row["id"].removeprefix("parallel-")
    assert row["text"] == (PARALLEL / f"{number}.zh.txt").read_text(encoding="utf-8")
    assert row["translation_en"] == (PARALLEL / f"{number}.en.txt").read_text(encoding="utf-8")


def test_evaluate_command_runs_offline_with_extractive_summaries_and_a_tiny_translator(tiny_marian, tmp_path):
    report_path = tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, "-m", "nlp", "evaluate", str(SHIPPED), "--set", "summarizer.method=extractive",
         "--set", f"translator.model={tiny_marian}", "--report", str(report_path)],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"})
    assert result.returncode == 0, result.stderr
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["rows"] == len(ROWS) == len(report["per_row"])
    assert report["summaries"]["rows"] == len(SUMMARY_ROWS)
    assert report["translation"]["text"]["rows"] == len(TRANSLATION_ROWS)
    assert report["translation"]["abstract_en"] is None  # the set has no summary_en
    assert report["faithfulness"]["abstracts"] == len(SUMMARY_ROWS)
    assert report["translator"] == str(tiny_marian) and report["speed"]["seconds_per_article"] > 0

    systems = report["summaries"]["systems"]
    assert systems["pipeline"] == systems["extractive"]  # the pipeline's summariser is the extractive one
    for record, row in zip(report["per_row"], ROWS):
        assert record["id"] == row["id"]
        if "summary_zh" in row:  # LEAD-3 of the shipped (clean) text, scored independently of the run
            expected = rouge(lead(row["text"]), row["summary_zh"])
            assert record["rouge"]["lead3"] == {key: round(s.f1 * 100, 2) for key, s in expected.items()}
            assert record["abstract_zh"] and isinstance(record["checks"], list)
        else:
            assert "rouge" not in record and isinstance(record["translation_en"], str)
            assert 0 <= record["translation_scores"]["chrf"] <= 100

    table = result.stdout.splitlines()
    for name, scores in systems.items():  # the table shows the report's numbers
        line = next(line.split() for line in table if line.split()[:1] == [name])
        assert line[1:] == [f"{value:.2f}" for value in scores.values()]
    table = result.stdout
    for metric in ("bleu", "chrf", "chrf++"):
        assert report["translation"]["text"][metric]["signature"] in table
    assert f"{report['faithfulness']['checks_passed']}/{len(SUMMARY_ROWS)}" in table
