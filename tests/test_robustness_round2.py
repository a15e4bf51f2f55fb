"""Hardening, round 2 (issue 17): lost edits, damaged files, whole runs lost to one input, tracebacks.

Each test reproduces one defect an adversarial run found. Commands run in-process through
`nlp.cli.main`, with strict UTF-8 output streams like a terminal's, and without models
(extractive summaries, no translator) wherever the defect is not about the models.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import stat
from pathlib import Path

import pytest

from nlp.cli import main
from nlp.config import load_config
from nlp.dataset.parts import TEMP_KIND
from nlp.errors import ConfigError, PostError
from nlp.files import TEMP_MARK, atomic_output, write_new_file
from nlp.pipeline import Pipeline
from nlp.posts import read_post, with_managed_keys, write_post

FAST = ["--set", "translator.enabled=false", "--set", "summarizer.method=extractive"]
ZH = ("<p>国务院常务会议今天召开，会议研究部署进一步优化营商环境的措施。会议指出，要加大对中小企业的"
      "支持力度，全年新增减税降费超过2.5万亿元。</p>\n")


def post_text(title: str = "国务院常务会议", body: str = ZH) -> str:
    return f"---\ntitle: {title}\ndate: 2021-12-10\n---\n{body}"


def run(*args) -> tuple[int, str, str]:
    """`nlp ARGS` in this process: (exit status, stdout, stderr); a traceback fails the test."""
    out, err = (io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True) for _ in range(2))
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code
    return code, *(stream.buffer.getvalue().decode("utf-8") for stream in (out, err))


def folder_of_posts(tmp_path: Path, count: int, name: str = "posts") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    for i in range(count):
        (folder / f"p{i:02d}.md").write_text(post_text(f"会议{i}"), encoding="utf-8")
    return folder


def snapshot(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- 2. a report or output path that is an input, or an existing file that is not a report ------

def test_a_report_named_like_an_input_post_is_refused_before_anything_is_written(tmp_path):
    folder = folder_of_posts(tmp_path, 2)
    before = snapshot(folder)
    code, _, err = run("enrich", *sorted(folder.glob("*.md")), "--report", folder / "p00.md", *FAST)
    assert code == 2 and "is one of the inputs" in err
    assert snapshot(folder) == before


def test_an_existing_file_that_is_not_a_report_is_refused_and_a_report_is_replaced(tmp_path):
    folder = folder_of_posts(tmp_path, 1)
    notes = tmp_path / "notes.json"
    notes.write_text('{"my": "notes"}\n', encoding="utf-8")
    code, _, err = run("enrich", folder, "--report", notes, *FAST)
    assert code == 2 and "is not a report" in err and notes.read_text(encoding="utf-8") == '{"my": "notes"}\n'
    report = tmp_path / "report.json"
    assert run("enrich", folder, "--report", report, *FAST)[0] == 0
    assert run("enrich", folder, "--report", report, *FAST)[0] == 0  # its own earlier report: replaced
    assert json.loads(report.read_text(encoding="utf-8"))["summary"]["unchanged"] == 1


def test_a_report_in_a_missing_folder_is_refused_before_the_run(tmp_path):
    folder = folder_of_posts(tmp_path, 2)
    before = snapshot(folder)
    code, _, err = run("enrich", folder, "--report", tmp_path / "missing" / "r.json", *FAST)
    assert code == 2 and "does not exist" in err
    assert snapshot(folder) == before  # checked before the run, not after it


def eval_rows(path: Path, rows: list[dict]) -> bytes:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path.read_bytes()


def test_evaluate_refuses_to_write_its_report_over_its_data(tmp_path):
    data = tmp_path / "eval.jsonl"
    before = eval_rows(data, [{"text": ZH, "summary_zh": "国务院召开常务会议。"}])
    code, _, err = run("evaluate", data, "--report", data, *FAST)
    assert code == 2 and "is one of the inputs" in err and data.read_bytes() == before


def test_enrich_dataset_refuses_to_write_over_its_input(tmp_path):
    data = tmp_path / "rows.jsonl"
    before = eval_rows(data, [{"content": ZH}])
    code, _, err = run("enrich-dataset", data, "--output", data, *FAST)
    assert code == 2 and "is one of the inputs" in err and data.read_bytes() == before


# -- 3. an editor's save between the check and the rename ----------------------------------------

@pytest.mark.parametrize("how", ["in place", "by rename"])
def test_an_editor_save_while_the_new_version_is_written_is_kept_and_reported(tmp_path, monkeypatch, how):
    path = tmp_path / "p.md"
    path.write_text(post_text(), encoding="utf-8")
    post = read_post(path)
    new_text = with_managed_keys(post, {"abstract_zh": "摘要。"})
    edited = post_text("编辑改过的标题")
    fsync = os.fsync

    def editor_saves_then_fsync(fd):  # the save lands after the check, while the temporary file is synced
        if path.read_text(encoding="utf-8") != edited:
            if how == "in place":
                path.write_text(edited, encoding="utf-8")
            else:
                (tmp_path / "editor.swp").write_text(edited, encoding="utf-8")
                os.replace(tmp_path / "editor.swp", path)
        fsync(fd)

    monkeypatch.setattr(os, "fsync", editor_saves_then_fsync)
    with pytest.raises(PostError, match="changed since it was read"):
        write_post(post, new_text)
    assert path.read_text(encoding="utf-8") == edited
    assert not [p for p in tmp_path.iterdir() if TEMP_MARK in p.name]


# -- 4. the leftover cleanup of `nlp enrich` and other writers' temporary files ------------------

def test_enrich_in_the_folder_of_a_running_enrich_dataset_leaves_its_output_alone(tmp_path):
    folder = folder_of_posts(tmp_path, 2)
    output = folder / "out.jsonl"
    runs = []

    with atomic_output(output, kind=TEMP_KIND) as tmp:  # enrich-dataset writing its output file meanwhile
        tmp.write_text('{"n": 1}\n', encoding="utf-8")
        runs.append(run("enrich", folder, *FAST))
        with open(tmp, "a", encoding="utf-8") as handle:
            handle.write('{"n": 2}\n')
    assert runs[0][0] == 0 and "removed" not in runs[0][2]
    assert [json.loads(line)["n"] for line in output.read_text(encoding="utf-8").splitlines()] == [1, 2]


def test_only_abandoned_temporary_files_of_ones_own_kind_are_removed(tmp_path):
    from nlp.files import remove_leftovers

    post = tmp_path / "p.md"
    post.write_text("old", encoding="utf-8")
    abandoned = {kind: tmp_path / f".p.md{TEMP_MARK}{kind}-k1ll3d_x" for kind in ("post", "dataset")}
    for leftover in abandoned.values():
        leftover.write_text("half", encoding="utf-8")
    with atomic_output(post, kind="dataset") as live:  # a live dataset writer beside them
        assert remove_leftovers(tmp_path, "post") == [abandoned["post"]]
        assert remove_leftovers(tmp_path, "dataset") == [abandoned["dataset"]] and live.exists()


# -- 5. modes of reports and dataset outputs ------------------------------------------------------

@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_new_outputs_honour_the_umask_and_replaced_ones_keep_their_mode(tmp_path, umask_022):
    report, rows = tmp_path / "r.json", tmp_path / "rows.jsonl"
    write_new_file(report, "{}\n")
    with atomic_output(rows, kind=TEMP_KIND) as tmp:  # as enrich-dataset writes its parts and output file
        tmp.write_text('{"a": 1}\n', encoding="utf-8")
    assert stat.S_IMODE(report.stat().st_mode) == stat.S_IMODE(rows.stat().st_mode) == 0o644
    os.chmod(report, 0o640)
    write_new_file(report, "{}\n")
    assert stat.S_IMODE(report.stat().st_mode) == 0o640


# -- 6. one failing post alone in its batch, and the number that made the checks raise -----------

def test_a_post_that_fails_alone_in_its_batch_fails_alone(tmp_path):
    folder = folder_of_posts(tmp_path, 17)  # the 17th is alone in the second batch of 16
    pipe = Pipeline.build(load_config(None, {"translator.enabled": False, "summarizer.method": "extractive"}))
    summarize = pipe.summarizer.summarize

    def model_error_on_the_last(article):  # a model error (out of memory, a bug) on one article
        if "会议16" in (article.title or ""):
            raise RuntimeError("model error")
        return summarize(article)

    pipe.summarizer.summarize = model_error_on_the_last
    results = list(pipe.enrich_files(sorted(folder.glob("*.md"))))
    assert [r.status for r in results] == ["updated"] * 16 + ["failed"]
    assert "RuntimeError: model error" in results[-1].message


HUGE_NUMBER = "9" * 5000  # over Python's 4,300-digit limit for int(str)


def test_a_number_of_thousands_of_digits_neither_stops_enrich_nor_evaluate(tmp_path):
    folder = folder_of_posts(tmp_path, 2)
    (folder / "p99.md").write_text(post_text("数字", f"<p>全年投资{HUGE_NUMBER}元，同比增长。</p>\n"), encoding="utf-8")
    code, _, err = run("enrich", folder, "--report", tmp_path / "r.json", *FAST)
    assert code == 0, err
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["summary"]["updated"] == 3
    data = tmp_path / "eval.jsonl"
    eval_rows(data, [{"text": f"全年投资{HUGE_NUMBER}元，同比增长。", "summary_zh": "投资增长。"}, {"text": ZH, "summary_zh": "会议。"}])
    assert run("evaluate", data, *FAST)[0] == 0


# -- 8. a folder tree deeper than Python's recursion limit ----------------------------------------

def test_a_folder_tree_990_levels_deep_is_walked(tmp_path):
    folder = folder_of_posts(tmp_path, 1)
    levels = [str(folder)]
    for _ in range(990):  # one level at a time: Path.mkdir(parents=True) itself recurses
        levels.append(os.path.join(levels[-1], "d"))
        os.mkdir(levels[-1])
    deep = Path(levels[-1], "deep.md")
    try:
        deep.write_text(post_text(), encoding="utf-8")
        code, _, err = run("enrich", folder, *FAST)
        assert code == 0 and "Traceback" not in err
        assert "abstract_zh" in read_post(deep).data
    finally:  # bottom up: shutil.rmtree, which pytest cleans up with, recurses too
        for name in os.listdir(levels[-1]):
            os.unlink(os.path.join(levels[-1], name))
        for level in reversed(levels[1:]):
            os.rmdir(level)


# -- 9. a file name that is not UTF-8 -------------------------------------------------------------

def test_a_file_name_that_is_not_utf8_is_enriched_and_reported(tmp_path):
    folder = folder_of_posts(tmp_path, 1)
    odd = os.path.join(os.fsencode(folder), b"\xff\xfe-odd.md")
    with open(odd, "wb") as handle:
        handle.write(post_text().encode("utf-8"))
    code, out, err = run("enrich", folder, "--dry-run", *FAST)
    assert code == 0 and out.count("+abstract_zh") == 2 and "\\udcff" in err
    code, _, err = run("enrich", folder, "--report", tmp_path / "r.json", *FAST)
    assert code == 0, err
    files = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["files"]
    assert {os.fsencode(f["path"]) for f in files} == {odd, os.fsencode(folder / "p00.md")}
    assert "abstract_zh" in read_post(os.fsdecode(odd)).data


# -- 10. an absolute --glob -----------------------------------------------------------------------

@pytest.mark.parametrize("pattern", ["/etc/*.md", "../*.md", ""])
def test_a_glob_outside_the_folders_is_a_usage_error(tmp_path, pattern):
    folder = folder_of_posts(tmp_path, 1)
    code, _, err = run("enrich", folder, "--glob", pattern, *FAST)
    assert code == 2 and "--glob" in err


# -- 11. out-of-range settings --------------------------------------------------------------------

@pytest.mark.parametrize("setting", [
    "limits.max_source_chars=-1", "limits.max_source_chars=0", "limits.max_file_bytes=0",
    "limits.min_chinese_ratio=.nan", "limits.min_chinese_ratio=2", "limits.max_abstract_share=.inf",
    "clean.max_sentence_chars=0", "clean.min_paragraph_chars=-3", "summarizer.max_new_tokens=0",
    "summarizer.num_beams=0", "summarizer.min_new_tokens=500", "translator.max_batch_tokens=0",
    "translator.max_input_tokens=-5", "runtime.threads=-1", "summarizer.extractive.damping=.nan",
])
def test_an_out_of_range_setting_is_refused_at_load_time_naming_its_key(tmp_path, setting):
    key = setting.partition("=")[0]
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_config(None, {key: setting.partition("=")[2]})
    (tmp_path / "p.md").write_text(post_text(), encoding="utf-8")
    code, _, err = run("summarize", tmp_path / "p.md", "--set", setting, *FAST)
    assert code == 2 and key in err and len(err) < 300


# -- 12. YAML alias bombs in config and rule files ------------------------------------------------

def alias_bomb(levels: int) -> str:
    """A flow list of a few lines whose aliases stand for 9**levels values."""
    anchors = ["&a0 [x, x, x, x, x, x, x, x, x]"]
    anchors += [f"&a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "[" + ", ".join(anchors) + "]"


def test_an_alias_bomb_in_a_config_file_is_refused_with_a_short_message(tmp_path):
    config = tmp_path / "bomb.yaml"
    config.write_text(f"front_matter:\n  title_en: {alias_bomb(6)}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="aliases") as refused:
        load_config(config)
    assert len(str(refused.value)) < 300
    code, _, err = run("clean", "-", "--set", f"clean.to_simplified={alias_bomb(6)}")
    assert code == 2 and "aliases" in err and len(err) < 300


def test_an_alias_bomb_in_a_rules_file_is_refused(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(f"bomb:\n  drop: {alias_bomb(6)}\n", encoding="utf-8")
    (tmp_path / "p.md").write_text(post_text(), encoding="utf-8")
    code, _, err = run("clean", tmp_path / "p.md", "--set", f"clean.rules=[{rules}]")
    assert code == 2 and "aliases" in err and len(err) < 300


# -- 13. a TOML post holding nan --------------------------------------------------------------------

def test_a_toml_post_holding_nan_is_enriched(tmp_path):
    path = tmp_path / "p.md"
    path.write_text(f'+++\ntitle = "国务院常务会议"\nrating = nan\n+++\n{ZH}', encoding="utf-8")
    code, _, err = run("enrich", path, *FAST)
    assert code == 0, err
    data = read_post(path).data
    assert "abstract_zh" in data and data["rating"] != data["rating"]


# -- 14. the same post named twice ------------------------------------------------------------------

def test_the_same_post_reached_twice_is_enriched_once(tmp_path):
    folder = folder_of_posts(tmp_path, 2)
    (tmp_path / "link").symlink_to(folder, target_is_directory=True)
    code, out, err = run("enrich", folder, tmp_path / "link", folder / "p00.md", *FAST)
    assert code == 0, err
    assert out.strip().endswith("2 updated, 0 unchanged, 0 stale, 0 skipped, 0 failed")


# -- 15. the same limits on every entry point ----------------------------------------------------------

def test_a_huge_title_reaches_the_translator_cut(tiny_marian):
    pipe = Pipeline.from_config(overrides={"translator.model": str(tiny_marian), "summarizer.method": "extractive"})
    given = []
    translate = pipe.translator.translate
    pipe.translator.translate = lambda texts: given.extend(texts) or translate(texts)
    abstract = pipe.process_text(ZH, title="国务院常务会议" * 300)
    assert max(map(len, given)) <= 500  # limits.max_title_chars
    assert any("title longer than" in check for check in abstract.meta["checks"])


def test_summarize_and_translate_apply_the_limits_enrich_applies(tmp_path):
    path = tmp_path / "p.md"
    path.write_text(post_text(body=ZH * 40), encoding="utf-8")
    code, _, err = run("summarize", path, "--set", "limits.max_file_bytes=1000", *FAST)
    assert code == 1 and "over limits.max_file_bytes" in err
    code, _, err = run("summarize", path, "--set", "limits.max_source_chars=200", *FAST)
    assert code == 0 and "only its beginning was summarised" in err
    code, _, err = run("translate", path, "--set", "limits.max_file_bytes=1000", *FAST)
    assert code == 1 and "over limits.max_file_bytes" in err


# -- 16. managed key names that collide, and counts below one -------------------------------------------

@pytest.mark.parametrize("setting", ["front_matter.abstract_zh=title", "front_matter.abstract_en=abstract_zh",
                                     "front_matter.meta=Tags", "front_matter.title_en=",
                                     "front_matter.opt_out=abstract_zh"])
def test_managed_key_names_that_collide_are_refused(tmp_path, setting):
    folder = folder_of_posts(tmp_path, 1)
    before = snapshot(folder)
    code, _, err = run("enrich", folder, "--set", setting, *FAST)
    assert code == 2 and setting.partition("=")[0] in err
    assert snapshot(folder) == before


def test_the_opt_out_key_is_a_posts_own_key_and_loads():
    """auto_abstract is read from posts (it is in POST_KEYS so no managed key takes it)."""
    assert load_config().front_matter.opt_out == "auto_abstract"


@pytest.mark.parametrize("args", [["enrich-dataset", "rows.jsonl", "--output", "o.jsonl", "--batch-size", "0"],
                                  ["enrich-dataset", "rows.jsonl", "--output", "o.jsonl", "--batch-size", "-1"],
                                  ["enrich", ".", "--jobs", "0"], ["evaluate", "e.jsonl", "--limit", "0"]])
def test_counts_below_one_are_usage_errors(args):
    code, _, err = run(*args)
    assert code == 2 and "must be at least 1" in err
