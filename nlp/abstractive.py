"""A seq2seq model's abstract of an article of any length, by chunked map-reduce."""
from __future__ import annotations

from .article import Article
from .config import SummarizerConfig
from .errors import ConfigError, NlpError
from .summarize import Summary, require
from .text import boundaries
from .tidy import fit_chars, tidy_summary


class AbstractiveSummarizer:
    """A seq2seq model (mT5/T5 with an optional prefix, BART, Pegasus) that never truncates.

    Strategy for long inputs (map-reduce): the article's sentences are packed, in order, into
    chunks whose tokens (prefix included) fit `min(config.max_input_tokens,
    model.max_input_tokens)`; a sentence too long on its own is split at clause boundaries,
    then in halves, until its pieces fit. All chunks are summarised in one batched `generate`
    call; the chunk summaries, in order, become the input of the next round, packed the same
    way, until a single chunk remains, whose summary is the abstract. Length is bounded in
    tokens by the generation settings and in characters by `config.max_chars`, trimming at a
    sentence or clause boundary. Several articles go through their rounds side by side
    (`summarize_many`), sharing generate calls.
    """

    def __init__(self, model, config: SummarizerConfig):
        require(config.max_chars >= 1, "summarizer.max_chars", "at least 1", config.max_chars)
        self.model, self.config = model, config
        self.limit = min(config.max_input_tokens, model.max_input_tokens)
        if self._tokens(config.prefix) >= self.limit:
            raise ConfigError(f"summarizer.prefix {config.prefix!r} leaves no room for input "
                              f"within {self.limit} tokens")

    def summarize(self, article: Article) -> Summary:
        return self.summarize_many([article])[0]

    def summarize_many(self, articles: list[Article]) -> list[Summary]:
        """The abstract of each article; each round's chunks of all of them share one generate
        call, so short articles (one chunk, otherwise a batch of one) are decoded together."""
        units = [[s for s in article.sentences if s.strip()] for article in articles]
        counts: list[list[int]] = [[] for _ in articles]  # chunks per round, per article
        active = [i for i, u in enumerate(units) if u]
        while active:
            chunks = {i: self._pack(units[i]) for i in active}
            for i in active:
                if counts[i] and len(chunks[i]) >= counts[i][-1]:
                    raise NlpError(f"summarizer: chunk summaries no longer shrink within {self.limit} input tokens; "
                                   f"lower summarizer.max_new_tokens ({self.config.max_new_tokens})")
                counts[i].append(len(chunks[i]))
            outputs = iter(self._generate([chunk for i in active for chunk in chunks[i]]))
            for i in active:
                units[i] = [s for s in (tidy_summary(next(outputs)) for _ in chunks[i]) if s]
            active = [i for i in active if units[i] and counts[i][-1] > 1]
        return [self._summary(u, c) for u, c in zip(units, counts)]

    def _summary(self, units: list[str], counts: list[int]) -> Summary:
        if not counts:
            return Summary("", "abstractive", self.model.ref, ("no sentences to summarise",))
        rounds = " -> ".join(map(str, counts))
        notes = (f"long input: {rounds} chunks in {len(counts)} rounds",) if len(counts) > 1 else ()
        if not units:
            return Summary("", "abstractive", self.model.ref, (*notes, "the model produced an empty summary"))
        return Summary(fit_chars(units[0], self.config.max_chars), "abstractive", self.model.ref, notes)

    def _generate(self, chunks: list[str]) -> list[str]:
        c = self.config
        return self.model.generate([c.prefix + chunk for chunk in chunks], max_new_tokens=c.max_new_tokens,
                                   min_new_tokens=c.min_new_tokens, num_beams=c.num_beams,
                                   no_repeat_ngram_size=c.no_repeat_ngram_size)

    def _pack(self, units: list[str]) -> list[str]:
        """Consecutive units joined into as few chunks as fit the token limit, in order."""
        chunks: list[str] = []
        for piece in (p for unit in units for p in self._pieces(unit)):
            if chunks and self._fits(chunks[-1] + piece):
                chunks[-1] += piece
            else:
                chunks.append(piece)
        return chunks

    def _pieces(self, text: str) -> list[str]:
        """`text` split at clause boundaries, then in halves, until every piece fits."""
        if self._fits(text) or len(text) < 2:
            return [text]
        cuts = [m.end() for m in boundaries(text, "clauses") if m.end() < len(text)]
        middle = cuts[len(cuts) // 2] if cuts else len(text) // 2
        return self._pieces(text[:middle]) + self._pieces(text[middle:])

    def _fits(self, text: str) -> bool:
        return self._tokens(self.config.prefix + text) <= self.limit

    def _tokens(self, text: str) -> int:
        return self.model.count_tokens([text])[0]
