"""Quality metrics as pure functions over strings: character ROUGE, sacreBLEU, chrF, LEAD-3.

ROUGE for Chinese is computed on characters, because word segmentation would make the score
depend on the segmenter, and Google's `rouge_score` tokeniser drops CJK characters entirely.
The unit: the text is NFKC-normalised (full-width letters and digits become ASCII) and
case-folded; whitespace, punctuation and control characters (Unicode categories Z*, P*, C*)
are removed; every remaining character (a Hanzi, a digit, a Latin letter, a symbol such as ￥)
is one token. So "2023年" is five tokens and "GDP" three; Unicode counts % and the
decimal point as punctuation, so "9.9%" is the two tokens 9 9. Scores are F1 in [0, 1]; an
empty side scores 0.

English is scored with sacreBLEU (BLEU with its default 13a tokeniser, chrF, and chrF++ =
chrF with word bigrams); each corpus score carries sacreBLEU's signature so numbers can be
compared across papers and runs.
"""
from __future__ import annotations

import functools
import logging
import unicodedata
from collections import Counter
from dataclasses import dataclass

from sacrebleu.metrics import BLEU, CHRF

from .clean import split_sentences

DROPPED_CATEGORIES = ("Z", "P", "C")  # separators (whitespace), punctuation, control/format


@dataclass(frozen=True)
class Overlap:
    """One ROUGE score of a candidate against a reference."""

    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class CorpusScore:
    """A sacreBLEU corpus score (0-100) with the signature that makes it reproducible."""

    score: float
    signature: str


def rouge_units(text: str) -> list[str]:
    """The tokens ROUGE counts: characters, without whitespace and punctuation (see module doc)."""
    normal = unicodedata.normalize("NFKC", text).casefold()
    return [ch for ch in normal if not unicodedata.category(ch).startswith(DROPPED_CATEGORIES)]


def word_units(text: str) -> list[str]:
    """jieba words, for word-level ROUGE as papers on Chinese summarisation report it: the text
    normalised as for `rouge_units`, segmented, each word without its dropped characters."""
    normal = unicodedata.normalize("NFKC", text).casefold()
    words = ("".join(ch for ch in word if not unicodedata.category(ch).startswith(DROPPED_CATEGORIES))
             for word in _jieba().lcut(normal))
    return [word for word in words if word]


def rouge_n(candidate: str, reference: str, n: int, units=rouge_units) -> Overlap:
    """ROUGE-N: clipped overlap of n-grams of `units` (characters by default)."""
    cand, ref = _ngrams(units(candidate), n), _ngrams(units(reference), n)
    overlap = sum((cand & ref).values())
    return _overlap(overlap, sum(cand.values()), sum(ref.values()))


def rouge_l(candidate: str, reference: str, units=rouge_units) -> Overlap:
    """ROUGE-L: longest common subsequence of `units` (characters by default)."""
    cand, ref = units(candidate), units(reference)
    return _overlap(lcs_length(cand, ref), len(cand), len(ref))


def rouge(candidate: str, reference: str, units=rouge_units) -> dict[str, Overlap]:
    """ROUGE-1, ROUGE-2 and ROUGE-L of one candidate against one reference (units: rouge_units or word_units)."""
    return {"rouge1": rouge_n(candidate, reference, 1, units),
            "rouge2": rouge_n(candidate, reference, 2, units),
            "rougeL": rouge_l(candidate, reference, units)}


def lcs_length(a: list[str], b: list[str]) -> int:
    """Length of the longest common subsequence (dynamic programming, one row at a time)."""
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def lead(text: str, sentences: int = 3) -> str:
    """The LEAD-n baseline: the first sentences of the text, as they are."""
    return "".join(split_sentences(text)[:sentences])


def translation_scores(hypotheses: list[str], references: list[str]) -> dict[str, CorpusScore]:
    """Corpus BLEU, chrF and chrF++ of hypotheses against one reference each."""
    if not hypotheses or len(hypotheses) != len(references):
        raise ValueError(f"need as many references as hypotheses (at least one), "
                         f"got {len(hypotheses)} and {len(references)}")
    scores = {}
    for name, metric in _metrics(sentence_level=False).items():
        result = metric.corpus_score(hypotheses, [references])
        scores[name] = CorpusScore(round(result.score, 2), str(metric.get_signature()))
    return scores


def sentence_translation_scores(hypothesis: str, reference: str) -> dict[str, float]:
    """Per-segment BLEU (with effective order, as sentence BLEU needs), chrF and chrF++."""
    return {name: round(metric.sentence_score(hypothesis, [reference]).score, 2)
            for name, metric in _metrics(sentence_level=True).items()}


def _metrics(sentence_level: bool) -> dict:
    return {"bleu": BLEU(effective_order=sentence_level), "chrf": CHRF(), "chrf++": CHRF(word_order=2)}


@functools.cache
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def _ngrams(units: list[str], n: int) -> Counter:
    return Counter(tuple(units[i:i + n]) for i in range(len(units) - n + 1))


def _overlap(hits: int, candidate_total: int, reference_total: int) -> Overlap:
    if not hits:
        return Overlap(0.0, 0.0, 0.0)
    precision, recall = hits / candidate_total, hits / reference_total
    return Overlap(precision, recall, 2 * precision * recall / (precision + recall))
