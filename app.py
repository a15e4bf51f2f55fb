"""Launch the review demo: python app.py [--config FILE] [--set KEY=VALUE] [--posts DIR] [--host H] [--port N]
[--origin URL] [--auth-file FILE].

Only parses arguments; the UI lives in nlp/demo.py.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no telemetry, no version check


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Gradio demo: try the pipeline and review abstracts of posts.")
    parser.add_argument("--config", metavar="FILE", help="YAML file merged over configs/default.yaml")
    parser.add_argument("--set", metavar="KEY.PATH=VALUE", action="append", default=[],
                        help="override one config value (repeatable)")
    parser.add_argument("--posts", metavar="DIR", type=Path,
                        help="folder of posts to review (nothing outside it is touched)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=7860)
    parser.add_argument("--origin", metavar="URL", action="append", default=[],
                        help="another address browsers reach the app at, e.g. http://reviewer-pc:7860 "
                             "(repeatable; pages of any other origin cannot call the app)")
    parser.add_argument("--auth-file", metavar="FILE", type=Path,
                        help="ask for a login: one 'user:password' per line (for --host beyond this machine)")
    return parser.parse_args(argv)


def read_logins(path: Path) -> list[tuple[str, str]]:
    """(user, password) pairs from `path`; NlpError naming the file and line of a bad one."""
    from nlp.errors import NlpError

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise NlpError(f"{path}: cannot read the auth file: {exc}") from None
    logins = []
    for number, line in enumerate(lines, 1):
        if line.strip() and not line.lstrip().startswith("#"):
            user, colon, password = line.strip().partition(":")
            if not (user and colon and password):
                raise NlpError(f"{path}:{number}: expected 'user:password'")
            logins.append((user, password))
    if not logins:
        raise NlpError(f"{path}: no 'user:password' line")
    return logins


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from nlp.config import load_config, parse_overrides
    from nlp.demo import build_demo, launch
    from nlp.errors import NlpError
    from nlp.pipeline import Pipeline

    try:
        if args.posts is not None and not args.posts.is_dir():
            raise NlpError(f"{args.posts}: --posts must be a folder")
        logins = read_logins(args.auth_file) if args.auth_file else None
        pipe = Pipeline.build(load_config(args.config, parse_overrides(args.set)))
    except NlpError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    launch(build_demo(pipe, args.posts), pipe.config, args.host, args.port, origins=args.origin, auth=logins)
    return 0


if __name__ == "__main__":
    sys.exit(main())
