"""The glossary: the shipped TSV, longest-first matching, tolerant English checks, bad files."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.config import load_config
from nlp.errors import ConfigError
from nlp.glossary import Glossary, Term

from repo_data import SEED  # noqa: E402

# Renderings the project brief fixes; the shipped file must keep them.
REQUIRED = {
    "十四五": "the 14th Five-Year Plan",
    "经开区": "economic and technological development zone",
    "经济技术开发区": "economic and technological development zone",
    "中欧班列": "China-Europe Railway Express",
    "综合保税区": "comprehensive bonded zone",
    "营商环境": "business environment",
    "招商引资": "investment promotion",
    "飞地经济": "enclave economy",
    "双循环": "dual circulation",
    "高质量发展": "high-quality development",
    "商务部": "the Ministry of Commerce",
    "国家发展改革委": "the National Development and Reform Commission",
    "国家发改委": "the National Development and Reform Commission",
    "四川省": "Sichuan Province",
    "西藏自治区": "Xizang Autonomous Region",
    "重庆市": "Chongqing Municipality",
    "乡村振兴": "rural revitalization",
    "共同富裕": "common prosperity",
    "一带一路": "the Belt and Road Initiative",
    "自贸试验区": "pilot free trade zone",
    "国务院": "the State Council",
}


def write(tmp_path: Path, text: str, name: str = "terms.tsv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture(scope="module")
def default() -> Glossary:
    return Glossary.load(load_config().glossary.files)


@pytest.fixture
def small(tmp_path) -> Glossary:
    return Glossary.load([write(tmp_path, "# test terms\n开发区\tdevelopment zone\n"
                                          "经济技术开发区\teconomic and technological development zone\n"
                                          "上海市\tShanghai\n上海\tShanghai\n市场监管局\tadministration for market regulation\n"
                                          "国家发改委\tthe National Development and Reform Commission\n"
                                          "国家发展改革委\tthe National Development and Reform Commission\n")])


# --- the shipped glossary ---

def test_default_glossary_is_configured_and_large(default):
    assert [Path(p).name for p in load_config().glossary.files] == ["glossary.tsv"]
    assert len(default.terms) >= 200
    assert len({term.zh for term in default.terms}) == len(default.terms)


@pytest.mark.parametrize("zh, en", REQUIRED.items())
def test_default_glossary_keeps_the_required_renderings(default, zh, en):
    assert Term(zh, en) in default.terms


def test_every_default_term_is_found_and_satisfied_by_its_own_rendering(default):
    for term in default.terms:
        assert [m.term for m in default.find(term.zh)] == [term], term
        assert default.missing(term.zh, term.en) == [], term
        assert default.missing(term.zh, term.en.upper().removeprefix("THE ")) == [], term
        assert default.missing(term.zh, "nothing to see here") == [term], term


def test_default_glossary_covers_the_seed_post(default):
    found = {m.term.zh for m in default.find(SEED.read_text(encoding="utf-8"))}
    assert {"经开区", "国家级经开区", "中欧班列", "综合保税区", "营商环境", "招商引资", "飞地经济", "十四五",
            "商务部", "四川省", "重庆市", "西藏自治区", "成都国际铁路港"} <= found


def test_loading_and_matching_take_milliseconds():
    files = load_config().glossary.files
    start = time.perf_counter()
    glossary = Glossary.load(files)
    glossary.find(SEED.read_text(encoding="utf-8") * 5)
    assert time.perf_counter() - start < 0.5


# --- matching ---

def test_longest_term_wins_and_matches_come_in_text_order(small):
    text = "上海市场监管局在经济技术开发区和开发区"
    assert [(m.start, m.end, m.term.zh) for m in small.find(text)] == [
        (0, 2, "上海"), (2, 7, "市场监管局"), (8, 15, "经济技术开发区"), (16, 19, "开发区")]


def test_variants_share_one_rendering_and_are_reported_once(small):
    zh = "国家发改委，即国家发展改革委"
    assert len(small.find(zh)) == 2
    missing = small.missing(zh, "the planning agency")
    assert [t.en for t in missing] == ["the National Development and Reform Commission"]


def test_empty_glossary_finds_nothing():
    empty = Glossary.empty()
    assert empty.terms == () and empty.find("经济技术开发区") == [] and empty.missing("经开区", "") == []


TERMS = ["开发区", "经济技术开发区", "技术", "上海", "上海市", "市场监管局", "场监", "海市"]


@pytest.fixture(scope="module")
def overlapping_terms(tmp_path_factory) -> Glossary:
    path = tmp_path_factory.mktemp("glossary") / "overlapping.tsv"
    path.write_text("".join(f"{term}\tterm {i}\n" for i, term in enumerate(TERMS)), encoding="utf-8")
    return Glossary.load(path)


@settings(max_examples=200, deadline=None)
@given(pieces=st.lists(st.sampled_from(TERMS + ["和", "在", "区", "市", "经济"]), max_size=12))
def test_matches_are_disjoint_exact_and_longest_first(overlapping_terms, pieces):
    text = "".join(pieces)
    matches = overlapping_terms.find(text)
    assert all(text[m.start:m.end] == m.term.zh for m in matches)
    assert all(a.end <= b.start for a, b in zip(matches, matches[1:]))
    for term in TERMS:  # every occurrence overlaps a match at least as long: nothing shorter won
        for start in (i for i in range(len(text)) if text.startswith(term, i)):
            overlapping = [m for m in matches if m.start < start + len(term) and start < m.end]
            assert overlapping and max(m.end - m.start for m in overlapping) >= len(term)


# --- missing(): which English counts as carrying the term ---

@pytest.mark.parametrize("zh, en", [
    ("经开区", "The Economic and Technological Development Zones signed"),  # case, plural
    ("经开区", "an economic-and-technological development zone"),          # hyphens for spaces
    ("四川省", "Sichuan Provincial Department of Commerce"),               # Province -> Provincial
    ("重庆市", "Chongqing Municipal Commission of Commerce"),              # Municipality -> Municipal
])
def test_missing_tolerates_case_plural_hyphen_and_adjective_forms(default, zh, en):
    assert default.missing(zh, en) == []


@pytest.mark.parametrize("zh, en", [
    ("全国人大常委会", "the National People 's Congress Standing Committee"),  # spaced apostrophe
    ("采购经理指数", "the purchasing managers index"),                        # dropped apostrophe
    ("十四五", "during the 14th five year plan period"),                       # no leading "the", hyphens
    ("西安", "in Xian"),
])
def test_missing_ignores_apostrophes_and_a_leading_the(default, zh, en):
    assert default.missing(zh, en) == []


@pytest.mark.parametrize("zh, en", [
    ("经开区", "the development zone"),                    # only part of the rendering
    ("西藏自治区", "Tibet Autonomous Region"),             # a different name
    ("营商环境", "business environmentalists"),            # a longer word is not a plural
    ("国务院", "the State Councillor"),
])
def test_missing_reports_absent_renderings(default, zh, en):
    assert [t.zh for t in default.missing(zh, en)] == [zh]


# --- bad files ---

@pytest.mark.parametrize("row, problem", [
    ("经开区 economic zone", "expected 'Chinese<TAB>English'"),
    ("经开区\tzone\textra", "expected 'Chinese<TAB>English'"),
    ("经开区\t", "empty or not English"),
    ("经开区\t经济技术开发区", "empty or not English"),
    ("zone\tzone", "not a Chinese term"),
    ("经 开区\tzone", "not a Chinese term"),
])
def test_bad_row_names_file_and_line(tmp_path, row, problem):
    path = write(tmp_path, f"# header\n\n营商环境\tbusiness environment\n{row}\n")
    with pytest.raises(ConfigError, match=problem) as error:
        Glossary.load([path])
    assert f"{path}:4:" in str(error.value)


def test_conflicting_duplicate_names_both_lines(tmp_path):
    path = write(tmp_path, "营商环境\tbusiness environment\n# again\n营商环境\tbusiness climate\n")
    with pytest.raises(ConfigError, match=r"营商环境 is rendered 'business climate' here but "
                                           r"'business environment' on line 1") as error:
        Glossary.load(path)
    assert f"{path}:3:" in str(error.value)


def test_repeated_identical_row_is_accepted(tmp_path):
    path = write(tmp_path, "营商环境\tbusiness environment\n营商环境\tbusiness  environment\n")
    assert Glossary.load(path).terms == (Term("营商环境", "business environment"),)


def test_missing_and_undecodable_files_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="glossary file not found"):
        Glossary.load([tmp_path / "nope.tsv"])
    with pytest.raises(ConfigError, match="not UTF-8"):
        Glossary.load([write(tmp_path, "营商环境\tbusiness environment\n", encoding="gbk")])


def test_bom_crlf_and_later_file_overrides_earlier(tmp_path):
    first = write(tmp_path, "\ufeff营商环境\tbusiness environment\r\n经开区\tETDZ\r\n", "a.tsv")
    second = write(tmp_path, "经开区\teconomic and technological development zone\n", "b.tsv")
    glossary = Glossary.load([first, second])
    assert set(glossary.terms) == {Term("营商环境", "business environment"),
                                   Term("经开区", "economic and technological development zone")}
