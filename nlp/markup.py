"""Post bodies (HTML or Markdown) to raw paragraph texts: markup gone, words untouched.

Both formats end in one HTML walk: Markdown is first rewritten to simple HTML (one <p> per
block, <br> for hard breaks), so inline HTML, entities and block structure are handled once.
What counts as boilerplate is not decided here (see clean.py and configs/clean_rules.yaml).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from html.parser import HTMLParser

from .text import chinese_ratio, collapse_space

# Elements whose end or start separates paragraphs.
BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 "
    "header hr li main ol p pre section table tbody thead tfoot tr ul".split())
# Elements whose content is never article text.
SKIPPED_TAGS = frozenset(
    "audio button canvas embed head iframe map noscript object script select style svg template "
    "textarea video".split())
CELL_TAGS = frozenset(("td", "th"))
VOID_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr".split())
# Inline styles and old <font color> that make text invisible to readers (watermarks such as a
# near-white "Mitbbs.com" after every paragraph). Near-white text on a background of its own
# (a styled heading) is visible, so a colour only hides text when the style sets no background.
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?![.\d])", re.I)
_WHITE = r"(?:#f[0-9a-f]f[0-9a-f]f[0-9a-f]|#fff|white)"
_WHITE_STYLE = re.compile(rf"(?<![-\w])color\s*:\s*{_WHITE}\b", re.I)
_HIDDEN_COLOR = re.compile(rf"{_WHITE}$", re.I)
# Elements that hold a table of contents (id or class "toc", "table-of-contents") or <nav>:
# navigation, not text.
_NAVIGATION = re.compile(r"(?:^|[\s_-])(?:toc|table-of-contents)(?:$|[\s_-])", re.I)
# A block of nothing but these marks ends the sentence of the block before it (a lone "：").
_CLOSING_PUNCTUATION = re.compile(r"[：:，,。.；;！!？?、)）」』”’》〉】…]+")
# html.parser (before Python 3.13) raises on "<![" without a section name it knows: such a "<![" is text.
_UNKNOWN_MARKED_SECTION = re.compile(r"<!\[(?!(?:temp|cdata|ignore|include|rcdata|if|else|endif)(?![-.\w]))", re.I)


@dataclass(frozen=True)
class Block:
    """One paragraph of a body and the markup facts around it that tell captions, invisible
    watermarks and link lists from article text (the text: whitespace collapsed, in order)."""

    text: str
    tag: str = "p"  # innermost block element: p, div, li, h2, figcaption, ...
    caption: bool = False  # inside <figcaption> or an element whose class names a caption
    after_image: bool = False  # an image came right before it, with no text in between
    link_chars: int = 0  # characters of link text
    hidden: tuple[str, ...] = ()  # pieces of the text that readers never see (hidden styles)
    navigation: bool = False  # inside <nav> or a table of contents


def body_blocks(body: str) -> list[Block]:
    """The paragraphs of an HTML or Markdown body as Blocks, in order."""
    html = body if looks_like_html(body) else markdown_to_html(body)
    return html_blocks(html)


def looks_like_html(body: str) -> bool:
    """An HTML body starts with a tag and ends with one (as feed-generated posts do).

    Markdown with some inline HTML is still Markdown: its HTML passes through markdown_to_html.
    """
    text = body.strip()
    return bool(re.match(r"<[A-Za-z]", text)) and text.endswith(">")


def html_blocks(html: str) -> list[Block]:
    parser = _ParagraphParser()
    parser.feed(_UNKNOWN_MARKED_SECTION.sub("&lt;![", html))
    parser.close()
    return parser.blocks


class _ParagraphParser(HTMLParser):
    """Collects text between block boundaries; images, scripts and the like leave nothing.

    A stack of open elements (tag, caption?, hidden?, navigation?) tells, for each piece of text,
    whether it sits in a caption, in invisible markup or in navigation; unclosed elements are
    popped by the next matching end tag, as browsers do.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._pieces: list[str] = []
        self._hidden: list[str] = []
        self._open: list[tuple[str, bool, bool, bool]] = []
        self._skip_depth = 0
        self._link_depth = 0
        self._link_chars = 0
        self._image_seen = False

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_TAGS:
            self._skip_depth += 1
            return
        if tag in BLOCK_TAGS:
            self._flush()
        elif tag in CELL_TAGS:
            self._pieces.append(" ")
        if tag == "img":
            self._image_seen = True
        elif tag == "a":
            self._link_depth += 1
        if tag not in VOID_TAGS:
            attributes = {name: value or "" for name, value in attrs}
            caption = tag == "figcaption" or "caption" in attributes.get("class", "").lower()
            style = attributes.get("style", "")
            hidden = bool(_HIDDEN_STYLE.search(style)
                          or (_WHITE_STYLE.search(style) and "background" not in style.lower())
                          or (tag == "font" and _HIDDEN_COLOR.match(attributes.get("color", "").strip())))
            navigation = tag == "nav" or bool(
                _NAVIGATION.search(attributes.get("id", "")) or _NAVIGATION.search(attributes.get("class", "")))
            self._open.append((tag, caption, hidden, navigation))

    def handle_startendtag(self, tag, attrs):
        if tag in BLOCK_TAGS:
            self._flush()
        if tag == "img":
            self._image_seen = True

    def handle_endtag(self, tag):
        if tag in SKIPPED_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
            return
        if tag in BLOCK_TAGS:
            self._flush()
        if tag == "a":
            self._link_depth = max(0, self._link_depth - 1)
        for depth in range(len(self._open) - 1, -1, -1):
            if self._open[depth][0] == tag:
                del self._open[depth:]
                break

    def handle_data(self, data):
        if self._skip_depth:
            return
        self._pieces.append(data)
        if self._link_depth:
            self._link_chars += len(data.strip())
        if any(hidden for _, _, hidden, _ in self._open) and data.strip():
            self._hidden.append(collapse_space(data))

    def close(self):
        super().close()
        self._flush()

    def _flush(self):
        text = collapse_space("".join(self._pieces))
        self._pieces.clear()
        if text and self.blocks and _CLOSING_PUNCTUATION.fullmatch(text):
            # "目标是</p><p>：" is one sentence split by the markup: the marks end the block before
            self.blocks[-1] = replace(self.blocks[-1], text=self.blocks[-1].text + text)
        elif text:
            tag = next((name for name, _, _, _ in reversed(self._open) if name in BLOCK_TAGS), "p")
            self.blocks.append(Block(
                text, tag=tag, caption=any(caption for _, caption, _, _ in self._open),
                after_image=self._image_seen, link_chars=self._link_chars, hidden=tuple(self._hidden),
                navigation=any(navigation for _, _, _, navigation in self._open)))
            self._image_seen = False
        self._hidden = []
        self._link_chars = 0


# --- Markdown -------------------------------------------------------------------------------

_LEAKED_FRONT_MATTER = re.compile(
    r"\A\s*(---|\+\+\+)[ \t]*\n(?=[ \t]*[\w-]+[ \t]*[:=])(?:.*\n)*?\1[ \t]*(?:\n|\Z)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_MATH_FENCE = re.compile(r"^ {0,3}\$\$")
_TEMPLATE_TAG = re.compile(r"\{%.{0,500}?%\}|\{\{.{0,500}?\}\}")
_QUOTE_MARKERS = re.compile(r"^(?: {0,3}> ?)+")  # "> > >" in one pass: a loop per marker is quadratic
# "##标题" without the space is common in Chinese posts and read as a heading too.
_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+|(?=[^#\s]))(.*?)(?:[ \t]+#+)?[ \t]*$")
_RULE_OR_UNDERLINE = re.compile(r"^ {0,3}(?:([-*_])(?:[ \t]*\1){2,}|=+)[ \t]*$")
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])[ \t]+")
_TABLE_ROW = re.compile(r"^ {0,3}\|")
_TABLE_SEPARATOR = re.compile(r"^[\s|:-]*-{3,}[\s|:-]*$")
_TABLE_HEADER = re.compile(r"^ {0,3}\|.*\n(?=[ \t|:-]*-{3,}[ \t|:-]*$)", re.MULTILINE)  # column labels
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S+")
_INDENTED = re.compile(r"^(?: {4}|\t)")
# Attribute lists are markup, not text: kramdown's "{: #id .class}" / "{:toc}" on a line of their
# own (they belong to the block just before) or closing a line, and Pandoc/Hugo heading
# attributes "## Title {#id}". One that names the table of contents ({:toc}, #toc) makes its
# block the generated table of contents (navigation).
_ATTRIBUTE_LINE = re.compile(r"^ {0,3}(\{:[^{}\n]{0,200}\})[ \t]*$")
_ATTRIBUTES = re.compile(r"\{:[^{}\n]{0,200}\}|\{[#.][^{}\n]{0,200}\}")
_MARKS_TOC = re.compile(r"\{:\s*toc\s*\}|#toc\b", re.I)
_TOC_CLASS = ' class="toc"'
# "[TOC]" / "[[toc]]" / "@[toc]": Markdown editors' placeholders for a generated table of contents
_TOC_PLACEHOLDER = re.compile(r"^ {0,3}(?:@?\[toc\]|\[\[_?toc_?\]\])[ \t]*$", re.I)

# Inline spans are bounded (500 chars) so that unclosed markers cost linear, not quadratic, time.
_INLINE = [
    # images, then links (keeping their text), inline or by reference
    (re.compile(r"!\[[^\]\n]{0,500}\](?:\([^)\n]{0,500}\)|\[[^\]\n]{0,500}\])"), "<img>"),
    (re.compile(r"\[([^\]\n]{0,500})\](?:\([^)\n]{0,500}\)|\[[^\]\n]{0,500}\])"), r"\1"),
    (re.compile(r"<((?:https?|ftp)://[^>\s]{1,500}|[^>\s@]{1,100}@[^>\s@]{1,100})>"), r"\1"),  # autolinks
    (re.compile(r"(`+)(.{1,500}?)\1"), lambda m: m.group(2).replace("<", "&lt;")),  # code stays text
    (re.compile(r"(\*\*|__)(?=\S)(.{1,500}?)(?<=\S)\1"), r"\2"),  # strong
    (re.compile(r"\*(?=[^\s*])([^*]{1,500}?)(?<=[^\s*])\*"), r"\1"),  # emphasis
    (re.compile(r"(?<!\w)_(?=[^\s_])([^_]{1,500}?)(?<=[^\s_])_(?!\w)"), r"\1"),  # emphasis, not intraword
    (re.compile(r"~~(.{1,500}?)~~"), r"\1"),  # strikethrough
    (_TEMPLATE_TAG, ""),  # Liquid tags and Hugo shortcodes
    (re.compile(r"<(?![A-Za-z/!?])"), "&lt;"),  # a '<' that starts no tag is text
    (re.compile(r"\\([!-/:-@\[-`{-~])"), r"\1"),  # backslash escapes
]


def markdown_to_html(markdown: str) -> str:
    """Blocks of a Markdown body as <p> elements; code, images and markers dropped.

    Judgement calls, for prose extraction rather than faithful rendering: a front-matter-like
    block at the very start of the body (a post pasted with its own header) is dropped; fenced
    code and $$ math are dropped; an indented block is code unless it is mostly Chinese (some
    writers indent paragraphs); headings, list items and table rows become paragraphs, table
    header rows (column labels) are dropped; attribute lists are dropped, and a block they mark
    as the table of contents is emitted as such (class "toc").
    """
    markdown = _LEAKED_FRONT_MATTER.sub("", markdown.replace("\r\n", "\n").replace("\r", "\n"))
    markdown = _TABLE_HEADER.sub("", markdown)
    blocks = _MarkdownBlocks()
    for line in markdown.split("\n"):
        blocks.add(line)
    blocks.flush()
    return "".join(f"<{tag}{_TOC_CLASS if toc else ''}>{_inline(block)}</{tag}>\n"
                   for tag, block, toc in blocks.blocks)


def _trailing_attributes(line: str) -> tuple[str, str | None]:
    """The line without an attribute list that closes it ("## 标题 {#id}"), and that list."""
    stripped = line.rstrip()
    start = stripped.rfind("{") if stripped.endswith("}") else -1
    if start > 0 and stripped[:start].strip() and _ATTRIBUTES.fullmatch(stripped, start):
        return stripped[:start], stripped[start:]
    return line, None


def _is_hard_break(line: str) -> bool:
    """Markdown's hard line break: two spaces or a backslash at the end (a suffix test, not a
    regex search, which would be quadratic in a long run of spaces inside the line)."""
    return line.endswith(("  ", "\\"))


def _inline(text: str) -> str:
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return text


class _MarkdownBlocks:
    """Line-by-line block splitter; `blocks` holds each block's lines, <br>-joined at hard breaks."""

    def __init__(self):
        self.blocks: list[tuple[str, str, bool]] = []  # (html tag, text, table of contents?)
        self._lines: list[str] = []
        self._toc = False  # the lines being collected are the table of contents
        self._fence: str | None = None  # closing marker while inside fenced code or math
        self._indented: list[str] = []

    def add(self, line: str) -> None:
        if self._fence is not None:
            math = self._fence == "$$"
            if line.rstrip().endswith("$$") if math else line.strip().startswith(self._fence):
                self._fence = None
            return
        if self._opens_fence(line):
            return
        line = _QUOTE_MARKERS.sub("", line, count=1)
        attributes = _ATTRIBUTE_LINE.match(line)
        text, trailing = (line, None) if attributes else _trailing_attributes(line)
        if attributes or trailing:
            if trailing:
                self._add_text_line(text)
            if _MARKS_TOC.search(attributes.group(1) if attributes else trailing):
                self._mark_toc()
        elif (_TOC_PLACEHOLDER.match(line) or not _TEMPLATE_TAG.sub("", line).strip()
              or _REFERENCE.match(line)):
            self.flush()
        elif _INDENTED.match(line):
            self._flush_lines()
            self._indented.append(line.strip())
        else:
            self._add_text_line(line)

    def flush(self) -> None:
        self._flush_lines()
        self._flush_indented()

    def _mark_toc(self) -> None:
        """The block being collected, or else the one just emitted, is the table of contents."""
        if self._lines:
            self._toc = True
        elif self.blocks:
            self.blocks[-1] = (*self.blocks[-1][:2], True)

    def _opens_fence(self, line: str) -> bool:
        fence = _FENCE.match(line)
        if fence:
            self.flush()
            self._fence = fence.group(1)[0] * len(fence.group(1))
            return True
        if _MATH_FENCE.match(line):
            self.flush()
            single_line = line.strip().endswith("$$") and len(line.strip()) > 2
            self._fence = None if single_line else "$$"
            return True
        return False

    def _add_text_line(self, line: str) -> None:
        self._flush_indented()
        heading = _HEADING.match(line)
        if heading or _TABLE_ROW.match(line):
            self._flush_lines()
            if heading:
                self._emit(heading.group(1), "h2")
            elif not _TABLE_SEPARATOR.match(line):
                self._emit(" ".join(cell.strip() for cell in line.strip().strip("|").split("|")))
        elif _RULE_OR_UNDERLINE.match(line):
            self._flush_lines()
        else:
            if _LIST_ITEM.match(line):
                self._flush_lines()
                line = _LIST_ITEM.sub("", line, count=1)
            self._lines.append(line)

    def _flush_lines(self) -> None:
        if self._lines:
            text = "".join(line.rstrip() + ("<br>" if _is_hard_break(line) else "\n")
                           for line in self._lines)
            self._emit(text, toc=self._toc)
            self._lines, self._toc = [], False

    def _flush_indented(self) -> None:
        lines, self._indented = self._indented, []
        if lines and chinese_ratio("".join(lines)) >= 0.5:  # prose after all: read it as such
            for line in lines:
                self._add_text_line(line)
            self._flush_lines()

    def _emit(self, text: str, tag: str = "p", toc: bool = False) -> None:
        if text.strip():
            self.blocks.append((tag, text, toc))
