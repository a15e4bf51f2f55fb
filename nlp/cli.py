"""`python -m nlp` / `nlp`: one subcommand per job, each taking --config and --set.

Exit codes: 0 success, 1 some input failed, 2 usage, configuration or model errors.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .config import load_config, parse_overrides
from .errors import ConfigError, ModelUnavailable, NlpError


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
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


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="FILE", help="YAML file merged over configs/default.yaml")
    common.add_argument("--set", metavar="KEY.PATH=VALUE", action="append", default=[],
                        help="override one config value, e.g. --set translator.enabled=false (repeatable)")
    parser = argparse.ArgumentParser(prog="nlp", description=__doc__.splitlines()[0])
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
    p.add_argument("--jobs", type=int, default=1, metavar="N", help="posts read/written in parallel")
    p.add_argument("--glob", default=None, metavar="PATTERN", help="file pattern inside folders (default *.md and *.markdown)")
    p = command("enrich-dataset", cmd_enrich_dataset, "add abstract columns to a JSONL/CSV/Parquet dataset")
    p.add_argument("input", metavar="INPUT")
    p.add_argument("--output", required=True, metavar="OUTPUT",
                   help="a folder of numbered parts (resumable), or one .jsonl/.csv/.parquet file")
    p.add_argument("--text-column", default="content")
    p.add_argument("--title-column", default="title")
    p.add_argument("--batch-size", type=int, metavar="N", help="rows per batch (dataset.batch_size)")
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
    p = command("evaluate", cmd_evaluate, "score abstracts and translations against references")
    p.add_argument("data", metavar="DATA")
    p.add_argument("--split", default="test")
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--report", metavar="FILE.json")
    return parser


def read_input(name: str) -> str:
    """Text of FILE, or of standard input for '-'."""
    if name == "-":
        return sys.stdin.read()
    path = Path(name)
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{name}: no such file") from None
    except UnicodeDecodeError:
        raise NlpError(f"{name}: not UTF-8 text") from None


def read_article(name: str, config):
    """Cleaned Article of a post file (front matter removed) or of plain text / HTML."""
    from .clean import clean_article
    from .posts import parse_post

    text = read_input(name)
    post = parse_post(text, None if name == "-" else Path(name))
    title = post.data.get("title") if post.format != "none" else None
    return clean_article(post.body, str(title) if title else None, config.clean)


def cmd_clean(args, config) -> int:
    for paragraph in read_article(args.file, config).paragraphs:
        print(paragraph)
    return 0


def cmd_summarize(args, config) -> int:
    from .summarize import make_summarizer

    article = read_article(args.file, config)
    if not article.sentences:
        raise NlpError(f"{args.file}: no text to summarise after cleaning")
    summary = make_summarizer(config.summarizer, config.runtime).summarize(article)
    print(summary.text)
    print(f"method: {summary.method}" + (f" ({summary.model})" if summary.model else ""), file=sys.stderr)
    for note in summary.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


def cmd_translate(args, config) -> int:
    from .glossary import Glossary
    from .text import split_sentences
    from .translate import make_translator

    sentences = split_sentences(read_input(args.file))
    if not sentences:
        raise NlpError(f"{args.file}: no text to translate")
    glossary = Glossary.load(config.glossary.files) if config.glossary.enforce else Glossary.empty()
    translator = make_translator(config.translator, config.runtime, glossary)
    for translation in translator.translate_with_report(sentences):
        print(translation.text)
        for term in translation.missing_terms:
            print(f"note: glossary term {term.zh} -> {term.en!r} did not come through", file=sys.stderr)
    return 0


def cmd_enrich(args, config) -> int:
    from .enrich import enrich_paths, find_posts
    from .pipeline import Pipeline

    if args.jobs < 1:
        raise ConfigError("--jobs must be at least 1")
    paths = find_posts(args.paths, args.glob)
    if not paths:
        raise ConfigError(f"no posts found in {' '.join(args.paths)}")
    pipeline = Pipeline.build(config)
    counts = enrich_paths(pipeline, paths, dry_run=args.dry_run, force=args.force,
                          jobs=args.jobs, report=args.report)
    return 1 if counts["failed"] else 0


def cmd_enrich_dataset(args, config) -> int:
    from dataclasses import replace

    from .dataset import enrich_dataset
    from .pipeline import Pipeline

    flags = {"engine": args.engine, "batch_size": args.batch_size, "address": args.address,
             "actors": args.actors, "cpus_per_actor": args.cpus_per_actor, "gpus_per_actor": args.gpus_per_actor}
    config = replace(config, dataset=replace(config.dataset, **{k: v for k, v in flags.items() if v is not None}))
    pipeline = Pipeline.build(config) if config.dataset.engine == "local" else None
    outcome = enrich_dataset(config, args.input, args.output, args.text_column, args.title_column,
                             force=args.force, pipeline=pipeline)
    print(f"{outcome.rows} rows, {outcome.failed} failed, written to {outcome.output}")
    return 1 if outcome.failed else 0


def cmd_models(args, config) -> int:
    from .runtime import convert_model, describe, pull

    for role in args.which or ["summarizer", "translator"]:
        ref = getattr(config, role).model
        if args.action == "list":
            info = describe(ref, config.runtime, role)
            where = f"{info.path}\t{info.size_bytes / 1e6:.1f} MB" if info.path else "not on this machine\t-"
            converted = f"ctranslate2: {', '.join(info.conversions)}" if info.conversions else "not converted"
            print(f"{role}\t{ref}\t{where}\t{converted}")
        else:
            action = pull if args.action == "pull" else convert_model
            print(f"{role}: {ref} -> {action(ref, config.runtime, role)}")
    return 0


def cmd_evaluate(args, config) -> int:
    import json

    from .evaluate import evaluate_dataset, format_table
    from .files import write_new_file

    report_path = Path(args.report) if args.report else None
    if report_path and not report_path.parent.is_dir():  # fail before the run, not after it
        raise ConfigError(f"{args.report}: folder {report_path.parent} does not exist")
    report = evaluate_dataset(config, args.data, split=args.split, limit=args.limit)
    print(format_table(report))
    if report_path:
        write_new_file(report_path, json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    return 0
