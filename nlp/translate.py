"""zh→en translation with a sentence-level seq2seq model (Marian opus-mt by default).

Marian models were trained on sentences, so each text is split at sentence ends (。！？ and
their ASCII forms, not at ；, commas or a character count), every sentence of every text goes
into one length-sorted, token-batched generate call, and the English is joined back per text.
Only a sentence longer than the model's token window is split further, at clause boundaries.

The model gets the untouched Chinese: opus-mt was trained on Chinese input only. Glossary terms
are checked in the output afterwards (translate_with_report, and the pipeline's checks).
`inject=True` (glossary.inject) instead splices each term's English into the Chinese before
translation; that code-mixed input was never measured against the default, hence opt-in.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .config import RuntimeConfig, TranslatorConfig
from .glossary import Glossary, Term
from .runtime import Seq2SeqModel, identify, load_identified
from .text import collapse_space, split_sentences

_CLAUSE_END = ("；", ";")  # split_sentences ends sentences here too; a translation model wants them kept


class Translator(Protocol):
    model: str

    def translate(self, texts: list[str]) -> list[str]: ...


@dataclass(frozen=True)
class Translation:
    text: str
    missing_terms: tuple[Term, ...]  # glossary terms of the source whose English is not in `text`


class Seq2SeqTranslator:
    def __init__(self, model: Seq2SeqModel, config: TranslatorConfig, glossary: Glossary, inject: bool = False):
        self.seq2seq, self.config, self.glossary, self.inject = model, config, glossary, inject
        self.model = model.ref  # Translator.model: the name recorded in abstract_meta
        self.max_tokens = min(config.max_input_tokens, model.max_input_tokens)

    def translate(self, texts: list[str]) -> list[str]:
        """English for each Chinese text (a title is just a short text)."""
        inputs = [self.model_inputs(text) for text in texts]
        units = [unit for text_units in inputs for unit in text_units]
        outputs = self.seq2seq.generate(units, num_beams=self.config.num_beams or None,
                                        max_batch_tokens=self.config.max_batch_tokens)
        english = iter(self._retry_empty(units, outputs))
        return [" ".join(filter(None, (next(english) for _ in text_units))) for text_units in inputs]

    def _retry_empty(self, units: list[str], outputs: list[str]) -> list[str]:
        """Outputs with each empty translation of a non-empty sentence tried again on its own
        (greedy, a batch of one); what is still empty stays empty and is left out."""
        empty = [i for i, (unit, out) in enumerate(zip(units, outputs)) if unit.strip() and not out.strip()]
        if not empty:
            return outputs
        retried = self.seq2seq.generate([units[i] for i in empty], num_beams=1, max_batch_tokens=1)
        outputs = list(outputs)
        for i, text in zip(empty, retried):
            outputs[i] = text
        return outputs

    def translate_with_report(self, texts: list[str]) -> list[Translation]:
        """English for each text, with the glossary terms that did not come through."""
        return [Translation(en, tuple(self.glossary.missing(text, en)))
                for text, en in zip(texts, self.translate(texts))]

    def model_inputs(self, text: str) -> list[str]:
        """What the model gets for `text`: its sentences, each within the window."""
        return [unit for sentence in translation_sentences(text) for unit in self._fit(sentence)]

    def _fit(self, sentence: str) -> list[str]:
        """The sentence as one model input, or halves (after commas when possible) until each fits."""
        unit = substitute_terms(sentence, self.glossary) if self.inject else sentence
        if len(sentence) < 2 or self.seq2seq.count_tokens([unit])[0] <= self.max_tokens:
            return [unit]
        halves = split_sentences(sentence, max_chars=(len(sentence) + 1) // 2)
        return [piece for half in halves for piece in self._fit(half)]


def translation_sentences(text: str) -> list[str]:
    """Sentences of `text`, split only where a sentence really ends (never at a length or at ；)."""
    sentences: list[str] = []
    for line in text.splitlines():
        pieces = split_sentences(line, max_chars=max(len(line), 1))
        for piece in pieces:
            if sentences and sentences[-1].endswith(_CLAUSE_END) and sentences[-1] + piece in line:
                sentences[-1] += piece
            else:
                sentences.append(piece)
    return sentences


def substitute_terms(zh_text: str, glossary: Glossary) -> str:
    """zh_text with each glossary term replaced by its English, spaced off from the Chinese."""
    parts, end = [], 0
    for match in glossary.find(zh_text):
        parts += [zh_text[end:match.start], f" {match.term.en} "]
        end = match.end
    parts.append(zh_text[end:])
    return collapse_space("".join(parts))


def make_translator(config: TranslatorConfig, runtime: RuntimeConfig, glossary: Glossary,
                    inject: bool = False, deferred: bool = False) -> Seq2SeqTranslator:
    """The configured translator; raises ModelUnavailable when its model cannot be had.
    `deferred`: identified now, loaded at the first translation (nlp.deferred)."""
    identity = identify(config.model, runtime, backend=config.backend, role="translator")

    def build() -> Seq2SeqTranslator:
        model = load_identified(identity, runtime, role="translator",
                                languages=(config.source_lang, config.target_lang))
        return Seq2SeqTranslator(model, config, glossary, inject)

    if deferred:
        from .deferred import Deferred

        return Deferred(build, identity)
    return build()
