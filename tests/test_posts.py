"""Front matter: reading, lossless editing and safe writing, on the real corpus and variants of it."""
from __future__ import annotations

import difflib
import fcntl
import json
import os
import shutil
import stat
import threading
import tomllib

import opencc
import pytest
import tomlkit
from ruamel.yaml import YAML

from nlp.errors import PostError
from nlp.posts import BOM, parse_post, read_post, with_managed_keys, write_post

from repo_data import POSTS_DIR, SEED

POSTS = sorted(POSTS_DIR.glob("*.md")) + [SEED]
DELIMITER = {"yaml": "---", "toml": "+++"}

MANAGED = {
    "title_en": "1-7 months: Sichuan \"fined\" 154m yuan # environment",
    "abstract_zh": "四川查处环境违法案件2111件：罚款1.54亿元。\n第二段 😀",
    "abstract_en": "yes",
    "abstract_meta": {
        "source_sha256": "0" * 63 + "1",
        "summarizer": "csebuetnlp/mT5_multilingual_XLSum (abstractive)",
        "translator": "Helsinki-NLP/opus-mt-zh-en",
        "generated_at": "2025-01-02T03:04:05Z",
        "reviewed": False,
        "checks": ["number 154 not in source", "term: 生态环境 -> 'ecology'"],
    },
}
OTHER = {"title_en": "null", "abstract_zh": "", "abstract_en": "  spaced\ttab  ",
         "abstract_meta": {"reviewed": True, "checks": []}}


def lines(text: str) -> list[str]:
    return text.split("\n")


def others(data: dict, values) -> dict:
    return {k: v for k, v in data.items() if k not in values}


def parse_fragment(fmt: str, text: str) -> dict:
    """Read inserted front-matter lines on their own, in the post's syntax."""
    if fmt == "toml":
        return tomllib.loads(text)
    if fmt == "json":
        return json.loads("{" + text.strip().rstrip(",") + "}")
    return YAML(typ="safe").load(text)


def read_back(values, fmt: str) -> dict:
    """What reading an edited post should give: TOML has no null, so None leaves a key out."""
    if fmt != "toml":
        return dict(values)
    return {k: {sk: sv for sk, sv in v.items() if sv is not None} if isinstance(v, dict) else v
            for k, v in values.items() if v is not None}


def assert_reads_back(old, new_text: str, values):
    """Our keys read back as written; every other key and the body are as they were."""
    new = parse_post(new_text, old.path)
    assert {k: v for k, v in new.data.items() if k in values} == read_back(values, old.format)
    assert others(new.data, values) == others(old.data, values)
    assert new.body == old.body and new.format == old.format
    return new


def assert_only_managed_lines_added(old, new_text: str, values) -> None:
    """The edit only added lines, all inside the front matter, and they hold exactly `values`."""
    new = assert_reads_back(old, new_text, values)
    matcher = difflib.SequenceMatcher(None, lines(old.text), lines(new_text), autojunk=False)
    ops = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    assert ops and all(tag == "insert" for tag, *_ in ops), ops
    added = [j for _, _, _, j1, j2 in ops for j in range(j1, j2)]
    head = lines(new_text[: len(new_text) - len(new.body)])
    opener = next(i for i, line in enumerate(head) if line.strip())
    assert all(opener < j < len(head) - 1 for j in added), (added, len(head))
    added_text = "\n".join(lines(new_text)[j] for j in added) + "\n"
    assert parse_fragment(new.format, added_text.replace("\r", "")) == read_back(values, new.format)


def assert_set_like_once(post, values, other=OTHER) -> str:
    """Setting the keys again gives the same text; setting other values then leaves no trace of the first."""
    new_text = with_managed_keys(post, values)
    again = parse_post(new_text, post.path)
    assert with_managed_keys(again, values) == new_text
    replaced = with_managed_keys(again, other)
    assert_reads_back(post, replaced, other)
    if set(read_back(other, post.format)) <= set(read_back(values, post.format)):
        assert replaced == with_managed_keys(post, other)  # else a key left out before is added after the rest
    return new_text


# --- the corpus ---------------------------------------------------------------------------------

@pytest.mark.parametrize("src", POSTS, ids=lambda p: p.name)
def test_reading_then_writing_unchanged_is_byte_identical(tmp_path, src):
    copy = tmp_path / src.name
    shutil.copyfile(src, copy)
    post = read_post(copy)
    assert post.format in ("yaml", "toml") and post.data
    write_post(post, post.text)
    assert copy.read_bytes() == src.read_bytes()
    assert os.listdir(tmp_path) == [src.name]


@pytest.mark.parametrize("src", POSTS, ids=lambda p: p.name)
def test_setting_managed_keys_adds_only_their_lines(src):
    post = read_post(src)
    new_text = assert_set_like_once(post, MANAGED)
    assert_only_managed_lines_added(post, new_text, MANAGED)


def test_only_the_first_block_is_front_matter():
    post = read_post(POSTS_DIR / "o001.md")
    second = parse_post(post.body)  # the body starts with a second front-matter block, kept as text
    assert second.format == "yaml" and second.data and second.data != post.data
    assert parse_post(with_managed_keys(post, MANAGED)).body == post.body


# --- variants of real posts ---------------------------------------------------------------------

def to_crlf(post):
    return post.text.replace("\n", "\r\n")


def with_bom(post):
    return BOM + post.text


def with_trailing_spaces_after_delimiters(post):
    mark = DELIMITER[post.format]
    return post.text.replace(f"{mark}\n", f"{mark}  \t\n", 2)


def with_comments(post):
    """A comment line after the opening delimiter and one before the closing delimiter."""
    mark = DELIMITER[post.format]
    head, sep, rest = post.text.partition(f"{mark}\n")
    block, sep2, body = rest.partition(f"\n{mark}\n")
    return f"{head}{sep}# generated by RSSHub: do not edit\n{block}\n# end: 结束{sep2}{body}"


def as_toml(post):
    """The same data as Hugo TOML front matter (YAML nulls have no TOML form and are left out)."""
    data = {k: v for k, v in post.data.items() if v is not None}
    return f"+++\n{tomlkit.dumps(data)}+++\n{post.body}"


def as_json(post):
    """The same data as Hexo `;;;` JSON front matter: members without braces."""
    members = json.dumps(post.data, ensure_ascii=False, indent=2, default=str)[1:-1].strip("\n")
    return f";;;\n{members}\n;;;\n{post.body}"


def as_bare_json(post):
    """The same data as Hugo's leading JSON object."""
    return json.dumps(post.data, ensure_ascii=False, indent=2, default=str) + "\n\n" + post.body


VARIANTS = [to_crlf, with_bom, with_trailing_spaces_after_delimiters, with_comments, as_toml, as_json, as_bare_json]
VARIANT_SOURCES = [SEED] + [POSTS_DIR / name for name in ("p017.md", "h001.md", "j004.md", "h002.md")]


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("src", VARIANT_SOURCES, ids=lambda p: p.name)
def test_variants_of_real_posts(tmp_path, src, variant):
    original = read_post(src)
    text = variant(original)
    path = tmp_path / src.name
    path.write_bytes(text.encode("utf-8"))
    post = read_post(path)
    assert post.body.replace("\r\n", "\n").endswith(original.body)
    new_text = assert_set_like_once(post, MANAGED)
    assert_only_managed_lines_added(post, new_text, MANAGED)
    if "\r\n" in post.text:
        assert new_text.count("\n") == new_text.count("\r\n")
    write_post(post, new_text)
    written = path.read_bytes()
    assert written.startswith(BOM.encode()) == (variant is with_bom)
    assert written.decode("utf-8").removeprefix(BOM) == new_text
    assert sorted(os.listdir(tmp_path)) == [src.name]


@pytest.mark.parametrize("fmt,text", [
    ("yaml", "---\ntitle: x\n---\nbody"), ("toml", '+++\ntitle = "x"\n+++\nbody'),
    ("json", ';;;\n"title": "x"\n;;;\nbody'), ("json", '{"title": "x"}\nbody'),
])
def test_none_is_null_or_left_out_in_toml(fmt, text):
    values = {"abstract_en": None, "abstract_meta": {"translator": None, "reviewed": False}}
    post = parse_post(text)
    new = parse_post(with_managed_keys(post, values))
    if fmt == "toml":
        assert "abstract_en" not in new.data and new.data["abstract_meta"] == {"reviewed": False}
    else:
        assert {k: new.data[k] for k in values} == values


@pytest.mark.parametrize("text", ["---\n---\nbody", "+++\n+++\nbody", ";;;\n;;;\nbody", "{}\nbody",
                                  "---\n# only a comment\n---\n", "---\ntitle: x\n---"])
def test_empty_front_matter_and_no_body(text):
    post = parse_post(text)
    new_text = assert_set_like_once(post, MANAGED)
    new = parse_post(new_text)
    assert {k: new.data[k] for k in MANAGED} == MANAGED and new.body == post.body


def test_existing_keys_replaced_in_place_keep_their_neighbours():
    text = ("---\ntitle: x\nabstract_zh: |\n  旧摘要\n  第二行\n\n# reviewer note\nabstract_meta:\n  reviewed: true\n"
            "  checks:\n  - old\ntags: [a]\n---\nbody")
    new_text = with_managed_keys(parse_post(text), MANAGED)
    assert "# reviewer note\n" in new_text and "旧摘要" not in new_text and "- old" not in new_text
    assert new_text.index("abstract_zh:") < new_text.index("# reviewer note") < new_text.index("abstract_meta:")
    assert new_text.index("abstract_meta:") < new_text.index("tags: [a]") < new_text.index("title_en:")
    assert {k: parse_post(new_text).data[k] for k in MANAGED} == MANAGED


def test_toml_keys_go_before_tables_and_meta_table_is_replaced():
    text = ('+++\ntitle = "x"\n\n[params]\nimages = [\n  ["[not a table]"],\n]\nnote = """\n[abstract_meta]\n"""\n'
            '[abstract_meta]\nreviewed = true\n\n[menu]\nmain = 1\n+++\nbody')
    new_text = with_managed_keys(parse_post(text), MANAGED)
    assert new_text.index("title_en =") < new_text.index("[params]")
    assert new_text.count("\n[abstract_meta]\n") == 2  # the one inside the string, and ours in place
    assert new_text.index("[params]") < new_text.rindex("[abstract_meta]") < new_text.index("[menu]")
    new = parse_post(new_text)
    assert {k: new.data[k] for k in MANAGED} == MANAGED
    assert new.data["params"]["note"] == "[abstract_meta]\n" and new.data["menu"] == {"main": 1}


# --- refusals ------------------------------------------------------------------------------------

def break_quote(text):
    """Drop the closing quote of the title."""
    line = next(i for i, line in enumerate(lines(text)) if line.startswith("title:"))
    parts = lines(text)
    parts[line] = parts[line].rstrip().rstrip("'\"")
    return "\n".join(parts), line + 1


def drop_closing_delimiter(text):
    parts = lines(text)
    opener = next(i for i, line in enumerate(parts) if line.strip())
    closing = next(i for i in range(opener + 1, len(parts)) if parts[i].strip() == "---")
    del parts[closing]
    return "\n".join(parts), opener + 1


def duplicate_author(text):
    parts = lines(text)
    closing = [i for i, line in enumerate(parts) if line.strip() == "---"][1]
    parts.insert(closing, "author: 另一个作者")
    return "\n".join(parts), closing + 1


def break_toml(text):
    post = parse_post(text)
    parts = lines(as_toml(post))
    line = next(i for i, line in enumerate(parts) if line.startswith("title ="))
    parts[line] = parts[line].rstrip('"')
    return "\n".join(parts), line + 1


def break_json(text):
    parts = lines(as_json(parse_post(text)))
    line = next(i for i, line in enumerate(parts) if line.lstrip().startswith('"author"'))
    parts[line] = parts[line].replace(":", "", 1)
    return "\n".join(parts), line + 1


@pytest.mark.parametrize("src,damage,words", [
    (SEED, break_quote, "quote"), (POSTS_DIR / "p017.md", break_quote, "quote"),
    (SEED, drop_closing_delimiter, "never closed"), (SEED, duplicate_author, "duplicate"),
    (SEED, break_toml, "TOML"), (SEED, break_json, "JSON"),
], ids=lambda p: getattr(p, "__name__", getattr(p, "name", str(p))))
def test_broken_front_matter_names_file_and_line_and_leaves_it(tmp_path, src, damage, words):
    text, line = damage(src.read_text(encoding="utf-8"))
    path = tmp_path / "broken.md"
    path.write_text(text, encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(PostError) as caught:
        read_post(path)
    assert caught.value.line == line and words in caught.value.problem
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["broken.md"]


def test_duplicate_key_names_both_lines():
    text, line = duplicate_author(SEED.read_text(encoding="utf-8"))
    first = next(i for i, line in enumerate(lines(text)) if line.startswith("author:")) + 1
    with pytest.raises(PostError, match=f"'author' on lines {first} and {line}"):
        parse_post(text)


@pytest.mark.parametrize("encoding,named", [("gb18030", "GB18030"), ("big5", "BIG5")])
def test_legacy_chinese_encodings_are_named_with_a_fix(tmp_path, encoding, named):
    text = SEED.read_text(encoding="utf-8")
    if encoding == "big5":
        text = opencc.OpenCC("s2t").convert(text)
    path = tmp_path / "legacy.md"
    path.write_bytes(text.encode(encoding, errors="replace"))
    with pytest.raises(PostError, match=f"not UTF-8 .*{named}.*iconv -f {named} -t UTF-8"):
        read_post(path)


@pytest.mark.parametrize("content,words", [
    (b"", "empty"), (b" \n\n\t\n", "empty"), (SEED.read_bytes()[:200] + b"\x00\x01\x02", "binary"),
    (bytes(range(256)), "binary"), (SEED.read_text(encoding="utf-8").encode("utf-16"), "UTF-16"),
])
def test_unreadable_files_are_refused_clearly(tmp_path, content, words):
    path = tmp_path / "odd.md"
    path.write_bytes(content)
    with pytest.raises(PostError, match=words) as caught:
        read_post(path)
    assert caught.value.path == path
    assert path.read_bytes() == content


def test_no_front_matter_reads_but_is_not_written_into():
    body = "<p>12月9日，成都市召开会议。</p>\n"
    post = parse_post(body)
    assert (post.format, post.data, post.body) == ("none", {}, body)
    with pytest.raises(PostError, match="no front matter"):
        with_managed_keys(post, MANAGED)


@pytest.mark.parametrize("value", [1.5, object(), ["ok", None], {"when": 2.0}, "\ud800"])
def test_values_that_cannot_be_written_exactly_are_refused(value):
    with pytest.raises(PostError, match="cannot write|not valid Unicode"):
        with_managed_keys(read_post(SEED), {"title_en": value})


# --- safe writes ---------------------------------------------------------------------------------

@pytest.fixture
def post_file(tmp_path):
    path = tmp_path / SEED.name
    shutil.copyfile(SEED, path)
    return path


def test_write_keeps_the_file_mode(post_file):
    post_file.chmod(0o640)
    post = read_post(post_file)
    write_post(post, with_managed_keys(post, MANAGED))
    assert stat.S_IMODE(post_file.stat().st_mode) == 0o640
    assert read_post(post_file).data["title_en"] == MANAGED["title_en"]


def test_write_refuses_a_file_changed_since_it_was_read(post_file):
    post = read_post(post_file)
    changed = post_file.read_bytes().replace("成都".encode(), "重庆".encode(), 1)
    post_file.write_bytes(changed)
    with pytest.raises(PostError, match="changed since it was read"):
        write_post(post, with_managed_keys(post, MANAGED))
    assert post_file.read_bytes() == changed
    assert os.listdir(post_file.parent) == [post_file.name]


def test_write_waits_for_another_writer_and_refuses_what_it_wrote(post_file):
    post = read_post(post_file)
    errors = []

    def ours():
        try:
            write_post(post, with_managed_keys(post, MANAGED))
        except PostError as exc:
            errors.append(exc)

    theirs = post_file.with_name("theirs.tmp")
    theirs.write_bytes(post.raw.replace("成都".encode(), "重庆".encode(), 1))
    with open(post_file, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another writer is between its check and its rename
        thread = threading.Thread(target=ours)
        thread.start()
        thread.join(0.3)
        assert thread.is_alive()  # ours waits for the lock
        expected = theirs.read_bytes()
        os.replace(theirs, post_file)
    thread.join(10)
    assert len(errors) == 1 and "changed since it was read" in errors[0].problem
    assert post_file.read_bytes() == expected
    assert os.listdir(post_file.parent) == [post_file.name]


def test_interrupted_write_leaves_no_temporary_file_and_the_post_intact(post_file, monkeypatch):
    post = read_post(post_file)

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_post(post, with_managed_keys(post, MANAGED))
    assert post_file.read_bytes() == post.raw
    assert os.listdir(post_file.parent) == [post_file.name]


def test_write_through_a_symlink_updates_the_target(post_file):
    link = post_file.parent / "link.md"
    link.symlink_to(post_file.name)
    post = read_post(link)
    write_post(post, with_managed_keys(post, MANAGED))
    assert link.is_symlink()
    assert read_post(post_file).data["abstract_en"] == MANAGED["abstract_en"]
    assert sorted(os.listdir(post_file.parent)) == sorted([post_file.name, "link.md"])


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write read-only files")
def test_write_refuses_a_read_only_file(post_file):
    post_file.chmod(0o444)
    post = read_post(post_file)
    with pytest.raises(PostError, match="read-only"):
        write_post(post, with_managed_keys(post, MANAGED))
    assert post_file.read_bytes() == post.raw


def test_a_post_without_a_file_cannot_be_written():
    post = parse_post(SEED.read_text(encoding="utf-8"))
    with pytest.raises(PostError, match="not read from a file"):
        write_post(post, post.text)


@pytest.mark.parametrize("front", ["[[a]]: 1", "a:\n  [[b]]: 2"])
def test_a_list_or_mapping_key_is_refused_with_the_file(tmp_path, front):
    path = tmp_path / "post.md"
    path.write_text(f"---\ntitle: t\n{front}\n---\n正文。\n", encoding="utf-8")
    with pytest.raises(PostError, match=r"post\.md:2: .*key that is a list or mapping"):
        read_post(path)
