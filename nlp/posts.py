"""Posts on disk: split front matter from body, and set our keys by editing the front-matter text.

Front matter is YAML (`---`), TOML (`+++`, Hugo) or JSON (`;;;`, Hexo; or a leading `{...}`, Hugo).
Editing never re-serialises the block: each managed key's own lines are replaced in place or new
lines are inserted, so every other byte of the file stays as it was. The rules and the decisions
about odd files are in docs/front-matter.md.
"""
from __future__ import annotations

import codecs
import contextlib
import json
import os
import re
import shlex
import signal
import stat
import threading
import tomllib
from dataclasses import dataclass, field
from json.decoder import JSONDecodeError, scanstring
from pathlib import Path
from typing import Any, Mapping

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, ScalarNode

from .errors import PostError
from .files import atomic_output
from .yaml_values import MAX_YAML_VALUES, expands_too_far

try:
    import fcntl
except ImportError:  # Windows: no advisory lock; the changed-since-read check still runs
    fcntl = None

BOM = "\ufeff"
_FORMATS = {"---": "yaml", "+++": "toml", ";;;": "json"}
_OPENING = re.compile(r"(?:[ \t\r]*\n)*(---|\+\+\+|;;;)[ \t\r]*(?:\n|\Z)")
_CLOSING = {
    "yaml": re.compile(r"^(?:---|\.\.\.)[ \t\r]*$", re.M),
    "toml": re.compile(r"^\+\+\+[ \t\r]*$", re.M),
    "json": re.compile(r"^;;;[ \t\r]*$", re.M),
}
_BARE_JSON = re.compile(r"(?:[ \t\r]*\n)*(?=\{[ \t\r\n]*[\"}])")
_QUOTED_VALUE = re.compile(r"""^[ \t]*(?:- +|[^\s#'"{\[-][^#\n]*?: +)(['"])([^\n]*)""", re.M)
_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_NEWLINE = re.compile(r"\r?\n")
_BINARY = "binary file (contains NUL bytes), not a text post"
_WIDE_BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
              (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))
_COMMON_CHINESE = "的一是不了在人有中大上年日月，。、"  # same code points in Simplified and Traditional text
# A JSON string is a YAML 1.2 double-quoted scalar and a TOML basic string once these are escaped too:
_YAML_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")  # YAML line breaks, non-printables
_TOML_UNSAFE = re.compile("\x7f")
_YAML_WORDS = {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}


@dataclass(frozen=True)
class Post:
    """One post as read: the exact bytes, the decoded text (BOM removed), its front matter and body."""

    path: Path | None
    raw: bytes
    text: str
    bom: bool
    format: str  # "yaml" | "toml" | "json" | "none"
    data: dict
    body: str
    _block: tuple[int, int] = field(default=(0, 0), repr=False)  # front-matter text span in `text`


@dataclass
class _Entry:
    """Where one top-level key sits in the front-matter text: whole lines (YAML, TOML)."""

    key: str | None
    start: int
    end: int
    table: bool = False  # TOML: a [table] section rather than a `key = value` line


@dataclass(frozen=True)
class _Member:
    """One top-level member of a JSON object, with the offsets of its key and value."""

    key: str
    key_start: int
    value_start: int
    value_end: int
    value: Any


def read_post(path) -> Post:
    """Read a post from disk; refuses (PostError) empty, binary and non-UTF-8 files."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PostError(path, f"cannot read: {exc.strerror or exc}") from None
    return parse_post(_decode(path, raw), path)


def parse_post(text: str, path=None) -> Post:
    """Split `text` into front matter and body; broken front matter raises PostError with its line."""
    where = _where(path)
    raw = _encode(where, text)
    bom = text.startswith(BOM)
    text = text[1:] if bom else text
    if not text.strip():
        raise PostError(where, "empty file: no front matter and no text")
    if "\x00" in text:
        raise PostError(where, _BINARY, _line_of(text, text.index("\x00")))
    try:
        fmt, block, body_start, data = _front_matter(where, text)
    except RecursionError:  # thousands of nested brackets: refused, never a crash of the whole batch
        raise PostError(where, "front matter is nested too deeply to read") from None
    return Post(Path(path) if path is not None else None, raw, text, bom, fmt, data, text[body_start:], block)


def with_managed_keys(post: Post, values: Mapping[str, Any]) -> str:
    """The post's full new text (without BOM) with `values` set in its front matter, all else unchanged.

    Existing keys are replaced where they stand; missing ones are added (YAML: at the end of the
    block; TOML: after the last top-level key, tables at the end; JSON: first, so no existing line
    needs a new comma). The result is re-read and must give back exactly `values`.
    """
    where = _where(post.path)
    if post.format == "none":
        raise PostError(where, "no front matter to write into; add an empty one at the top "
                               "(a '---' line, then another '---' line)")
    for key, value in values.items():
        _check_value(where, key, value)
    edits = _EDITS[post.format](where, post, values, _newline(post))
    new_text = _apply(post.text, edits)
    _verify(where, post, values, new_text)
    return new_text


def write_post(post: Post, new_text: str) -> None:
    """Atomically replace the post's file with `new_text`, keeping mode and BOM.

    Refuses when the file no longer holds the bytes it was read with (edited meanwhile), or is
    read-only. A temporary file beside it is fsynced and renamed over it, under an exclusive lock.
    """
    if post.path is None:
        raise PostError("<text>", "this post was not read from a file, so there is nothing to write")
    path = Path(os.path.realpath(post.path))  # keep a symlink, write its target
    data = _encode(post.path, (BOM if post.bom else "") + new_text)
    try:
        with open(path, "rb") as current:
            if fcntl:
                fcntl.flock(current.fileno(), fcntl.LOCK_EX)
            info = os.fstat(current.fileno())
            if not os.path.samestat(info, os.stat(path)) or current.read() != post.raw:
                raise PostError(post.path, "changed since it was read; not overwritten (run again)")
            if not os.access(path, os.W_OK):
                raise PostError(post.path, "file is read-only; not overwritten")
            with _ctrl_c_deferred():
                with atomic_output(path, stat.S_IMODE(info.st_mode), kind="post",
                                   unchanged=lambda: _still_as_read(post, path, current, info)) as tmp:
                    tmp.write_bytes(data)
    except OSError as exc:
        raise PostError(post.path, f"cannot write: {exc.strerror or exc}") from None


def _still_as_read(post: Post, path: Path, current, info: os.stat_result) -> None:
    """An editor ignores our lock: look again just before the rename, so a save that landed while
    the new version was being written is kept and reported rather than lost."""
    now = os.stat(path)
    current.seek(0)
    if not (os.path.samestat(now, info) and (now.st_size, now.st_mtime_ns) == (info.st_size, info.st_mtime_ns)
            and current.read() == post.raw):
        raise PostError(post.path, "changed since it was read; not overwritten (run again)")


@contextlib.contextmanager
def _ctrl_c_deferred():
    """Ctrl-C waits until the file is replaced: it could land inside mkstemp, after the temporary
    file exists but before anyone knows its name. Python runs signal handlers in the main thread
    only, so other threads need nothing (nor does a handler Python did not install)."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is None:
        yield
        return
    pending = []
    previous = signal.signal(signal.SIGINT, lambda *args: pending.append(args))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if pending:
            signal.raise_signal(signal.SIGINT)


# --- reading -------------------------------------------------------------------------------------

def _where(path):
    return path if path is not None else "<text>"


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _encode(where, text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise PostError(where, f"text is not valid Unicode (lone surrogate at character {exc.start})") from None


def _decode(path: Path, raw: bytes) -> str:
    """UTF-8 text, or a PostError that names the likely encoding and how to convert it."""
    for bom, name in _WIDE_BOMS:
        if raw.startswith(bom):
            raise PostError(path, f"{name} text; convert it to UTF-8 first: {_iconv(name, path)}")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if b"\x00" in raw:
            raise PostError(path, _BINARY) from None
        guess = _guess_encoding(raw)
        hint = f"looks like {guess}; convert it with: {_iconv(guess, path)}" if guess else "unknown encoding"
        raise PostError(path, f"not UTF-8 ({hint})", raw.count(b"\n", 0, exc.start) + 1) from None


def _guess_encoding(raw: bytes) -> str | None:
    """The legacy Chinese encoding under which the bytes read most like Chinese text, if any."""
    scores = {}
    for name in ("GB18030", "BIG5"):
        with contextlib.suppress(UnicodeDecodeError):
            scores[name] = sum(map(raw.decode(name).count, _COMMON_CHINESE))
    best = max(scores, key=scores.get, default=None)
    return best if best and scores[best] else None


def _iconv(encoding: str, path: Path) -> str:
    name, tmp = shlex.quote(str(path)), shlex.quote(f"{path}.utf8")
    return f"iconv -f {encoding} -t UTF-8 {name} > {tmp} && mv {tmp} {name}"


def _front_matter(where, text: str):
    """Locate and parse the front matter: (format, (start, end) of its text, body start, data)."""
    opening = _OPENING.match(text)
    if opening:
        fmt, start = _FORMATS[opening.group(1)], opening.end()
        closing = _CLOSING[fmt].search(text, start)
        if not closing:
            raise PostError(where, f"front matter opened with '{opening.group(1)}' is never closed",
                            _line_of(text, opening.start(1)))
        data = _PARSERS[fmt](where, text, start, closing.start())
        return fmt, (start, closing.start()), min(closing.end() + 1, len(text)), data
    bare = _BARE_JSON.match(text)
    if bare:
        members, end = _json_members(where, text, bare.end())
        return "json", (bare.end(), end), end, {m.key: m.value for m in members}
    return "none", (0, 0), 0, {}


def _yaml_node(where, text: str, start: int, end: int):
    """The composed YAML front matter (it knows where each key starts); None when it is empty."""
    try:
        node = YAML(typ="safe", pure=True).compose(text[start:end])
    except YAMLError as exc:
        raise _yaml_error(where, text, start, exc) from None
    if isinstance(node, MappingNode):
        _refuse_alias_bombs(where, text, start, node)
        _refuse_duplicates(where, text, [(_yaml_key_name(key), start + key.start_mark.index)
                                         for key, _ in node.value if _yaml_key_name(key)])
    elif node is not None:
        raise PostError(where, "front matter is not a mapping of keys to values", _line_of(text, start))
    return node


def _yaml_data(where, text: str, start: int, end: int) -> dict:
    node = _yaml_node(where, text, start, end)
    if node is None:
        return {}
    try:
        return YAML(typ="safe", pure=True).constructor.construct_document(node)
    except YAMLError as exc:
        raise _yaml_error(where, text, start, exc) from None
    except TypeError:  # a list or mapping used as a key ("[a]: 1", at any depth) cannot be a dict key
        raise PostError(where, "front matter has a key that is a list or mapping; keys must be plain values",
                        _line_of(text, start)) from None


def _yaml_error(where, text: str, start: int, exc: YAMLError) -> PostError:
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context, mark = getattr(exc, "context", None), getattr(exc, "problem_mark", None)
    if context and getattr(exc, "context_mark", None) and ("scanning" in context or "flow" in context):
        # an unclosed quote, key or bracket: point at where it was opened
        mark, problem = exc.context_mark, f"{context}, {problem}"
    at = start + (mark.index if mark is not None else getattr(exc, "position", 0))
    quote = _unclosed_quote(text, start, at)
    if quote is not None:
        problem = f"a quote opened on this line is not closed on it (parser: {problem}, line {_line_of(text, at)})"
        at = quote
    return PostError(where, f"front matter is not valid YAML: {problem}", _line_of(text, at))


def _unclosed_quote(text: str, start: int, end: int) -> int | None:
    """Offset of the first line before `end` whose quoted value does not close on that line.

    YAML lets a quoted value run on over several lines, so a lost closing quote only fails
    lines later, where the parser trips over the next quote; in front matter it is nearly
    always the culprit.
    """
    for line in _QUOTED_VALUE.finditer(text, start, end):
        quote, rest = line.group(1), line.group(2)
        rest = rest.replace("''", "") if quote == "'" else re.sub(r"\\.", "", rest)
        if quote not in rest:
            return line.start()
    return None


def _refuse_alias_bombs(where, text: str, start: int, node) -> None:
    if expands_too_far(node):
        raise PostError(where, f"front matter expands to over {MAX_YAML_VALUES:,} values through YAML "
                               "aliases (*name); not read", _line_of(text, start))


def _yaml_key_name(key) -> str | None:
    return key.value if isinstance(key, ScalarNode) and key.tag == "tag:yaml.org,2002:str" else None


def _toml_parse(where, text: str, start: int, end: int) -> dict:
    try:
        return tomllib.loads(text[start:end])
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = re.search(r" \(at (?:line (\d+), column \d+|end of document)\)$", message)
        line = _line_of(text, start) + int(at.group(1)) - 1 if at and at.group(1) else _line_of(text, end)
        raise PostError(where, f"front matter is not valid TOML: {message[:at.start()] if at else message}",
                        line) from None


def _json_parse(where, text: str, start: int, end: int) -> dict:
    return {m.key: m.value for m in _json_members(where, text, start, end)[0]}


def _json_members(where, text: str, start: int, end: int | None = None):
    """Top-level members of JSON front matter, and where it ends.

    end None: a braced object starting at `start` (Hugo). Otherwise Hexo's form: the members
    without braces, filling text[start:end].
    """
    braced = end is None
    s = text if braced else text[:end]
    decoder = json.JSONDecoder(object_pairs_hook=_unique_object)
    members = []
    try:
        pos = _JSON_SPACE.match(s, start + 1 if braced else start).end()
        if not _json_closed(s, pos, braced):
            while True:
                members.append(_json_member(s, pos, decoder))
                pos = _JSON_SPACE.match(s, members[-1].value_end).end()
                if not s.startswith(",", pos):
                    break
                pos = _JSON_SPACE.match(s, pos + 1).end()
        if not _json_closed(s, pos, braced):
            raise JSONDecodeError("expected ',' or the end of the front matter", s, pos)
    except JSONDecodeError as exc:
        raise PostError(where, f"front matter is not valid JSON: {exc.msg}", _line_of(text, exc.pos)) from None
    _refuse_duplicates(where, text, [(m.key, m.key_start) for m in members])
    return members, pos + 1 if braced else pos


def _json_closed(s: str, pos: int, braced: bool) -> bool:
    return s.startswith("}", pos) if braced else pos >= len(s)


def _json_member(s: str, pos: int, decoder: json.JSONDecoder) -> _Member:
    if not s.startswith('"', pos):
        raise JSONDecodeError("expected a key in double quotes", s, pos)
    key, after = scanstring(s, pos + 1)
    colon = _JSON_SPACE.match(s, after).end()
    if not s.startswith(":", colon):
        raise JSONDecodeError("expected ':'", s, colon)
    value_start = _JSON_SPACE.match(s, colon + 1).end()
    try:
        value, value_end = decoder.raw_decode(s, value_start)
    except JSONDecodeError:
        raise
    except ValueError as exc:  # a duplicate key inside a nested object
        raise JSONDecodeError(str(exc), s, value_start) from None
    return _Member(key, pos, value_start, value_end, value)


def _unique_object(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r} in a nested object")
        result[key] = value
    return result


def _refuse_duplicates(where, text: str, keys) -> None:
    """A repeated top-level key: a site generator may use either copy, so we cannot know which to edit."""
    first = {}
    for key, at in keys:
        if key in first:
            a, b = _line_of(text, first[key]), _line_of(text, at)
            raise PostError(where, f"duplicate front-matter key {key!r} on lines {a} and {b}; keep one", b)
        first[key] = at


_PARSERS = {"yaml": _yaml_data, "toml": _toml_parse, "json": _json_parse}


# --- editing -------------------------------------------------------------------------------------

def _newline(post: Post) -> str:
    """The line ending that ends the opening delimiter line (or the first one after it): new lines match it."""
    found = _NEWLINE.search(post.text, max(post._block[0] - 2, 0))
    return found.group() if found else "\n"


def _check_value(where, key, value) -> None:
    """Values all three syntaxes can hold: text, bool, int, None, lists of text/bool/int, mappings of these."""
    if not isinstance(key, str):
        raise PostError(where, f"cannot write key {key!r}: keys must be text")
    if isinstance(value, dict):
        for sub, item in value.items():
            _check_value(where, sub, item)
    elif isinstance(value, list):
        for item in value:
            if not isinstance(item, (str, bool, int)):
                raise PostError(where, f"cannot write {key}: list items must be text, bool or int, not {item!r}")
            _check_value(where, key, item)
    elif isinstance(value, str):
        _encode(where, value)
    elif not (value is None or isinstance(value, (bool, int))):
        raise PostError(where, f"cannot write {key}: unsupported value type {type(value).__name__}")


def _yaml_edits(where, post: Post, values, nl: str):
    start, end = post._block
    node = _yaml_node(where, post.text, start, end)
    entries = []
    if node is not None:
        if node.flow_style:
            raise PostError(where, "flow-style YAML front matter ({...}) cannot be edited without rewriting it",
                            _line_of(post.text, start))
        starts = [start + key.start_mark.index for key, _ in node.value]
        for at, nxt, (key, _) in zip(starts, starts[1:] + [end], node.value):
            if at > start and post.text[at - 1] != "\n":
                raise PostError(where, "cannot edit: a top-level key does not start its own line "
                                       "(indented or complex keys)", _line_of(post.text, at))
            entries.append(_Entry(_yaml_key_name(key), at, _without_trailing_gaps(post.text, at, nxt)))
    return _entry_edits(where, post.text, entries, values,
                        emit=lambda key, value, entry: _yaml_emit(key, value, nl),
                        insert_at=lambda value: (end, 0))


def _without_trailing_gaps(text: str, start: int, end: int) -> int:
    """Pull `end` back over blank lines and column-0 comments: they sit between keys, not in one."""
    while True:
        line_start = text.rfind("\n", start, end - 1) + 1
        line = text[line_start:end]
        if line_start <= start or (line.strip() and not line.startswith("#")):
            return end
        end = line_start


def _toml_edits(where, post: Post, values, nl: str):
    start, end = post._block
    entries = _toml_entries(post.text, start, end)
    keys = [e for e in entries if not e.table]
    tables = [e for e in entries if e.table]
    key_at = keys[-1].end if keys else tables[0].start if tables else end

    def emit(key, value, entry):
        as_table = entry.table if entry else isinstance(value, dict)
        return _toml_emit(key, value, as_table, nl)

    return _entry_edits(where, post.text, entries, values, emit,
                        insert_at=lambda value: (end, 1) if isinstance(value, dict) else (key_at, 0))


def _toml_entries(text: str, start: int, end: int) -> list[_Entry]:
    """Top-level keys and [tables] of valid TOML in text[start:end], each with its whole statement or section."""
    block = text[start:end]
    starts = _toml_statement_starts(block)
    entries = []
    for a, b in zip(starts, starts[1:] + [len(block)]):
        head = block[a:b].lstrip(" \t")
        if not head.strip() or head.startswith("#"):
            continue
        if head.startswith("[") or not (entries and entries[-1].table):
            name = next(iter(tomllib.loads(block[a:b])))
            entries.append(_Entry(name, start + a, start + b, table=head.startswith("[")))
        else:
            entries[-1].end = start + b  # a key inside the current table
    return entries


def _toml_statement_starts(block: str) -> list[int]:
    """Offsets of the lines that begin a statement: not inside a multi-line string, array or inline table."""
    starts, depth, i, line_start = [], 0, 0, True
    while i < len(block):
        if line_start and depth == 0:
            starts.append(i)
        c = block[i]
        line_start = c == "\n"
        if c == "#":
            i = block.find("\n", i)
            if i < 0:
                break
        elif c in "\"'":
            i = _toml_string_end(block, i)
        else:
            depth += (c in "[{") - (c in "]}")
            i += 1
    return starts


def _toml_string_end(block: str, i: int) -> int:
    quote = block[i]
    escapes = quote == '"'
    if block.startswith(quote * 3, i):
        j = i + 3
        while not block.startswith(quote * 3, j):
            j += 2 if escapes and block[j] == "\\" else 1
        j += 3
        while block.startswith(quote, j):  # up to two quotes may end the content itself
            j += 1
        return j
    j = i + 1
    while block[j] != quote:
        j += 2 if escapes and block[j] == "\\" else 1
    return j + 1


def _json_edits(where, post: Post, values, nl: str):
    """Replace existing values in place; new members go first, each with its comma, on lines of their own."""
    start, end = post._block
    braced = post.text.startswith("{", start)
    members, _ = _json_members(where, post.text, start, None if braced else end)
    by_key = {m.key: m for m in members}
    edits, new = [], []
    for key, value in values.items():
        rendered = json.dumps(value, ensure_ascii=False)
        if key in by_key:
            edits.append((by_key[key].value_start, by_key[key].value_end, 0, rendered))
        else:
            new.append(f"{json.dumps(key, ensure_ascii=False)}: {rendered}")
    if new and members:
        at = members[0].key_start
        indent = post.text[post.text.rfind("\n", 0, at) + 1:at]
        sep = nl + indent if not indent.strip() else " "
        edits.append((at, at, 0, "".join(f"{member},{sep}" for member in new)))
    elif new:
        at = start + 1 if braced else start
        edits.append((at, at, 0, ", ".join(new) if braced else f",{nl}".join(new) + nl))
    return edits


def _entry_edits(where, text: str, entries, values, emit, insert_at):
    """Replace each key's entry in place, or insert it: (start, end, rank, new text) edits."""
    edits = []
    for key, value in values.items():
        found = [e for e in entries if e.key == key]
        if len(found) > 1:
            lines = " and ".join(str(_line_of(text, e.start)) for e in found)
            raise PostError(where, f"{key!r} is set in several places (lines {lines}); merge them by hand",
                            _line_of(text, found[1].start))
        if found:
            edits.append((found[0].start, found[0].end, 0, emit(key, value, found[0])))
        else:
            at, rank = insert_at(value)
            edits.append((at, at, rank, emit(key, value, None)))
    return edits


def _apply(text: str, edits) -> str:
    """Apply edits in text order; inserts at one place keep their order, tables (rank 1) after keys."""
    out, pos = [], 0
    for start, end, _, new in sorted(edits, key=lambda edit: edit[:3]):
        out += [text[pos:start], new]
        pos = end
    return "".join(out) + text[pos:]


def _yaml_emit(key: str, value, nl: str, indent: str = "") -> str:
    """Mappings as indented blocks; everything else as a JSON-style flow value, which YAML 1.2 reads back exactly."""
    if isinstance(value, dict) and value:
        return f"{indent}{_yaml_key(key)}:{nl}" + "".join(
            _yaml_emit(sub, item, nl, indent + "  ") for sub, item in value.items())
    return f"{indent}{_yaml_key(key)}: {_escaped(value, _YAML_UNSAFE)}{nl}"


def _yaml_key(key: str) -> str:
    plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) and key.lower() not in _YAML_WORDS
    return key if plain else _escaped(key, _YAML_UNSAFE)


def _toml_emit(key: str, value, as_table: bool, nl: str) -> str:
    """`key = value`, or a [key] table for a mapping; None leaves the key out (TOML has no null)."""
    if value is None:
        return ""
    if as_table and isinstance(value, dict):
        return f"[{_toml_key(key)}]{nl}" + "".join(
            f"{_toml_key(sub)} = {_toml_value(item)}{nl}" for sub, item in value.items() if item is not None)
    return f"{_toml_key(key)} = {_toml_value(value)}{nl}"


def _toml_value(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items() if v is not None) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(map(_toml_value, value)) + "]"
    return _escaped(value, _TOML_UNSAFE)


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _escaped(key, _TOML_UNSAFE)


def _escaped(value, unsafe: re.Pattern) -> str:
    return unsafe.sub(lambda m: f"\\u{ord(m.group()):04X}", json.dumps(value, ensure_ascii=False))


def _verify(where, post: Post, values, new_text: str) -> None:
    """Re-read the edit: our keys must give back exactly what was written, and nothing else may change."""
    try:
        new = parse_post(new_text, post.path)
    except PostError as exc:
        raise PostError(where, f"the edit would break the front matter ({exc}); file left unchanged") from None
    written = {key: _as_written(value, post.format) for key, value in values.items()}
    others = [{k: v for k, v in data.items() if k not in values} for data in (post.data, new.data)]
    if {key: new.data.get(key) for key in values} != written or not _same(*others) or new.body != post.body:
        raise PostError(where, "the edit would not read back as written; file left unchanged")


def _same(a, b) -> bool:
    """Equal, counting a NaN as equal to itself: a post may hold one (TOML nan, YAML .nan) and it reads back unchanged."""
    try:
        return a == b or _comparable(a) == _comparable(b)
    except RecursionError:  # nested deeper than can be compared: refuse the edit
        return False


_NAN = object()


def _comparable(value):
    """`value` with every NaN replaced by a marker: a NaN is unequal to itself, yet it reads back unchanged."""
    if isinstance(value, float) and value != value:
        return _NAN
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_comparable(v) for v in value]
    return value


def _as_written(value, fmt: str):
    """What reading back should give: TOML has no null, so None leaves a key out."""
    if fmt == "toml" and isinstance(value, dict):
        return {k: _as_written(v, fmt) for k, v in value.items() if v is not None}
    return value


_EDITS = {"yaml": _yaml_edits, "toml": _toml_edits, "json": _json_edits}
