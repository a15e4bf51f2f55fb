"""The whole flow in one place: clean → summarise → translate → check → front matter.

Models are found in `Pipeline.from_config`, loaded on first use and reused for every text and file.
Files are read and written only through `nlp.posts`, which keeps every byte outside the
managed keys; this module decides what to write and when.
"""
from __future__ import annotations

import difflib
import hashlib
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from .article import Article
from .checks import run_checks
from .clean import chinese_ratio, clean_article
from .config import Config, load_config
from .degenerate import degenerate
from .errors import ModelUnavailable, PostError
from .fingerprint import backend_description, settings_fingerprint
from .glossary import Glossary
from .limits import check_file_size, for_models
from .posts import Post, read_post, with_managed_keys, write_post
from .status import PostState, Status
from .extractive import ExtractiveSummarizer
from .summarize import make_summarizer, summarize_many
from .translate import make_translator

POSTS_PER_BATCH = 16  # titles and abstracts of this many posts share translation batches


@dataclass(frozen=True)
class Abstract:
    zh: str
    en: str | None
    title_en: str | None
    meta: dict  # what goes into abstract_meta
    timings: dict = field(default_factory=dict, compare=False)  # seconds per step; never persisted


@dataclass
class EnrichResult:
    path: Path
    status: Status
    message: str = ""
    diff: str = ""
    timings: dict = field(default_factory=dict)
    checks: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"path": str(self.path), "status": self.status, "message": self.message,
                "timings": self.timings, "checks": self.checks}


@dataclass(frozen=True)
class PostView:
    """A post as the reviewer sees it: parsed, cleaned, and where its abstract stands."""

    path: Path
    state: PostState
    message: str = ""
    post: Post | None = None
    article: Article | None = None
    reviewed: bool = False


class Pipeline:
    def __init__(self, config: Config, summarizer, translator, glossary: Glossary):
        self.config, self.summarizer, self.translator, self.glossary = config, summarizer, translator, glossary
        self.extractive = ExtractiveSummarizer(config.summarizer.extractive)  # when a model's output is unusable
        self.settings_sha256 = settings_fingerprint(config, summarizer, translator, glossary)
        self.backend = backend_description(summarizer, translator)

    @classmethod
    def from_config(cls, path=None, overrides: Mapping | None = None) -> "Pipeline":
        return cls.build(load_config(path, overrides))

    @classmethod
    def build(cls, config: Config) -> "Pipeline":
        """Find the models now (a missing translator raises ModelUnavailable here, before any
        file) and load each on its first use, so a run over unchanged posts loads none."""
        glossary = Glossary.load(config.glossary.files) if config.glossary.enforce else Glossary.empty()
        translator = (make_translator(config.translator, config.runtime, glossary, config.glossary.inject,
                                      deferred=True) if config.translator.enabled else None)
        return cls(config, make_summarizer(config.summarizer, config.runtime, deferred=True), translator, glossary)

    # -- text -------------------------------------------------------------------------------

    def clean(self, body: str, title: str | None = None) -> Article:
        return clean_article(body, title, self.config.clean)

    def process_text(self, text: str, title: str | None = None) -> Abstract:
        """Abstract of raw text or HTML (no front matter)."""
        return self.process_articles([self.clean(text, title)])[0]

    def process_articles(self, articles: list[Article], timings: list[dict] | None = None) -> list[Abstract]:
        """Summarise the articles, then translate all abstracts and titles, each in shared batches.

        `timings` (one dict per article) gets the seconds per step, as each Abstract.timings does."""
        timings = timings if timings is not None else [{} for _ in articles]
        limited = [for_models(a, self.config.limits, self.clean) for a in articles]  # bounded model input
        start = time.perf_counter()
        summaries = summarize_many(self.summarizer, [a for a, _ in limited])
        for timing in timings:
            timing["summarize"] = round((time.perf_counter() - start) / max(len(articles), 1), 4)
        summaries = [self._usable(summary, article) for summary, (article, _) in zip(summaries, limited)]
        english = self._translate(summaries, [a for a, _ in limited], timings)
        return [self._abstract(full, notes, summary, translated, timing)
                for full, (_, notes), summary, translated, timing in zip(articles, limited, summaries, english, timings)]

    def _usable(self, summary, article: Article):
        """The summariser's abstract, or the extractive one when the model's is empty or degenerate."""
        problem = degenerate(summary.text)
        if problem is None or summary.method == "extractive":
            return summary
        fallback = self.extractive.summarize(article)
        note = f"the model's summary was unusable ({problem}); used extractive"
        return replace(fallback, notes=(*summary.notes, note, *fallback.notes))

    def _translate(self, summaries, articles, timings) -> list[tuple[str | None, str | None, list[str]]]:
        """(abstract_en, title_en, notes) per article; an empty translation is left out, with a note."""
        if self.translator is None:
            return [(None, None, [])] * len(summaries)
        texts = [s.text for s in summaries] + [a.title for a in articles if a.title]
        start = time.perf_counter()
        english = iter(self.translator.translate(texts))
        share = round((time.perf_counter() - start) / max(len(articles), 1), 4)
        abstracts_en = [next(english) for _ in summaries]
        titles_en = [next(english) if a.title else None for a in articles]
        results = []
        for summary, en, title_en, timing in zip(summaries, abstracts_en, titles_en, timings):
            en = en if summary.text.strip() else None
            notes = [f"the {what} translation came out empty; {key} left out"
                     for what, key, value in (("abstract", "abstract_en", en), ("title", "title_en", title_en))
                     if value is not None and not value.strip()]
            results.append((en or None, title_en or None, notes))
            timing["translate"] = share
        return results

    def _abstract(self, article: Article, notes: list[str], summary, translated, timing: dict) -> Abstract:
        """The abstract of `article` (the full cleaned text: its hash is what the next run compares)."""
        en, title_en, translation_notes = translated
        checks = [*summary.notes, *notes, *translation_notes]
        checks += run_checks(article.text, summary.text, en, self.glossary, self.config.limits)
        meta = {
            "source_sha256": source_hash(article),
            "settings_sha256": self.settings_sha256,
            "summarizer": f"{summary.model or 'textrank'} ({summary.method})",
            "translator": self.translator.model if self.translator else None,
            "backend": self.backend,
            "generated_at": _now(),
            "reviewed": False,
            "checks": checks,
        }
        return Abstract(summary.text, en, title_en, meta, timing)

    # -- posts ------------------------------------------------------------------------------

    def inspect(self, path) -> PostView:
        """Read and clean one post and say where its abstract stands; no model is called."""
        path = Path(path)
        try:
            check_file_size(path, self.config.limits)
            post = read_post(path)
        except PostError as exc:
            return PostView(path, PostState.FAILED, str(exc))
        opt_out = self.config.front_matter.opt_out
        if opt_out and _is_false(post.data.get(opt_out)):
            return PostView(path, PostState.SKIPPED, f"{opt_out}: false in its front matter", post)
        try:
            article = self.clean(post.body, _title(post))
        except Exception as exc:  # a cleaner bug on one odd post must not stop the batch
            return PostView(path, PostState.FAILED, f"{path}: cannot clean the body: {type(exc).__name__}: {exc}", post)
        if not article.text.strip():
            return PostView(path, PostState.SKIPPED, "no article text after cleaning", post, article)
        if chinese_ratio(article.text) < self.config.limits.min_chinese_ratio:
            return PostView(path, PostState.SKIPPED, "not Chinese text; nothing to summarise", post, article)
        meta = post.data.get(self.config.front_matter.meta)
        meta = meta if isinstance(meta, dict) else {}
        reviewed = _is_true(meta.get("reviewed"))
        if not reviewed and not meta.get("source_sha256"):
            return PostView(path, PostState.NO_ABSTRACT, "", post, article)
        changed = [what for what, key, now in (("source", "source_sha256", source_hash(article)),
                                               ("settings", "settings_sha256", self.settings_sha256))
                   if meta.get(key) != now]
        if changed:
            return PostView(path, PostState.STALE, f"{' and '.join(changed)} changed since the abstract was made",
                            post, article, reviewed)
        return PostView(path, PostState.REVIEWED if reviewed else PostState.GENERATED, "", post, article, reviewed)

    def enrich_file(self, path, dry_run: bool = False, force: bool = False) -> EnrichResult:
        return next(self.enrich_files([path], dry_run=dry_run, force=force))

    def enrich_files(self, paths: Iterable, dry_run: bool = False, force: bool = False,
                     inspect=None) -> Iterator[EnrichResult]:
        """Enrich posts in batches; one result per path, in order. A bad file never stops the rest.

        `inspect` lets the batch command read and clean in parallel threads (default: self.inspect).
        """
        inspect = inspect or (lambda batch: map(self.inspect, batch))
        paths = list(paths)
        for start in range(0, len(paths), POSTS_PER_BATCH):
            views = list(inspect(paths[start:start + POSTS_PER_BATCH]))
            todo = [v for v in views if _needs_abstract(v, force)]
            abstracts = dict(zip((v.path for v in todo), self.process_each([v.article for v in todo])))
            for view in views:
                if view.path in abstracts:
                    yield self._write(view, abstracts[view.path], dry_run)
                else:
                    yield _result_without_work(view, force)

    def process_each(self, articles: list[Article], timings: list[dict] | None = None) -> list[Abstract | Exception]:
        """process_articles, where an article that fails gives its exception in its place, so
        one bad article (even one alone in its batch) never stops the others."""
        if not articles:
            return []
        timings = timings if timings is not None else [{} for _ in articles]
        try:
            return self.process_articles(articles, timings)
        except ModelUnavailable:  # not this article's fault: no article can be done
            raise
        except Exception as exc:  # retry one by one to find the bad one
            if len(articles) == 1:
                return [exc]
            return [self.process_each([a], [t])[0] for a, t in zip(articles, timings)]

    def _write(self, view: PostView, abstract: Abstract | Exception, dry_run: bool) -> EnrichResult:
        if isinstance(abstract, Exception):
            return EnrichResult(view.path, Status.FAILED, f"{view.path}: {type(abstract).__name__}: {abstract}")
        if not abstract.zh.strip():  # no model output and no sentence to extract: never write ""
            return EnrichResult(view.path, Status.FAILED, f"{view.path}: no abstract could be made: "
                                f"{'; '.join(abstract.meta['checks'])}", checks=abstract.meta["checks"])
        timings = dict(abstract.timings)
        try:
            new_text = with_managed_keys(view.post, self.front_matter_values(abstract))
            diff = _front_matter_diff(view, new_text)
            start = time.perf_counter()
            if not dry_run:
                write_post(view.post, new_text)
            timings["write"] = round(time.perf_counter() - start, 4)
        except PostError as exc:
            return EnrichResult(view.path, Status.FAILED, str(exc), timings=timings)
        message = "dry run: nothing written" if dry_run else ""
        return EnrichResult(view.path, Status.UPDATED, message, diff, timings, abstract.meta["checks"])

    def front_matter_values(self, abstract: Abstract) -> dict:
        """The managed keys, named as configured, in the order they are written."""
        keys = self.config.front_matter
        values = {keys.title_en: abstract.title_en, keys.abstract_zh: abstract.zh,
                  keys.abstract_en: abstract.en, keys.meta: abstract.meta}
        return {k: v for k, v in values.items() if v is not None}

    def save_review(self, path, zh: str, en: str | None, title_en: str | None,
                    provenance: Mapping | None = None, version: str | None = None) -> EnrichResult:
        """Write a reviewer's edited abstract with reviewed: true (the demo's Approve & save).

        `provenance` is the meta of a freshly regenerated abstract; without it the models
        recorded in the post's existing meta are kept. `version` (post_version of the file the
        reviewer opened) refuses the save when the file changed since: write_post then checks
        the bytes compared here are still the file's when it replaces it.
        """
        view = self.inspect(path)
        if view.post is None or view.article is None:
            return EnrichResult(view.path, Status.FAILED, view.message)
        if version is not None and post_version(view.post) != version:
            return EnrichResult(view.path, Status.FAILED, f"{view.path}: changed since it was opened "
                                "(saved from another tab, or by nlp enrich); not saved")
        old = provenance or view.post.data.get(self.config.front_matter.meta)
        old = old if isinstance(old, Mapping) else {}
        meta = {
            "source_sha256": source_hash(view.article),
            "settings_sha256": self.settings_sha256,  # approved as of these settings
            "summarizer": old.get("summarizer", "reviewer"),
            "translator": old.get("translator"),
            "backend": old.get("backend", self.backend),
            "generated_at": old.get("generated_at") or _now(),
            "reviewed": True,
            "checks": run_checks(view.article.text, zh, en or None, self.glossary, self.config.limits),
        }
        return self._write(view, Abstract(zh, en or None, title_en or None, meta), dry_run=False)


def post_version(post: Post) -> str:
    """The version of a post as read: the sha256 of its exact bytes."""
    return hashlib.sha256(post.raw).hexdigest()


def source_hash(article: Article) -> str:
    """Hash of the whole cleaned text (also of a post longer than limits.max_source_chars)."""
    return hashlib.sha256(article.text.encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _is_true(value) -> bool:
    """YAML 1.2 reads `yes`/`on` as text; a reviewer who wrote them meant true."""
    return value is True or (isinstance(value, str) and value.strip().lower() in ("true", "yes", "on", "y"))


def _is_false(value) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() in ("false", "no", "off", "n"))


def _title(post: Post) -> str | None:
    title = post.data.get("title")
    return str(title) if title not in (None, "") else None


def _needs_abstract(view: PostView, force: bool) -> bool:
    if view.state in (PostState.FAILED, PostState.SKIPPED):
        return False
    if force:
        return True
    return view.state == PostState.NO_ABSTRACT or (view.state == PostState.STALE and not view.reviewed)


def _result_without_work(view: PostView, force: bool) -> EnrichResult:
    if view.state in (PostState.FAILED, PostState.SKIPPED):
        return EnrichResult(view.path, Status(view.state.value), view.message)
    if view.state == PostState.STALE:  # only reviewed posts stay stale without --force
        return EnrichResult(view.path, Status.STALE, f"reviewed abstract kept: {view.message}; "
                                                     "use --force to regenerate")
    return EnrichResult(view.path, Status.UNCHANGED, view.state.value)


def _front_matter_diff(view: PostView, new_text: str) -> str:
    old_lines = view.post.text.splitlines(keepends=True)
    new_lines = new_text.splitlines(keepends=True)
    return "".join(difflib.unified_diff(old_lines, new_lines, str(view.path), str(view.path), n=1))
