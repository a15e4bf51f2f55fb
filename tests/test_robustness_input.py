"""Bad posts: each ends in a clear per-file message or is handled, and the batch goes on.

One mixed folder of every kind of odd file goes through `python -m nlp enrich` with tiny models,
as a user would run it; files that are not updated must stay byte-identical. Model windows and
Traditional Chinese are checked in-process by recording what the loaded models are given.
"""
from __future__ import annotations

import json
import re
import resource
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from nlp.errors import PostError
from nlp.pipeline import Pipeline
from nlp.posts import parse_post, read_post
from test_enrich import assert_only_managed_keys_changed, run_nlp, snapshot

ZH = ("<p>国务院常务会议今天召开，会议研究部署进一步优化营商环境的措施。会议指出，要加大对中小企业的"
      "支持力度，全年新增减税降费超过2.5万亿元。</p>\n")
TRADITIONAL = ("<p>國務院常務會議今天召開，會議研究部署進一步優化營商環境的措施。會議指出，要加大對中小"
               "企業的支持力度。</p>\n")
TRADITIONAL_ONLY = set("國務會議開進優營環業對")  # these characters never appear in Simplified text
NO_PUNCTUATION = "国务院常务会议研究部署进一步优化营商环境的措施加大对中小企业的支持力度"
MAX_RSS_BYTES = 2_000_000_000
MAX_SECONDS = 60  # for the whole folder; about 3 s here, a quadratic step on the big posts would take minutes


def post(front_matter: str, body: str = ZH, encoding: str = "utf-8") -> bytes:
    return f"---\n{front_matter}\n---\n{body}".encode(encoding)


def alias_bomb(levels: int) -> str:
    """YAML front matter of a few lines whose aliases stand for 9**levels values."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + f"\ntitle: *a{levels - 1}"


# name: (bytes, expected status, fragments the message must hold; for `updated`, fragments of the checks)
BAD_POSTS = {
    "empty.md": (b"", "failed", ["empty file"]),
    "front-matter-only.md": (post("title: 只有前言", ""), "skipped", ["no article text"]),
    "no-front-matter.md": (ZH.encode(), "failed", ["no front matter", "add an empty one"]),
    "unclosed-quote.md": (post("title: '没有闭合\ndate: 2021-12-10"), "failed", [":2:", "not valid YAML"]),
    "yaml-tab.md": (post("title: 标题\n\tdate: 2021"), "failed", [":3:", "not valid YAML"]),
    "duplicate-keys.md": (post("title: 标题\ntitle: 又一个"), "failed", [":3:", "duplicate", "keep one"]),
    "toml-error.md": (f'+++\ntitle = "标题\ndate = 2021\n+++\n{ZH}'.encode(), "failed", [":2:", "not valid TOML"]),
    "json-error.md": (f';;;\n"title": "标题",\n"date": 2021,\n;;;\n{ZH}'.encode(), "failed",
                      [":4:", "not valid JSON"]),
    "alias-bomb.md": (post(alias_bomb(8)), "failed", ["aliases"]),
    "deeply-nested.md": (post("tags: " + "[" * 1500 + "]" * 1500), "failed", ["nested too deeply"]),
    "gb18030.md": (post("title: 国务院", encoding="gb18030"), "failed", ["looks like GB18030", "iconv -f GB18030"]),
    "big5.md": (post("title: 國務院", TRADITIONAL, "big5"), "failed", ["looks like BIG5", "iconv -f BIG5"]),
    "utf16.md": (post("title: 国务院", encoding="utf-16"), "failed", ["UTF-16", "iconv -f UTF-16"]),
    "binary.md": (bytes(range(256)) * 8, "failed", ["binary file"]),
    "huge.md": (post("title: 巨大", ZH * (5 * 2**20 // len(ZH.encode()) + 1)), "failed",
                ["over limits.max_file_bytes", "--set limits.max_file_bytes"]),
    "long.md": (post("title: 很长", ZH * 1000), "updated", ["only its beginning was summarised"]),
    "english.md": (post("title: Hello", "This post is in English only, with nothing Chinese to summarise.\n"),
                   "skipped", ["not Chinese"]),
    "mixed.md": (post("title: Mixed", "The State Council met today to discuss measures for small firms, tax "
                      "cuts and credit. 国务院会议。 More English follows, so letters are mostly Latin.\n"),
                 "skipped", ["not Chinese"]),
    "traditional.md": (post("title: 國務院常務會議", TRADITIONAL), "updated", []),
    "no-punctuation.md": (post("title: 无标点", NO_PUNCTUATION * 30 + "\n"), "updated", []),
    "long-sentence.md": (post("title: 长句", f"<p>{NO_PUNCTUATION * 300}</p>\n"), "updated", []),
    "word-html.md": (post("title: 会议", "<p><![ if !supportLists]>国务院召开常务会议。<![foo[x]]>会议研究部署工作。</p>\n"),
                     "updated", []),
    "nested-quotes.md": (post("title: 引用", "> " * 500_000 + ZH), "updated", []),
}


@pytest.fixture(scope="module")
def enriched(tiny_marian, tmp_path_factory):
    """The mixed folder after one `nlp enrich` run: (folder, bytes before, report, process)."""
    folder = tmp_path_factory.mktemp("bad") / "posts"
    folder.mkdir()
    for name, (data, _, _) in BAD_POSTS.items():
        (folder / name).write_bytes(data)
    before = snapshot(folder)
    report = folder.parent / "report.json"
    result = run_nlp("enrich", folder, "--report", report, "--set", f"translator.model={tiny_marian}",
                     "--set", "summarizer.method=extractive")
    return folder, before, json.loads(report.read_text(encoding="utf-8")), result


def test_every_bad_post_gets_its_status_and_a_clear_message(enriched):
    folder, _, report, result = enriched
    files = {Path(f["path"]).name: f for f in report["files"]}
    assert set(files) == set(BAD_POSTS), "the batch went on to every file"
    for name, (_, status, fragments) in BAD_POSTS.items():
        entry = files[name]
        assert entry["status"] == status, (name, entry)
        said = " ".join(entry["checks"]) if status == "updated" else entry["message"]
        assert all(fragment in said for fragment in fragments), (name, said)
        if status == "failed":
            assert entry["message"].startswith(str(folder / name) + ":"), entry["message"]
            assert f"failed: {folder / name}: " in result.stderr
    counts = {s: sum(v[1] == s for v in BAD_POSTS.values()) for s in ("updated", "unchanged", "stale", "skipped", "failed")}
    assert result.stdout.strip().splitlines()[-1] == ", ".join(f"{n} {s}" for s, n in counts.items())
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert report["summary"]["seconds"] < MAX_SECONDS


def test_files_not_updated_are_byte_identical_and_updated_ones_changed_only_managed_keys(enriched):
    folder, before, report, _ = enriched
    assert {p.name for p in folder.iterdir()} == set(BAD_POSTS), "no stray or temporary files"
    for entry in report["files"]:
        path = Path(entry["path"])
        if entry["status"] == "updated":
            assert_only_managed_keys_changed(path, before[path])
        else:
            assert path.read_bytes() == before[path], path


def test_memory_stays_bounded(enriched):
    """Peak memory of the largest child process so far (this run among them), in bytes."""
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 < MAX_RSS_BYTES


def test_traditional_chinese_is_simplified_in_the_stored_abstract(enriched):
    folder, *_ = enriched
    abstract = read_post(folder / "traditional.md").data["abstract_zh"]
    assert set("国务会议") & set(abstract) and not TRADITIONAL_ONLY & set(abstract)


@pytest.mark.skipif(not shutil.which("iconv"), reason="needs iconv, which the message tells users to run")
@pytest.mark.parametrize("name", ["gb18030.md", "big5.md"])
def test_the_suggested_conversion_makes_a_legacy_encoded_post_work(enriched, tmp_path, name):
    folder, _, report, _ = enriched
    message = next(f["message"] for f in report["files"] if Path(f["path"]).name == name)
    copy = tmp_path / name
    shutil.copy(folder / name, copy)
    command = message[message.index("iconv "):].removesuffix(")")
    command = command.replace(shlex.quote(str(folder / name)), shlex.quote(str(copy)))
    subprocess.run(command, shell=True, check=True, cwd=tmp_path)
    title = read_post(copy).data["title"]
    assert title in ("国务院", "國務院")


def test_an_alias_bomb_is_refused_before_anything_expands_it():
    with pytest.raises(PostError, match="aliases"):
        parse_post(f"---\n{alias_bomb(12)}\n---\n正文\n")
    assert parse_post("---\nbase: &b [a, b]\ntags: *b\n---\n正文\n").data["tags"] == ["a", "b"]


NESTED = "[" * 2000 + "]" * 2000


@pytest.mark.parametrize("text", [f"---\ntags: {NESTED}\n---\n", f"+++\ntags = {NESTED}\n+++\n",
                                  f';;;\n"tags": {NESTED}\n;;;\n', f'{{"tags": {NESTED}}}\n'])
def test_deeply_nested_front_matter_is_refused_in_every_syntax(text):
    with pytest.raises(PostError, match="nested too deeply"):
        parse_post(text + "正文\n")


# --- what the loaded models are given -------------------------------------------------------------

def abstractive_pipeline(tiny_mt5, tiny_marian, **overrides) -> Pipeline:
    """Tiny mT5 summariser and tiny Marian translator (loaded once per process, then shared)."""
    return Pipeline.from_config(overrides={"summarizer.model": str(tiny_mt5), "summarizer.method": "abstractive",
                                           "translator.model": str(tiny_marian), **overrides})


def record_inputs(monkeypatch, pipe) -> dict:
    """Wrap generate() of the pipeline's loaded models: model -> every text it was given."""
    seen = {}
    for model in (pipe.summarizer.model, pipe.translator.seq2seq):
        seen[model] = []

        def recording(texts, _generate=model.generate, _seen=seen[model], **options):
            _seen.extend(texts)
            return _generate(texts, **options)

        monkeypatch.setattr(model, "generate", recording)
    return seen


def test_no_model_input_is_longer_than_the_models_window(tiny_mt5, tiny_marian, tmp_path, monkeypatch):
    pipe = abstractive_pipeline(tiny_mt5, tiny_marian)
    path = tmp_path / "long-sentences.md"
    sentence_with_commas = "，".join([NO_PUNCTUATION[:40]] * 250)[:10_000]
    path.write_bytes(post(f"title: {sentence_with_commas}", f"<p>{(NO_PUNCTUATION * 300)[:10_000]}</p>\n"))
    seen = record_inputs(monkeypatch, pipe)
    result = pipe.enrich_file(path)
    assert result.status == "updated", result.message
    for model, texts in seen.items():
        assert texts, f"{model} was not called"
        assert max(model.count_tokens(texts)) <= model.max_input_tokens, model
    assert sum(map(len, seen[pipe.summarizer.model])) >= 10_000, "the whole sentence was summarised"


@pytest.mark.parametrize("to_simplified", [True, False])
def test_traditional_chinese_reaches_the_models_simplified_when_configured(tiny_mt5, tiny_marian, tmp_path,
                                                                           monkeypatch, to_simplified):
    pipe = abstractive_pipeline(tiny_mt5, tiny_marian, **{"clean.to_simplified": to_simplified})
    path = tmp_path / "traditional.md"
    path.write_bytes(post("title: 國務院常務會議", TRADITIONAL))
    seen = record_inputs(monkeypatch, pipe)
    assert pipe.enrich_file(path).status == "updated"
    given = "".join(text for texts in seen.values() for text in texts)
    assert bool(TRADITIONAL_ONLY & set(given)) is not to_simplified
    assert re.search("国务院|國務院", given)
