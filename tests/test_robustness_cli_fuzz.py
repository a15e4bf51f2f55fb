"""Property test of the command line: generated folders of posts, generated settings, every command.

Whatever the posts and settings, a command ends with exit status 0, 1 or 2 and no traceback,
and every file is either byte-identical or exactly the original with some managed keys set
(re-parsed and compared with a fresh edit), with nothing left beside it. Commands run in-process
through `nlp.cli.main` without models (extractive summaries, no translator), so a few dozen
examples fit in well under a minute.
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp.config import load_config
from nlp.errors import NlpError, PostError
from nlp.files import TEMP_MARK
from nlp.posts import parse_post, with_managed_keys
from test_robustness_round2 import FAST, run

BUDGET = settings(max_examples=80, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

SENTENCE = st.sampled_from([
    "国务院常务会议今天召开，会议研究部署进一步优化营商环境的措施。", "全年新增减税降费超过2.5万亿元。",
    "会议指出，要加大对中小企业的支持力度。", "二〇二一年十二月九日，國務院常務會議召開。", "责任编辑：张三",
    "<p>", "</p>", "<br>", "&nbsp;", "> ", "**", "\n\n", "\r\n", "来源：新华社", "English words here. ",
    "9" * 5000, "第" + "1" * 50 + "条", "。" * 20, "<![if !supportLists]>", "{{ page.title }}",
])
BODY = st.lists(SENTENCE, max_size=12).map("".join)
TITLE = st.one_of(st.sampled_from(["国务院常务会议", "", "It's \"quoted\"", "国务院" * 300, "a: b # c", "- x"]),
                  st.text(st.characters(exclude_categories=("Cs",)), max_size=20))
EXTRA = st.sampled_from([
    {}, {"date": "2021-12-10"}, {"tags": ["政策", "会议"]}, {"auto_abstract": False}, {"rating": float("nan")},
    {"abstract_zh": "人工写的摘要。", "abstract_meta": {"reviewed": True}},
    {"abstract_zh": "旧摘要。", "abstract_meta": {"source_sha256": "0" * 64, "reviewed": False}},
])


def front_matter(fmt: str, data: dict) -> str:
    if fmt == "json":
        return ";;;\n" + ",\n".join(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}"
                                    for k, v in data.items() if v == v) + "\n;;;\n"
    if fmt == "toml":
        lines = [f"{k} = {'nan' if v != v else json.dumps(v, ensure_ascii=False)}"
                 for k, v in data.items() if not isinstance(v, dict)]
        tables = [f"[{k}]\n" + "".join(f"{sk} = {json.dumps(sv)}\n" for sk, sv in v.items())
                  for k, v in data.items() if isinstance(v, dict)]
        return "+++\n" + "".join(line + "\n" for line in lines) + "".join(tables) + "+++\n"
    lines = [f"{k}: {'.nan' if v != v else json.dumps(v, ensure_ascii=False)}" for k, v in data.items()]
    return "---\n" + "".join(line + "\n" for line in lines) + "---\n"


@st.composite
def post_files(draw) -> bytes:
    kind = draw(st.sampled_from(["yaml", "toml", "json", "yaml", "raw"]))
    if kind == "raw":
        return draw(st.binary(max_size=200))
    data = {"title": draw(TITLE), **draw(EXTRA)}
    text = front_matter(kind, data) + draw(BODY)
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + text.encode("utf-8")


SETTING = st.sampled_from([
    "limits.max_source_chars=-1", "limits.max_source_chars=0", "limits.max_source_chars=60",
    "limits.max_source_chars=.nan", "limits.max_file_bytes=0", "limits.max_file_bytes=300",
    "limits.max_title_chars=5", "limits.min_chinese_ratio=0", "limits.min_chinese_ratio=2",
    "clean.max_sentence_chars=0", "clean.max_sentence_chars=8", "clean.to_simplified=false",
    "clean.min_paragraph_chars=-1", "summarizer.extractive.max_chars=1", "summarizer.extractive.max_chars=0",
    "summarizer.extractive.redundancy=1.5", "summarizer.extractive.lead_weight=.inf",
    "front_matter.abstract_zh=title", "front_matter.abstract_zh=summary_cn", "front_matter.meta=abstract_zh",
    "front_matter.title_en=", "front_matter.abstract_en=Tags", "nope.key=1", "limits=3",
    "clean.rules=[missing.yaml]", "runtime.threads=-2", "limits.max_title_chars=0", "summarizer.method=magic",
    "front_matter.meta=meta_of_abstract", "summarizer.min_new_tokens=1000",
])
COMMAND = st.sampled_from([["enrich"], ["enrich", "--dry-run"], ["enrich", "--force"], ["enrich", "--report", "REPORT"],
                           ["enrich", "--report", "POST"], ["enrich", "--glob", "*.markdown"],
                           ["enrich", "--glob", "/abs/*.md"], ["enrich", "--jobs", "2"], ["clean", "POST"],
                           ["summarize", "POST"], ["translate", "POST"]])


def managed_names(overrides: list[str]) -> set[str]:
    """The key names a run may write under these settings; none when they do not load."""
    try:
        keys = load_config(None, dict(s.partition("=")[::2] for s in overrides)).front_matter
    except NlpError:
        return set()
    return {keys.title_en, keys.abstract_zh, keys.abstract_en, keys.meta}


def assert_untouched_or_a_lossless_edit(path: Path, before: bytes, managed: set[str]) -> None:
    after = path.read_bytes()
    if after == before:
        return
    old, new = (parse_post(data.decode("utf-8").removeprefix("\ufeff"), path) for data in (before, after))
    changed = {k for k in new.data if k not in old.data or _differs(new.data[k], old.data[k])}
    assert changed and changed <= managed, f"{path.name}: changed {changed}, may change {managed}"
    assert new.text == with_managed_keys(old, {k: new.data[k] for k in new.data if k in changed})
    assert after.startswith(b"\xef\xbb\xbf") == before.startswith(b"\xef\xbb\xbf")


def _differs(a, b) -> bool:
    return a != b and not (a != a and b != b)  # NaN reads back as NaN


@BUDGET
@given(posts=st.lists(post_files(), min_size=1, max_size=4), overrides=st.lists(SETTING, max_size=3),
       command=COMMAND)
def test_no_command_ends_in_a_traceback_or_damages_a_file(posts, overrides, command):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp, "posts")
        folder.mkdir()
        originals = {}
        for i, data in enumerate(posts):
            originals[folder / f"p{i}.md"] = data
            (folder / f"p{i}.md").write_bytes(data)
        first = str(folder / "p0.md")
        args = [{"REPORT": str(Path(tmp, "r.json")), "POST": first}.get(a, a) for a in command]
        args += [] if command[0] != "enrich" else [str(folder)]
        sets = [part for s in overrides for part in ("--set", s)]
        code, _, err = run(*args, *FAST, *sets)
        assert code in (0, 1, 2), err
        assert "Traceback" not in err
        managed = managed_names(overrides) if command[0] == "enrich" and "--dry-run" not in command else set()
        for path, before in originals.items():
            try:
                assert_untouched_or_a_lossless_edit(path, before, managed)
            except (UnicodeDecodeError, PostError):
                raise AssertionError(f"{path.name} was changed into something that does not parse") from None
        assert not [p for p in folder.iterdir() if TEMP_MARK in p.name]
        report = Path(tmp, "r.json")
        if report.exists():
            json.loads(report.read_text(encoding="utf-8"))
