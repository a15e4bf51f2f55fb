"""Gradio review demo: try the pipeline on pasted text or a post, and review a folder of posts.

The UI only calls the pipeline. Every file name that comes from the browser goes through
`resolve_post` first, so nothing outside the --posts folder is listed, read or written, and
`launch` serves nothing else (no allowed_paths, an upload size limit, localhost by default)
and answers only its own pages (nlp/origin.py). Review events carry the open post's name and
version, so a late result or a stale save never lands in the wrong file.
"""
from __future__ import annotations

import functools
import logging
import tempfile
import time
from collections import Counter
from pathlib import Path

import gradio as gr

from starlette.middleware import Middleware

from . import demo_page as page
from .checks import run_checks
from .clean import chinese_ratio
from .config import Config
from .enrich import POST_SUFFIXES, STATUSES, find_posts
from .errors import NlpError
from .evidence import evidence_html
from .origin import OriginGuard, allowed_origins
from .pipeline import post_version
from .posts import Post, parse_post, read_post, with_managed_keys, write_post
from .status import PostState

MAX_PASTED_CHARS = 200_000
POST_STATES = tuple(PostState)
EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples" / "posts"
MODELS = "models"  # concurrency id shared by every event that runs a model: one at a time
log = logging.getLogger(__name__)


class PathRefused(NlpError):
    """A file name from the browser that does not name a post inside the posts folder."""


def resolve_post(root: Path, name: str) -> Path:
    """Real path of post `name` (relative to `root`); refuses anything that could leave the folder.

    Rejects absolute names, `..` and hidden parts before touching the disk, then resolves
    symlinks and checks the target is still inside `root`.
    """
    relative = Path(name or "")
    if not name or relative.is_absolute() or any(part.startswith(".") for part in relative.parts):
        raise PathRefused(f"{name!r} is not the name of a post in the posts folder")
    try:
        root = Path(root).resolve()
        path = (root / relative).resolve()
    except (OSError, ValueError, RuntimeError):
        raise PathRefused(f"{name!r} is not the name of a post in the posts folder") from None
    if not path.is_relative_to(root):
        raise PathRefused(f"{name}: leads outside the posts folder")
    if path.suffix.lower() not in POST_SUFFIXES or not _is_file(path):
        raise PathRefused(f"{name}: no such post in the posts folder")
    return path


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # e.g. a name longer than the file system takes
        return False


def shown_in_ui(handler):
    """Turn any error into a short message in the UI instead of a traceback."""
    @functools.wraps(handler)
    def wrapper(*args, **kwargs):
        try:
            return handler(*args, **kwargs)
        except NlpError as exc:  # the user's to fix: a message, no server traceback
            raise gr.Error(str(exc), print_exception=False) from None
        except Exception as exc:  # the server log keeps the traceback; the user gets one line
            log.exception("demo: %s failed", handler.__name__)
            first_line = (str(exc).splitlines() or [""])[0][:200]
            raise gr.Error(f"Unexpected error ({type(exc).__name__}: {first_line}); see the server log.",
                           print_exception=False) from None
    return wrapper


def checks_view(checks: list[str] | None) -> list[tuple[str, str]]:
    """Checks as highlighted spans: each warning stands out; [] is a pass, None (no abstract) shows nothing."""
    if checks is None:
        return []
    if not checks:
        return [("all checks passed", "ok")]
    return [(f"⚠ {warning}\n", "warning") for warning in checks]


def run_summary(meta: dict, timing: dict, seconds: float) -> str:
    steps = ", ".join(f"{step} {value:.2f} s" for step, value in timing.items())
    return (f"**Summarizer:** {meta['summarizer']}  \n**Translator:** {meta['translator'] or 'off'}  \n"
            f"**Time:** {seconds:.2f} s ({steps})")


def provenance(meta: dict) -> str:
    """Who made a stored abstract and when, for the review status line."""
    if not meta.get("summarizer"):
        return ""
    return f"{meta['summarizer']} → {meta.get('translator') or 'no translator'}, {meta.get('generated_at')}"


def post_title(post: Post) -> str | None:
    title = post.data.get("title")
    return str(title) if title not in (None, "") else None


def example_posts() -> list[tuple[str, str]]:
    """(label, text) of the posts shipped in examples/posts, seed first; none if not shipped."""
    examples = []
    for path in sorted(EXAMPLES_DIR.glob("*.md")):
        try:
            post = read_post(path)
        except NlpError:
            continue
        examples.append((f"{path.name}: {post_title(post) or ''}"[:60], post.text))
    return examples


class DemoApp:
    """Event handlers over one pipeline and (optionally) one folder of posts."""

    def __init__(self, pipe, posts_root: Path | None):
        self.pipe = pipe
        self.root = Path(posts_root).resolve() if posts_root else None
        self.downloads = tempfile.TemporaryDirectory(prefix="nlp-demo-")

    # -- Try it -----------------------------------------------------------------------------

    @shown_in_ui
    def generate(self, text: str, upload: str | None):
        """Abstract of pasted text/HTML or an uploaded post, and the post back with front matter."""
        post, name = self._input_post(text, upload)
        start = time.perf_counter()
        article = self.pipe.clean(post.body, post_title(post))
        if chinese_ratio(article.text) < self.pipe.config.limits.min_chinese_ratio:
            raise NlpError("No Chinese article text left after cleaning: nothing to summarise.")
        timings = [{"clean": time.perf_counter() - start}]
        abstract = usable(self.pipe.process_articles([article], timings)[0])
        seconds = time.perf_counter() - start
        return (article.text, abstract.zh, abstract.en or "", abstract.title_en or "",
                checks_view(abstract.meta["checks"]), run_summary(abstract.meta, timings[0], seconds),
                self._with_front_matter(post, name, abstract))

    def _input_post(self, text: str, upload: str | None) -> tuple[Post, str]:
        if upload:
            post, name = read_post(Path(upload)), Path(upload).name
        elif not (text or "").strip():
            raise NlpError("Paste Chinese text or HTML, or upload a .md post.")
        elif len(text) > MAX_PASTED_CHARS:
            raise NlpError(f"The pasted text has {len(text):,} characters; the limit is "
                           f"{MAX_PASTED_CHARS:,}. Paste a shorter text or upload the post as a file.")
        else:
            post, name = parse_post(text), "post.md"
        if post.format == "none":  # a bare article: the download gets an empty front matter to fill
            post = parse_post(f"---\n---\n{post.text}", post.path)
        return post, name

    def _with_front_matter(self, post: Post, name: str, abstract) -> str:
        """A copy of the post with the managed keys set, written by the same lossless writer."""
        copy = Path(tempfile.mkdtemp(dir=self.downloads.name)) / name
        copy.write_bytes(post.raw)
        copied = read_post(copy)
        write_post(copied, with_managed_keys(copied, self.pipe.front_matter_values(abstract)))
        return str(copy)

    # -- Review posts -----------------------------------------------------------------------
    # Every review event carries the open post's name *and* version (the sha256 of the bytes it
    # was opened at): a result for another post or version is never applied, a save to a file
    # that changed since it was opened is refused.

    def _posts(self) -> list[tuple[str, Path]]:
        """(name relative to the folder, real path) of every post that passes the path guard."""
        root, posts = self._root(), []
        for path in find_posts([str(root)]):
            name = path.relative_to(root).as_posix()
            try:
                posts.append((name, resolve_post(root, name)))
            except PathRefused:
                continue
        return posts

    def _rows(self, show: str) -> list[list]:
        """Queue rows [post, state, warnings, English, title], riskiest first."""
        ranked = []
        for name, path in self._posts():
            view = self.pipe.inspect(path)
            if show not in ("all", view.state):
                continue
            data = view.post.data if view.post else {}
            meta = data.get(self.pipe.config.front_matter.meta)
            checks = meta.get("checks") if isinstance(meta, dict) else None
            warnings = len(checks) if isinstance(checks, list) else None
            english = bool(_text(data.get(self.pipe.config.front_matter.abstract_en)).strip())
            no_english = not english and self.pipe.translator is not None
            risk = _risk(view.state, view.reviewed, warnings or 0, no_english)
            ranked.append(((risk, -(warnings or 0), name),
                           [name, view.state, "" if warnings is None else warnings,
                            "✓" if english else "—", (post_title(view.post) if view.post else None) or ""]))
        return [row for _, row in sorted(ranked)]

    @shown_in_ui
    def list_posts(self, show: str) -> list[list]:
        return self._rows(show)

    @shown_in_ui
    def open_post(self, name: str):
        """The post's version, status, evidence and stored abstract; clears what the last post left."""
        view = self.pipe.inspect(resolve_post(self._root(), name))
        if view.post is None or view.article is None:  # shown in place of the last post, nothing to edit
            return (post_version(view.post) if view.post else "", self._status(name, "⚠ " + view.state, view.message),
                    "", "", "", checks_view(None), "", "", None, gr.update(visible=False), "")
        data, keys = view.post.data, self.pipe.config.front_matter
        meta = data.get(keys.meta) if isinstance(data.get(keys.meta), dict) else {}
        zh, en = _text(data.get(keys.abstract_zh)), _text(data.get(keys.abstract_en))
        checks = meta.get("checks") if zh else None
        return (post_version(view.post), self._status(name, view.state, view.message or provenance(meta)),
                _text(data.get(keys.title_en)), zh, en, *self._evidence(view, zh, en, checks), None,
                gr.update(visible=False), "")

    @shown_in_ui
    def regenerate(self, name: str, version: str) -> dict:
        """A fresh abstract for post `name` at `version`, returned (not shown, not written) with both,
        so `apply_regenerated` can drop it if the reviewer has moved on meanwhile."""
        view = self._view(name)
        abstract = usable(self.pipe.process_articles([view.article])[0])
        return {"name": name, "version": version, "title_en": abstract.title_en or "", "zh": abstract.zh,
                "en": abstract.en or "", "meta": abstract.meta}

    @shown_in_ui
    def apply_regenerated(self, result: dict | None, name: str, version: str):
        """Show a regenerated abstract for editing, only if its post and version are still open."""
        view = self._view(name)
        if not result or (result.get("name"), result.get("version")) != (name, version):
            late = f"the abstract regenerated for {(result or {}).get('name')} arrived after it was closed"
            gr.Warning(f"{late.capitalize()}; it was discarded. 重新生成的摘要已丢弃。")
            return (self._status(name, view.state, f"{late}: discarded"),) + (gr.update(),) * 7
        return (self._status(name, view.state, "regenerated, not saved · 已重新生成，未保存"), result["title_en"],
                result["zh"], result["en"], *self._evidence(view, result["zh"], result["en"]), result["meta"])

    @shown_in_ui
    def recheck(self, name: str, zh: str, en: str):
        """Checks and evidence of the abstract as edited (no model runs)."""
        return self._evidence(self._view(name), zh, en)

    @shown_in_ui
    def translate(self, zh: str, en: str):
        """English for the (edited) Chinese abstract, with the English it replaces; the Chinese stays."""
        if self.pipe.translator is None:
            raise NlpError("The translator is off (translator.enabled: false); write the English by hand.")
        if not (zh or "").strip():
            raise NlpError("The Chinese abstract is empty: nothing to translate.")
        new = self.pipe.translator.translate([zh.strip()])[0]
        before = (en or "").strip() or "(none)"
        return new, f"**English before · 原英文:** {before}\n\n**English after · 新英文:** {new}"

    @shown_in_ui
    def save_review(self, name: str, version: str, zh: str, en: str, title_en: str,
                    provenance: dict | None = None, confirmation: str = "", overwrite: bool = False):
        """Write the edited abstract with reviewed: true, only over the version that was opened.

        A risky approval (failing checks, no English) needs confirmation == "confirmed"; overwrite
        saves over whatever the file holds now (the editor chose to, after a conflict).
        """
        view = self._view(name)
        if not (zh or "").strip():
            raise NlpError("The Chinese abstract is empty; write or regenerate one before approving.")
        risk = self._risk_of(view, zh, en)
        if risk and confirmation != "confirmed":
            raise NlpError(f"Not saved: {risk}. Approve again and confirm to save it anyway.")
        result = self.pipe.save_review(view.path, zh.strip(), (en or "").strip(), (title_en or "").strip(),
                                       provenance=provenance, version=None if overwrite else version)
        if result.status == "failed":
            raise NlpError(result.message)
        saved = self._view(name)
        gr.Info(f"Saved {name} as reviewed. 已保存。")
        return (post_version(saved.post), self._status(name, saved.state, "saved · 已保存"),
                *self._evidence(saved, zh, en), gr.update(visible=False))

    @shown_in_ui
    def overwrite_review(self, name: str, version: str, zh: str, en: str, title_en: str,
                         provenance: dict | None = None, answer: str = ""):
        """Save over a file that changed since it was opened, once the reviewer confirmed it."""
        if answer != "confirmed":
            raise NlpError(f"{name} was not overwritten.")
        return self.save_review(name, version, zh, en, title_en, provenance, "confirmed", overwrite=True)

    @shown_in_ui
    def explain_failed_save(self, name: str, version: str):
        """After a refused save: offer Reload / Overwrite when the file changed since it was opened."""
        view = self.pipe.inspect(resolve_post(self._root(), name))
        if view.post is None or post_version(view.post) == version:
            return self._status(name, view.state, "⚠ not saved (see the message) · 未保存"), gr.update(visible=False)
        return (self._status(name, view.state, "⚠ changed since you opened it, not saved: reload it, or "
                                               "overwrite it with your text · 文件已被修改，未保存"),
                gr.update(visible=True))

    @shown_in_ui
    def next_post(self, name: str, table, answer: str = "clean") -> str:
        return self._step(name, table, answer, 1)

    @shown_in_ui
    def previous_post(self, name: str, table, answer: str = "clean") -> str:
        return self._step(name, table, answer, -1)

    def _step(self, name: str, table, answer: str, step: int) -> str:
        """The post `step` rows from `name` in the queue as shown (wrapping); refused when the
        reviewer chose to keep unsaved edits."""
        if answer == "keep":
            raise NlpError(f"Stayed on {name}: your unsaved edits are kept. 保留未保存的修改。")
        names = [row[0] for row in (table or []) if row and row[0]]
        if not names:
            raise NlpError("No posts in the list.")
        return names[(names.index(name) + step) % len(names)] if name in names else names[0]

    def generate_missing(self):
        """Abstracts for every post without one (or with a stale, unreviewed one), one post at a time
        so the count and the time left are true; yields a progress line after each post."""
        try:
            posts = self._posts()
        except NlpError as exc:
            raise gr.Error(str(exc), print_exception=False) from None
        counts, failures, start = Counter(), [], time.monotonic()
        for done, (name, path) in enumerate(posts):
            yield _batch_line(done, len(posts), time.monotonic() - start, name, counts, failures)
            result = self.pipe.enrich_file(path)
            counts[result.status] += 1
            if result.status == "failed":
                failures.append(f"{name}: {result.message}")
        yield _batch_line(len(posts), len(posts), time.monotonic() - start, None, counts, failures)

    def _view(self, name: str):
        view = self.pipe.inspect(resolve_post(self._root(), name))
        if view.post is None or view.article is None:
            raise NlpError(view.message)
        return view

    def _evidence(self, view, zh: str, en: str, checks: list[str] | None | bool = False):
        """(checks box, evidence HTML, risk) for abstract zh/en of `view`; checks computed unless given."""
        if checks is False:
            checks = run_checks(view.article.text, zh, en or None, self.pipe.glossary, self.pipe.config.limits) \
                if (zh or "").strip() else None
        source = "\n".join(filter(None, [view.article.title, view.article.text]))
        return (checks_view(checks), evidence_html(source, zh or "", checks, self.pipe.glossary),
                self._risk_of(view, zh, en, checks))

    def _risk_of(self, view, zh: str, en: str, checks: list[str] | None | bool = False) -> str:
        """Why approving this abstract needs a confirmation ("" when it does not)."""
        if not (zh or "").strip():
            return ""
        if checks is False:
            checks = run_checks(view.article.text, zh, en or None, self.pipe.glossary, self.pipe.config.limits)
        reasons = [f"{len(checks)} check(s) fail"] if checks else []
        if self.pipe.translator is not None and not (en or "").strip():
            reasons.append("no English abstract")
        return "; ".join(reasons)

    def _root(self) -> Path:
        if self.root is None:
            raise NlpError("Start the app with --posts DIR to review a folder of posts.")
        return self.root

    @staticmethod
    def _status(name: str, state: str, message: str = "") -> str:
        return f"**{name}**: {state}" + (f" ({message})" if message else "")


def _risk(state: str, reviewed: bool, warnings: int, no_english: bool) -> int:
    """Queue order, riskiest (lowest) first: failed posts, reviewed abstracts whose source changed,
    generated ones with failing checks or without English, unreviewed stale ones, posts without an
    abstract, clean generated ones, reviewed ones, skipped ones."""
    if state == "failed":
        return 0
    if state == "stale":
        return 1 if reviewed else 4
    if state == "generated":
        return 2 if warnings else 3 if no_english else 6
    return {"no abstract": 5, "reviewed": 7}.get(state, 8)


def _batch_line(done: int, total: int, seconds: float, current: str | None, counts: Counter,
                failures: list[str]) -> str:
    """Progress of the batch: count, post being generated, time left at the pace so far, failures."""
    filled = round(20 * done / total) if total else 20
    line = f"`{'█' * filled}{'░' * (20 - filled)}` **{done}/{total}** posts · 篇"
    if current:
        left = f"about {seconds / done * (total - done):.0f} s left · 约剩" if done else "estimating time left…"
        line += f" · now: {current} · {left}"
    else:
        line += " · done · 完成: " + ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s])
    return line + "".join(f"\n\n⚠ {failure}" for failure in failures[-3:])


def usable(abstract):
    """The abstract, or an error when not even the extractive fallback found a sentence."""
    if not abstract.zh.strip():
        raise NlpError("No abstract could be made: " + "; ".join(abstract.meta["checks"]))
    return abstract


def _text(value) -> str:
    return "" if value is None else str(value)


def build_demo(pipe, posts_root: Path | None = None) -> gr.Blocks:
    """The two-tab UI over `pipe`; model events share one queue slot."""
    app = DemoApp(pipe, posts_root)
    with gr.Blocks(title="Bilingual abstracts", analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
        gr.Markdown("### 政策新闻双语摘要 Bilingual abstracts for Chinese policy news · "
                    "clean → summarise → translate → check")
        with gr.Tab("试用 Try it"):
            _try_tab(app)
        with gr.Tab("审阅 Review posts"):
            _review_tab(app, demo)
    demo.queue(default_concurrency_limit=1, max_size=32)
    return demo


def _try_tab(app: DemoApp) -> None:
    with gr.Row():
        with gr.Column():
            text = gr.Textbox(label="中文正文、HTML 或整篇文章 Chinese text, HTML or a whole post", lines=14, max_lines=14,
                              placeholder="Paste a Chinese news article here…", elem_id="source-text")
            upload = gr.File(label="…或上传 Markdown 文章 or upload a Markdown post (used instead of the text)",
                             file_types=[".md", ".markdown"], type="filepath")
            button = gr.Button("生成摘要 Generate abstract", variant="primary", elem_id="generate")
            examples = example_posts()
            if examples:
                gr.Examples([[text_] for _, text_ in examples], [text],
                            example_labels=[label for label, _ in examples], label="示例文章 Example posts")
        with gr.Column():
            title_en = gr.Textbox(label="英文标题 English title", elem_id="title-en")
            zh = gr.Textbox(label="中文摘要 Chinese abstract", lines=4, elem_id="abstract-zh")
            en = gr.Textbox(label="英文摘要 English abstract", lines=4, elem_id="abstract-en")
            about = gr.Markdown()
            download = gr.DownloadButton("下载 Download the post with its new front matter")
            checks = _checks_box("检查 Checks")
    with gr.Accordion("清洗后的正文 Cleaned text", open=False):
        cleaned = gr.Textbox(show_label=False, lines=10, max_lines=20)
    button.click(app.generate, [text, upload], [cleaned, zh, en, title_en, checks, about, download],
                 api_name="generate", concurrency_id=MODELS)


def _review_tab(app: DemoApp, demo: gr.Blocks) -> None:
    if app.root is None:
        gr.Markdown("Start the app with `--posts DIR` to review a folder of posts here. "
                    "用 `--posts DIR` 启动以审阅文章。")
        return
    with gr.Row(equal_height=True):
        show = gr.Dropdown([("全部 all posts", "all"), *[(state, state) for state in POST_STATES]], value="all",
                           show_label=False, container=False, scale=1, min_width=150)
        batch = gr.Button("生成缺失摘要 Generate missing abstracts", size="sm", scale=1, elem_id="review-batch")
        batch_progress = gr.Markdown(elem_id="review-batch-progress", min_height=32)
    table = gr.Dataframe(headers=["post 文章", "state 状态", "⚠", "EN", "title 标题"], type="array",
                         datatype="str", interactive=False, max_height=150, elem_id="review-queue",
                         label=f"待审队列 Queue (riskiest first) · {app.root}")
    current = gr.Textbox(visible=False)  # name of the open post
    version = gr.Textbox(visible=False)  # sha256 of its bytes when opened
    risk = gr.Textbox(visible=False)  # why approving needs a confirmation, "" when it does not
    answer = gr.Textbox(visible=False)  # the reviewer's answer to a confirmation (filled by JavaScript)
    meta = gr.JSON(visible=False)  # provenance of the regenerated abstract shown, None for the stored one
    regenerated = gr.JSON(visible=False)  # a regenerated abstract on its way to the editor
    status = gr.Markdown("点击队列中的文章打开 · Click a post in the queue to open it.", elem_id="review-status")
    with gr.Row(visible=False, elem_id="review-conflict") as conflict:
        reload_ = gr.Button("重新载入 Reload (discard my edits)", size="sm")
        overwrite = gr.Button("覆盖 Overwrite with my text", size="sm", variant="stop", elem_id="review-overwrite")
    with gr.Row():
        with gr.Column(scale=1):
            with gr.Accordion("原文与证据 Source & evidence", open=True, elem_id="review-evidence-box"):
                evidence = gr.HTML(elem_id="review-evidence", padding=False)
        with gr.Column(scale=1, elem_id="review-editor"):
            with gr.Row():
                approve = gr.Button("✓ 通过 Approve & next (Alt+↵)", variant="primary",
                                    elem_id="review-approve", scale=3)
                regenerate = gr.Button("↻ 重新生成 Regenerate (Alt+R)", elem_id="review-regenerate", scale=3)
            with gr.Row():
                previous = gr.Button("← 上一篇 Previous (Alt+↑)", size="sm", elem_id="review-previous")
                following = gr.Button("下一篇 Next (Alt+↓) →", size="sm", elem_id="review-next")
                translate = gr.Button("译 Translate (Alt+T)", size="sm", elem_id="review-translate")
            zh = gr.Textbox(label="中文摘要 Chinese abstract", lines=3, max_lines=8, interactive=True,
                            elem_id="review-zh")
            en = gr.Textbox(label="英文摘要 English abstract", lines=3, max_lines=8, interactive=True,
                            elem_id="review-en")
            retranslated = gr.Markdown(elem_id="review-retranslated")
            title_en = gr.Textbox(label="英文标题 English title", interactive=True, elem_id="review-title-en")
            checks = _checks_box("检查 Checks", "review-checks")
    checked = [checks, evidence, risk]
    opened = [version, status, title_en, zh, en, *checked, meta, conflict, retranslated]

    def open_(trigger, api_name=None):
        """Open `current` after `trigger`, then refresh the queue; the edits are no longer unsaved."""
        return (trigger.success(app.open_post, current, opened, api_name=api_name,
                                api_visibility="public" if api_name else "private")
                .success(None, js=page.CLEAN).success(app.list_posts, show, table, api_visibility="private"))

    show.change(app.list_posts, show, table, api_name="list_posts")
    demo.load(app.list_posts, show, table, api_visibility="private")
    demo.load(None, js=page.CLEAN)
    open_(table.select(_picked, answer, current, js=page.GUARD_PICK, api_visibility="private"), "open_post")
    open_(following.click(app.next_post, [current, table, answer], current, js=page.GUARD_MOVE,
                          api_name="next_post"))
    open_(previous.click(app.previous_post, [current, table, answer], current, js=page.GUARD_MOVE,
                         api_name="previous_post"))
    open_(reload_.click(lambda name: name, current, current, api_visibility="private"))
    regenerate.click(None, current, status, js=page.REGENERATING)  # says what runs; no guessed time left
    regenerating = regenerate.click(app.regenerate, [current, version], regenerated, api_name="regenerate",
                                    concurrency_id=MODELS, show_progress="hidden", js=page.DIRTY)
    regenerating.success(app.apply_regenerated, [regenerated, current, version],
                         [status, title_en, zh, en, *checked, meta], api_visibility="private")
    regenerating.failure(functools.partial(_failed, "Regenerate"), current, status, api_visibility="private")
    translate.click(None, current, retranslated, js=page.TRANSLATING)  # says what runs; no guessed time left
    translate.click(app.translate, [zh, en], [en, retranslated], api_name="translate", concurrency_id=MODELS,
                    show_progress="hidden", js=page.DIRTY).failure(
        functools.partial(_failed, "Translate"), current, retranslated, api_visibility="private")
    for box, api_name in ((zh, "recheck"), (en, None)):  # checks follow every edit (no model runs)
        box.change(app.recheck, [current, zh, en], checked, api_name=api_name,
                   api_visibility="public" if api_name else "private", trigger_mode="always_last",
                   show_progress="hidden")
    saved = [version, status, *checked, conflict]
    approve_ = approve.click(app.save_review, [current, version, zh, en, title_en, meta, risk], saved,
                             js=page.CONFIRM_APPROVE, api_name="save_review")
    approve_.failure(app.explain_failed_save, [current, version], [status, conflict], api_visibility="private")
    open_(approve_.success(None, js=page.CLEAN).success(app.next_post, [current, table], current,
                                                       api_visibility="private"))
    overwrite.click(app.overwrite_review, [current, version, zh, en, title_en, meta, answer], saved,
                    js=page.CONFIRM_OVERWRITE, api_visibility="private").success(
        None, js=page.CLEAN).success(app.list_posts, show, table, api_visibility="private")
    batch.click(app.generate_missing, None, batch_progress, api_name="generate_missing",
                concurrency_id=MODELS, show_progress="hidden").then(
        app.list_posts, show, table, api_visibility="private")


def _checks_box(label: str, elem_id: str | None = None) -> gr.HighlightedText:
    return gr.HighlightedText(label=label, color_map={"warning": "orange", "ok": "green"},
                              show_inline_category=False, elem_id=elem_id)


def _failed(action: str, name: str) -> str:
    """The note left beside the editor when a model step failed (the message itself pops up)."""
    return f"**{name}**: ⚠ {action} failed (see the message); the editor was left as it was · 操作失败"


def _picked(answer: str, event: gr.SelectData) -> str:
    if answer == "keep":
        raise gr.Error("Your unsaved edits are kept. 保留未保存的修改。", print_exception=False)
    return event.row_value[0]


def launch(demo: gr.Blocks, config: Config, host: str = "127.0.0.1", port: int = 7860, block: bool = True,
           origins=(), auth=None):
    """Serve `demo` with nothing else exposed: no extra paths, bounded uploads, no telemetry, and
    no calls from pages of other origins (`origins` adds the addresses a proxy or LAN name serves
    it under). `auth`: gradio's (user, password) pairs for a shared server."""
    guard = Middleware(OriginGuard, allowed=allowed_origins(host, port, origins))
    return demo.launch(server_name=host, server_port=port, max_file_size=config.limits.max_file_bytes,
                       allowed_paths=[], ssr_mode=False, share=False, prevent_thread_lock=not block,
                       footer_links=["api"], quiet=True, auth=auth, app_kwargs={"middleware": [guard]},
                       head=page.HEAD, css=page.CSS)
