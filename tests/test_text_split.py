"""One splitter, three named modes: stops ⊂ sentences ⊂ clauses."""
from __future__ import annotations

import pytest

from nlp.text import BOUNDARIES, ends_stop, split, split_sentences

TEXT = "会议指出：要稳增长、保就业；他说：“形势向好。”下一步怎么办？U.S. officials arrived. 1.54亿元"


def test_modes_nest_from_stops_to_clauses():
    stops, sentences, clauses = (split(TEXT, mode) for mode in ("stops", "sentences", "clauses"))
    assert stops == ["会议指出：要稳增长、保就业；他说：“形势向好。”", "下一步怎么办？",
                     "U.S. officials arrived. 1.54亿元"]
    assert sentences == ["会议指出：要稳增长、保就业；", "他说：“形势向好。”", "下一步怎么办？",
                         "U.S. officials arrived.", "1.54亿元"]
    assert clauses[:4] == ["会议指出：", "要稳增长、", "保就业；", "他说："]
    assert "".join(clauses).replace(" ", "") == TEXT.replace(" ", "")


def test_split_sentences_uses_the_sentences_mode():
    assert split_sentences(TEXT) == split(TEXT, "sentences")


def test_marks_can_be_dropped():
    assert split("甲，乙。丙", "clauses", keep_marks=False) == ["甲", "乙", "丙"]


@pytest.mark.parametrize("text, ends", [("形势向好。”", True), ("怎么办？", True), ("等等……", True),
                                        ("保就业；", False), ("他说：", False), ("arrived.", False), ("", False)])
def test_ends_stop(text, ends):
    assert ends_stop(text) is ends


def test_unknown_mode_is_a_key_error():
    assert set(BOUNDARIES) == {"stops", "sentences", "clauses"}
    with pytest.raises(KeyError):
        split(TEXT, "words")
