"""Property tests for the front-matter editor: random documents and random values round-trip.

Documents are drawn in each syntax with the styles real posts use (quoting, block scalars,
flow and block lists, comments, multi-line strings and arrays, CRLF, BOM, leading blank lines);
values are arbitrary Unicode plus strings that look like YAML/TOML/JSON syntax.
"""
from __future__ import annotations

import json
import operator
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp.posts import BOM, parse_post
from test_posts import assert_only_managed_lines_added, assert_reads_back, assert_set_like_once

MANAGED_KEYS = ("title_en", "abstract_zh", "abstract_en", "abstract_meta")
BUDGET = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- values we write -----------------------------------------------------------------------------

TRICKY = st.sampled_from([
    "yes", "No", "null", "~", "true", "123", "0x1F", "1e3", "2021-01-01", "12:30", " lead", "trail ", "a: b",
    "# x", "x #y", "'q'", '"dq"', "\\", "\\n", "\t", "", "- item", "[x]", "{y}", "&a", "*b", "!tag", "%p", "@",
    "`", "|", ">", "---", "...", "+++", ";;;", "\r\n", "\r", "\u2028", "\x85", "\x7f", "\ufeff", "😀", "１２３",
])
TEXT = st.one_of(st.text(st.characters(exclude_categories=("Cs",)), max_size=30), TRICKY,
                 st.lists(st.one_of(st.text(max_size=8), TRICKY), max_size=4).map("".join))
VALUES = st.fixed_dictionaries({
    "title_en": TEXT,
    "abstract_zh": TEXT,
    "abstract_en": st.one_of(st.none(), TEXT),
    "abstract_meta": st.fixed_dictionaries({
        "source_sha256": TEXT, "summarizer": TEXT, "translator": st.one_of(st.none(), TEXT),
        "generated_at": TEXT, "reviewed": st.booleans(), "checks": st.lists(TEXT, max_size=3),
    }),
})

# --- pieces of documents -------------------------------------------------------------------------

PRINTABLE = st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp", "Cn"), exclude_characters="\ufeff")
LINE = st.text(PRINTABLE, max_size=20)
KEYS = st.one_of(st.sampled_from(MANAGED_KEYS),
                 st.builds(operator.add, st.sampled_from(string.ascii_lowercase),
                           st.text(string.ascii_lowercase + string.digits + "_", max_size=7)))
SUBKEYS = st.text(string.ascii_lowercase, min_size=1, max_size=5)
NEWLINES = st.sampled_from(["\n", "\r\n"])
BODY = st.lists(st.one_of(st.sampled_from(["---", "+++", ";;;", "...", "title: fake", '{"a": 1}', ""]),
                          st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=20)),
                max_size=4).map("\n".join)


def quoted(items) -> str:
    return json.dumps(items, ensure_ascii=False)


def yaml_entry(key: str):
    """The lines of one top-level YAML key, in one of the styles posts use."""
    plain = st.builds(operator.add, st.sampled_from("aZq政策"), st.text("bY09政策经济 ,.", max_size=12))
    single = LINE.map(lambda s: "'" + s.replace("'", "''") + "'")
    scalar = st.one_of(plain, single, LINE.map(quoted), st.integers().map(str), st.lists(LINE, max_size=3).map(quoted),
                       st.sampled_from(["true", "false", "~", "2021-03-04", "2025-11-23 00:00:00",
                                        "Tue, 23 Mar 2021 05:57:42 GMT", "[]", "{}"]))
    comment = st.sampled_from(["", " # note", "   #x: y"])
    one_line = st.builds(lambda value, note: [f"{key}: {value}{note}"], scalar, comment)
    empty = st.sampled_from([[f"{key}:"], [f"{key}: "]])
    block = st.builds(lambda style, rows: [f"{key}: {style}"] + ["  " + row if row else "" for row in rows],
                      st.sampled_from(["|", "|-", "|+", ">", ">-"]), st.lists(LINE.map(str.strip), min_size=1, max_size=3))
    block_list = st.builds(lambda indent, items: [f"{key}:"] + [f"{indent}- {quoted(item)}" for item in items],
                           st.sampled_from(["", " ", "  ", "    "]), st.lists(LINE, min_size=1, max_size=3))
    mapping = st.builds(lambda items: [f"{key}:"] + [f"  {k}: {quoted(v)}" for k, v in items.items()],
                        st.dictionaries(SUBKEYS, LINE, min_size=1, max_size=3))
    return st.one_of(one_line, empty, block, block_list, mapping)


YAML_GAPS = st.lists(st.one_of(st.sampled_from(["", "  "]), LINE.map(lambda s: "# " + s),
                               LINE.map(lambda s: "  # " + s)), max_size=2)

STRING_ROW = st.one_of(st.sampled_from(["[abstract_meta]", "[[x]]", "title_en = 1", "# hash", "]", "[", "{", "a = [", ""]),
                       st.text(st.characters(exclude_categories=("Cs", "Cc", "Cn"), exclude_characters="\"'\\"),
                               max_size=12)).filter(lambda row: row.strip() != "+++")


def toml_entry(key: str):
    """The lines of one TOML `key = value`, single- or multi-line."""
    literal = st.text(PRINTABLE.filter(lambda c: c != "'"), max_size=15).map(lambda s: f"'{s}'")
    single = st.one_of(LINE.map(quoted), literal, st.integers().map(str), st.sampled_from(
        ["true", "false", "1979-05-27", "1979-05-27T07:32:00Z", "[]", '{ a = 1, b = "x" }']),
        st.lists(LINE, max_size=3).map(quoted))
    one_line = st.builds(lambda value, note: [f"{key} = {value}{note}"], single, st.sampled_from(["", " # c"]))
    multi_string = st.builds(lambda quote, rows: [f"{key} = {quote}", *rows[:-1], rows[-1] + quote],
                             st.sampled_from(['"""', "'''"]), st.lists(STRING_ROW, min_size=1, max_size=3))
    multi_array = st.builds(lambda items: [f"{key} = ["] + [f"  [{quoted(i)}]," for i in items] + ["]"],
                            st.lists(LINE, max_size=3))
    return st.one_of(one_line, multi_string, multi_array)


TOML_GAPS = st.lists(st.one_of(st.just(""), LINE.map(lambda s: "# " + s)), max_size=2)
JSON_VALUES = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), LINE),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(SUBKEYS, inner, max_size=3),
                           max_leaves=5)


def assemble(draw, opener: str, rows: list[str], closer: str) -> str:
    """Leading blank lines, delimiters with trailing spaces, the newline style, BOM and a body."""
    nl = draw(NEWLINES)
    lead = draw(st.lists(st.sampled_from(["", " ", "\t"]), max_size=2))
    pad = draw(st.sampled_from(["", "  ", "\t"]))
    text = nl.join([*lead, opener + pad, *rows, closer + pad]) + nl + draw(BODY)
    return draw(st.sampled_from(["", BOM])) + text


@st.composite
def yaml_documents(draw):
    rows = []
    for key in draw(st.lists(KEYS, unique=True, max_size=7)):
        rows += draw(YAML_GAPS) + draw(yaml_entry(key))
    return assemble(draw, "---", rows + draw(YAML_GAPS), "---")


@st.composite
def toml_documents(draw):
    names = draw(st.lists(KEYS, unique=True, max_size=7))
    tables = [name for name in names if name not in MANAGED_KEYS[:3]][: draw(st.integers(0, 3))]
    rows = []
    for key in (name for name in names if name not in tables):
        rows += draw(TOML_GAPS) + draw(toml_entry(key))
    for name in tables:
        rows += draw(TOML_GAPS) + [f"[{name}]"]
        for key in draw(st.lists(SUBKEYS, unique=True, max_size=3)):
            rows += draw(toml_entry(key))
    return assemble(draw, "+++", rows + draw(TOML_GAPS), "+++")


@st.composite
def json_documents(draw):
    indent = draw(st.sampled_from(["", "  ", "\t"]))
    members = [f"{indent}{quoted(key)}{draw(st.sampled_from([':', ': ', ' : ']))}{quoted(draw(JSON_VALUES))}"
               for key in draw(st.lists(KEYS, unique=True, max_size=6))]
    if draw(st.booleans()):
        return assemble(draw, ";;;", [",\n".join(members)] if members else [], ";;;")
    nl = draw(NEWLINES)
    return "{" + nl + ("," + nl).join(members) + nl + "}" + nl + draw(BODY)


def check_round_trip(doc: str, values: dict, other: dict) -> None:
    post = parse_post(doc)
    other = {key: other[key] for key in values}  # new keys are added in the order given
    new_text = assert_set_like_once(post, values, other)
    if set(post.data) & set(values) or (post.format == "json" and not post.data):
        assert_reads_back(post, new_text, values)  # keys replaced in place / an empty object filled
    else:
        assert_only_managed_lines_added(post, new_text, values)


@BUDGET
@given(yaml_documents(), VALUES, VALUES)
def test_yaml_documents_round_trip(doc, values, other):
    check_round_trip(doc, values, other)


@BUDGET
@given(toml_documents(), VALUES, VALUES)
def test_toml_documents_round_trip(doc, values, other):
    check_round_trip(doc, values, other)


@BUDGET
@given(json_documents(), VALUES, VALUES)
def test_json_documents_round_trip(doc, values, other):
    check_round_trip(doc, values, other)
