"""`nlp enrich-dataset` with the local engine: failing rows, resumable parts, kills, progress, output files.

Most runs use the extractive summariser and the tiny Marian translator: real pipelines that are
fast enough for a few hundred rows.
"""
from __future__ import annotations

import io
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from nlp.config import load_config
from nlp.dataset import enrich_dataset
from nlp.dataset.parts import common_schema
from nlp.dataset.progress import Progress
from nlp.files import TEMP_MARK
from nlp.pipeline import Pipeline
from nlp.posts import read_post
from repo_data import POSTS_DIR

ENV = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONIOENCODING="utf-8")
FAST = {"summarizer.method": "extractive", "translator.enabled": False}
ABSTRACT_COLUMNS = ("title_en", "abstract_zh", "abstract_en", "checks", "error")


def articles(count: int) -> list[dict]:
    """`count` rows made from the corpus posts, each with its own id."""
    posts = [read_post(path) for path in sorted(POSTS_DIR.glob("*.md"))]
    return [{"id": f"row-{i:04d}", "title": str(posts[i % len(posts)].data.get("title", "")),
             "content": posts[i % len(posts)].body} for i in range(count)]


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n"
                            for r in rows), encoding="utf-8")
    return path


def read_parts(folder: Path) -> list[dict]:
    return [row for part in sorted(folder.glob("part-*.parquet")) for row in pq.read_table(part).to_pylist()]


def nlp_args(overrides: dict) -> list[str]:
    return [arg for key, value in overrides.items() for arg in ("--set", f"{key}={json.dumps(value)}")]


def run_nlp(*args, **popen):
    return subprocess.run([sys.executable, "-m", "nlp", *map(str, args)], capture_output=True, text=True,
                          env=ENV, timeout=600, **popen)


@pytest.fixture(scope="module")
def marian_settings(tiny_marian):
    return {"summarizer.method": "extractive", "translator.model": str(tiny_marian)}


class FailsOn:
    """A summariser that gives up on articles holding `marker`, as a model can on one odd input."""

    def __init__(self, inner, marker: str):
        self.inner, self.marker = inner, marker

    def summarize(self, article):
        if self.marker in article.text:
            raise RuntimeError("chunk summaries no longer shrink")
        return self.inner.summarize(article)


def test_failing_rows_are_recorded_and_every_other_row_is_enriched(tmp_path, marian_settings):
    rows = articles(120)
    marker = "无法摘要的标记"
    for i in (5, 6, 70):  # two in one batch, so the batch is retried row by row
        rows[i]["content"] += f"\n\n{marker}。"
    lines = rows[:30] + ["{not json"] + rows[30:60] + [{"id": "list", "content": ["a", "b"]}] + rows[60:]
    source = write_jsonl(tmp_path / "in.jsonl", lines)
    config = load_config(overrides=marian_settings | {"dataset.batch_size": 8, "dataset.batches_per_part": 4})
    pipeline = Pipeline.build(config)
    pipeline.summarizer = FailsOn(pipeline.summarizer, marker)
    log = io.StringIO()
    outcome = enrich_dataset(config, str(source), str(tmp_path / "out"), pipeline=pipeline, err=log)

    out = read_parts(tmp_path / "out")
    assert outcome.rows == len(out) == len(lines) and outcome.failed == 5
    assert [r["id"] for r in out if r["id"]] == [r["id"] for r in lines if isinstance(r, dict)]
    failed = {i: r["error"] for i, r in enumerate(out) if r["error"]}
    assert sorted(failed) == [5, 6, 30, 61, 72]
    assert failed[5] == failed[6] == failed[72] == "RuntimeError: chunk summaries no longer shrink"
    assert failed[30].startswith("in.jsonl:31: not valid JSON")
    assert failed[61] == "column 'content' holds list ['a', 'b'], not text"
    for i in failed:
        assert out[i]["abstract_zh"] is None and out[i]["abstract_en"] is None and out[i]["checks"] == []
    enriched = [r for i, r in enumerate(out) if i not in failed and r["abstract_zh"]]
    assert len(enriched) >= len(out) - len(failed) - 6  # corpus stubs have no article text
    assert all(r["abstract_en"] and r["error"] is None for r in enriched)
    assert all(f"row {i}: failed: {failed[i]}" in log.getvalue() for i in failed)


def test_cli_bad_cells_fail_their_rows_exit_1_no_traceback(tmp_path):
    rows = articles(20)
    rows[3]["content"], rows[9]["content"], rows[12]["content"] = 42, {"html": "<p>x</p>"}, None
    source = write_jsonl(tmp_path / "in.jsonl", rows[:15] + ["[1, 2]"] + rows[15:])
    result = run_nlp("enrich-dataset", source, "--output", tmp_path / "out.jsonl", *nlp_args(FAST))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "21 rows, 3 failed" in result.stdout
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [bool(r["error"]) for r in out] == [i in (3, 9, 15) for i in range(21)]
    assert out[3]["error"] == "column 'content' holds int 42, not text"
    assert out[15]["error"] == "in.jsonl:16: a JSON list, not an object"
    assert out[12]["checks"] == ["no article text after cleaning"] and out[12]["error"] is None
    assert not (tmp_path / "out.jsonl.parts").exists()


def test_parquet_output_of_a_column_null_first_and_text_later(tmp_path):
    rows = articles(40)
    for i, row in enumerate(rows):
        row["note"] = None if i < 20 else f"note {i}"  # null in the first part, text later
        row["ref"] = i if i % 2 else f"r{i}"  # numbers and text in one column
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    result = run_nlp("enrich-dataset", source, "--output", tmp_path / "out.parquet", "--batch-size", "4",
                     "--set", "dataset.batches_per_part=2", *nlp_args(FAST))
    assert result.returncode == 0, result.stderr
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.schema.field("note").type == pa.string() and table.schema.field("ref").type == pa.string()
    out = table.to_pylist()
    assert [r["note"] for r in out] == [r["note"] for r in rows]
    assert [r["ref"] for r in out] == [str(r["ref"]) for r in rows]
    assert [r["id"] for r in out] == [r["id"] for r in rows]


def test_parts_with_conflicting_types_get_one_schema():
    schemas = [pa.schema([("a", pa.null()), ("b", pa.int64())]), pa.schema([("a", pa.string()), ("b", pa.string())])]
    assert common_schema(schemas) == pa.schema([("a", pa.string()), ("b", pa.string())])


def test_single_file_outputs_hold_the_same_rows(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", articles(24))
    settings = nlp_args(FAST) + ["--batch-size", "4"]
    outputs = {suffix: tmp_path / f"out{suffix}" for suffix in (".jsonl", ".csv", ".parquet")}
    for output in outputs.values():
        assert run_nlp("enrich-dataset", source, "--output", output, *settings).returncode == 0
    as_jsonl = [json.loads(line) for line in outputs[".jsonl"].read_text(encoding="utf-8").splitlines()]
    assert pq.read_table(outputs[".parquet"]).to_pylist() == as_jsonl
    import csv

    with open(outputs[".csv"], encoding="utf-8", newline="") as handle:
        as_csv = list(csv.DictReader(handle))
    assert [r["abstract_zh"] for r in as_csv] == [r["abstract_zh"] or "" for r in as_jsonl]
    assert sum(bool(r["abstract_zh"]) for r in as_jsonl) >= 18
    assert [json.loads(r["checks"]) for r in as_csv] == [r["checks"] for r in as_jsonl]


def test_sigkill_then_rerun_skips_finished_parts_and_equals_an_uninterrupted_run(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", articles(400))
    args = ["enrich-dataset", source, "--batch-size", "8", "--set", "dataset.batches_per_part=2", *nlp_args(FAST)]
    whole = run_nlp(*args, "--output", tmp_path / "whole")
    assert whole.returncode == 0, whole.stderr

    out = tmp_path / "killed"
    process = subprocess.Popen([sys.executable, "-m", "nlp", *map(str, args), "--output", str(out)], env=ENV,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(list(out.glob("part-*.parquet"))) < 2 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(random.uniform(0, 0.3))  # anywhere in the next part, possibly inside its write
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL
    finished = sorted(out.glob("part-*.parquet"))
    assert 2 <= len(finished) < 25

    rerun = run_nlp(*args, "--output", out)
    assert rerun.returncode == 0, rerun.stderr
    skipped = [line for line in rerun.stderr.splitlines() if "finished by an earlier run, skipped" in line]
    assert len(skipped) == len(finished)
    assert read_parts(out) == read_parts(tmp_path / "whole")
    assert not list(out.glob(f"*{TEMP_MARK}*"))


def test_leftovers_are_removed_only_when_no_run_owns_them(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", articles(40))
    args = ["enrich-dataset", source, "--output", tmp_path / "out", "--batch-size", "4", *nlp_args(FAST)]
    assert run_nlp(*args).returncode == 0
    leftover = tmp_path / "out" / f".part-00007.parquet{TEMP_MARK}dataset-abcd1234"
    foreign = tmp_path / "out" / f".notes.md{TEMP_MARK}file-abcd1234"  # not ours: another kind of write
    leftover.write_bytes(b"half a part")
    foreign.write_bytes(b"someone else's")

    import fcntl

    with open(tmp_path / "out" / ".lock", "a") as lock:  # a live run holds the folder's lock
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        busy = run_nlp(*args)
    assert busy.returncode == 1 and "another enrich-dataset run is writing here" in busy.stderr
    assert leftover.exists()

    rerun = run_nlp(*args)
    assert rerun.returncode == 0, rerun.stderr
    assert f"removed {leftover}: left by an interrupted run" in rerun.stderr
    assert not leftover.exists() and foreign.exists()


def test_sigterm_leaves_no_temporary_file_and_the_rerun_resumes(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", articles(200))
    out = tmp_path / "out.jsonl"
    args = ["enrich-dataset", source, "--output", out, "--batch-size", "4", "--set", "dataset.batches_per_part=2",
            *nlp_args(FAST)]
    process = subprocess.Popen([sys.executable, "-m", "nlp", *map(str, args)], env=ENV,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    parts = tmp_path / "out.jsonl.parts"
    deadline = time.monotonic() + 120
    while len(list(parts.glob("part-*.parquet"))) < 2 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGTERM)
    assert process.wait() == 128 + signal.SIGTERM, process.stderr.read()
    assert "Traceback" not in process.stderr.read()
    assert not list(tmp_path.rglob(f"*{TEMP_MARK}*")) and not out.exists()
    killed_join = tmp_path / f".out.jsonl{TEMP_MARK}dataset-abcd1234"  # as a SIGKILL while joining the parts leaves it
    other_output = tmp_path / f".out.jsonl.bak{TEMP_MARK}abcd1234"  # another output's: not ours to remove
    killed_join.write_text("half", encoding="utf-8")
    other_output.write_text("half", encoding="utf-8")
    rerun = run_nlp(*args)
    assert rerun.returncode == 0 and "skipped" in rerun.stderr
    assert not killed_join.exists() and other_output.exists()
    assert len(out.read_text(encoding="utf-8").splitlines()) == 200


def test_other_settings_are_refused_and_force_starts_over(tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", articles(16))
    args = ["enrich-dataset", source, "--output", tmp_path / "out", "--batch-size", "4", *nlp_args(FAST)]
    assert run_nlp(*args).returncode == 0
    again = run_nlp(*args)
    assert again.returncode == 0 and again.stderr.count("finished by an earlier run, skipped") == 1
    other = run_nlp(*args, "--set", "summarizer.extractive.max_chars=80")
    assert other.returncode == 2 and "holds parts made from another settings" in other.stderr
    write_jsonl(source, articles(17))
    changed = run_nlp(*args)
    assert changed.returncode == 2 and "another input" in changed.stderr
    forced = run_nlp(*args, "--force")
    assert forced.returncode == 0 and "starting over" in forced.stderr
    assert len(read_parts(tmp_path / "out")) == 17


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_a_bar_on_a_terminal_and_plain_lines_otherwise():
    bar = Terminal()
    progress = Progress(100, bar)
    progress.skip(20)
    progress.update(30)
    progress.close()
    assert "50/100" in bar.getvalue() and "row/s" in bar.getvalue()

    plain = io.StringIO()
    progress = Progress(100, plain, every_s=0)
    progress.update(40)
    progress.milestone("part 0 written", rows=10)
    lines = plain.getvalue().splitlines()
    assert lines[0].startswith("40/100 rows, ") and "rows/s, ETA " in lines[0]
    assert lines[1].startswith("part 0 written: 50/100 rows")
