"""Gradio review demo: try the pipeline on pasted text or a post, and review a folder of posts.

The UI only calls the pipeline. Every file name that comes from the browser goes through
`resolve_post` first, so nothing outside the --posts folder is listed, read or written, and
`launch` serves nothing else (no allowed_paths, an upload size limit, localhost by default).
"""
from __future__ import annotations

import functools
import logging
import tempfile
import time
from collections import Counter
from pathlib import Path

import gradio as gr

from .clean import chinese_ratio
from .config import Config
from .enrich import POST_SUFFIXES, STATUSES, find_posts
from .errors import NlpError
from .posts import Post, parse_post, read_post, with_managed_keys, write_post
from .status import PostState, Status

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

    def _rows(self, show: str) -> list[tuple[str, str, str]]:
        rows = []
        for name, path in self._posts():
            view = self.pipe.inspect(path)
            if show in ("all", view.state):
                rows.append((name, view.state, (post_title(view.post) if view.post else None) or ""))
        return rows

    @shown_in_ui
    def list_posts(self, show: str) -> list[list[str]]:
        return [list(row) for row in self._rows(show)]

    @shown_in_ui
    def open_post(self, name: str):
        """Source text beside the stored abstract of post `name`."""
        view = self._view(name)
        data, keys = view.post.data, self.pipe.config.front_matter
        meta = data.get(keys.meta) if isinstance(data.get(keys.meta), dict) else {"checks": None}
        source = "\n\n".join(filter(None, [view.article.title, view.article.text]))
        return (self._status(name, view.state, view.message or provenance(meta)), source,
                _text(data.get(keys.title_en)), _text(data.get(keys.abstract_zh)), _text(data.get(keys.abstract_en)),
                checks_view(meta.get("checks")))

    def _view(self, name: str):
        view = self.pipe.inspect(resolve_post(self._root(), name))
        if view.post is None or view.article is None:
            raise NlpError(view.message)
        return view

    def _root(self) -> Path:
        if self.root is None:
            raise NlpError("Start the app with --posts DIR to review a folder of posts.")
        return self.root

    @staticmethod
    def _status(name: str, state: str, message: str = "") -> str:
        return f"**{name}**: {state}" + (f" ({message})" if message else "")

    @shown_in_ui
    def regenerate(self, name: str, generated: dict | None):
        """A fresh abstract for the open post, shown for editing; nothing is written.

        Its provenance is kept per post in `generated` so Approve & save records the models used.
        """
        view = self._view(name)
        abstract = usable(self.pipe.process_articles([view.article])[0])
        gr.Info("New abstract generated; edit it, then Approve & save to write it.")
        return (self._status(name, view.state, "regenerated, not saved"), abstract.title_en or "",
                abstract.zh, abstract.en or "", checks_view(abstract.meta["checks"]),
                {**(generated or {}), name: abstract.meta})

    @shown_in_ui
    def save_review(self, name: str, zh: str, en: str, title_en: str, generated: dict | None = None):
        """Write the edited abstract into the post with reviewed: true."""
        path = resolve_post(self._root(), name)
        if not (zh or "").strip():
            raise NlpError("The Chinese abstract is empty; write or regenerate one before approving.")
        result = self.pipe.save_review(path, zh.strip(), (en or "").strip(), (title_en or "").strip(),
                                       provenance=(generated or {}).get(name))
        if result.status == Status.FAILED:
            raise NlpError(result.message)
        gr.Info(f"Saved {name} as reviewed.")
        return self._status(name, PostState.REVIEWED), checks_view(result.checks)

    @shown_in_ui
    def next_post(self, name: str, show: str) -> str:
        """The post after `name` in the current list (the first one after the last)."""
        names = [row[0] for row in self._rows(show)]
        if not names:
            raise NlpError(f"No posts with status {show!r}.")
        return names[(names.index(name) + 1) % len(names)] if name in names else names[0]

    @shown_in_ui
    def generate_missing(self, progress=gr.Progress()) -> str:
        """Abstracts for every post without one (or with a stale, unreviewed one); writes the files."""
        posts = self._posts()
        names = {path: name for name, path in posts}
        counts, failures = Counter(), []
        progress((0, len(posts)), desc="Generating missing abstracts")
        for done, result in enumerate(self.pipe.enrich_files([path for _, path in posts]), 1):
            counts[result.status] += 1
            if result.status == Status.FAILED:
                failures.append(f"{names.get(result.path, result.path)}: {result.message}")
            progress((done, len(posts)), desc="Generating missing abstracts")
        if failures:
            gr.Warning(f"{len(failures)} post(s) failed: " + "; ".join(failures[:3]))
        return ", ".join(f"{counts[status]} {status}" for status in STATUSES)


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
        gr.Markdown("# Bilingual abstracts for Chinese policy news\n"
                    "Clean → summarise in Chinese → translate to English → check.")
        with gr.Tab("Try it"):
            _try_tab(app)
        with gr.Tab("Review posts"):
            _review_tab(app, demo)
    demo.queue(default_concurrency_limit=1, max_size=32)
    return demo


def _try_tab(app: DemoApp) -> None:
    with gr.Row():
        with gr.Column():
            text = gr.Textbox(label="Chinese text, HTML or a whole post", lines=14, max_lines=14,
                              placeholder="Paste a Chinese news article here…", elem_id="source-text")
            upload = gr.File(label="…or upload a Markdown post (used instead of the text)",
                             file_types=[".md", ".markdown"], type="filepath")
            button = gr.Button("Generate abstract", variant="primary", elem_id="generate")
            examples = example_posts()
            if examples:
                gr.Examples([[text_] for _, text_ in examples], [text],
                            example_labels=[label for label, _ in examples], label="Example posts")
        with gr.Column():
            title_en = gr.Textbox(label="English title", elem_id="title-en")
            zh = gr.Textbox(label="Chinese abstract", lines=4, elem_id="abstract-zh")
            en = gr.Textbox(label="English abstract", lines=4, elem_id="abstract-en")
            about = gr.Markdown()
            download = gr.DownloadButton("Download the post with its new front matter")
            checks = _checks_box()
    with gr.Accordion("Cleaned text", open=False):
        cleaned = gr.Textbox(show_label=False, lines=10, max_lines=20)
    button.click(app.generate, [text, upload], [cleaned, zh, en, title_en, checks, about, download],
                 api_name="generate", concurrency_id=MODELS)


def _review_tab(app: DemoApp, demo: gr.Blocks) -> None:
    if app.root is None:
        gr.Markdown("Start the app with `--posts DIR` to review a folder of posts here.")
        return
    with gr.Row():
        show = gr.Dropdown(["all", *POST_STATES], value="all", label="Show posts with status", scale=2)
        batch = gr.Button("Generate missing abstracts", scale=1)
        batch_result = gr.Markdown()
    table = gr.Dataframe(headers=["post", "status", "title"], datatype="str", interactive=False,
                         max_height=300, label=f"Posts in {app.root}")
    current = gr.Textbox(label="Open post", interactive=False, visible=False)
    generated = gr.State({})  # post name -> provenance of its last regenerated abstract
    status = gr.Markdown("Click a post in the table to open it.")
    with gr.Row():
        source = gr.Textbox(label="Source text (cleaned)", lines=18, max_lines=18, interactive=False,
                            elem_id="review-source")
        with gr.Column():
            title_en = gr.Textbox(label="English title", interactive=True)
            zh = gr.Textbox(label="Chinese abstract", lines=4, interactive=True, elem_id="review-zh")
            en = gr.Textbox(label="English abstract", lines=4, interactive=True)
            with gr.Row():
                regenerate = gr.Button("Regenerate")
                approve = gr.Button("Approve & save", variant="primary")
                following = gr.Button("Next")
            checks = _checks_box()
    opened = [status, source, title_en, zh, en, checks]

    show.change(app.list_posts, show, table, api_name="list_posts")
    demo.load(app.list_posts, show, table, api_visibility="private")
    table.select(_picked, None, current, api_visibility="private").success(
        app.open_post, current, opened, api_name="open_post")
    regenerate.click(app.regenerate, [current, generated], [status, title_en, zh, en, checks, generated],
                     api_name="regenerate", concurrency_id=MODELS)
    approve.click(app.save_review, [current, zh, en, title_en, generated], [status, checks], api_name="save_review").success(
        app.list_posts, show, table, api_visibility="private")
    following.click(app.next_post, [current, show], current, api_name="next_post").success(
        app.open_post, current, opened, api_visibility="private")
    batch.click(app.generate_missing, None, batch_result, api_name="generate_missing",
                concurrency_id=MODELS).success(app.list_posts, show, table, api_visibility="private")


def _checks_box() -> gr.HighlightedText:
    return gr.HighlightedText(label="Checks", color_map={"warning": "orange", "ok": "green"},
                              show_inline_category=False)


def _picked(event: gr.SelectData) -> str:
    return event.row_value[0]


def launch(demo: gr.Blocks, config: Config, host: str = "127.0.0.1", port: int = 7860, block: bool = True):
    """Serve `demo` with nothing else exposed: no extra paths, bounded uploads, no telemetry."""
    return demo.launch(server_name=host, server_port=port, max_file_size=config.limits.max_file_bytes,
                       allowed_paths=[], ssr_mode=False, share=False, prevent_thread_lock=not block,
                       footer_links=["api"], quiet=True)
