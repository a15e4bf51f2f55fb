"""Evaluation: run the configured pipeline over rows with references and score what it wrote.

Three parts, so the scoring can be tested without any model: `load_rows` reads the dataset,
`run_systems` is the only part that calls models (the pipeline, plus the LEAD-3 and extractive
baselines on the same cleaned text), and `score_rows` / `format_table` are pure functions of
strings. A row is scored in each section it has a reference for: summary_zh (ROUGE of the
Chinese abstract), summary_en (the English abstract), translation_en (the translator on the
row's text).
"""
from __future__ import annotations

import itertools
import logging
import time
from dataclasses import dataclass, replace
from pathlib import Path
from statistics import mean

from .checks import run_checks, unsupported_quantities
from .config import Config, LimitsConfig
from .errors import ConfigError, NlpError
from .glossary import Glossary
from .headline import states_title_fact
from .metrics import lead, rouge, rouge_units, sentence_translation_scores, translation_scores, word_units
from .pipeline import POSTS_PER_BATCH, Pipeline
from .extractive import ExtractiveSummarizer
from .tables import open_rows

log = logging.getLogger(__name__)

REFERENCE_COLUMNS = ("summary_zh", "summary_en", "translation_en")
REPORT_KEYS = ("summaries", "per_row")  # an existing --report file must hold these to be replaced
SUMMARY_SYSTEMS = ("pipeline", "lead3", "extractive")
ROUGE_UNIT = "F1 x100 on characters: NFKC, case-folded, without whitespace and punctuation"
WORD_ROUGE_UNIT = "F1 x100 on jieba words, normalised the same way"
TEXTS_PER_TRANSLATION_CALL = 64  # for progress lines; the translator batches their sentences by tokens
# Public sets whose columns are renamed to ours unless --column says otherwise (ours: theirs, a.b = nested)
KNOWN_SETS = {
    "csebuetnlp/xlsum": {"summary_zh": "summary"},  # subset chinese_simplified: BBC Chinese news and summaries
    "wmt/wmt19": {"text": "translation.zh", "translation_en": "translation.en"},  # subset zh-en, newstest
}


@dataclass(frozen=True)
class EvalRow:
    """One dataset row: the Chinese source text and whichever references it has."""

    text: str
    title: str | None = None
    id: str | None = None
    summary_zh: str | None = None
    summary_en: str | None = None
    translation_en: str | None = None


@dataclass(frozen=True)
class RowOutput:
    """What the systems produced for one row; None where a system was not run on it."""

    source: str = ""  # the cleaned text that the abstract is checked against
    abstract_zh: str | None = None
    abstract_en: str | None = None
    summarizer: str | None = None  # the pipeline's own description, e.g. "textrank (extractive)"
    lead3: str | None = None
    extractive: str | None = None
    translation_en: str | None = None  # the pipeline translator's English for the row's text
    seconds: float | None = None  # pipeline time for this row's abstract
    translation_seconds: float | None = None


# -- loading ------------------------------------------------------------------------------

def load_rows(data: str, split: str | None = None, limit: int | None = None, subset: str | None = None,
              columns: dict[str, str] | None = None) -> list[EvalRow]:
    """The first `limit` rows of a JSONL/CSV/Parquet file, a saved `datasets` folder or a hub dataset.

    `split` picks one split of a saved DatasetDict or hub dataset; a plain file is a single split.
    `columns` maps our column names to the data's (a.b for a nested field), by default
    KNOWN_SETS' mapping for a known public set.
    """
    if limit is not None and limit < 1:
        raise ConfigError("--limit must be at least 1")
    columns = columns or KNOWN_SETS.get(data, {})
    try:
        rows = open_rows(data, split, subset)
        records = [_renamed(r, columns) for r in itertools.islice(rows, limit)]
    except NlpError:
        raise
    except Exception as exc:  # datasets and pyarrow raise many types for malformed files
        problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise NlpError(f"{data}: cannot read rows: {problem}") from None
    names = set(records[0]) if records else set(rows.column_names or ()) | set(columns)
    if "text" not in names:
        raise ConfigError(f"{data}: no 'text' column (columns: {', '.join(sorted(names)) or 'none'})")
    if not names & set(REFERENCE_COLUMNS):
        raise ConfigError(f"{data}: no reference column; expected one of {', '.join(REFERENCE_COLUMNS)}")
    return [EvalRow(text=_cell(r.get("text")) or "", title=_cell(r.get("title")), id=_cell(r.get("id")),
                    **{name: _cell(r.get(name)) for name in REFERENCE_COLUMNS}) for r in records]


def _renamed(record: dict, columns: dict[str, str]) -> dict:
    """The record with our column names added from the data's (nested a.b fields too)."""
    renamed = dict(record)
    for ours, theirs in columns.items():
        value = record
        for key in theirs.split("."):
            value = value.get(key) if isinstance(value, dict) else None
        renamed[ours] = value
    return renamed


def _cell(value) -> str | None:
    """A text cell, or None for a missing one (None, empty, or the NaN of an empty CSV cell)."""
    if value is None or value != value or value == "":
        return None
    return str(value)


# -- running ------------------------------------------------------------------------------

def run_systems(pipeline: Pipeline, rows: list[EvalRow]) -> list[RowOutput]:
    """Abstracts for rows with a summary reference, translations for rows with translation_en.

    Rows go through the pipeline in batches of POSTS_PER_BATCH, as `enrich` sends posts, so the
    seconds per article are what a user gets.
    """
    extractive = ExtractiveSummarizer(pipeline.config.summarizer.extractive)
    outputs = [RowOutput() for _ in rows]
    wanted = [i for i, row in enumerate(rows) if row.summary_zh or row.summary_en]
    for batch in _chunks(wanted, POSTS_PER_BATCH):
        start = time.perf_counter()
        articles = [pipeline.clean(rows[i].text, rows[i].title) for i in batch]
        abstracts = pipeline.process_each(articles)
        seconds = (time.perf_counter() - start) / len(batch)
        for i, article, abstract in zip(batch, articles, abstracts):
            if isinstance(abstract, Exception):  # reported and left unscored; the other rows go on
                log.warning("row %d: failed: %s: %s", i, type(abstract).__name__, abstract)
                continue
            outputs[i] = replace(outputs[i], source=article.text, abstract_zh=abstract.zh, abstract_en=abstract.en,
                                 summarizer=abstract.meta.get("summarizer"), seconds=seconds,
                                 lead3=lead(article.text), extractive=extractive.summarize(article).text)
        log.info("abstracts: %d/%d rows", batch[-1] + 1, len(rows))
    if pipeline.translator is None:
        return outputs
    wanted = [i for i, row in enumerate(rows) if row.translation_en]
    for batch in _chunks(wanted, TEXTS_PER_TRANSLATION_CALL):
        start = time.perf_counter()
        english = pipeline.translator.translate([rows[i].text for i in batch])
        seconds = (time.perf_counter() - start) / len(batch)
        for i, en in zip(batch, english):
            outputs[i] = replace(outputs[i], translation_en=en, translation_seconds=seconds)
        log.info("translations: %d/%d rows", batch[-1] + 1, len(rows))
    return outputs


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


# -- scoring (pure) -----------------------------------------------------------------------

def score_rows(rows: list[EvalRow], outputs: list[RowOutput], glossary: Glossary,
               limits: LimitsConfig | None = None) -> dict:
    """Every section of the report, and a record with the scores of each row."""
    records = [{"index": i, **_score_row(row, out, glossary, limits)}
               for i, (row, out) in enumerate(zip(rows, outputs))]
    return {
        "summaries": _summary_means(records),
        "translation": {
            "text": _corpus_scores([(o.translation_en, r.translation_en) for r, o in zip(rows, outputs)]),
            "abstract_en": _corpus_scores([(o.abstract_en, r.summary_en) for r, o in zip(rows, outputs)]),
        },
        "faithfulness": _faithfulness(records),
        "speed": {"seconds_per_article": _mean(o.seconds for o in outputs),
                  "seconds_per_translation": _mean(o.translation_seconds for o in outputs)},
        "per_row": records,
    }


def glossary_terms_kept(glossary: Glossary, zh: str, en: str) -> tuple[int, int]:
    """(terms found in the Chinese abstract, how many of them the English keeps).

    Terms are counted by their English rendering, as `Glossary.missing` reports them, so two
    Chinese variants of one term count once.
    """
    found = {match.term.en for match in glossary.find(zh)}
    return len(found), len(found - {term.en for term in glossary.missing(zh, en)})


def _score_row(row: EvalRow, out: RowOutput, glossary: Glossary, limits) -> dict:
    record: dict = {"id": row.id, "title": row.title}
    if out.abstract_zh is not None:
        record.update(abstract_zh=out.abstract_zh, abstract_en=out.abstract_en, seconds=out.seconds,
                      checks=run_checks(out.source, out.abstract_zh, out.abstract_en, glossary, limits),
                      unsupported_numbers=[m.surface for m in unsupported_quantities(out.abstract_zh, out.source)])
        if out.abstract_en is not None:
            found, kept = glossary_terms_kept(glossary, out.abstract_zh, out.abstract_en)
            record["glossary_terms"] = {"found": found, "kept": kept}
    if row.summary_zh and out.abstract_zh is not None:
        systems = {"pipeline": out.abstract_zh, "lead3": out.lead3, "extractive": out.extractive}
        record["rouge"] = _rouge_f1(systems, row.summary_zh)
        record["rouge_words"] = _rouge_f1(systems, row.summary_zh, word_units)
        if states_title_fact("", row.title) is not None:
            record["title_fact"] = {name: states_title_fact(text, row.title) for name, text in systems.items()}
    if row.summary_en and out.abstract_en is not None:
        record["abstract_en_scores"] = sentence_translation_scores(out.abstract_en, row.summary_en)
    if row.translation_en and out.translation_en is not None:
        record.update(translation_en=out.translation_en,
                      translation_scores=sentence_translation_scores(out.translation_en, row.translation_en))
    return record


def _rouge_f1(systems: dict[str, str], reference: str, units=rouge_units) -> dict:
    return {name: {key: round(s.f1 * 100, 2) for key, s in rouge(text, reference, units).items()}
            for name, text in systems.items()}


def _summary_means(records: list[dict]) -> dict | None:
    """Mean ROUGE per system (characters and words) and, over the rows whose title has key items,
    the share (x100) of abstracts that state the title's fact (nlp.headline.states_title_fact)."""
    scored = [r for r in records if "rouge" in r]
    if not scored:
        return None

    def means(key: str) -> dict:
        return {name: {metric: round(mean(r[key][name][metric] for r in scored), 2) for metric in scored[0][key][name]}
                for name in SUMMARY_SYSTEMS}

    facts = [r["title_fact"] for r in records if "title_fact" in r]
    title_fact = {"rows": len(facts), "systems": {name: round(100 * mean(f[name] for f in facts), 2)
                                                  for name in SUMMARY_SYSTEMS}} if facts else None
    return {"rows": len(scored), "unit": ROUGE_UNIT, "systems": means("rouge"),
            "word_unit": WORD_ROUGE_UNIT, "systems_words": means("rouge_words"), "title_fact": title_fact}


def _corpus_scores(pairs: list[tuple[str | None, str | None]]) -> dict | None:
    pairs = [(hyp, ref) for hyp, ref in pairs if hyp is not None and ref]
    if not pairs:
        return None
    scores = translation_scores([hyp for hyp, _ in pairs], [ref for _, ref in pairs])
    return {"rows": len(pairs), **{name: {"score": s.score, "signature": s.signature} for name, s in scores.items()}}


def _faithfulness(records: list[dict]) -> dict | None:
    abstracts = [r for r in records if "checks" in r]
    if not abstracts:
        return None
    terms = [r["glossary_terms"] for r in abstracts if "glossary_terms" in r]
    return {
        "abstracts": len(abstracts),
        "checks_passed": sum(not r["checks"] for r in abstracts),
        "unsupported_numbers_per_abstract": round(mean(len(r["unsupported_numbers"]) for r in abstracts), 3),
        "glossary_terms_found": sum(t["found"] for t in terms) if terms else None,
        "glossary_terms_kept": sum(t["kept"] for t in terms) if terms else None,
    }


def _mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return round(mean(values), 4) if values else None


# -- the whole run, and its table ---------------------------------------------------------

def evaluate_dataset(config: Config, data: str, split: str | None = None, limit: int | None = None,
                     subset: str | None = None, columns: dict[str, str] | None = None) -> dict:
    """Load the rows (before any model, so bad data fails fast), run the pipeline, score it."""
    rows = load_rows(data, split, limit, subset, columns)
    pipeline = Pipeline.build(config)
    outputs = run_systems(pipeline, rows)
    summarizers = sorted({o.summarizer for o in outputs if o.summarizer})
    return {"data": str(data), "split": split if Path(data).is_dir() else None, "rows": len(rows),
            "summarizer": ", ".join(summarizers) or None,
            "translator": pipeline.translator.model if pipeline.translator else None,
            **score_rows(rows, outputs, pipeline.glossary, config.limits)}


def format_table(report: dict) -> str:
    """The report's numbers as a plain-text table; per-row scores stay in the JSON."""
    lines = [f"{report['data']}: {report['rows']} rows",
             f"summarizer: {report['summarizer'] or '-'}; translator: {report['translator'] or 'disabled'}"]
    lines += _summary_lines(report["summaries"]) + _translation_lines(report["translation"])
    lines += _faithfulness_lines(report["faithfulness"]) + _speed_lines(report["speed"])
    return "\n".join(lines)


def _summary_lines(summaries: dict | None) -> list[str]:
    if not summaries:
        return []
    lines = ["", f"Chinese abstracts vs summary_zh ({summaries['rows']} rows)"]
    for unit, systems in ((summaries["unit"], summaries["systems"]),
                          (summaries["word_unit"], summaries["systems_words"])):
        lines += [f"  ROUGE {unit}", f"  {'system':<12}{'ROUGE-1':>9}{'ROUGE-2':>9}{'ROUGE-L':>9}"]
        lines += [f"  {name:<12}" + "".join(f"{value:>9.2f}" for value in scores.values())
                  for name, scores in systems.items()]
    if facts := summaries["title_fact"]:
        lines += [f"  States the title's fact: % of abstracts with all key entities and numbers of the title "
                  f"({facts['rows']} rows whose title has some)"]
        lines += [f"  {name:<12}{value:>9.2f}" for name, value in facts["systems"].items()]
    return lines


def _translation_lines(translation: dict) -> list[str]:
    scored = {name: scores for name, scores in translation.items() if scores}
    if not scored:
        return []
    lines = ["", "English vs references (sacreBLEU, 0-100)",
             f"  {'output':<14}{'rows':>6}{'BLEU':>8}{'chrF':>8}{'chrF++':>8}"]
    lines += [f"  {name:<14}{s['rows']:>6}" + "".join(f"{s[m]['score']:>8.2f}" for m in ("bleu", "chrf", "chrf++"))
              for name, s in scored.items()]
    signatures = next(iter(scored.values()))
    return lines + [f"  {m:<8}{signatures[m]['signature']}" for m in ("bleu", "chrf", "chrf++")]


def _faithfulness_lines(faith: dict | None) -> list[str]:
    if not faith:
        return []
    n, passed = faith["abstracts"], faith["checks_passed"]
    lines = ["", f"Faithfulness ({n} abstracts)",
             f"  checks passed        {passed}/{n} ({100 * passed / n:.1f}%)",
             f"  unsupported numbers  {faith['unsupported_numbers_per_abstract']:.2f} per abstract"]
    if faith["glossary_terms_found"] is not None:
        lines.append(f"  glossary terms kept  {faith['glossary_terms_kept']}/{faith['glossary_terms_found']}")
    return lines


def _speed_lines(speed: dict) -> list[str]:
    timed = [(label, value, unit) for label, value, unit in (
        ("pipeline", speed["seconds_per_article"], "article"),
        ("translation", speed["seconds_per_translation"], "text")) if value is not None]
    if not timed:
        return []
    return ["", "Speed"] + [f"  {label:<13}{value:.3f} s per {unit}" for label, value, unit in timed]
