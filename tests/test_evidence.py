"""The evidence view: which spans of the source and the abstract are marked, and where warnings link."""
import re

from nlp.checks import run_checks
from nlp.evidence import abstract_marks, evidence_html, source_marks
from nlp.glossary import Glossary, Term

GLOSSARY = Glossary([Term("国务院", "State Council"), Term("高新技术企业", "high-tech enterprises")])
SOURCE = "国务院常务会议2021年12月9日决定，投入50亿元支持高新技术企业。\n全年增长3.5%，另有7家企业获奖。"


def marked(text, marks):
    return [(text[m.start:m.end], m.kind) for m in marks]


def test_the_source_marks_only_what_the_abstract_states():
    abstract = "国务院决定投入50亿元，增长3.5%。"
    assert marked(SOURCE, source_marks(SOURCE, abstract, GLOSSARY)) == [
        ("国务院", "term"), ("50亿", "number"), ("3.5%", "number")]


def test_a_date_in_the_abstract_marks_the_date_in_the_source():
    assert ("2021年12月9日", "date") in marked(SOURCE, source_marks(SOURCE, "12月9日，国务院开会。", GLOSSARY))


def test_the_abstract_marks_unsupported_quantities_and_terms_with_anchors():
    abstract = "国务院投入60亿元，增长3.5%。"
    marks = abstract_marks(SOURCE, abstract, GLOSSARY)
    assert marked(abstract, marks) == [("国务院", "term"), ("60亿", "unsupported"), ("3.5%", "number")]
    assert len({m.anchor for m in marks}) == 3


def test_each_warning_links_to_its_spot_and_all_text_is_escaped():
    abstract = "国务院投入60亿元<script>。"
    checks = run_checks(SOURCE, abstract, None, GLOSSARY)
    page = evidence_html(SOURCE + "\n<b>标签</b>", abstract, checks, GLOSSARY)
    link = re.search(r'<a href="#(ev-\d+)">[^<]*60亿[^<]*</a>', page)
    assert link, page
    assert re.search(rf'<mark class="ev-unsupported" id="{link.group(1)}">60亿</mark>', page)
    assert "<script>" not in page and "<b>" not in page and "&lt;b&gt;" in page


def test_no_abstract_shows_the_source_alone_and_passing_checks_say_so():
    bare = evidence_html(SOURCE, "", None, GLOSSARY)
    assert "ev-abstract" not in bare and "ev-ok" not in bare and bare.count('<p lang="zh">') == 2
    assert "ev-ok" in evidence_html(SOURCE, "国务院投入50亿元。", [], GLOSSARY)
