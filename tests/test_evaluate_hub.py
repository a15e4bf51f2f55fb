"""`nlp evaluate` on public sets: hub ids fail fast offline, and a saved copy of a set with its own
column names (as XL-Sum or WMT have them) is scored with character and jieba-word ROUGE."""
from __future__ import annotations

import json
from pathlib import Path

import datasets
import pytest

from nlp.cli import main
from nlp.errors import ConfigError
from nlp.evaluate import load_rows
from nlp.metrics import rouge, word_units

SHIPPED = Path(__file__).resolve().parent.parent / "examples" / "eval" / "policy_zh_en.jsonl"
EXTRACTIVE_ONLY = ["--set", "summarizer.method=extractive", "--set", "translator.enabled=false"]


@pytest.fixture(scope="module")
def xlsum_like(tmp_path_factory) -> Path:
    """The shipped rows saved as XL-Sum's columns are named (id, url, title, summary, text)."""
    rows = [json.loads(line) for line in SHIPPED.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [{"id": r["id"], "url": r["source"], "title": r["title"], "summary": r["summary_zh"], "text": r["text"]}
            for r in rows if r.get("summary_zh")][:4]
    folder = tmp_path_factory.mktemp("xlsum") / "chinese_simplified"
    datasets.DatasetDict({"test": datasets.Dataset.from_list(rows)}).save_to_disk(str(folder))
    return folder


def test_a_hub_id_offline_fails_fast_with_one_line_saying_what_to_do(capsys):
    with pytest.raises(ConfigError, match="HF_HUB_OFFLINE is set.*save_to_disk"):
        load_rows("csebuetnlp/xlsum", split="test", subset="chinese_simplified")
    assert main(["evaluate", "csebuetnlp/xlsum", "--subset", "chinese_simplified", *EXTRACTIVE_ONLY]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and err.startswith("error: csebuetnlp/xlsum: ")


def test_missing_files_are_still_files():
    with pytest.raises(ConfigError, match="no such file") as error:
        load_rows("missing/set.jsonl")
    assert "hub" not in str(error.value)


def test_columns_are_taken_from_the_data_s_own_names_including_nested_ones(tmp_path):
    folder = tmp_path / "wmt"
    pairs = [{"translation": {"zh": "海关总署发布数据。", "en": "Customs released data."}}]
    datasets.DatasetDict({"validation": datasets.Dataset.from_list(pairs)}).save_to_disk(str(folder))
    with pytest.raises(ConfigError, match="no 'text' column"):
        load_rows(str(folder), split="validation")
    rows = load_rows(str(folder), split="validation",
                     columns={"text": "translation.zh", "translation_en": "translation.en"})
    assert [(r.text, r.translation_en) for r in rows] == [("海关总署发布数据。", "Customs released data.")]


def test_word_rouge_counts_jieba_words():
    assert word_units("国务院召开常务会议。") == ["国务院", "召开", "常务会议"]
    assert word_units("GDP增长9.9%") == ["gdp", "增长", "99"]
    scores = rouge("国务院召开常务会议。", "国务院召开会议。", units=word_units)
    assert word_units("国务院召开会议。") == ["国务院", "召开", "会议"]
    assert (round(scores["rouge1"].f1, 4), round(scores["rouge2"].f1, 4)) == (round(2 / 3, 4), 0.5)


def test_a_saved_public_set_is_scored_in_characters_and_words(xlsum_like, tmp_path, capsys):
    report_path = tmp_path / "report.json"
    assert main(["evaluate", str(xlsum_like), "--split", "test", "--column", "summary_zh=summary",
                 "--report", str(report_path), *EXTRACTIVE_ONLY]) == 0
    table = capsys.readouterr().out
    assert "ROUGE F1 x100 on characters" in table and "ROUGE F1 x100 on jieba words" in table
    report = json.loads(report_path.read_text(encoding="utf-8"))
    summaries = report["summaries"]
    assert summaries["rows"] == 4 and set(summaries["systems_words"]) == {"pipeline", "lead3", "extractive"}
    first = report["per_row"][0]
    expected = rouge(first["abstract_zh"], load_rows(str(xlsum_like), "test", 1, columns={
        "summary_zh": "summary"})[0].summary_zh, units=word_units)
    assert first["rouge_words"]["pipeline"] == {k: round(s.f1 * 100, 2) for k, s in expected.items()}
    assert first["rouge_words"] != first["rouge"]


def test_a_bad_column_option_is_a_usage_error(xlsum_like, capsys):
    assert main(["evaluate", str(xlsum_like), "--column", "summary_zh", *EXTRACTIVE_ONLY]) == 2
    assert "OURS=THEIRS" in capsys.readouterr().err
