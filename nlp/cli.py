"""`python -m nlp` / `nlp`: one subcommand per job, each taking --config and --set.

Exit codes: 0 success, 1 some input failed, 2 usage, configuration or model errors.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from .config import load_config, parse_overrides
from .errors import ConfigError, ModelUnavailable, NlpError
from .files import check_output_path, write_new_file
from .limits import check_file_size, cut_text, for_models, too_big


def main(argv: list[str] | None = None) -> int:
    _escape_unencodable_output()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    configure_logging(args.verbose - args.quiet)
    try:
        config = load_config(args.config, parse_overrides(args.set))
        return args.handler(args, config)
    except (ConfigError, ModelUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except NlpError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # unreadable input, unwritable output, full disk: say which file
        print(f"error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _escape_unencodable_output() -> None:
    """A file name that is not UTF-8 is printed with escapes rather than stopping the run."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def at_least_one(text: str) -> int:
    """argparse type of counts (--jobs, --batch-size, --limit): a usage error below 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="FILE", help="YAML file merged over configs/default.yaml")
    common.add_argument("--set", metavar="KEY.PATH=VALUE", action="append", default=[],
                        help="override one config value, e.g. --set translator.enabled=false (repeatable)")
    common.add_argument("-v", "--verbose", action="count", default=0, help="more log lines (debug)")
    common.add_argument("-q", "--quiet", action="count", default=0, help="warnings and errors only")
    parser = argparse.ArgumentParser(prog="nlp", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(metavar="COMMAND")

    def command(name, handler, help_text):
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    p = command("clean", cmd_clean, "print a post's cleaned text, one paragraph per line")
    p.add_argument("file", metavar="FILE|-")
    p = command("summarize", cmd_summarize, "print the Chinese abstract of a post or text")
    p.add_argument("file", metavar="FILE|-")
    p = command("translate", cmd_translate, "translate Chinese text zh→en, one output line per input sentence")
    p.add_argument("file", metavar="FILE|-")
    p = command("enrich", cmd_enrich, "write title_en/abstract_zh/abstract_en/abstract_meta into posts")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--dry-run", action="store_true", help="show the front-matter diff, write nothing")
    p.add_argument("--force", action="store_true", help="regenerate even unchanged or reviewed posts")
    p.add_argument("--report", metavar="FILE.json", help="write per-file results as JSON")
    p.add_argument("--jobs", type=at_least_one, default=1, metavar="N", help="posts read/written in parallel")
    p.add_argument("--glob", default=None, metavar="PATTERN", help="file pattern inside folders (default *.md and *.markdown)")
    p = command("enrich-dataset", cmd_enrich_dataset, "add abstract columns to a JSONL/CSV/Parquet dataset")
    p.add_argument("input", metavar="INPUT")
    p.add_argument("--output", required=True, metavar="OUTPUT",
                   help="a folder of numbered parts (resumable), or one .jsonl/.csv/.parquet file")
    p.add_argument("--text-column", default="content")
    p.add_argument("--title-column", default="title")
    p.add_argument("--batch-size", type=at_least_one, metavar="N", help="rows per batch (dataset.batch_size)")
    p.add_argument("--force", action="store_true", help="start over instead of resuming")
    p.add_argument("--engine", choices=["local", "ray"], help="dataset.engine (ray: pip install -e \".[ray]\")")
    p.add_argument("--address", metavar="auto|ray://HOST:10001", help="an existing Ray cluster (dataset.address)")
    p.add_argument("--actors", type=int, metavar="N", help="Ray actors, one Pipeline each (dataset.actors)")
    p.add_argument("--cpus-per-actor", type=float, metavar="X", help="dataset.cpus_per_actor")
    p.add_argument("--gpus-per-actor", type=float, metavar="X", help="dataset.gpus_per_actor")
    p = command("models", cmd_models, "pull, list or convert the configured models")
    p.add_argument("action", choices=["pull", "list", "convert"])
    p.add_argument("which", nargs="*", choices=["summarizer", "translator", []], default=[],
                   help="which models (default: both)")
    p.add_argument("--chinese-vocabulary", action="store_true",
                   help="convert: let the CTranslate2 summariser write only Chinese, ASCII, digits, punctuation "
                        "and the input's own tokens (faster; can change summaries, see docs/benchmarks.md)")
    p = command("evaluate", cmd_evaluate, "score abstracts and translations against references")
    p.add_argument("data", metavar="DATA", help="JSONL/CSV/Parquet file, saved datasets folder, or hub id owner/name")
    p.add_argument("--split", default="test")
    p.add_argument("--subset", default=None, metavar="NAME",
                   help="configuration of a hub dataset, e.g. chinese_simplified")
    p.add_argument("--column", action="append", default=[], metavar="OURS=THEIRS",
                   help="take column OURS (text, title, id, summary_zh, summary_en, translation_en) from THEIRS "
                        "(a.b: a nested field); repeatable")
    p.add_argument("--limit", type=at_least_one, default=None)
    p.add_argument("--report", metavar="FILE.json")
    return parser


class _CurrentStderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (tests and callers may swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _):
        pass


def configure_logging(verbosity: int) -> None:
    """The package's log lines, bare, on stderr: INFO by default, DEBUG with -v, WARNING with -q."""
    logger = logging.getLogger("nlp")
    for handler in [h for h in logger.handlers if isinstance(h, _CurrentStderr)]:
        logger.removeHandler(handler)
    handler = _CurrentStderr()
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if verbosity > 0 else logging.WARNING if verbosity < 0 else logging.INFO)


def _version() -> str:
    from . import __version__

    return __version__


def read_input(name: str, limits) -> str:
    """Text of FILE, or of standard input for '-', refused over limits.max_file_bytes."""
    if name == "-":
        text = sys.stdin.read(limits.max_file_bytes + 1)  # characters: never fewer than the bytes
        size = len(text.encode("utf-8", "surrogateescape"))
        if size > limits.max_file_bytes:
            raise too_big("<stdin>", size, limits)
        return text
    path = Path(name)
    try:
        check_file_size(path, limits)
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{name}: no such file") from None
    except UnicodeDecodeError:
        raise NlpError(f"{name}: not UTF-8 text") from None


def read_article(name: str, config):
    """Cleaned Article of a post file (front matter removed) or of plain text / HTML."""
    from .clean import clean_article
    from .posts import parse_post

    text = read_input(name, config.limits)
    post = parse_post(text, None if name == "-" else Path(name))
    title = post.data.get("title") if post.format != "none" else None
    return clean_article(post.body, str(title) if title else None, config.clean)


def cmd_clean(args, config) -> int:
    for paragraph in read_article(args.file, config).paragraphs:
        print(paragraph)
    return 0


def cmd_summarize(args, config) -> int:
    from .clean import clean_article
    from .summarize import make_summarizer

    article = read_article(args.file, config)
    if not article.sentences:
        raise NlpError(f"{args.file}: no text to summarise after cleaning")
    article, cuts = for_models(article, config.limits, lambda text, title: clean_article(text, title, config.clean))
    summary = make_summarizer(config.summarizer, config.runtime).summarize(article)
    print(summary.text)
    print(f"method: {summary.method}" + (f" ({summary.model})" if summary.model else ""), file=sys.stderr)
    for note in [*summary.notes, *cuts]:
        print(f"note: {note}", file=sys.stderr)
    return 0


def cmd_translate(args, config) -> int:
    from .glossary import Glossary
    from .translate import make_translator, translation_sentences

    text, cuts = cut_text(read_input(args.file, config.limits), config.limits)
    for note in cuts:
        print(f"note: {note}", file=sys.stderr)
    sentences = translation_sentences(text)
    if not sentences:
        raise NlpError(f"{args.file}: no text to translate")
    glossary = Glossary.load(config.glossary.files) if config.glossary.enforce else Glossary.empty()
    translator = make_translator(config.translator, config.runtime, glossary, config.glossary.inject)
    for translation in translator.translate_with_report(sentences):
        print(translation.text)
        for term in translation.missing_terms:
            print(f"note: glossary term {term.zh} -> {term.en!r} did not come through", file=sys.stderr)
    return 0


def cmd_enrich(args, config) -> int:
    from .enrich import REPORT_KEYS, enrich_paths, find_posts
    from .pipeline import Pipeline
    from .status import Status

    paths = find_posts(args.paths, args.glob)
    if not paths:
        raise ConfigError(f"no posts found in {' '.join(args.paths)}")
    if args.report:
        check_output_path(args.report, paths, REPORT_KEYS)
    pipeline = Pipeline.build(config)
    counts = enrich_paths(pipeline, paths, dry_run=args.dry_run, force=args.force,
                          jobs=args.jobs, report=args.report)
    return 1 if counts[Status.FAILED] else 0


def cmd_enrich_dataset(args, config) -> int:
    from dataclasses import replace

    from .dataset import enrich_dataset
    from .dataset.parts import is_single_file
    from .pipeline import Pipeline

    flags = {"engine": args.engine, "batch_size": args.batch_size, "address": args.address,
             "actors": args.actors, "cpus_per_actor": args.cpus_per_actor, "gpus_per_actor": args.gpus_per_actor}
    config = replace(config, dataset=replace(config.dataset, **{k: v for k, v in flags.items() if v is not None}))
    if is_single_file(Path(args.output)):  # a parts folder is created by the run itself
        check_output_path(args.output, [args.input])
    pipeline = Pipeline.build(config) if config.dataset.engine == "local" else None
    outcome = enrich_dataset(config, args.input, args.output, args.text_column, args.title_column,
                             force=args.force, pipeline=pipeline)
    print(f"{outcome.rows} rows, {outcome.failed} failed, written to {outcome.output}")
    return 1 if outcome.failed else 0


def cmd_models(args, config) -> int:
    from .runtime import convert_model, describe, pull
    from .runtime.licences import model_licence
    from .runtime.store import is_ctranslate2_folder
    from .runtime.vocabulary import restrict_vocabulary

    for role in args.which or ["summarizer", "translator"]:
        ref = getattr(config, role).model
        if args.action == "list":
            info = describe(ref, config.runtime, role)
            where = f"{info.path}\t{info.size_bytes / 1e6:.1f} MB" if info.path else "not on this machine\t-"
            converted = f"ctranslate2: {', '.join(info.conversions)}" if info.conversions else "not converted"
            if info.path and is_ctranslate2_folder(info.path):
                converted = "a CTranslate2 model"
            print(f"{role}\t{ref}\t{where}\t{converted}\t{model_licence(ref, info.path)}")
        elif args.action == "pull":
            print(f"{role}: {ref} -> {pull(ref, config.runtime, role, getattr(config, role).revision)}")
        else:
            folder = convert_model(ref, config.runtime, role)
            print(f"{role}: {ref} -> {folder}")
            if args.chinese_vocabulary and role == "summarizer":
                kept, size = restrict_vocabulary(folder, role)
                print(f"{role}: output vocabulary restricted to {kept} of {size} tokens (and the input's own)")
    return 0


def cmd_evaluate(args, config) -> int:
    import json

    from .evaluate import REPORT_KEYS, evaluate_dataset, format_table

    report_path = check_output_path(args.report, [args.data], REPORT_KEYS) if args.report else None
    columns = dict(pair.split("=", 1) for pair in args.column if "=" in pair)
    if len(columns) != len(args.column):
        raise ConfigError("--column expects OURS=THEIRS, e.g. --column summary_zh=summary")
    report = evaluate_dataset(config, args.data, split=args.split, limit=args.limit, subset=args.subset,
                              columns=columns)
    print(format_table(report))
    if report_path:
        write_new_file(report_path, json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    return 0
