"""The evidence for an abstract, as HTML: where its numbers, dates and terms stand in the source.

The reviewer sees the source with every quantity and glossary term that the Chinese abstract
states marked where the source states it, the abstract with each quantity the source does not
support marked, and every warning linked (an in-page anchor) to the spot it is about. Pure
text in, HTML out: nothing here touches files or models.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

from .glossary import Glossary
from .numbers import describe, implied, mentions, numbers_in

KINDS = ("number", "date", "term", "unsupported")


@dataclass(frozen=True)
class Mark:
    start: int
    end: int
    kind: str  # one of KINDS
    anchor: str = ""  # element id, for the marks a warning links to


def source_marks(source: str, abstract: str, glossary: Glossary) -> list[Mark]:
    """Spans of `source` that support a quantity or carry a glossary term of `abstract`."""
    stated = {m.value for m in mentions(abstract)}
    quantities = [(m.surface, _kind(m.value)) for m in mentions(source) if implied(m.value) & stated]
    terms = {match.term.zh for match in glossary.find(abstract)}
    marks = _located(source, quantities)
    marks += [Mark(m.start, m.end, "term") for m in glossary.find(source) if m.term.zh in terms]
    return _without_overlaps(marks)


def abstract_marks(source: str, abstract: str, glossary: Glossary) -> list[Mark]:
    """Spans of `abstract`: quantities (unsupported ones marked so) and glossary terms, with anchors."""
    supported = numbers_in(source)
    quantities = [(m.surface, "unsupported" if m.value not in supported else _kind(m.value))
                  for m in mentions(abstract)]
    marks = _located(abstract, quantities) + [Mark(m.start, m.end, "term") for m in glossary.find(abstract)]
    return [Mark(m.start, m.end, m.kind, f"ev-{i}") for i, m in enumerate(_without_overlaps(marks))]


def evidence_html(source: str, abstract: str, checks: list[str] | None, glossary: Glossary) -> str:
    """Warnings (linked), the abstract (unsupported spans marked) and the source (evidence marked)."""
    marks = abstract_marks(source, abstract, glossary)
    parts = ['<div class="evidence">', _warnings_html(abstract, checks or [], marks)]
    if abstract.strip():
        parts.append('<h4>摘要 Abstract</h4><p lang="zh" class="ev-abstract">'
                     f"{_marked(abstract, marks)}</p>")
    parts.append('<h4>原文 Source <small>(<mark class="ev-number">数字 number</mark> '
                 '<mark class="ev-date">日期 date</mark> <mark class="ev-term">术语 term</mark> '
                 'stated by the abstract)</small></h4>')
    found = source_marks(source, abstract, glossary)
    for line in re.finditer(r"[^\n]+", source):
        own = [Mark(m.start - line.start(), m.end - line.start(), m.kind) for m in found
               if line.start() <= m.start and m.end <= line.end()]
        parts.append(f'<p lang="zh">{_marked(line.group(), own)}</p>')
    parts.append("</div>")
    return "".join(parts)


def _warnings_html(abstract: str, checks: list[str], marks: list[Mark]) -> str:
    if not checks:
        return '<p class="ev-ok">✓ 检查通过 all checks passed</p>' if abstract.strip() else ""
    items = []
    for warning in checks:
        spots = sorted(marks, key=lambda m: m.kind != "unsupported")  # an unsupported spot first
        target = next((m.anchor for m in spots if abstract[m.start:m.end] in warning), None)
        text = html.escape(warning)
        items.append(f'<li><a href="#{target}">{text}</a></li>' if target else f"<li>{text}</li>")
    return f'<ul class="ev-warnings">{"".join(items)}</ul>'


def _kind(value: str) -> str:
    return "date" if describe(value) == "date" else "number"


def _located(text: str, found: list[tuple[str, str]]) -> list[Mark]:
    """Marks for (surface, kind) pairs given in text order; a surface not found verbatim is left out
    (the number reader may have normalised it, e.g. full-width digits)."""
    marks, position = [], 0
    for surface, kind in found:
        start = text.find(surface, position)
        if start < 0:
            continue
        marks.append(Mark(start, start + len(surface), kind))
        position = start + len(surface)
    return marks


def _without_overlaps(marks: list[Mark]) -> list[Mark]:
    kept, end = [], -1
    for mark in sorted(marks, key=lambda m: (m.start, -m.end)):
        if mark.start >= end:
            kept.append(mark)
            end = mark.end
    return kept


def _marked(text: str, marks: list[Mark]) -> str:
    out, position = [], 0
    for mark in marks:
        anchor = f' id="{mark.anchor}"' if mark.anchor else ""
        out += [html.escape(text[position:mark.start]),
                f'<mark class="ev-{mark.kind}"{anchor}>{html.escape(text[mark.start:mark.end])}</mark>']
        position = mark.end
    out.append(html.escape(text[position:]))
    return "".join(out)
