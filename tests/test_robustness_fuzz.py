"""Fuzz: the front-matter editor and the cleaner on random and hostile input, in a fixed budget.

The editor may refuse (PostError) and nothing else: an edit either reads back exactly or leaves
the file as it was, with nothing beside it. The cleaner never raises and keeps its own limits.
Inputs are raw bytes and texts stitched from the pieces that break parsers (delimiters, quotes,
brackets, escapes, BOMs, NULs, odd line ends, lone surrogates, markup, entities).
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from nlp.clean import clean_article
from nlp.config import load_config
from nlp.errors import PostError
from nlp.posts import read_post, with_managed_keys, write_post

BUDGET = settings(max_examples=1500, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

CHARACTER = st.characters(exclude_categories=("Cs",))  # what a UTF-8 file can hold
ANY_CHARACTER = st.characters(exclude_categories=())  # lone surrogates too, as a str from anywhere may have
FRONT_MATTER_PIECES = st.sampled_from([
    "---", "+++", ";;;", "...", "\n", "\r\n", "\r", "\t", "  ", "{", "}", "[", "]", '"', "'", '"""', "'''", ":", ": ",
    " = ", ",", "#", "- ", "? ", "|", ">", "&a ", "*a", "<<: *a", "!!binary ", "!!python/object:os.system ",
    "%YAML 1.2", "[a]", "[[a]]", "a.b = 1", "title", "title_en", "abstract_zh", "abstract_meta", "date", "1",
    "2021-01-01", "true", "null", "~", "\\", "\\u", "\\x", "\ufeff", "\x00", "\u2028", "\x85", "\x7f", "国务院", "😀",
])
LINE = st.lists(st.one_of(FRONT_MATTER_PIECES, st.text(CHARACTER, max_size=6)), max_size=10).map("".join)
KEY = st.one_of(st.sampled_from(["title", "title_en", "abstract_zh", "abstract_meta", "date", "tags"]), LINE)
VALUE = st.one_of(LINE, st.text(CHARACTER, max_size=12).map(json.dumps), st.integers().map(str),
                  st.lists(st.text(max_size=5).map(json.dumps), max_size=3).map(", ".join).map("[{}]".format))
# One syntax per document: (opening, closing, how a key and its value are written, what goes between entries)
SYNTAXES = st.sampled_from([("---\n", "\n---\n", "{}: {}", "\n"), ("+++\n", "\n+++\n", "{} = {}", "\n"),
                            (";;;\n", "\n;;;\n", '"{}": {}', ",\n"), ("{", "}\n", '"{}": {}', ", "),
                            ("", "", "{}{}", "")])


@st.composite
def posts(draw) -> bytes:
    """Front matter in one syntax, entries valid or not, then a body; or plain bytes."""
    if draw(st.integers(0, 4)) == 0:
        return draw(st.binary(min_size=1, max_size=300))
    opening, closing, entry, between = draw(SYNTAXES)
    entries = draw(st.lists(st.one_of(st.builds(entry.format, KEY, VALUE), LINE), max_size=8))
    text = opening + between.join(entries) + closing + draw(LINE)
    return text.encode("utf-8")


TEXT = st.one_of(st.text(CHARACTER, max_size=20), FRONT_MATTER_PIECES)
VALUES = st.fixed_dictionaries({
    "title_en": TEXT, "abstract_zh": TEXT, "abstract_en": TEXT,
    "abstract_meta": st.fixed_dictionaries({"summarizer": TEXT, "reviewed": st.booleans(),
                                            "checks": st.lists(TEXT, max_size=3)}),
})


@BUDGET
@given(raw=posts(), values=VALUES)
def test_the_editor_refuses_or_writes_what_reads_back_and_never_half(raw, values):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "post.md"
        path.write_bytes(raw)
        try:
            post = read_post(path)
            write_post(post, with_managed_keys(post, values))
        except PostError as refused:
            event(f"refused: {refused.problem.split(':')[0][:40]}")
            assert path.read_bytes() == raw
        else:
            event(f"edited {post.format} front matter")
            new = read_post(path)
            assert {key: new.data[key] for key in values} == values
            assert {k: v for k, v in new.data.items() if k not in values} == \
                   {k: v for k, v in post.data.items() if k not in values}
            assert (new.body, new.bom, new.format) == (post.body, post.bom, post.format)
        assert os.listdir(folder) == ["post.md"]


MARKUP_PIECES = st.sampled_from([
    "<p>", "</p>", "<div>", "</div>", "<br>", "<br/>", "<script>", "</script>", "<style>", "<img src='a.png'>",
    "<a href='x'>", "</a>", "<td>", "<table>", "&nbsp;", "&#x4e2d;", "&#99999999;", "&", "&amp", "<!--", "-->",
    "<![CDATA[", "]]>", "<", ">", "**", "*", "_", "`", "```\n", "~~", "[", "](", ")", "![", "> ", "# ", "##",
    "- ", "1. ", "|", "---", "\n", "\n\n", "    ", "\t", "{%", "%}", "{{", "}}", "$$", "。", "，", "、", "！", "？",
    "……", "...", ".", "“", "”", "「", "」", "（", "）", "國務院", "国务院", "2.5万亿元", "来源：", "责任编辑：",
    "\u3000", "\ufeff", "\u200b", "\x00", "\r", "１２３", "ＡＢＣ",
])
BODIES = st.one_of(st.text(ANY_CHARACTER, max_size=200),
                   st.lists(st.one_of(MARKUP_PIECES, st.text(ANY_CHARACTER, max_size=8)), max_size=60).map("".join))
CLEAN = load_config().clean


@BUDGET
@given(body=BODIES, title=st.none() | st.text(ANY_CHARACTER, max_size=20), to_simplified=st.booleans(),
       max_sentence_chars=st.integers(1, 200))
def test_the_cleaner_never_raises_and_keeps_its_limits(body, title, to_simplified, max_sentence_chars):
    config = replace(CLEAN, to_simplified=to_simplified, max_sentence_chars=max_sentence_chars)
    article = clean_article(body, title, config)
    assert all(paragraph.strip() for paragraph in article.paragraphs)
    assert all(0 < len(sentence) <= max_sentence_chars for sentence in article.sentences)
    assert squeezed("".join(article.sentences)) == squeezed(article.text), "sentences lose no text"


def squeezed(text: str) -> str:
    return "".join(text.split())
