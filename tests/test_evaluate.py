"""Evaluation: scoring over constructed rows (no model), loading every data format, the table."""
from __future__ import annotations

import logging
import json

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from nlp.config import load_config
from nlp.errors import ConfigError, NlpError
from nlp.evaluate import EvalRow, RowOutput, format_table, glossary_terms_kept, load_rows, run_systems, score_rows
from nlp.glossary import Glossary, Term
from nlp.metrics import lead
from nlp.pipeline import Pipeline

SOURCE = "警方3月5日抓获两名嫌疑人。案件正在审理。国务院要求依法处理。"
REFERENCE = "警方抓获嫌疑人。案件正在审理。"
CANDIDATE = "警方抓获两名嫌疑人。案件审理中。"  # against REFERENCE: ROUGE-1 22/27, ROUGE-2 16/25, ROUGE-L 22/27
GLOSSARY = Glossary([Term("国务院", "State Council")])


def scored_rows():
    rows = [
        EvalRow(text=SOURCE, summary_zh=REFERENCE),
        EvalRow(text=SOURCE, title="标题", summary_zh=REFERENCE, summary_en="Police caught a suspect."),
        EvalRow(text="黄河保护法将于2023年4月1日起施行。", translation_en="The law takes effect on April 1, 2023."),
    ]
    outputs = [
        RowOutput(source=SOURCE, abstract_zh=CANDIDATE, abstract_en="Police caught two suspects.", lead3=REFERENCE,
                  extractive="", seconds=1.0),
        RowOutput(source=SOURCE, abstract_zh="国务院在2024年要求依法处理。", abstract_en="Police caught a suspect.",
                  lead3=REFERENCE, extractive=REFERENCE, seconds=3.0),
        RowOutput(translation_en="The law takes effect on April 1, 2023.", translation_seconds=0.5),
    ]
    return rows, outputs


def test_summary_scores_are_means_of_the_rows_scored_by_hand():
    rows, outputs = scored_rows()
    report = score_rows(rows, outputs, GLOSSARY)
    first = report["per_row"][0]["rouge"]
    assert first["pipeline"] == {"rouge1": 81.48, "rouge2": 64.0, "rougeL": 81.48}
    assert first["lead3"] == {"rouge1": 100.0, "rouge2": 100.0, "rougeL": 100.0}
    assert first["extractive"] == {"rouge1": 0.0, "rouge2": 0.0, "rougeL": 0.0}
    summaries = report["summaries"]
    assert summaries["rows"] == 2
    assert summaries["systems"]["lead3"]["rouge1"] == 100.0
    assert summaries["systems"]["extractive"]["rougeL"] == 50.0  # (0 + 100) / 2
    second = report["per_row"][1]["rouge"]["pipeline"]["rouge1"]
    assert summaries["systems"]["pipeline"]["rouge1"] == round((81.48 + second) / 2, 2)
    assert "translation_en" not in report["per_row"][0] and "rouge" not in report["per_row"][2]


def test_translation_sections_score_only_rows_with_that_reference():
    rows, outputs = scored_rows()
    translation = score_rows(rows, outputs, GLOSSARY)["translation"]
    assert translation["text"]["rows"] == 1
    assert translation["text"]["bleu"]["score"] == 100.0
    assert "tok:13a" in translation["text"]["bleu"]["signature"]
    assert translation["abstract_en"]["rows"] == 1  # only the second row has summary_en
    assert translation["abstract_en"]["chrf"]["score"] == 100.0


def test_faithfulness_counts_checks_numbers_and_glossary_terms():
    rows, outputs = scored_rows()
    report = score_rows(rows, outputs, GLOSSARY)
    first, second = report["per_row"][0], report["per_row"][1]
    assert first["unsupported_numbers"] == [] and first["checks"] == []
    assert second["unsupported_numbers"] == ["2024"]
    assert second["checks"]  # the invented year is a failed check
    assert first["glossary_terms"] == {"found": 0, "kept": 0}
    assert second["glossary_terms"] == {"found": 1, "kept": 0}  # 国务院 without "State Council"
    faith = report["faithfulness"]
    assert faith["abstracts"] == 2
    assert faith["checks_passed"] == 1
    assert faith["unsupported_numbers_per_abstract"] == 0.5
    assert (faith["glossary_terms_found"], faith["glossary_terms_kept"]) == (1, 0)
    assert report["speed"] == {"seconds_per_article": 2.0, "seconds_per_translation": 0.5}


def test_glossary_terms_are_counted_by_their_english():
    glossary = Glossary([Term("国务院", "State Council"), Term("中央政府", "central government"),
                         Term("中国政府", "central government")])
    zh = "国务院和中央政府、中国政府"
    assert glossary_terms_kept(glossary, zh, "The State Council and the central government") == (2, 2)
    assert glossary_terms_kept(glossary, zh, "The State Council") == (2, 1)


def test_sections_without_rows_are_empty_and_left_out_of_the_table():
    rows = [EvalRow(text="海关总署发布数据。", translation_en="Customs released data.")]
    report = {"data": "x.jsonl", "rows": 1, "summarizer": None, "translator": None,
              **score_rows(rows, [RowOutput()], GLOSSARY)}
    assert report["summaries"] is None and report["faithfulness"] is None
    assert report["translation"] == {"text": None, "abstract_en": None}
    table = format_table(report)
    assert "translator: disabled" in table
    assert "ROUGE" not in table and "BLEU" not in table and "Faithfulness" not in table


def test_table_shows_every_section_and_the_signatures():
    rows, outputs = scored_rows()
    report = {"data": "set.jsonl", "rows": 3, "summarizer": "textrank (extractive)", "translator": "m",
              **score_rows(rows, outputs, GLOSSARY)}
    table = format_table(report)
    for expected in ("set.jsonl: 3 rows", "ROUGE-1", "50.00", "lead3", "extractive", "BLEU", "chrF++",
                     "tok:13a", "nw:2", "checks passed", "unsupported numbers", "glossary terms kept  0/1",
                     "2.000 s per article", "0.500 s per text"):
        assert expected in table, expected


# -- loading -------------------------------------------------------------------------------

RECORDS = [
    {"text": "第一篇。", "title": "一", "summary_zh": "摘要一", "translation_en": None},
    {"text": "第二篇。", "title": None, "summary_zh": None, "translation_en": "Second."},
    {"text": "第三篇。", "title": "三", "summary_zh": "摘要三", "translation_en": None},
]


def expected_rows(records):
    return [EvalRow(text=r["text"], title=r["title"], summary_zh=r["summary_zh"], translation_en=r["translation_en"])
            for r in records]


def test_jsonl_rows_with_different_columns(tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_text("".join(json.dumps({k: v for k, v in r.items() if v is not None}, ensure_ascii=False) + "\n"
                            for r in RECORDS), encoding="utf-8")
    assert load_rows(str(path)) == expected_rows(RECORDS)
    assert load_rows(str(path), limit=2) == expected_rows(RECORDS[:2])


def test_csv_and_parquet_rows(tmp_path):
    csv_path = tmp_path / "set.csv"
    csv_path.write_text("text,title,summary_zh,translation_en\n第一篇。,一,摘要一,\n第二篇。,,,Second.\n"
                        "第三篇。,三,摘要三,\n", encoding="utf-8")
    assert load_rows(str(csv_path)) == expected_rows(RECORDS)
    parquet_path = tmp_path / "set.parquet"
    pq.write_table(pa.Table.from_pylist(RECORDS), parquet_path)
    assert load_rows(str(parquet_path), split="ignored for files") == expected_rows(RECORDS)


def test_saved_dataset_folder_with_splits(tmp_path):
    folder = tmp_path / "saved"
    datasets.DatasetDict({"train": datasets.Dataset.from_list(RECORDS[:1]),
                          "test": datasets.Dataset.from_list(RECORDS)}).save_to_disk(str(folder))
    assert load_rows(str(folder), split="test", limit=2) == expected_rows(RECORDS[:2])
    assert load_rows(str(folder), split="train") == expected_rows(RECORDS[:1])
    with pytest.raises(ConfigError, match=r"no split 'validation' \(splits: train, test\)"):
        load_rows(str(folder), split="validation")


@pytest.mark.parametrize("content, problem", [
    ('{"body": "x", "summary_zh": "y"}\n', "no 'text' column"),
    ('{"text": "x", "summary": "y"}\n', "no reference column"),
])
def test_missing_columns_are_named(tmp_path, content, problem):
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=problem) as error:
        load_rows(str(path))
    assert str(path) in str(error.value)


@pytest.mark.parametrize("name, content, problem", [
    ("broken.jsonl", b'{"text": "x", "summary_zh": "y"}\n{broken\n', "cannot read rows: JSON parse error"),
    ("fake.parquet", b"not a parquet file", "cannot read rows: Parquet magic bytes"),
    ("empty.csv", b"", "empty file"),
])
def test_malformed_files_are_named_with_the_problem(tmp_path, name, content, problem):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(NlpError, match=problem) as error:
        load_rows(str(path))
    assert str(error.value).startswith(str(path))


def test_bad_paths_and_limits(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load_rows(str(tmp_path / "missing.jsonl"))
    (tmp_path / "set.txt").write_text("text\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="expected a .jsonl, .csv or .parquet"):
        load_rows(str(tmp_path / "set.txt"))
    with pytest.raises(ConfigError, match="not a folder saved with datasets"):
        load_rows(str(tmp_path))
    with pytest.raises(ConfigError, match="--limit must be at least 1"):
        load_rows(str(tmp_path / "set.txt"), limit=0)


# -- running without models -----------------------------------------------------------------

def test_run_systems_with_the_extractive_pipeline_and_no_translator(caplog):
    config = load_config(overrides={"summarizer.method": "extractive", "translator.enabled": False})
    pipeline = Pipeline.build(config)
    rows = [EvalRow(text=SOURCE + "第四句话在这里。", summary_zh=REFERENCE),
            EvalRow(text="海关总署发布数据。", translation_en="Customs released data.")]
    with caplog.at_level(logging.INFO, logger="nlp"):
        outputs = run_systems(pipeline, rows)
    assert "abstracts: 1/2 rows" in caplog.text
    article = pipeline.clean(rows[0].text)
    assert outputs[0].source == article.text
    assert outputs[0].lead3 == lead(article.text) != outputs[0].source  # four sentences, three kept
    assert outputs[0].abstract_zh == outputs[0].extractive  # the pipeline is the extractive summariser here
    assert outputs[0].abstract_en is None and outputs[0].seconds > 0
    assert outputs[1] == RowOutput()  # no summary reference, no translator: nothing ran


def test_command_refuses_a_report_folder_that_does_not_exist_before_running(tmp_path, capsys):
    from nlp.cli import main

    data = tmp_path / "set.jsonl"
    data.write_text('{"text": "第一篇。", "summary_zh": "摘要"}\n', encoding="utf-8")
    assert main(["evaluate", str(data), "--report", str(tmp_path / "missing" / "report.json")]) == 2
    assert "missing does not exist" in capsys.readouterr().err
    assert main(["evaluate", str(tmp_path / "absent.jsonl")]) == 2
    assert "absent.jsonl: no such file" in capsys.readouterr().err


def test_title_fact_is_the_share_of_abstracts_with_every_key_item_of_their_title():
    title = "1-7月四川查处环境违法案件2111件 罚款金额1.54亿元"  # key items: 四川, 1月, 7月, 2111, 1.54亿
    full = "今年1至7月，四川共查处环境违法案件2111件，罚款金额15400万元。"
    partial = "四川共查处环境违法案件2111件。"
    rows = [EvalRow(text=full, title=title, summary_zh=full), EvalRow(text=full, title=title, summary_zh=full),
            EvalRow(text=full, title="知名企业被罚", summary_zh=full)]  # no key item: not counted
    outputs = [RowOutput(source=full, abstract_zh=full, lead3=partial, extractive=full),
               RowOutput(source=full, abstract_zh=partial, lead3=partial, extractive=full),
               RowOutput(source=full, abstract_zh=partial, lead3=partial, extractive=partial)]
    report = score_rows(rows, outputs, GLOSSARY)
    assert report["per_row"][0]["title_fact"] == {"pipeline": True, "lead3": False, "extractive": True}
    assert "title_fact" not in report["per_row"][2]
    assert report["summaries"]["title_fact"] == {
        "rows": 2, "systems": {"pipeline": 50.0, "lead3": 0.0, "extractive": 100.0}}
    table = format_table({"data": "x.jsonl", "rows": 3, "summarizer": None, "translator": None, **report})
    assert "States the title's fact" in table and "(2 rows whose title has some)" in table
    lines = table.splitlines()
    start = next(i for i, line in enumerate(lines) if "States the title's fact" in line) + 1
    assert [line.split() for line in lines[start:start + 3]] == [
        ["pipeline", "50.00"], ["lead3", "0.00"], ["extractive", "100.00"]]
