"""Concurrency: two batch runs at once, a reviewer saving while a batch runs, a person editing mid-run.

No write is lost, no file is corrupted or gets a key twice, and a file that changed between read
and write is never overwritten: the writer reports it instead.
"""
from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from nlp.pipeline import Pipeline
from nlp.posts import read_post
from test_robustness_interrupt import ENV, NO_MODELS, POSTS, Corpus, assert_enriched

CHANGED = "changed since it was read; not overwritten"


@pytest.fixture(scope="module")
def pipe():
    return Pipeline.from_config(overrides={"translator.enabled": False, "summarizer.method": "extractive"})


def start_enrich(folder: Path, report: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "nlp", "enrich", str(folder), "--report", str(report), *NO_MODELS],
                            env=ENV, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def statuses(report: Path) -> dict[str, dict]:
    return {Path(f["path"]).name: f for f in json.loads(report.read_text(encoding="utf-8"))["files"]}


def test_two_runs_over_one_folder_at_once_write_each_post_once(tmp_path):
    corpus = Corpus(tmp_path / "posts", POSTS)
    reports = [tmp_path / "a.json", tmp_path / "b.json"]
    runs = [start_enrich(corpus.folder, report) for report in reports]
    for run in runs:
        run.communicate(timeout=300)
        assert run.returncode in (0, 1)
    a, b = map(statuses, reports)
    enriched = corpus.check()
    assert enriched == sum(entry["status"] != "skipped" for entry in a.values())
    for name in a:
        pair = sorted([a[name], b[name]], key=lambda entry: entry["status"] != "updated")
        if pair[0]["status"] == "skipped":
            assert pair[1]["status"] == "skipped"
            continue
        assert pair[0]["status"] == "updated", "one of the runs wrote it"
        assert pair[1]["status"] == "unchanged" or CHANGED in pair[1]["message"], pair[1]
    assert not corpus.leftovers()

    again = subprocess.run([sys.executable, "-m", "nlp", "enrich", str(corpus.folder), *NO_MODELS], text=True,
                           capture_output=True, env=ENV, timeout=120)
    assert again.returncode == 0 and again.stdout.strip().endswith(f"0 updated, {enriched} unchanged, 0 stale, "
                                                                   f"{len(POSTS) - enriched} skipped, 0 failed")


def test_reviews_saved_while_a_batch_runs_are_never_lost(tmp_path, pipe):
    corpus, report = Corpus(tmp_path / "posts", POSTS), tmp_path / "batch.json"
    batch = start_enrich(corpus.folder, report)
    for line in batch.stderr:  # until it has written its first post
        if line.startswith("updated: "):
            break
    saved = {}
    for i, path in enumerate(reversed(sorted(corpus.originals))):  # towards the batch, which goes in order
        review = f"审阅后的摘要第{i}篇。"
        result = pipe.save_review(path, review, f"Reviewed abstract {i}.", f"Title {i}")
        assert result.status in ("updated", "failed"), result
        if result.status == "updated":
            saved[path] = review
        else:
            assert CHANGED in result.message, result.message
    batch.communicate(timeout=300)
    corpus.check()
    for path, review in saved.items():
        data = read_post(path).data
        assert data["abstract_zh"] == review and data["abstract_meta"]["reviewed"] is True, path
    for name, entry in statuses(report).items():
        if entry["status"] == "failed":
            assert CHANGED in entry["message"] and corpus.folder / name in saved
    assert not corpus.leftovers()


class EditedMeanwhile:
    """The pipeline's summariser, while a person saves an edit of `path` in their editor."""

    def __init__(self, summarizer, path: Path, edit: bytes):
        self.summarizer, self.path, self.edit = summarizer, path, edit

    def summarize(self, article):
        self.path.write_bytes(self.edit)
        return self.summarizer.summarize(article)


def test_a_post_edited_between_read_and_write_is_not_overwritten_but_reported(tmp_path, pipe, monkeypatch):
    corpus = Corpus(tmp_path / "posts", POSTS[:1])
    path, original = next(iter(corpus.originals.items()))
    edit = original.replace("。".encode(), "。（编者补充）".encode(), 1)
    monkeypatch.setattr(pipe, "summarizer", EditedMeanwhile(pipe.summarizer, path, edit))
    result = pipe.enrich_file(path)
    assert result.status == "failed" and result.message == f"{path}: {CHANGED} (run again)"
    assert path.read_bytes() == edit

    monkeypatch.undo()
    assert pipe.enrich_file(path).status == "updated"
    assert_enriched(path, edit)


def test_saves_racing_on_one_post_from_many_threads_keep_one_whole_version(tmp_path, pipe):
    corpus = Corpus(tmp_path / "posts", POSTS[:1])
    path = next(iter(corpus.originals))
    results = [None] * 8

    def save(i):
        results[i] = pipe.save_review(path, f"第{i}位审阅者的摘要。", f"Reviewer {i}.", f"Title {i}")

    threads = [threading.Thread(target=save, args=(i,)) for i in range(len(results))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert all(r.status == "updated" or CHANGED in r.message for r in results), results
    winners = [i for i, r in enumerate(results) if r.status == "updated"]
    assert winners and read_post(path).data["abstract_zh"] in {f"第{i}位审阅者的摘要。" for i in winners}
    corpus.check()
    assert not corpus.leftovers()
