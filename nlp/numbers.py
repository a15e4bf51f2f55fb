"""Numbers, percentages, amounts and dates in Chinese or English text, as comparable values.

Every way of writing the same quantity gives the same value string:
  "5000000000"   a number; amounts drop their currency (50亿元 == 5,000,000,000元 == 5 billion yuan)
  "8%"           a percentage (8%, 百分之八, 8 percent, 8 per cent)
  "0.5pp"        percentage points (0.5个百分点, 0.5 percentage points): a unit of its own, not "%"
  "2021-12-09", "2021-12", "--12-09", "--12", "---09"
                 dates in ISO 8601 style, partial when the text is (12月9日 == December 9 == "--12-09")

Chinese numerals count only where they are quantities: 三十七, 两万, 第十三, 三个, 六方面 (a single
numeral needs a measure word after it), never 一 alone (一些, 进一步, 统一) nor 十四五, 四川, 一带一路.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

_FULL_WIDTH = str.maketrans("０１２３４５６７８９％．", "0123456789%.")

ZH_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
ZH_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
ZH_BIG_UNITS = {"万": 10**4, "亿": 10**8}
EN_SCALES = {"hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9,
             "trillion": 10**12, "mn": 10**6, "bn": 10**9}
EN_WORDS = {word: value for value, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
EN_WORDS.update({word: 10 * tens for tens, word in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)})
EN_ORDINALS = {"first": "one", "second": "two", "third": "three", "fifth": "five", "eighth": "eight",
               "ninth": "nine", "twelfth": "twelve"}
EN_ORDINALS.update({word[:-1] + "ieth" if word.endswith("y") else word + "th": word
                    for word in EN_WORDS if word != "zero" and word not in EN_ORDINALS.values()})
MONTHS = {name: number for number, names in enumerate([
    ("January", "Jan"), ("February", "Feb"), ("March", "Mar"), ("April", "Apr"), ("May",),
    ("June", "Jun"), ("July", "Jul"), ("August", "Aug"), ("September", "Sep", "Sept"),
    ("October", "Oct"), ("November", "Nov"), ("December", "Dec")], 1) for name in names}

# A single Chinese numeral is a quantity only before one of these measure words (三个, 两家, 五年).
ZH_MEASURE_WORDS = set("个家件人名位项次年月日天周元块岁倍条批种所座辆吨台户起份张场届类方大省市县区国部轮期层季地")


@dataclass(frozen=True)
class Mention:
    """One quantity as written (`surface`, e.g. "50亿") and its comparable `value`."""

    surface: str
    value: str


def numbers_in(text: str) -> set[str]:
    """Values stated in `text` plus what each implies, so `numbers_in(a) <= numbers_in(b)` means b
    supports every quantity of a (see `implied`)."""
    values = set()
    for mention in mentions(text):
        values |= implied(mention.value)
    return values


def implied(value: str) -> set[str]:
    """A value and the values it vouches for.

    A date states its parts (2021-12-09: 2021-12, --12-09, --12, ---09 and the year 2021); a
    percentage or percentage points state the bare number; a whole number from 1 to 31 may be a
    day of the month (English writes 9日 as "the 9th").
    """
    found = {value}
    if match := re.fullmatch(r"(\d{4}|-)-(\d\d)(?:-(\d\d))?", value):
        year, month, day = match.groups()
        found.add(f"--{month}")
        if year != "-":
            found |= {year, f"{year}-{month}"}
        if day:
            found |= {f"--{month}-{day}", f"---{day}"}
    elif value.endswith(("%", "pp")):
        found.add(value.rstrip("%p"))
    elif value.isdigit() and len(value) <= 2 and 1 <= int(value) <= 31:
        found.add(f"---{int(value):02d}")
    return found


def describe(value: str) -> str:
    """What kind of quantity a value is, for messages."""
    if value.startswith("-") or re.fullmatch(r"\d{4}-\d\d.*", value):
        return "date"
    return {"%": "percentage", "p": "percentage points"}.get(value[-1], "number")


def mentions(text: str) -> list[Mention]:
    """Quantities in text order. Scanners run from most to least specific; each blanks what it
    read so that later ones (plain numbers) do not read a date's digits again."""
    text = text.translate(_FULL_WIDTH)
    found: list[tuple[int, Mention]] = []
    for pattern, read in _SCANNERS:
        for match in pattern.finditer(text):
            values = read(match)
            if values:
                found += [(match.start(), Mention(match.group().strip(), v)) for v in values]
                text = text[:match.start()] + "\0" * len(match.group()) + text[match.end():]
    return [mention for _, mention in sorted(found, key=lambda item: item[0])]


# --- Parsing pieces (pure functions) ---

def parse_zh_integer(text: str) -> int | None:
    """一千零五 -> 1005, 两万五 -> 25000, 三万亿 -> 3e12; None when not a well-formed numeral."""
    total, section, digit, last_unit = 0, 0, None, 0
    for char in text:
        if char in ZH_DIGITS:
            if digit is not None:
                return None  # two digits in a row (十四五, 一二): not one number
            digit = None if ZH_DIGITS[char] == 0 else ZH_DIGITS[char]
        elif char in ZH_SMALL_UNITS:
            unit = ZH_SMALL_UNITS[char]
            if (digit is None and unit != 10) or (last_unit and unit >= last_unit):
                return None
            section += (digit or 1) * unit
            digit, last_unit = None, unit
        elif char in ZH_BIG_UNITS:
            if section == 0 and digit is None and total == 0:
                return None
            part = section + (digit or 0)
            total = (total + part) * ZH_BIG_UNITS[char] if char == "亿" else total + part * ZH_BIG_UNITS[char]
            section, digit, last_unit = 0, None, 0
        else:
            return None
    if digit is not None and len(text) > 1 and text[-2] in ZH_SMALL_UNITS.keys() | ZH_BIG_UNITS.keys():
        digit *= _unit_of(text[-2]) // 10  # 两万五 = 25000, 一百二 = 120: the unit below is implied
    return total + section + (digit or 0)


def _unit_of(char: str) -> int:
    return ZH_SMALL_UNITS.get(char) or ZH_BIG_UNITS[char]


def parse_zh_number(text: str) -> Decimal | None:
    """Chinese numeral with an optional 点 fraction: 九点九 -> 9.9."""
    whole, _, fraction = text.partition("点")
    integer = parse_zh_integer(whole)
    if integer is None or any(char not in ZH_DIGITS for char in fraction):
        return None
    digits = "".join(str(ZH_DIGITS[char]) for char in fraction)
    return Decimal(f"{integer}.{digits}" if digits else integer)


def parse_zh_digit_string(text: str) -> int:
    """二〇二一 -> 2021 (years are read digit by digit)."""
    return int("".join(str(ZH_DIGITS[char]) for char in text))


def parse_arabic(text: str) -> Decimal:
    """1,234.5 -> 1234.5."""
    return Decimal(text.replace(",", ""))


def zh_multiplier(units: str) -> int:
    """万 -> 10^4, 千万 -> 10^7, 万亿 -> 10^12."""
    product = 1
    for char in units:
        product *= _unit_of(char)
    return product


def parse_en_words(words: str) -> int | None:
    """thirty-seven -> 37, thirty-seventh -> 37, two hundred thousand -> 200000."""
    total, current = 0, None
    for word in re.split(r"[\s-]+", words.lower()):
        word = EN_ORDINALS.get(word, word)
        if word in EN_WORDS:
            current = (current or 0) + EN_WORDS[word]
        elif word == "hundred" and current:
            current *= 100
        elif word in EN_SCALES and current:
            total, current = total + current * EN_SCALES[word], None
        else:
            return None
    return total + (current or 0)


def format_number(value: Decimal | int) -> str:
    """Canonical decimal text: 5E+9 -> 5000000000, 9.90 -> 9.9."""
    return format(Decimal(value).normalize(), "f")


def format_date(year: int | None, month: int | None, day: int | None) -> str | None:
    """ISO 8601 style, partial dates with leading dashes; None when the date is impossible."""
    if (month is not None and not 1 <= month <= 12) or (day is not None and not 1 <= day <= 31):
        return None
    if month is None:
        return f"---{day:02d}"
    head = f"{year:04d}" if year is not None else "-"
    return f"{head}-{month:02d}" + (f"-{day:02d}" if day is not None else "")


# --- Scanners: one regex and one reader each ---

_ZH_NUMERAL_CHARS = "〇零一二两三四五六七八九十百千万亿"
_RANGE = r"\s*(?:[-－‐‑–—~～〜]+|至|到|to\b)\s*"
_ARABIC = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_ZH_YEAR = r"\d{4}|[〇零一二三四五六七八九]{4}"
_ZH_MONTH = r"1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九]"
_ZH_DAY = r"3[01]|[12]\d|0?[1-9]|三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九]"
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_EN_WORD = "|".join(sorted([*EN_WORDS, *EN_ORDINALS], key=len, reverse=True))
_EN_SCALE = "|".join(EN_SCALES)
_ORDINAL = r"(?:st|nd|rd|th)?"


def _int_or_zh(text: str) -> int | None:
    return int(text) if text.isdigit() else parse_zh_integer(text)


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    return int(text) if text.isdigit() else parse_zh_digit_string(text)


def _read_numeric_date(match: re.Match) -> list[str]:
    year, _, month, day = match.groups()
    return _dates(int(year), [int(month)], [int(day)])


def _read_zh_date(match: re.Match) -> list[str]:
    year = _year(match["year"])
    months = [_int_or_zh(m) for m in (match["m1"], match["m2"]) if m]
    days = [_int_or_zh(d) for d in (match["d1"], match["d2"]) if d]
    if days and len(months) > 1:
        return []  # 1-7月9日 names no date
    return _dates(year, months, days or [None])


def _dates(year, months, days) -> list[str]:
    dates = [format_date(year, month, day) for month in months for day in days]
    return [] if None in dates else dates


def _read_zh_year(match: re.Match) -> list[str]:
    return [str(_year(match[1]))]


def _read_day(match: re.Match) -> list[str]:
    days = [format_date(None, None, int(d)) for d in match.groups() if d]
    return [] if None in days else days


def _read_en_date(match: re.Match) -> list[str]:
    days = [int(d) for d in (match["d1"], match["d2"]) if d] or [None]
    return _dates(_year(match["year"]), [MONTHS[match["month"]]], days)


def _read_zh_percent(match: re.Match) -> list[str]:
    value = parse_zh_number(match[1]) if not match[1][0].isdigit() else parse_arabic(match[1])
    return [format_number(value) + "%"] if value is not None else []


def _read_arabic(match: re.Match) -> list[str]:
    scale = 1
    if match["zh_units"]:
        scale = zh_multiplier(match["zh_units"])
    elif match["en_scale"]:
        scale = EN_SCALES[match["en_scale"].lower()]
    suffix = _unit_suffix(match["unit"])
    return [format_number(parse_arabic(n) * scale) + suffix for n in (match["a"], match["b"]) if n]


def _unit_suffix(unit: str | None) -> str:
    if not unit:
        return ""
    return "pp" if "点" in unit or "point" in unit.lower() else "%"


def _read_zh_numeral(match: re.Match) -> list[str]:
    value = parse_zh_integer(match["run"])
    single = len(match["run"]) == 1
    if value is None or (single and not match["ordinal"] and (
            match["run"] == "一" or not (match["unit"] or match["next"] in ZH_MEASURE_WORDS))):
        return []
    return [format_number(value) + _unit_suffix(match["unit"])]


def _read_en_words(match: re.Match) -> list[str]:
    value = parse_en_words(match["words"])
    return [format_number(value) + _unit_suffix(match["unit"])] if value is not None else []


_EN_UNIT = r"(?P<unit>\s*(?:%|percent\b|per\s+cent\b|percentage\s+points?\b))?"
_SCANNERS: list[tuple[re.Pattern, Callable[[re.Match], list[str]]]] = [
    (re.compile(r"(?<![\d.])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?![\d.])"), _read_numeric_date),
    (re.compile(rf"(?<![\d.{_ZH_NUMERAL_CHARS}])(?:(?P<year>{_ZH_YEAR})\s*年\s*)?"
                rf"(?P<m1>{_ZH_MONTH})(?:{_RANGE}(?P<m2>{_ZH_MONTH}))?\s*月份?"
                rf"(?:\s*(?P<d1>{_ZH_DAY})\s*[日号]?(?:{_RANGE}(?P<d2>{_ZH_DAY}))?\s*[日号])?"), _read_zh_date),
    (re.compile(r"(?<![\d.])([〇零一二三四五六七八九]{4})\s*年"), _read_zh_year),
    (re.compile(rf"(?<![\d.])(\d{{1,2}})\s*日?(?:{_RANGE}(\d{{1,2}}))?\s*日"), _read_day),
    (re.compile(rf"\b(?P<month>{_MONTH})\.?\s+(?P<d1>\d{{1,2}}){_ORDINAL}"
                rf"(?:\s*(?:-|–|—|to|and|through)\s*(?P<d2>\d{{1,2}}){_ORDINAL})?\b"
                rf"(?:,?\s+(?P<year>\d{{4}})\b)?"), _read_en_date),
    (re.compile(rf"\b(?P<d1>\d{{1,2}}){_ORDINAL}(?:\s*(?:-|–|to|and)\s*(?P<d2>\d{{1,2}}){_ORDINAL})?"
                rf"\s+(?:of\s+)?(?P<month>{_MONTH})\b\.?(?:,?\s+(?P<year>\d{{4}})\b)?"), _read_en_date),
    (re.compile(rf"\b(?P<month>{_MONTH})\b\.?(?:,?\s+(?P<year>\d{{4}})\b)?(?P<d1>)(?P<d2>)"),
     _read_en_date),
    (re.compile(r"百分之(\d+(?:\.\d+)?|[〇零一二两三四五六七八九十百千]+(?:点[〇零一二三四五六七八九]+)?)"),
     _read_zh_percent),
    (re.compile(rf"(?<![\d.,])(?P<a>{_ARABIC})(?:{_RANGE}(?P<b>{_ARABIC}))?(?:\s*(?:余|多))?"
                rf"(?:\s*(?P<zh_units>(?:千(?![米克瓦卡帕焦赫])|百(?!分)|[十万亿])+)"
                rf"|\s*(?P<en_scale>(?i:{_EN_SCALE}))\b)?"
                rf"(?P<unit>\s*(?:%|个?百分点|(?i:percent\b|per\s+cent\b|percentage\s+points?\b)))?"),
     _read_arabic),
    (re.compile(rf"(?<![{_ZH_NUMERAL_CHARS}几数])(?P<ordinal>第)?"
                rf"(?P<run>[一二两三四五六七八九十][{_ZH_NUMERAL_CHARS}]*)(?:余|多)?"
                rf"(?P<unit>个?百分点)?(?=(?P<next>.?))"), _read_zh_numeral),
    (re.compile(rf"(?i)\b(?P<words>(?:{_EN_WORD})(?:-(?:{_EN_WORD}))?(?:[\s-]+(?:{_EN_SCALE}))*)\b{_EN_UNIT}"),
     _read_en_words),
]
