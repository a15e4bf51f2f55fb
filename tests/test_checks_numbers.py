"""Reading quantities: every normal written form of a number, percentage, amount or date gives
the same value; words that merely contain numerals give none."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nlp.checks import numbers_in
from nlp.numbers import (describe, format_date, implied, mentions, parse_en_words, parse_zh_integer,
                         parse_zh_number, zh_multiplier)


def values(text: str) -> list[str]:
    return [m.value for m in mentions(text)]


@pytest.mark.parametrize("numeral, value", [
    ("十", 10), ("十三", 13), ("三十七", 37), ("一百二十", 120), ("一百二", 120), ("一千零五", 1005),
    ("一千零五十", 1050), ("两万", 20000), ("两万五", 25000), ("两万五千", 25000), ("十万", 100000),
    ("五千万", 50_000_000), ("一亿二千万", 120_000_000), ("一亿零五", 100_000_005), ("三万亿", 3 * 10**12),
])
def test_parse_zh_integer(numeral, value):
    assert parse_zh_integer(numeral) == value


@pytest.mark.parametrize("not_a_number", ["十四五", "一二", "五一", "千万", "万", "百", "二〇二一", "二百一千", "四川"])
def test_parse_zh_integer_rejects_what_is_not_one_number(not_a_number):
    assert parse_zh_integer(not_a_number) is None


def test_small_parsers():
    assert parse_zh_number("九点九") == Decimal("9.9")
    assert parse_zh_number("十四五") is None
    assert zh_multiplier("万") == 10**4 and zh_multiplier("千万") == 10**7 and zh_multiplier("万亿") == 10**12
    assert [parse_en_words(w) for w in ("thirty-seven", "thirty-seventh", "first", "twentieth",
                                        "two hundred thousand", "hundred")] == [37, 37, 1, 20, 200000, None]
    assert format_date(2021, 12, 9) == "2021-12-09" and format_date(None, 12, 9) == "--12-09"
    assert format_date(None, 7, None) == "--07" and format_date(None, None, 9) == "---09"
    assert format_date(None, 13, 1) is None and format_date(None, 2, 32) is None


# Each group: forms a writer might use for one quantity, in Chinese and in English.
SAME_QUANTITY = [
    ("8%", ["8%", "８％", "百分之八", "8 percent", "8 per cent", "8 Percent"]),
    ("9.9%", ["9.9%", "百分之九点九", "9.9 percent"]),
    ("2pp", ["2个百分点", "2百分点", "两个百分点", "2 percentage points"]),
    ("5000000000", ["50亿元", "50 亿元", "5,000,000,000元", "5000000000元", "5 billion yuan", "5bn yuan"]),
    ("154000000", ["1.54亿元", "154 million yuan", "1.54亿", "154,000,000"]),
    ("31110000000000", ["31.11万亿元", "31.11 trillion yuan"]),
    ("1800000", ["180万元", "180余万元", "1.8 million yuan"]),
    ("18000", ["1.8万吨", "18,000 tonnes", "一万八千吨"]),
    ("37", ["第三十七次", "37次", "37th", "thirty-seventh", "thirty-seven"]),
    ("2021-12-09", ["2021年12月9日", "2021年12月9号", "二〇二一年十二月九日", "2021-12-09", "2021.12.9",
                    "December 9, 2021", "Dec. 9, 2021", "9 December 2021"]),
    ("--12-09", ["12月9日", "十二月九日", "12 月 9 日", "December 9", "Dec 9th", "9th of December"]),
    ("2021-12", ["2021年12月", "December 2021"]),
    ("--10", ["10月份", "十月", "October", "Oct."]),
    ("---09", ["9日"]),
    ("2021", ["2021年", "二〇二一年", "in 2021"]),
    ("6", ["六个方面", "6个方面", "six areas"]),
]


@pytest.mark.parametrize("value, forms", SAME_QUANTITY, ids=[v for v, _ in SAME_QUANTITY])
def test_every_written_form_reads_as_one_value(value, forms):
    for form in forms:
        assert values(form) == [value], form


@pytest.mark.parametrize("text", [
    "一些", "进一步", "统一", "一带一路", "十四五规划", "十三五", "四川", "两岸", "两会", "十分重要", "千万不要",
    "一是", "五花八门", "三农", "几十万", "数十万", "百姓", "一个", "零售", "China", "someone", "often",
])
def test_words_that_contain_numerals_are_not_quantities(text):
    assert values(text) == []


@pytest.mark.parametrize("text, expected", [
    ("12月9日—10日", ["--12-09", "--12-10"]),
    ("9—10日", ["---09", "---10"]),
    ("1-7月", ["--01", "--07"]),
    ("1至5月份", ["--01", "--05"]),
    ("3-5万元", ["30000", "50000"]),
    ("5%-10%", ["5%", "10%"]),
    ("5-10%", ["5%", "10%"]),
    ("Oct. 26 to 30", ["--10-26", "--10-30"]),
    ("9-10 December", ["--12-09", "--12-10"]),
    ("3 to 5 million", ["3000000", "5000000"]),
])
def test_ranges_give_both_ends_the_same_unit(text, expected):
    assert values(text) == expected


def test_surfaces_name_the_number_as_written_and_come_in_text_order():
    found = mentions("2021年罚款50亿元，同比增长百分之八，涉及3千米道路和12月9日的会议")
    assert [(m.surface, m.value) for m in found] == [
        ("2021", "2021"), ("50亿", "5000000000"), ("百分之八", "8%"), ("3", "3"), ("12月9日", "--12-09")]


def test_percentage_points_are_not_percent():
    assert "8%" not in numbers_in("提高8个百分点") and "8pp" not in numbers_in("提高8%")
    assert "8" in numbers_in("提高8个百分点") and "8" in numbers_in("提高8%")


def test_a_date_implies_its_parts_and_a_small_number_may_be_a_day():
    assert implied("2021-12-09") == {"2021-12-09", "2021-12", "--12-09", "--12", "---09", "2021"}
    assert implied("--12-09") == {"--12-09", "--12", "---09"}
    assert implied("0.5pp") == {"0.5pp", "0.5"}
    assert implied("9") == {"9", "---09"} and implied("32") == {"32"} and implied("1.5") == {"1.5"}
    assert numbers_in("on the 9th") >= numbers_in("9日")


def test_describe_names_the_kind():
    assert [describe(v) for v in ("2021-12-09", "--12", "---09", "8%", "2pp", "2021", "1.5")] == [
        "date", "date", "date", "percentage", "percentage points", "number", "number"]


def to_chinese(number: int) -> str:
    """Formal Chinese numeral for 0 < number < 10**12, with 零 where digits are skipped."""
    digits, units, text, gap = "零一二三四五六七八九", "千百十", "", False
    for size, name in ((10**8, "亿"), (10**4, "万"), (1, "")):
        section = number // size % 10**4
        for position, unit in enumerate([*units, ""]):
            digit = section // 10 ** (3 - position) % 10
            if digit == 0:
                gap = gap or bool(text)
                continue
            text += ("零" if gap else "") + digits[digit] + unit
            gap = False
        text += name if section else ""
    return text


@given(st.integers(min_value=10, max_value=10**12 - 1))
def test_chinese_arabic_and_grouped_numerals_agree(number):
    assert values(to_chinese(number) + "元") == [str(number)]
    assert values(f"{number:,} yuan") == values(f"{number}元") == [str(number)]
    if number % 10**4 == 0:
        assert values(f"{number // 10**4}万元") == [str(number)]
